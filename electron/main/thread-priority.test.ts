import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DecodePool } from './sync/connectors/decode-pool'
import { sourceResourcesDir } from './platform/node'
import { openStore } from './store/db'
import { ThreadSink } from './store/sync-writer/chunk-sink'
import { backgroundNice, lowerThreadPriority } from './thread-priority'

/** Nice values of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

describe('background thread priority', () => {
  afterEach(() => {
    delete process.env.ME_BACKGROUND_NICE
  })

  it('reads ME_BACKGROUND_NICE (default 10) and names a wrong value', () => {
    expect(backgroundNice()).toBe(10)
    process.env.ME_BACKGROUND_NICE = '0'
    expect(backgroundNice()).toBe(0)
    process.env.ME_BACKGROUND_NICE = '25'
    expect(() => backgroundNice()).toThrow(/ME_BACKGROUND_NICE must be a whole number from 0 to 19; it is "25"/)
  })

  it('never lowers the main thread', () => {
    const before = getPriority()
    expect(lowerThreadPriority(10)).toBe(false)
    expect(getPriority()).toBe(before)
  })

  // A runner already at nice 19 has no lower priority to give (every thread is at 19): nothing to see there.
  const canLower = process.platform === 'linux' && getPriority() < 19

  /** How many of this process's threads run at the background priority (base + 10, capped at 19). */
  function atBackground(): number {
    return threadNices().filter((n) => n === Math.min(19, getPriority() + 10)).length
  }

  async function decodeOnce(pool: DecodePool): Promise<void> {
    const out = await pool.decode({
      decoder: 'meta-insights',
      args: { purchaseTypes: [], what: 'm' },
      status: 200,
      headers: [],
      body: new TextEncoder().encode('{"data":[]}').buffer as ArrayBuffer,
    })
    expect(out.ok).toBe(true)
  }

  it.runIf(canLower)('runs the page decoders below the core thread, and only while they live (Linux)', async () => {
    const base = getPriority()
    const before = atBackground()
    const pool = new DecodePool()
    try {
      await decodeOnce(pool)
      // The decoder thread is the one more thread at the lower priority; the core's thread is untouched.
      expect(atBackground()).toBe(before + 1)
      expect(getPriority()).toBe(base)
    } finally {
      await pool.close()
    }
    expect(atBackground()).toBe(before)
  })

  it.runIf(canLower)("keeps the decoders at the core thread's priority with ME_BACKGROUND_NICE=0 (Linux)", async () => {
    process.env.ME_BACKGROUND_NICE = '0'
    const before = atBackground()
    const pool = new DecodePool()
    try {
      await decodeOnce(pool)
      expect(atBackground()).toBe(before)
    } finally {
      await pool.close()
    }
  })

  it.runIf(canLower)("runs the sync's chunk writer thread below the core thread (Linux)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-nice-'))
    const store = openStore({ path: join(dir, 'store.db'), migrationsFolder: join(sourceResourcesDir(), 'migrations') })
    try {
      const before = atBackground()
      const sink = ThreadSink.start(store.sqlite)
      expect(sink).not.toBeNull()
      // An empty structure: answered by the writer thread once it runs (and has lowered itself).
      await sink!.upsertStructure({ accountId: 1, campaigns: [], adSets: [], ads: [], at: '2026-12-05T00:00:00Z' })
      expect(atBackground()).toBe(before + 1)
      await sink!.close()
      expect(atBackground()).toBe(before)
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
