import { setFlagsFromString } from 'node:v8'
import { intFromEnv } from './env-settings'

/**
 * How far V8 lets an isolate's old generation grow past what a full collection left alive before it
 * collects again, in percent (issue 18 item 4). V8's own factor reaches 300 % (4× the live size) when
 * its collector is fast next to the program, so a burst of short-lived objects on the core's thread (the
 * after-sync work: alert checks, rules cycle, recommendations) left ~400 MB of garbage resident in a
 * heap of ~120 MB live, and it stayed there until V8's memory reducer ran, 45 s later, while the
 * training had started. 50 % lets a heap grow to 1.5× of what is alive before it collects. It replaces
 * V8's factor in every growing mode, so in V8's memory-saving modes (1.1× after its memory reducer or
 * under memory pressure, 1.3× at most when conservative) it lets a heap grow more, not less. It is a
 * growth factor, not a limit: a heap that needs more still grows to V8's maximum.
 */
export const HEAP_GROWING_PERCENT = 50

let applied: number | undefined

/**
 * Sets V8's `--heap-growing-percent` for every isolate of the process (the core's thread and the
 * workers: V8 reads the flag each time it sets a heap's next limit, so it holds from the next
 * collection on). `ME_HEAP_GROWING_PERCENT` overrides it (0: V8's own factor; benches compare).
 * Returns the percent in force (0 = V8's own). The setter is for tests.
 */
export function limitHeapGrowth(setFlags: (flags: string) => void = setFlagsFromString): number {
  const percent = intFromEnv('ME_HEAP_GROWING_PERCENT', 0, 1000) ?? HEAP_GROWING_PERCENT
  if (applied !== percent) {
    setFlags(`--heap-growing-percent=${percent}`)
    applied = percent
  }
  return percent
}

/** The percent this process set last (undefined before the first core started). */
export function heapGrowingPercent(): number | undefined {
  return applied
}
