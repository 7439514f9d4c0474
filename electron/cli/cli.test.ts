import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
const dataDir = mkdtempSync(join(tmpdir(), 'me-cli-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...args], {
    cwd: root,
    env: { ...process.env, ME_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe('cli', { timeout: 120_000 }, () => {
  it('creates a demo workspace of the requested size in ME_DATA_DIR', () => {
    const r = cli('demo', '--campaigns', '10', '--days', '20')
    expect(r.stderr).not.toMatch(/^error/m)
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { campaigns: number; accounts: number; rows: number }
    expect(out.campaigns).toBe(10)
    expect(out.accounts).toBe(6)
    expect(out.rows).toBeGreaterThan(0)
  })

  it('reports status with row counts and the date range', () => {
    const r = cli('status')
    expect(r.code).toBe(0)
    const s = JSON.parse(r.stdout) as {
      dbPath: string
      workspaces: { name: string; dailyRows: number; firstDate: string; lastDate: string }[]
    }
    expect(s.dbPath.startsWith(dataDir)).toBe(true)
    expect(s.workspaces[0]).toMatchObject({ name: 'Demo' })
    expect(s.workspaces[0]?.dailyRows).toBeGreaterThan(0)
    const w = s.workspaces[0] as { firstDate: string; lastDate: string }
    expect(w.firstDate < w.lastDate).toBe(true)
  })

  it('rules: invalid rule JSON is refused naming the field and nothing is stored', () => {
    const file = join(dataDir, 'bad-rule.json')
    writeFileSync(
      file,
      JSON.stringify({
        workspaceId: 1,
        name: 'Bad',
        scope: { level: 'campaign' },
        conditions: { type: 'group', op: 'and', items: [{ type: 'condition', metric: 'cpa', op: 'bigger', value: 1 }] },
        actions: [{ kind: 'pause' }],
      }),
    )
    const bad = cli('rules', 'create', '--file', file)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/VALIDATION: .*conditions\.items\.0\.op/)
    // Only the demo's three approval-mode rules exist.
    const list = cli('rules', 'list', '--json')
    expect(list.code).toBe(0)
    const rules = (JSON.parse(list.stdout) as { rules: { definition: { name: string; mode: string } }[] }).rules
    expect(rules.map((r) => r.definition.mode)).toEqual(['approval', 'approval', 'approval'])
  })

  it('rules: a change approved in one CLI call is undone in the next (the simulated platforms keep their state)', () => {
    const file = join(dataDir, 'raise.json')
    const last7 = { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 }
    writeFileSync(
      file,
      JSON.stringify({
        workspaceId: 1,
        name: 'Raise budgets',
        mode: 'approval',
        scope: { level: 'campaign' },
        guardrails: { learningDays: 0, minConversions: 0, minSpendMicros: 0 },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gt', value: 0 }],
        },
        actions: [{ kind: 'change_budget', pct: 10 }],
      }),
    )
    const created = cli('rules', 'create', '--file', file, '--json')
    expect(created.code).toBe(0)
    const id = (JSON.parse(created.stdout) as { id: number }).id
    const run = cli('rules', 'run', String(id), '--json')
    expect(run.code).toBe(0)
    const proposed = (
      JSON.parse(run.stdout) as { decisions: { actions: { outcome: string; changeId: number | null }[] }[] }
    ).decisions
      .flatMap((d) => d.actions)
      .find((a) => a.outcome === 'proposed')
    expect(proposed?.changeId).toBeTypeOf('number')
    // Why the run touched that campaign, as the run recorded it.
    const ran = JSON.parse(run.stdout) as {
      run: { id: number }
      decisions: { entityId: number; actions: { changeId: number | null }[] }[]
    }
    const target = ran.decisions.find((d) => d.actions.some((a) => a.changeId === proposed?.changeId))
    const why = cli('rules', 'explain', String(ran.run.id), `campaign:${target?.entityId}`, '--json')
    expect(why.code).toBe(0)
    expect(JSON.parse(why.stdout)).toMatchObject({ recomputed: false, decision: { outcome: 'matched' } })
    const changeId = String(proposed?.changeId)
    const approved = cli('rules', 'approve', changeId, '--json')
    expect(approved.stderr).not.toMatch(/^error/m)
    const [applied] = JSON.parse(approved.stdout) as { state: string; before: number; applied: number }[]
    expect(applied).toMatchObject({ state: 'applied' })
    const kept = readFileSync(join(dataDir, 'simulated-platforms.json'), 'utf8')
    expect(kept).toContain(`"dailyBudgetMicros":${applied?.applied}`)
    // A new process: the platform still has the new budget, so the undo reads it back and applies.
    const undone = cli('rules', 'undo', changeId, '--json')
    expect(undone.stderr).not.toMatch(/CONFLICT/)
    expect(undone.code).toBe(0)
    expect((JSON.parse(undone.stdout) as { state: string; applied: number }[])[0]).toMatchObject({
      state: 'applied',
      applied: applied?.before,
    })
  }, 180_000)

  it('calls any channel and prints the envelope; an invalid payload exits 1', () => {
    const ok = cli('call', 'workspaces:list', '{}')
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, value: [{ name: 'Demo' }] })
    const bad = cli('call', 'accounts:list', '{"workspaceId":"x"}')
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('exports anomalies as CSV through the shared (formula-safe) writer', () => {
    const r = cli('anomalies', '--workspace', '1', '--days', '20', '--csv')
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\r\n')
    expect(lines[0]).toBe('severity,level,entity,metric,start,end,actual,expected,explanation')
    for (const line of lines.slice(1)) expect(line).not.toMatch(/(^|,)[=+@\t]/)
  })

  it('runs any command in the role --as names (default admin)', () => {
    // The channel's role is checked before its input: a viewer is refused whatever the payload.
    const viewerWrite = cli('--as', 'viewer', 'call', 'settings:update', '{}')
    expect(viewerWrite.code).toBe(1)
    expect(JSON.parse(viewerWrite.stdout)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    // Commands that work on the core directly declare their least role.
    const viewerDemo = cli('--as', 'viewer', 'demo', '--campaigns', '2')
    expect(viewerDemo.code).toBe(1)
    expect(viewerDemo.stderr).toContain('FORBIDDEN: `demo` needs the admin role')
    const bogus = cli('--as', 'owner', 'status')
    expect(bogus.code).toBe(2)
    expect(bogus.stderr).toContain('--as needs one of viewer, editor, admin, got "owner"')
  })

  it('doctor --zip writes the diagnostics bundle (owner-only) that opens; --zip without a file is refused', () => {
    const file = join(dataDir, 'diag.zip')
    const r = cli('doctor', '--quick', '--zip', file)
    expect(r.stderr).toContain(`Wrote ${file} (`)
    const zip = unzipSync(readFileSync(file))
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(['README.txt', 'diagnostics.json']))
    expect(JSON.parse(strFromU8(zip['diagnostics.json']!))).toHaveProperty('schema_version')
    expect(statSync(file).mode & 0o077).toBe(0)
    const bad = cli('doctor', '--quick', '--zip')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--zip needs a file name')
  })

  it('fails with a specific message and a non-zero exit on bad usage', () => {
    const unknown = cli('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Unknown command "frobnicate"')
    const json = cli('call', 'workspaces:list', '{not json')
    expect(json.code).toBe(2)
    expect(json.stderr).toContain('not valid JSON')
    const flag = cli('demo', '--campaigns', 'many')
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('--campaigns needs a whole number')
  })
})
