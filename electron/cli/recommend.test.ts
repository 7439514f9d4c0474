import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { userContext, type CallContext } from '../../shared/domain/caller'
import type { RecommendationView } from '../../shared/ipc/contracts/recommendations'
import { seedWasteWorld, WASTE_WORLD_NOW } from '../main/store/repos/testing'
import { createTestCore, TEST_CALLER } from '../main/test-support'
import { parseArgs } from './args'
import type { CliCommand } from './command'
import { recommendCommands } from './commands/recommend'

/*
 * `recommend [--workspace NAME] [--json]` in-process on a seeded store (the command code the CLI
 * runs, without a process start and a demo build per case). The account: three campaigns a day
 * from 2026-05-01 to 2026-06-30 (now 2026-06-30), one of which spends 40 a day without converting:
 * the one recommendation is to pause its ad set (worth 280 a week; see recommendations.test.ts).
 */
const NOW = WASTE_WORLD_NOW

let core: ReturnType<typeof createTestCore>
let wasteAdSet = 0

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
  const s = core.store.sqlite
  const ws = core.workspaces.create('Shop', 'USD')
  core.workspaces.create('Empty', 'USD')
  const { adSets } = seedWasteWorld(s, ws, 'acc-shop')
  wasteAdSet = adSets[1] ?? 0
})
afterAll(() => core.close())

const recommend = recommendCommands[0] as CliCommand

async function run(argv: string[], caller: CallContext = TEST_CALLER): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s))
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s))
  try {
    await recommend.run?.(core, parseArgs(argv), caller)
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
  return { stdout: out.join('\n'), stderr: err.join('\n') }
}

describe('recommend CLI', () => {
  it('generates and lists by priority as JSON for the named workspace', async () => {
    const { stdout } = await run(['recommend', '--workspace', 'Shop', '--json'])
    const out = JSON.parse(stdout) as {
      generation: { inserted: number; updated: number; expired: number; seconds: number }
      items: RecommendationView[]
      calibration: { measured: number }
    }
    expect(out.generation).toMatchObject({ inserted: 1, updated: 0, expired: 0 })
    expect(out.items.map((r) => [r.kind, r.state])).toEqual([['waste', 'new']])
    expect(out.items[0]?.body.entities).toMatchObject([{ entityType: 'ad_set', entityId: wasteAdSet }])
    expect(out.items[0]?.impact).toEqual({ point: 280_000_000, lower: 227_693_268, upper: 280_000_000 })
    expect(out.calibration.measured).toBe(0)
    // A second run refreshes the same advice instead of adding a copy.
    const again = JSON.parse((await run(['recommend', '--workspace', 'Shop', '--json'])).stdout) as typeof out
    expect(again.generation).toMatchObject({ inserted: 0, updated: 1 })
    expect(again.items.map((r) => r.id)).toEqual(out.items.map((r) => r.id))
  })

  it('prints one readable line per recommendation without --json', async () => {
    const { stdout, stderr } = await run(['recommend', '--workspace', 'Shop'])
    expect(stderr).toMatch(/^Generated in \d+\.\d\d s: 0 new, 1 refreshed, 0 expired\.$/)
    expect(stdout).toMatch(/^#\d+ {2}new {7}Waste\s+280\.00 USD\/week \[227\.69, 280\.00\] {2}confidence 1\.00/)
    expect(stdout).toContain('Pause ad set')
  })

  it('says so when the data supports no advice', async () => {
    const { stdout } = await run(['recommend', '--workspace', 'Empty'])
    expect(stdout).toBe('No recommendations: the data supports no advice right now.')
  })

  it('dismisses and snoozes by id, and refuses bad ids, days, verbs and workspaces with the reason', async () => {
    const { stdout } = await run(['recommend', '--workspace', 'Shop', '--json'])
    const id = (JSON.parse(stdout) as { items: RecommendationView[] }).items[0]?.id as number
    expect((await run(['recommend', 'snooze', String(id), '--days', '3'])).stdout).toBe(
      `Recommendation #${id} snoozed until 2026-07-03`,
    )
    await expect(run(['recommend', 'snooze', String(id), '--days', '0'])).rejects.toThrow(
      '--days needs a whole number from 1 to 90',
    )
    expect((await run(['recommend', 'dismiss', String(id)])).stdout).toBe(`Recommendation #${id} dismissed`)
    await expect(run(['recommend', 'apply'])).rejects.toThrow('recommend apply needs an id')
    await expect(run(['recommend', 'dismiss', 'x'])).rejects.toThrow('recommend dismiss needs an id')
    await expect(run(['recommend', 'apply', '999999'])).rejects.toThrow(/NOT_FOUND/)
    await expect(run(['recommend', 'frobnicate'])).rejects.toThrow(
      'Unknown recommend command "frobnicate" (apply, dismiss, snooze)',
    )
    await expect(run(['recommend', '--workspace', 'Nope'])).rejects.toThrow('No workspace named "Nope"')
    await expect(run(['recommend', '--workspace'])).rejects.toThrow('--workspace needs a name')
  })

  it('refuses a viewer, through the same channels', async () => {
    const viewer = userContext('cli', { id: 'v', name: 'v', role: 'viewer' })
    await expect(run(['recommend', '--workspace', 'Shop'], viewer)).rejects.toThrow(/FORBIDDEN/)
  })
})
