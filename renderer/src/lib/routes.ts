export const ROUTE_IDS = [
  'dashboard',
  'campaigns',
  'creatives',
  'recommendations',
  'predictions',
  'automation',
  'alerts',
  'reports',
  'connections',
  'settings',
  'anomalies',
  'experiments',
  'diagnostics',
] as const
export type RouteId = (typeof ROUTE_IDS)[number]

export const ROUTE_TITLES: Record<RouteId, string> = {
  dashboard: 'Dashboard',
  campaigns: 'Campaigns',
  creatives: 'Creatives',
  recommendations: 'Recommendations',
  predictions: 'Predictions',
  automation: 'Automation',
  alerts: 'Alerts',
  reports: 'Reports',
  connections: 'Connections',
  settings: 'Settings',
  anomalies: 'Anomalies',
  experiments: 'Experiments',
  diagnostics: 'Diagnostics',
}

export const DEFAULT_ROUTE: RouteId = 'dashboard'

export function isRouteId(s: string): s is RouteId {
  return (ROUTE_IDS as readonly string[]).includes(s)
}

/** `#/campaigns` → 'campaigns'; anything unknown lands on the dashboard. */
export function parseHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? ''
  return isRouteId(id) ? id : DEFAULT_ROUTE
}

export function routeHash(id: RouteId): string {
  return `#/${id}`
}

/** Alt+1 … Alt+9 are the first nine items, Alt+0 the tenth (Settings). */
export function routeForDigit(digit: number): RouteId | undefined {
  const index = digit === 0 ? 9 : digit - 1
  return ROUTE_IDS[index]
}

/** Pages whose content depends on the global date range show the picker in their header. */
export const ROUTE_USES_RANGE: Record<RouteId, boolean> = {
  dashboard: true,
  campaigns: true,
  creatives: true,
  recommendations: false,
  predictions: false,
  automation: false,
  alerts: false,
  reports: false,
  connections: false,
  settings: false,
  anomalies: true,
  experiments: false,
  diagnostics: false,
}
