import { useEffect, useState, type JSX } from 'react'
import { addDays } from '../../../../shared/domain/dates'
import { getClient } from '../../api/client'
import { EmptyState } from '../../components/States'
import { formatRange } from '../../lib/date-presets'
import { useRouterStore } from '../../stores/router-store'
import { useWorkspaceStore } from '../../stores/workspace-store'

interface Span {
  first: string
  last: string
}

/**
 * Shown instead of the chart when a range has nothing in it. Looks up where the workspace's data
 * actually is, so the user gets a one-click way there instead of guessing ranges.
 */
export function NoDataHint({ workspaceId, accountCount }: { workspaceId: number; accountCount: number }): JSX.Element {
  const [span, setSpan] = useState<Span | null>(null)
  const setCustomRange = useWorkspaceStore((s) => s.setCustomRange)
  const setPreset = useWorkspaceStore((s) => s.setPreset)
  const navigate = useRouterStore((s) => s.navigate)

  useEffect(() => {
    let live = true
    getClient()
      .invoke('accounts:list', { workspaceId })
      .then((accounts) => {
        const firsts = accounts.map((a) => a.firstDate).filter((d): d is string => d !== null)
        const lasts = accounts.map((a) => a.lastDate).filter((d): d is string => d !== null)
        if (live && firsts.length && lasts.length) {
          setSpan({ first: firsts.reduce((a, b) => (a < b ? a : b)), last: lasts.reduce((a, b) => (a > b ? a : b)) })
        }
      })
      .catch(() => {
        // The hint is optional; the empty state already says what to do.
      })
    return () => {
      live = false
    }
  }, [workspaceId])

  if (accountCount === 0) {
    return (
      <EmptyState
        title="This workspace has no ad accounts yet"
        actions={
          <button type="button" className="btn" onClick={() => navigate('settings')}>
            Open Settings
          </button>
        }
      >
        Numbers appear once ad accounts are connected and synced. To explore the app with sample data, rebuild the demo
        workspace from Settings.
      </EmptyState>
    )
  }

  const jump = span
    ? { from: addDays(span.last, -29) < span.first ? span.first : addDays(span.last, -29), to: span.last }
    : null
  return (
    <EmptyState
      title="No data in this date range"
      actions={
        jump ? (
          <button type="button" className="btn btn--primary" onClick={() => setCustomRange(jump)}>
            Show the latest 30 days of data
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => setPreset('last90')}>
            Try the last 90 days
          </button>
        )
      }
    >
      {span
        ? `This workspace has synced data for ${formatRange({ from: span.first, to: span.last })}. Pick a range that overlaps it.`
        : 'Pick a longer range, or check in the Jobs panel that the latest sync finished.'}
    </EmptyState>
  )
}
