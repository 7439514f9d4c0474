/** What the core asks for the time: injected through `Platform.clock` so tests can move it. */
export interface Clock {
  now(): Date
}

/**
 * The system's wall clock: the one place the core reads the real time (the platforms pass it as
 * `clock`, tests pass their own). Elsewhere in electron/main a "now" comes from `platform.clock`.
 */
export const systemClock: Clock = { now: (): Date => new Date() }
