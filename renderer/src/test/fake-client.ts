import type { EventChannel, InvokeChannel } from '../../../shared/ipc/channels'
import type { ChannelInput, ChannelOutput, EventPayload } from '../../../shared/ipc/contract'
import type { ApiClient } from '../api/client'

export type Handlers = {
  [C in InvokeChannel]?: (input: ChannelInput<C>) => ChannelOutput<C> | Promise<ChannelOutput<C>>
}

export interface FakeClient extends ApiClient {
  calls: { channel: InvokeChannel; input: unknown }[]
  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void
}

/** An in-memory client for component tests: answers from `handlers`, records calls, emits events. */
export function createFakeClient(handlers: Handlers): FakeClient {
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>()
  const calls: FakeClient['calls'] = []
  return {
    calls,
    async invoke<C extends InvokeChannel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
      calls.push({ channel, input })
      const handler = handlers[channel] as
        ((i: ChannelInput<C>) => ChannelOutput<C> | Promise<ChannelOutput<C>>) | undefined
      if (!handler) throw new Error(`No fake handler for ${channel}`)
      return handler(input)
    },
    on<E extends EventChannel>(event: E, cb: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set()
      const wrapped = (p: unknown): void => cb(p as EventPayload<E>)
      set.add(wrapped)
      listeners.set(event, set)
      return () => set.delete(wrapped)
    },
    emit(event, payload) {
      listeners.get(event)?.forEach((cb) => cb(payload))
    },
  }
}
