import type { EventBus } from './events'
import type { Platform } from './platform/types'
import type { StatusRepo } from './store/repos/status-repo'

/** Relative age such as "5 min ago" for the tray tooltip. */
export function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000))
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86_400)} d ago`
}

/**
 * Keeps the tray badge (unread WARNING+ alerts: not acknowledged, snoozed or resolved) and tooltip
 * (last sync) current: recomputed at start, when data changes (a raise, acknowledge or snooze emits
 * `data:changed` with the `alerts` table; listening to `alert:raised` as well would count every raise
 * twice) and when a job finishes. Hosts without a tray record it (Node platform).
 */
export function startTrayStatus(status: StatusRepo, events: EventBus, platform: Platform): () => void {
  const refresh = (): void => {
    if (!status.open) return
    const now = platform.clock.now()
    const unread = status.unreadAlertCount(now)
    const last = status.lastSyncAt(null)
    platform.setBadge(unread, last ? `Last sync ${ago(last, now)}` : 'Not synced yet')
  }
  refresh()
  const offs = [events.on('job:finished', refresh), events.on('data:changed', refresh)]
  return () => offs.forEach((off) => off())
}
