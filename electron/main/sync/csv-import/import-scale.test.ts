import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { metaExport } from '../../../../bench/import'
import type { Core } from '../../core'
import type { CoreServices } from '../../core-services'
import { createTestCore, TEST_CALLER } from '../../test-support'
import { dateRange } from '../../../../shared/domain/dates'
import { AdMonthRollup } from '../../store/repos/ad-month-rollup'
import { buildPendingAdMonthDays } from '../../store/repos/ad-month-days-build'
import { adMonthMismatches } from '../../store/repos/testing'
import { IMPORT_SLICE_ROWS } from './importer'
import { decodeParts, ImportFiles } from './import-files'
import { csvPieces, IMPORT_LIMITS, parseCsv } from './parse'

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

async function call<T>(c: Core, channel: string, input: unknown): Promise<T> {
  const env = await c.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

interface Preview {
  errors: { row: number; column: string | null; message: string }[]
  adDays: number
}

const HEAD =
  '"Campaign name","Ad set name","Ad name",Day,"Amount spent (USD)",Impressions,"Clicks (all)",Purchases,"Purchases conversion value"'

/** Every stored fact of a workspace, to compare before and after a refused or failed import. */
function snapshot(c: Core, ws: number): unknown {
  const q = (sql: string): unknown[] => c.store.sqlite.prepare(sql).all(ws)
  const inWs = 'account_id IN (SELECT id FROM ad_accounts WHERE workspace_id = ?)'
  return {
    accounts: q('SELECT id, external_id, name FROM ad_accounts WHERE workspace_id = ? ORDER BY id'),
    campaigns: q(`SELECT id, external_id, name FROM campaigns WHERE ${inWs} ORDER BY id`),
    ads: q(`SELECT id, external_id FROM ads WHERE ${inWs} ORDER BY id`),
    rows: q(
      `SELECT account_id, date, ad_id, spend_micros, impressions, clicks, conversions, conversion_value_micros, source
       FROM daily_metrics WHERE ${inWs} ORDER BY account_id, date, ad_id`,
    ),
    days: q(`SELECT * FROM account_daily WHERE ${inWs} ORDER BY account_id, date`),
    cum: q(`SELECT account_id, date, hex(campaign_ids), hex(sums) FROM campaign_cum WHERE ${inWs} ORDER BY 1, 2`),
    adMonths: q(`SELECT * FROM ad_month WHERE ${inWs} ORDER BY account_id, month, ad_id`),
  }
}

describe('CSV import value checks', () => {
  it('refuses negative, huge and overlong values with row-level errors and writes nothing', async () => {
    core = createTestCore()
    const ws = core.workspaces.create('Checks', 'USD')
    const long = 'x'.repeat(5_000_000)
    const csv = [
      HEAD,
      'A,S,Ad,2026-01-01,10.00,100,5,1,20.00', // fine
      'A,S,Ad,2026-01-02,-3.00,100,5,1,20.00', // negative spend
      'A,S,Ad,2026-01-03,3.00,100,5,-2,20.00', // negative conversions
      'A,S,Ad,2026-01-04,3.00,100,5,1,-20.00', // negative revenue (no supported export reports refunds this way)
      'A,S,Ad,2026-01-05,3.00,100000000000000000000,5,1,2.00', // 1e20 impressions
      'A,S,Ad,2026-01-06,3.00,100,-1,1,2.00', // negative clicks
      `${long},S,Ad,2026-01-07,3.00,100,5,1,2.00`, // 5 MB campaign name
      'A,S,Ad,0001-01-01,3.00,100,5,1,2.00', // year outside 2000-2100
      'A,S,Ad,2026-01-09,99999999999.00,100,5,1,2.00', // spend above the bound
    ].join('\n')
    const p = await call<Preview>(core, 'import:preview', { workspaceId: ws, content: csv })
    const at = (row: number): string =>
      p.errors
        .filter((e) => e.row === row)
        .map((e) => `${e.column}: ${e.message}`)
        .join(' | ')
    expect(at(2)).toBe('')
    expect(at(3)).toMatch(/Amount spent \(USD\): "-3.00" is negative/)
    expect(at(4)).toMatch(/Purchases: "-2" is negative/)
    expect(at(5)).toMatch(/Purchases conversion value: "-20.00" is negative/)
    expect(at(6)).toMatch(/Impressions: "100000000000000000000" is out of range: a count is at most 10,000,000,000/)
    expect(at(7)).toMatch(/Clicks \(all\): "-1" is negative/)
    expect(at(8)).toMatch(/Campaign name: The campaign name is 5,000,000 characters long; the limit is 512/)
    // The error never echoes the 5 MB value.
    expect(at(8).length).toBeLessThan(200)
    expect(at(9)).toMatch(/outside the years 2000-2100/)
    expect(at(10)).toMatch(/out of range: an amount is at most 1,000,000,000/)
    expect(p.errors).toHaveLength(8)
    expect(IMPORT_LIMITS.nameChars).toBe(512)

    const before = snapshot(core, ws)
    const env = await core.dispatch('import:commit', { workspaceId: ws, content: csv }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/8 error/) })
    expect(snapshot(core, ws)).toEqual(before)
  })

  it('cuts a file into pieces only at line breaks outside quotes', () => {
    const csv = 'a,b\n"x\ny",1\n"q ""z""\n",2\n' + 'c,3\n'.repeat(50)
    for (const size of [1, 3, 7, 16]) {
      const pieces = [...csvPieces(csv, size)]
      expect(pieces.join('')).toBe(csv)
      for (const p of pieces) expect((p.match(/"/g) ?? []).length % 2).toBe(0)
    }
  })
})

describe('CSV text in parts', () => {
  it('reads a file a part at a time: the same text, the same pieces’ contents and rows as one string', async () => {
    const lines = [
      HEAD,
      '"Café ""Été"", 日本",S,"Ad 😀\non two lines",2026-01-01,10.00,100,5,1,20.00',
      ...Array.from(
        { length: 40 },
        (_, i) => `Ünïcode ${i},S ${i % 3},Ad ${i},2026-01-0${(i % 9) + 1},1.50,${i},1,0,0.00`,
      ),
    ]
    const text = `\uFEFF${lines.join('\r\n')}\r\n`
    const bytes = Buffer.from(text)
    // Invalid bytes too: each part decodes as toString('utf8') does (U+FFFD), across part boundaries.
    const bad = Buffer.concat([bytes.subarray(0, 40), Buffer.from([0xff, 0xe2, 0x82, 0x41, 0xc3]), bytes.subarray(40)])
    const one = await parseCsv(text, 'meta')
    expect(one.errors).toEqual([])
    expect(one.rows).toHaveLength(41)
    for (const size of [1, 2, 3, 5, 64, 1 << 20]) {
      expect((await decodeParts(bad, size)).join('')).toBe(bad.toString('utf8'))
      const parts = await decodeParts(bytes, size)
      expect(parts.join('')).toBe(text)
      for (const target of [1, 16, 300]) {
        const pieces = [...csvPieces(parts, target)]
        expect(pieces.join('')).toBe(text)
        for (const p of pieces) expect((p.match(/"/g) ?? []).length % 2).toBe(0)
        for (const p of pieces.slice(0, -1)) expect(p.endsWith('\n')).toBe(true)
      }
      const parsed = await parseCsv(parts, 'meta')
      expect(parsed.rows).toEqual(one.rows)
      expect(parsed.errors).toEqual([])
    }
    // The import area writes the parts back byte for byte.
    core = createTestCore({ startJobs: false })
    const files = new ImportFiles({ platform: core.platform, store: core.store } as unknown as CoreServices)
    const parts = await decodeParts(bytes, 7)
    expect(readFileSync(join(files.dir, await files.store(parts)))).toEqual(bytes)
    expect(readFileSync(join(files.dir, await files.store(text)))).toEqual(bytes)
  })
})

describe('CSV import at scale', () => {
  it('keeps the CSV out of the jobs table: the job names a 0600 file in the import area, removed afterwards', async () => {
    core = createTestCore()
    const ws = core.workspaces.create('Files', 'USD')
    const dir = join(core.platform.paths.dataDir, 'imports')
    const src = join(core.platform.paths.dataDir, 'export.csv')
    writeFileSync(src, metaExport(1_200))
    // Keep the job queued so the stored payload and file can be inspected.
    await core.jobs.stop()
    const { jobId } = await call<{ jobId: number }>(core, 'import:commit', { workspaceId: ws, path: src })
    const payload = JSON.parse(
      (core.store.sqlite.prepare('SELECT payload FROM jobs WHERE id = ?').get(jobId) as { payload: string }).payload,
    ) as Record<string, unknown>
    expect(payload).not.toHaveProperty('content')
    expect(payload.file).toMatch(/^[0-9a-f-]+\.csv$/)
    expect(JSON.stringify(payload).length).toBeLessThan(300)
    const stored = join(dir, payload.file as string)
    expect(existsSync(stored)).toBe(true)
    const { statSync } = await import('node:fs')
    expect(statSync(stored).mode & 0o777).toBe(0o600)
    core.jobs.start()
    expect((await core.jobs.waitFor(jobId)).status).toBe('succeeded')
    expect(core.jobs.result<{ rows: number }>(jobId)?.rows).toBe(1_200)
    expect(readdirSync(dir)).toEqual([])
    // A relative path or another kind of file is refused.
    const rel = await core.dispatch('import:preview', { workspaceId: ws, path: 'export.csv' }, TEST_CALLER)
    expect(rel.ok || rel.error.message).toMatch(/must be absolute/)
    const other = await core.dispatch('import:preview', { workspaceId: ws, path: '/etc/passwd' }, TEST_CALLER)
    expect(other.ok || other.error.code).toBe('VALIDATION')
  })

  it('a failure part-way puts back every row it overwrote and removes what it created', async () => {
    core = createTestCore()
    const ws = core.workspaces.create('Undo', 'USD')
    const importer = core.services.importer
    const first = metaExport(1_000)
    const run = async (csv: string, pacing = {}): Promise<void> => {
      const plan = await importer.plan(ws, csv, 'auto')
      await importer.commit(ws, plan, pacing)
    }
    await run(first)
    const before = snapshot(core, ws)
    // The same ads with other values over more days (new rows, new ads): fails after two slices.
    const second = metaExport(3_500).replace(/,Ad 4\d\d,/g, ',Ad X,')
    let armed = false
    const failing = {
      pause: async () => {
        if (armed) throw new Error('disk full (simulated)')
        await new Promise((r) => setImmediate(r))
      },
      progress: (step: string, current: number) => {
        if (step === 'Writing' && current >= 2 * IMPORT_SLICE_ROWS) armed = true
      },
    }
    await expect(run(second, failing)).rejects.toThrow(/disk full/)
    expect(snapshot(core, ws)).toEqual(before)
    // A cancelled import leaves the same nothing behind.
    const ctl = new AbortController()
    let written = 0
    await expect(
      run(second, {
        signal: ctl.signal,
        progress: (step: string, current: number) => {
          if (step === 'Writing' && (written = current) >= IMPORT_SLICE_ROWS) ctl.abort()
        },
      }),
    ).rejects.toThrow(/cancelled/)
    expect(written).toBeGreaterThanOrEqual(IMPORT_SLICE_ROWS)
    expect(snapshot(core, ws)).toEqual(before)
    // And the import still works afterwards.
    await run(second)
    expect((snapshot(core, ws) as { rows: unknown[] }).rows.length).toBeGreaterThan(1_000)
  })

  it('yields between slices: another call completes while an import is writing', async () => {
    core = createTestCore()
    const c = core
    const ws = c.workspaces.create('Yield', 'USD')
    const importer = c.services.importer
    const plan = await importer.plan(ws, metaExport(3 * IMPORT_SLICE_ROWS), 'auto')
    const order: string[] = []
    let asked = false
    await importer.commit(ws, plan, {
      progress: (step, current) => {
        if (step !== 'Writing') return
        order.push(`slice ${current}`)
        if (!asked) {
          asked = true
          void c.dispatch('workspaces:list', {}, TEST_CALLER).then((env) => order.push(env.ok ? 'call' : 'call failed'))
        }
      },
    })
    order.push('done')
    expect(order).toEqual([
      `slice ${IMPORT_SLICE_ROWS}`,
      'call',
      `slice ${2 * IMPORT_SLICE_ROWS}`,
      `slice ${3 * IMPORT_SLICE_ROWS}`,
      'done',
    ])
  })

  it('keeps each slice’s per-ad months with its rows: new days, replaced days, an ad whose rows had another ad set', async () => {
    core = createTestCore()
    const c = core
    const s = c.store.sqlite
    const ws = c.workspaces.create('Months', 'USD')
    const importer = c.services.importer
    /** `ads` ads (3 per ad set) over [from, to]; `k` changes the values (fractional purchases included). */
    const csv = (ads: number, from: string, to: string, k: number): string => {
      const lines = [HEAD]
      for (const d of dateRange(from, to))
        for (let a = 0; a < ads; a++) {
          const n = (a + 1) * k + Number(d.slice(8, 10))
          lines.push(`C${a % 2},S${Math.floor(a / 3)},Ad ${a},${d},${n}.25,${n * 10},${n % 7},${(n % 5) / 2},${n}.50`)
        }
      return lines.join('\n')
    }
    // At every pause of the write (between slices, and after them while the running totals are
    // rebuilt) the per-ad months equal a rebuild from the rows: a reader never sees one without the other.
    let checks = 0
    const pacing = {
      pause: async (): Promise<void> => {
        expect(adMonthMismatches(s)).toEqual([])
        checks++
        await new Promise((r) => setImmediate(r))
      },
    }
    const run = async (text: string): Promise<void> => {
      await importer.commit(ws, await importer.plan(ws, text, 'auto'), pacing)
      expect(adMonthMismatches(s)).toEqual([])
    }
    // New rows only: 30 ads over 45 days (two slices, two months).
    await run(csv(30, '2026-01-15', '2026-02-28', 1))
    expect(checks).toBeGreaterThan(2)
    const account = s.prepare("SELECT id FROM ad_accounts WHERE external_id LIKE 'csv:%'").pluck().get() as number
    const adOf = (name: string): { id: number; set: number } =>
      s.prepare('SELECT id, ad_set_id AS "set" FROM ads WHERE account_id = ? AND name = ?').get(account, name) as {
        id: number
        set: number
      }
    // Ad 0's February rows recorded under another ad set (as a synced ad's rows before it moved), its
    // months rebuilt: the import replaces them under the ad's own set (that month rebuilt from its rows).
    const ad0 = adOf('Ad 0')
    const other = adOf('Ad 29').set
    s.prepare("UPDATE daily_metrics SET ad_set_id = ? WHERE ad_id = ? AND date LIKE '2026-02-%'").run(other, ad0.id)
    s.transaction(() => new AdMonthRollup(s).refresh(account, '2026-02-01', '2026-02-28')).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    // Replaced rows (other values) from February 1st, new days in March, and five new ads.
    checks = 0
    await run(csv(35, '2026-02-01', '2026-03-20', 3))
    expect(checks).toBeGreaterThan(2)
    const sets = s
      .prepare("SELECT DISTINCT ad_set_id FROM ad_month WHERE ad_id = ? AND month = '2026-02'")
      .pluck()
      .all(ad0.id)
    expect(sets).toEqual([ad0.set])
    // The same file again (every row replaced by itself) after one month's packed days went missing
    // (that ad's month is rebuilt from its rows), one day's entry was dropped from another's and one
    // was doubled in a third's.
    const ad1 = adOf('Ad 1').id
    s.prepare("DELETE FROM ad_month_days WHERE ad_id = ? AND month = '2026-03'").run(ad1)
    const ad2 = adOf('Ad 2').id
    const text = s
      .prepare("SELECT days FROM ad_month_days WHERE ad_id = ? AND month = '2026-02'")
      .pluck()
      .get(ad2) as string
    s.prepare("UPDATE ad_month_days SET days = ? WHERE ad_id = ? AND month = '2026-02'").run(
      text.split(',').slice(1).join(','),
      ad2,
    )
    // And one day's entry twice in a third ad's month, another day's missing (as many entries as days).
    const ad3 = adOf('Ad 3').id
    const text3 = (
      s.prepare("SELECT days FROM ad_month_days WHERE ad_id = ? AND month = '2026-02'").pluck().get(ad3) as string
    ).split(',')
    s.prepare("UPDATE ad_month_days SET days = ? WHERE ad_id = ? AND month = '2026-02'").run(
      [text3[0], ...text3.slice(0, -1)].join(','),
      ad3,
    )
    // And a fourth ad's February row gone from ad_month (its replaced rows have its own ad set, but no
    // month row takes their difference: that month is rebuilt from its rows).
    const ad5 = adOf('Ad 5').id
    s.prepare("DELETE FROM ad_month WHERE ad_id = ? AND month = '2026-02'").run(ad5)
    expect(adMonthMismatches(s).length).toBeGreaterThan(0)
    pacing.pause = async () => {
      await new Promise((r) => setImmediate(r))
    }
    await run(csv(35, '2026-02-01', '2026-03-20', 3))
    // Every day of the three months, once: 30 ads from January 15th, 5 more from February 1st.
    const days = s.prepare('SELECT sum(days) FROM ad_month WHERE account_id = ?').pluck().get(account)
    expect(days).toBe(30 * dateRange('2026-01-15', '2026-03-20').length + 5 * 48)
    // An ad with rows under two ad sets in one month (Ad 4's first five days of March still under the
    // set it moved from, as a synced ad's rows), one of those days re-imported under its own set: its
    // month is rebuilt. Adding the day's difference to the own set's month row would leave the day's
    // old row counted under the other set.
    const ad4 = adOf('Ad 4')
    s.prepare(
      "UPDATE daily_metrics SET ad_set_id = ? WHERE ad_id = ? AND date BETWEEN '2026-03-01' AND '2026-03-05'",
    ).run(other, ad4.id)
    s.transaction(() => new AdMonthRollup(s).refresh(account, '2026-03-01', '2026-03-31')).immediate()
    const setsOf4 = (): unknown[] =>
      s
        .prepare("SELECT ad_set_id, days FROM ad_month WHERE ad_id = ? AND month = '2026-03' ORDER BY ad_set_id")
        .raw()
        .all(ad4.id)
    const bySet = (own: number): unknown[] =>
      [
        [ad4.set, own],
        [other, 20 - own],
      ].sort((x, y) => (x[0] as number) - (y[0] as number))
    expect(setsOf4()).toEqual(bySet(15))
    expect(adMonthMismatches(s)).toEqual([])
    await run(csv(5, '2026-03-03', '2026-03-03', 7))
    expect(setsOf4()).toEqual(bySet(16))
    // The account's packed days built through February only (a store just updated, migration 0022):
    // an import with replaced rows keeps ad_month, leaves the packed days to the build and moves it
    // back to its first month.
    s.prepare("DELETE FROM ad_month_days WHERE account_id = ? AND month = '2026-03'").run(account)
    s.prepare("INSERT INTO ad_month_days_pending (account_id, month) VALUES (?, '2026-03')").run(account)
    const packed = (): unknown[] =>
      s.prepare('SELECT * FROM ad_month_days WHERE account_id = ? ORDER BY month, ad_id').raw().all(account)
    const before = packed()
    await run(csv(35, '2026-02-10', '2026-03-05', 5))
    expect(packed()).toEqual(before)
    expect(s.prepare('SELECT month FROM ad_month_days_pending WHERE account_id = ?').pluck().get(account)).toBe(
      '2026-02',
    )
    expect(buildPendingAdMonthDays(s).accounts).toBe(1)
    expect(adMonthMismatches(s)).toEqual([])
  })
})
