import type { InvokeChannel } from '../../shared/ipc/channels'
import type { Handlers } from './ipc/router'

/**
 * A domain plugged into the core (sync, analytics, ML, ...): its IPC handlers and optional
 * lifecycle hooks. The core starts modules after the job queue and stops them before closing.
 */
export interface CoreModule<C extends InvokeChannel> {
  handlers: Pick<Handlers, C>
  /** Called once the core is wired (register job kinds here, start schedules). */
  start?(): void
  /** Called on shutdown, before the store closes. */
  stop?(): Promise<void> | void
}
