import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { parseArgs } from './args'
import type { CliCommand } from './command'
import { experimentCommands } from './commands/experiments'

const root = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'me-exp-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...args], {
    cwd: root,
    env: { ...process.env, ME_DATA_DIR: dir },
    encoding: 'utf8',
    timeout: 170_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe('experiment CLI', () => {
  it('analyses the cleaned Udacity file: 12.04% vs 11.88%, p ≈ 0.19, exactly the documented keys', () => {
    const r = cli(
      'experiment',
      'analyze',
      'electron/main/experiments/fixtures/udacity_ab_data.csv.gz',
      '--variant-column',
      'group',
      '--outcome-column',
      'converted',
      '--consistent-with',
      'landing_page',
      '--unique-by',
      'user_id',
      '--json',
    )
    expect(r.stderr).toContain('dropped 3,893')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(Object.keys(out)).toEqual(['variants', 'p_value', 'significant', 'prob_to_beat', 'srm_p_value', 'verdict'])
    const variants = out.variants as { name: string; n: number; conversions: number; rate: number }[]
    expect(variants.map((v) => Object.keys(v))).toEqual([
      ['name', 'n', 'conversions', 'rate'],
      ['name', 'n', 'conversions', 'rate'],
    ])
    expect(variants[0]).toMatchObject({ name: 'control', n: 145274, conversions: 17489 })
    expect(variants[1]).toMatchObject({ name: 'treatment', n: 145310, conversions: 17264 })
    expect((variants[0]?.rate as number).toFixed(4)).toBe('0.1204')
    expect((variants[1]?.rate as number).toFixed(4)).toBe('0.1188')
    expect(out.p_value as number).toBeCloseTo(0.19, 2)
    expect(out.significant).toBe(false)
    expect(out.prob_to_beat as number).toBeLessThan(0.15)
    expect(out.srm_p_value as number).toBeGreaterThan(0.5)
    expect(out.verdict).toMatch(/^No detectable difference/)
  }, 180_000)

  it('refuses an unknown control with a message naming it (exit code 1)', () => {
    const f = join(dir, 'users.csv')
    writeFileSync(f, 'user,arm,bought\n1,A,yes\n2,B,no\n')
    const control = cli(
      'experiment',
      'analyze',
      f,
      '--variant-column',
      'arm',
      '--outcome-column',
      'bought',
      '--control',
      'C',
    )
    expect(control.code).toBe(1)
    expect(control.stderr).toContain('error: unknown control "C": the variants in column "arm" are A, B')
  }, 180_000)

  // The rest in-process (the same command code, without a process start per case).
  async function run(...argv: string[]): Promise<string> {
    const lines: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s))
    try {
      await (experimentCommands[0] as CliCommand).standalone?.(parseArgs(argv), null as never)
    } finally {
      spy.mockRestore()
    }
    return lines.join('\n')
  }

  it('refuses a missing column and a non-binary outcome, naming them', async () => {
    const f = join(dir, 'bad.csv')
    writeFileSync(f, 'user,arm,bought\n1,A,yes\n2,B,no\n3,A,maybe\n')
    await expect(
      run('experiment', 'analyze', f, '--variant-column', 'group', '--outcome-column', 'bought'),
    ).rejects.toThrow('no column "group" in the CSV (columns: user, arm, bought)')
    await expect(
      run('experiment', 'analyze', f, '--variant-column', 'arm', '--outcome-column', 'bought'),
    ).rejects.toThrow('column "bought" is not a binary outcome: line 4 has "maybe"')
    await expect(run('experiment', 'analyze', f, '--variant-column', 'arm')).rejects.toThrow(/--outcome-column/)
    await expect(run('experiment', 'analyze', join(dir, 'nope.csv'), '--variant-column', 'arm')).rejects.toThrow(
      /cannot read/,
    )
  })

  it('prints a readable table and verdict without --json', async () => {
    const f = join(dir, 'ok.csv')
    writeFileSync(
      f,
      ['arm,bought', ...Array.from({ length: 400 }, (_, i) => `${i % 2 ? 'B' : 'A'},${i % 7 === 0 ? 1 : 0}`)].join(
        '\n',
      ),
    )
    const out = await run('experiment', 'analyze', f, '--variant-column', 'arm', '--outcome-column', 'bought')
    expect(out).toMatch(/^variant/)
    expect(out).toContain('(control)')
    expect(out).toMatch(/Not enough data yet/)
  })

  it('plans days and budget with `experiment power`', async () => {
    const p = JSON.parse(
      await run(
        'experiment',
        'power',
        '--base-rate',
        '0.05',
        '--mde',
        '0.1',
        '--daily-trials',
        '2000',
        '--daily-spend',
        '300',
        '--json',
      ),
    ) as { nPerVariant: number; days: number; budgetMicros: number }
    // R: power.prop.test(p1 = .05, p2 = .055, power = .8) → n = 31234 (rounded up).
    expect(p.nPerVariant).toBe(31234)
    expect(p.days).toBe(32)
    expect(p.budgetMicros).toBe(32 * 300_000_000)
    await expect(run('experiment', 'power', '--base-rate', '5', '--daily-trials', '2000')).rejects.toThrow(
      /--base-rate/,
    )
    await expect(run('experiment', 'power', '--base-rate', '0.05')).rejects.toThrow(/--daily-trials/)
    expect(
      await run('experiment', 'power', '--base-rate', '0.05', '--daily-trials', '2000', '--confidence', '90'),
    ).toContain('at 90% confidence')
  })
})
