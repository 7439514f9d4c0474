import type { EventChannel } from '../../shared/ipc/channels'
import type { EventPayload } from '../../shared/ipc/contract'

type Listener<E extends EventChannel> = (payload: EventPayload<E>) => void
type AnyListener = (event: EventChannel, payload: unknown) => void

/** Typed in-process event bus; the bridge and the web host forward every event to renderers. */
export class EventBus {
  private readonly listeners = new Map<EventChannel, Set<(payload: never) => void>>()
  private readonly any = new Set<AnyListener>()

  on<E extends EventChannel>(event: E, cb: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(cb as (payload: never) => void)
    return () => set.delete(cb as (payload: never) => void)
  }

  /** Every event, for forwarding across a process or network boundary. */
  onAny(cb: AnyListener): () => void {
    this.any.add(cb)
    return () => this.any.delete(cb)
  }

  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    for (const cb of this.listeners.get(event) ?? []) {
      try {
        ;(cb as Listener<E>)(payload)
      } catch (err) {
        console.error(`event listener for ${event} failed`, err)
      }
    }
    for (const cb of this.any) {
      try {
        cb(event, payload)
      } catch (err) {
        console.error(`event forwarder for ${event} failed`, err)
      }
    }
  }
}
