import { useEffect, type JSX } from 'react'
import { PageBoundary } from './components/PageBoundary'
import { Sidebar } from './components/Sidebar'
import { Toasts } from './components/Toasts'
import { startErrorReporting } from './lib/error-reporting'
import { startLiveUpdates } from './lib/live-events'
import type { RouteId } from './lib/routes'
import { routeForShortcut } from './lib/shortcuts'
import { applyThemeSetting } from './lib/theme'
import { AlertsPage } from './pages/alerts/AlertsPage'
import { AnomaliesPage } from './pages/analytics/AnomaliesPage'
import { AutomationPage } from './pages/automation/AutomationPage'
import { CampaignsPage } from './pages/analytics/CampaignsPage'
import { ConnectionsPage } from './pages/connections/ConnectionsPage'
import { CreativesPage } from './pages/analytics/CreativesPage'
import { DashboardPage } from './pages/dashboard/DashboardPage'
import { DiagnosticsPage } from './pages/diagnostics/DiagnosticsPage'
import { ExperimentsPage } from './pages/experiments/ExperimentsPage'
import { PlaceholderPage } from './pages/PlaceholderPage'
import { PredictionsPage } from './pages/predictions/PredictionsPage'
import { RecommendationsPage } from './pages/recommendations/RecommendationsPage'
import { ReportsPage } from './pages/reports/ReportsPage'
import { SettingsPage } from './pages/settings/SettingsPage'
import { useJobsStore } from './stores/jobs-store'
import { startHashRouting, useRouterStore } from './stores/router-store'
import { useSettingsStore } from './stores/settings-store'
import { useWorkspaceStore } from './stores/workspace-store'

function Page({ route }: { route: RouteId }): JSX.Element {
  switch (route) {
    case 'dashboard':
      return <DashboardPage />
    case 'settings':
      return <SettingsPage />
    case 'campaigns':
      return <CampaignsPage />
    case 'anomalies':
      return <AnomaliesPage />
    case 'creatives':
      return <CreativesPage />
    case 'predictions':
      return <PredictionsPage />
    case 'connections':
      return <ConnectionsPage />
    case 'reports':
      return <ReportsPage />
    case 'experiments':
      return <ExperimentsPage />
    case 'automation':
      return <AutomationPage />
    case 'recommendations':
      return <RecommendationsPage />
    case 'alerts':
      return <AlertsPage />
    case 'diagnostics':
      return <DiagnosticsPage />
    default:
      return <PlaceholderPage key={route} id={route} />
  }
}

/** The current page inside its own error boundary (a new one per route, so leaving a broken page resets it). */
function CurrentPage(): JSX.Element {
  const route = useRouterStore((s) => s.route)
  return (
    <PageBoundary key={route} route={route}>
      <Page route={route} />
    </PageBoundary>
  )
}

export function App(): JSX.Element {
  const theme = useSettingsStore((s) => s.settings?.theme ?? 'system')

  useEffect(() => {
    const stops = [startErrorReporting(), startHashRouting(), startLiveUpdates()]
    void useWorkspaceStore.getState().loadWorkspaces()
    void useSettingsStore.getState().loadSettings()
    void useJobsStore.getState().loadJobs()

    const onKey = (e: KeyboardEvent): void => {
      const target = routeForShortcut(e)
      if (!target) return
      e.preventDefault()
      useRouterStore.getState().navigate(target)
    }
    // Presets are relative to today; a laptop left open overnight should roll them forward.
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') useWorkspaceStore.getState().refreshToday()
    }
    window.addEventListener('keydown', onKey)
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      stops.forEach((stop) => stop())
      window.removeEventListener('keydown', onKey)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [])

  useEffect(() => applyThemeSetting(theme), [theme])

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main-content"
        onClick={(e) => {
          // A real fragment jump would change the hash, which is the router's.
          e.preventDefault()
          document.getElementById('main-content')?.focus()
        }}
      >
        Skip to content
      </a>
      <Sidebar />
      <main className="main">
        <CurrentPage />
      </main>
      <Toasts />
    </div>
  )
}
