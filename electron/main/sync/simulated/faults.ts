import type { PlatformId } from '../../../../shared/domain/entities'
import { SeededRandom } from '../../../../shared/experiments/random'

/** Faults the simulated platforms can inject into read requests. */
export type FaultKind = 'rate_limit' | 'server_error' | 'timeout' | 'malformed' | 'truncated' | 'auth'

export interface FaultOptions {
  /** Seed of the fault RNG (deterministic chaos). */
  seed?: number
  /** Probability per read request of each fault. */
  rates?: Partial<Record<FaultKind, number>>
  /** Scripted faults, consumed one per read request in order (null = serve normally). */
  script?: (FaultKind | null)[]
  /** Only these platforms get random/scripted faults (default: all). */
  platforms?: PlatformId[]
  /** TikTok answers code 40067 for report windows longer than this many days. */
  tiktokMaxWindowDays?: number
  /** Meta answers error 1/1487534 ("reduce the amount of data") for sync insights longer than this. */
  metaMaxSyncDays?: number
  /** Meta async report runs over ranges longer than this end in "Job Failed". */
  metaAsyncMaxDays?: number
  /** Status polls before a Meta async report run completes (default 2). */
  metaAsyncPolls?: number
  /**
   * Scripted faults of write requests, consumed one per write in order (null = serve normally):
   * 'error_after_apply' applies the write and then answers the platform's 5xx (a lost response).
   */
  writeScript?: (WriteFaultKind | null)[]
  /** Meta's `estimated_time_to_regain_access` (minutes) in its rate-limit faults (default 0). */
  metaRegainMinutes?: number
  /** How long a "timeout" fault hangs unless the client aborts (default 30 s). */
  hangMs?: number
}

/** Faults of write requests. */
export type WriteFaultKind = 'error_after_apply'

const KINDS: FaultKind[] = ['rate_limit', 'server_error', 'timeout', 'malformed', 'truncated', 'auth']

/** Seeded fault picker (the shared `SeededRandom`), scripted faults first. */
export class Faults {
  options: FaultOptions
  private random: SeededRandom
  /** Faults injected so far, by kind. */
  readonly injected: Record<FaultKind, number> = {
    rate_limit: 0,
    server_error: 0,
    timeout: 0,
    malformed: 0,
    truncated: 0,
    auth: 0,
  }

  constructor(options: FaultOptions) {
    this.options = { ...options, script: [...(options.script ?? [])], writeScript: [...(options.writeScript ?? [])] }
    this.random = new SeededRandom(options.seed ?? 1)
  }

  /** The fault for the next write request, or null. */
  nextWrite(): WriteFaultKind | null {
    return this.options.writeScript?.shift() ?? null
  }

  /** Replace the fault options (e.g. switch chaos off for a clean run). */
  set(options: FaultOptions): void {
    this.options = { ...options, script: [...(options.script ?? [])], writeScript: [...(options.writeScript ?? [])] }
    this.random = new SeededRandom(options.seed ?? 1)
  }

  /** The fault for the next read request of `platform`, or null. */
  next(platform: PlatformId): FaultKind | null {
    const o = this.options
    if (o.platforms && !o.platforms.includes(platform)) return null
    let kind: FaultKind | null = null
    if (o.script && o.script.length > 0) kind = o.script.shift() ?? null
    else if (o.rates) {
      const r = this.random.next()
      let acc = 0
      for (const k of KINDS) {
        acc += o.rates[k] ?? 0
        if (r < acc) {
          kind = k
          break
        }
      }
    }
    if (kind) this.injected[kind]++
    return kind
  }
}
