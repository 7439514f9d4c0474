import type { CoreServices } from '../core-services'
import { StatusRepo } from '../store/repos/status-repo'

const CHECK_EVERY_MS = 60_000
/**
 * The start's check waits this long, so the window's first pages are answered before a due sync
 * starts fetching (issue 18: the first sync ran before the first paint). The sync then shows in the
 * jobs panel like any other.
 */
export const START_CHECK_DELAY_MS = 10_000

/**
 * Automatic syncs while the app runs: every `settings.syncIntervalHours` (0 = manual only), on
 * wake from sleep and at start when the data is stale. (The core's tray status shows the last sync.)
 */
export class SyncScheduler {
  private timer: NodeJS.Timeout | null = null
  private startTimer: NodeJS.Timeout | null = null
  private offResume: (() => void) | null = null
  private readonly status: StatusRepo

  constructor(
    private readonly s: CoreServices,
    private readonly startSync: (workspaceId: number) => void,
  ) {
    this.status = new StatusRepo(s.store.sqlite)
  }

  /** Workspaces with at least one connected account. */
  private connectedWorkspaces(): number[] {
    return this.status.connectedWorkspaces()
  }

  /** The last time a workspace finished a sync run (ISO), or null. */
  lastSyncAt(workspaceId: number): string | null {
    return this.status.lastSyncAt(workspaceId, false)
  }

  /** When the next automatic sync of a workspace is due (ISO), or null when manual only. */
  nextSyncAt(workspaceId: number): string | null {
    const hours = this.s.platform.settings.get().syncIntervalHours
    if (hours === 0) return null
    const last = this.lastSyncAt(workspaceId)
    const due = last ? Date.parse(last) + hours * 3_600_000 : this.s.platform.clock.now().getTime()
    return new Date(due).toISOString()
  }

  /** Start every workspace sync that is due; `force` ignores the interval (wake from sleep). */
  check(reason: 'interval' | 'resume' | 'start'): number[] {
    // Another process owns the store and runs its syncs.
    if (!this.s.ownership.isOwner) return []
    const hours = this.s.platform.settings.get().syncIntervalHours
    if (hours === 0) return []
    const now = this.s.platform.clock.now().getTime()
    const started: number[] = []
    for (const ws of this.connectedWorkspaces()) {
      const next = this.nextSyncAt(ws)
      // After a wake the machine may have slept through several intervals: one sync catches up.
      const due =
        next === null
          ? false
          : Date.parse(next) <= now ||
            (reason === 'resume' && now - Date.parse(this.lastSyncAt(ws) ?? '1970-01-01') > 15 * 60_000)
      if (!due) continue
      try {
        this.startSync(ws)
        started.push(ws)
      } catch (err) {
        console.warn(`[sync] scheduled sync of workspace ${ws} not started: ${(err as Error).message}`)
      }
    }
    return started
  }

  start(): void {
    this.startTimer = setTimeout(() => this.check('start'), START_CHECK_DELAY_MS)
    this.startTimer.unref()
    this.timer = setInterval(() => this.check('interval'), CHECK_EVERY_MS)
    this.timer.unref()
    this.offResume = this.s.platform.onResume(() => this.check('resume'))
  }

  stop(): void {
    if (this.startTimer) clearTimeout(this.startTimer)
    this.startTimer = null
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.offResume?.()
    this.offResume = null
  }
}
