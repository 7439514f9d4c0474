import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../../core'
import { adMonthMismatches } from '../../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../../test-support'
import { parseDateCell } from './parse'

const META_CSV = readFileSync(join(import.meta.dirname, 'fixtures', 'meta_ads_export_ab_test_daily.csv'), 'utf8')
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

const totalsSql = `SELECT count(*) AS rows, sum(spend_micros) AS spend, sum(impressions) AS imp, sum(clicks) AS clicks, sum(reach) AS reach
  FROM daily_metrics WHERE account_id IN (SELECT id FROM ad_accounts WHERE workspace_id = ?)`

interface Preview {
  mapping: { kind: string; level: string; currency: string } | null
  rowCount: number
  adDays: number
  errors: { row: number; column: string | null; message: string }[]
  totals: { spend: string; impressions: number; clicks: number; currency: string } | null
  from: string
  to: string
}

describe('CSV import', () => {
  it('recognises the Meta Ads Manager export and imports it with the right totals', async () => {
    core = createTestCore()
    const ws = core.workspaces.create('Imported', 'USD')
    const preview = await call<Preview>(core, 'import:preview', { workspaceId: ws, content: META_CSV })
    expect(preview.mapping?.kind).toBe('meta')
    expect(preview.mapping?.level).toBe('ad')
    expect(preview.mapping?.currency).toBe('USD')
    expect(preview.errors).toEqual([])
    expect(preview.rowCount).toBe(637)
    // Totals computed independently (Python csv + Decimal over the same file): exact spend 268.15000001 (rows
    // carry 8 decimals), 268.150001 after rounding each row to micros; 23,559 impressions; 1,070 clicks (all).
    expect(preview.totals).toMatchObject({ spend: '268.150001', impressions: 23_559, clicks: 1_070, currency: 'USD' })
    expect([preview.from, preview.to]).toEqual(['2024-11-28', '2024-12-04'])
    // Nothing is written by a preview.
    expect((core.store.sqlite.prepare(totalsSql).get(ws) as { rows: number }).rows).toBe(0)

    const { jobId } = await call<{ jobId: number }>(core, 'import:commit', {
      workspaceId: ws,
      content: META_CSV,
      fileName: 'meta.csv',
    })
    expect((await core.jobs.waitFor(jobId)).status).toBe('succeeded')
    const t = core.store.sqlite.prepare(totalsSql).get(ws) as {
      rows: number
      spend: number
      imp: number
      clicks: number
    }
    expect(t).toMatchObject({ rows: preview.adDays, spend: 268_150_001, imp: 23_559, clicks: 1_070 })
    // Age x gender breakdown lines of one ad-day were summed into one row.
    expect(preview.adDays).toBeLessThan(637)
    const rollup = core.store.sqlite
      .prepare(
        'SELECT sum(spend_micros) AS s, sum(ad_rows) AS n FROM account_daily WHERE account_id IN (SELECT id FROM ad_accounts WHERE workspace_id = ?)',
      )
      .get(ws) as { s: number; n: number }
    expect(rollup.s).toBe(268_150_001)
    // The maintained row counter (status views) equals the rows written.
    expect(rollup.n).toBe(preview.adDays)
    const runs = await call<{ mode: string; status: string; rowsWritten: number }[]>(core, 'sync:listRuns', {
      workspaceId: ws,
    })
    expect(runs[0]).toMatchObject({ mode: 'import', status: 'succeeded', rowsWritten: preview.adDays })

    // Importing the same file again overwrites: same totals.
    const again = await call<{ jobId: number }>(core, 'import:commit', { workspaceId: ws, content: META_CSV })
    await core.jobs.waitFor(again.jobId)
    expect(core.store.sqlite.prepare(totalsSql).get(ws)).toMatchObject({ rows: preview.adDays, spend: 268_150_001 })
  })

  it('rejects a broken file with row-level errors and writes nothing', async () => {
    core = createTestCore()
    const ws = core.workspaces.create('Imported', 'USD')
    const lines = META_CSV.split('\n')
    lines[5] = (lines[5] as string).replace(/,20\d\d-\d\d-\d\d,/, ',2024-13-45,')
    // Data lines have no commas inside quotes, so a split is safe here: Impressions is column 18.
    lines[9] = (lines[9] as string)
      .split(',')
      .map((v, i) => (i === 17 ? 'many' : v))
      .join(',')
    lines[12] = (lines[12] as string).slice(0, 40)
    const broken = lines.join('\n')
    const preview = await call<Preview>(core, 'import:preview', { workspaceId: ws, content: broken })
    expect(preview.errors.map((e) => e.row)).toEqual(expect.arrayContaining([6, 10, 13]))
    expect(preview.errors.find((e) => e.row === 6)?.message).toMatch(/not a date/)
    expect(preview.errors.find((e) => e.row === 10)).toMatchObject({
      column: 'Impressions',
      message: expect.stringMatching(/not a number/),
    })
    expect(
      preview.errors
        .filter((e) => e.row === 13)
        .map((e) => e.message)
        .join(' '),
    ).toMatch(/CSV syntax|columns/)
    const env = await core.dispatch('import:commit', { workspaceId: ws, content: broken }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error.message).toMatch(/nothing was imported/)
    expect((core.store.sqlite.prepare(totalsSql).get(ws) as { rows: number }).rows).toBe(0)
    expect((core.store.sqlite.prepare('SELECT count(*) AS n FROM campaigns').get() as { n: number }).n).toBe(0)
  })

  it('refuses an unknown layout, then imports it through a wizard mapping (date format, currency, level)', async () => {
    core = createTestCore()
    const ws = core.workspaces.create('Custom', 'EUR')
    const csv =
      'When;Kampagne;Kosten;Impr\n'.replace(/;/g, ',') +
      ['31.01.2026,Winter,"1,234.50",1000', '01.02.2026,Winter,0.5,10', '01.02.2026,Spring,2,20'].join('\n')
    const auto = await call<Preview>(core, 'import:preview', { workspaceId: ws, content: csv })
    expect(auto.mapping).toBeNull()
    expect(auto.errors[0]?.message).toMatch(/Unrecognised columns/)
    const mapping = {
      kind: 'custom',
      platform: 'tiktok',
      columns: { date: 'When', campaign: 'Kampagne', spend: 'Kosten', impressions: 'Impr' },
      dateFormat: 'DD.MM.YYYY',
      currency: 'EUR',
      level: 'campaign',
      moneyUnit: 'units',
    }
    const p = await call<Preview>(core, 'import:preview', { workspaceId: ws, content: csv, mapping })
    expect(p.errors).toEqual([])
    expect(p.totals).toMatchObject({ spend: '1237.00', impressions: 1030, currency: 'EUR' })
    const { jobId } = await call<{ jobId: number }>(core, 'import:commit', { workspaceId: ws, content: csv, mapping })
    expect((await core.jobs.waitFor(jobId)).status).toBe('succeeded')
    const acc = core.workspaces.accounts(ws)
    expect(acc).toHaveLength(1)
    expect(acc[0]).toMatchObject({
      platform: 'tiktok',
      currency: 'EUR',
      firstDate: '2026-01-31',
      lastDate: '2026-02-01',
    })
  })

  it('parses date formats strictly and refuses ambiguous decimals', async () => {
    expect(parseDateCell('02/03/2026', 'MM/DD/YYYY')).toBe('2026-02-03')
    expect(parseDateCell('02/03/2026', 'DD/MM/YYYY')).toBe('2026-03-02')
    expect(() => parseDateCell('2026-02-30', 'YYYY-MM-DD')).toThrow(/not a date/)
    core = createTestCore()
    const ws = core.workspaces.create('X', 'EUR')
    const csv = 'Day,Campaign,Cost,Impr.\n2026-01-01,A,"12,5",10\n'
    const p = await call<Preview>(core, 'import:preview', { workspaceId: ws, content: csv, mapping: 'google' })
    expect(p.errors[0]).toMatchObject({ row: 2, column: 'Cost' })
    expect(p.errors[0]?.message).toMatch(/not a number/)
  })
})

describe('CSV import next to synced data', () => {
  it('never double-counts: synced ad-days win, unsynced days are keyed to the synced ad and a later sync replaces them', async () => {
    const { buildWorld } = await import('../simulator')
    const { worldAccounts } = await import('../sync-engine/testing/fake-connector')
    const { fakeWorld, syncNow } = await import('../sync-engine/testing/setup')
    const world = buildWorld({ seed: 9, campaigns: 6, days: 20, endDate: '2026-06-14' })
    const fw = await fakeWorld(worldAccounts(world), { now: () => new Date('2026-06-15T12:00:00Z') })
    core = fw.core
    await syncNow(fw.core, fw.workspaceId)
    const ad = fw.core.store.sqlite
      .prepare(
        `SELECT x.id, x.name AS ad, s.name AS adset, c.name AS campaign, d.date, d.spend_micros
         FROM ads x JOIN ad_sets s ON s.id = x.ad_set_id JOIN campaigns c ON c.id = x.campaign_id
         JOIN ad_accounts a ON a.id = x.account_id JOIN daily_metrics d ON d.ad_id = x.id
         WHERE a.platform = 'meta' ORDER BY d.date LIMIT 1`,
      )
      .get() as { id: number; ad: string; adset: string; campaign: string; date: string; spend_micros: number }
    const q = (s: string): string => `"${s.replace(/"/g, '""')}"`
    const csv = [
      '"Campaign name","Ad set name","Ad name",Day,"Amount spent (USD)",Impressions',
      `${q(ad.campaign)},${q(ad.adset)},${q(ad.ad)},${ad.date},999.00,5`, // already synced: skipped
      `${q(ad.campaign)},${q(ad.adset)},${q(ad.ad)},2026-05-01,12.50,100`, // before the synced span: keyed to the synced ad
    ].join('\n')
    const preview = await call<Preview & { skippedSynced: number }>(fw.core, 'import:preview', {
      workspaceId: fw.workspaceId,
      content: csv,
    })
    expect(preview.errors).toEqual([])
    expect(preview.skippedSynced).toBe(1)
    expect(preview.adDays).toBe(1)
    const { jobId } = await call<{ jobId: number }>(fw.core, 'import:commit', {
      workspaceId: fw.workspaceId,
      content: csv,
    })
    expect((await fw.core.jobs.waitFor(jobId)).status).toBe('succeeded')
    const rowsOf = (): { date: string; spend_micros: number; source: string }[] =>
      fw.core.store.sqlite
        .prepare('SELECT date, spend_micros, source FROM daily_metrics WHERE ad_id = ? ORDER BY date')
        .all(ad.id) as {
        date: string
        spend_micros: number
        source: string
      }[]
    expect(rowsOf()[0]).toEqual({ date: '2026-05-01', spend_micros: 12_500_000, source: 'import' })
    expect(rowsOf().find((r) => r.date === ad.date)?.spend_micros).toBe(ad.spend_micros)
    // The per-ad monthly sums follow the sync and the import (a month of its own).
    expect(adMonthMismatches(fw.core.store.sqlite)).toEqual([])
    // No import account was created: the line belonged to a synced ad.
    expect(fw.core.workspaces.accounts(fw.workspaceId).some((a) => a.externalId.startsWith('csv:'))).toBe(false)
    // A sync covering that day replaces the imported row with what the platform reports (nothing).
    await syncNow(fw.core, fw.workspaceId, { since: '2026-04-25' })
    expect(rowsOf().some((r) => r.source === 'import')).toBe(false)
    expect(adMonthMismatches(fw.core.store.sqlite)).toEqual([])

    // Campaign-level lines for a synced campaign would add to its ad rows: refused.
    const campaignCsv = `Day,Campaign,Cost,Impr.\n2026-05-02,${q(ad.campaign)},3.00,10\n`
    const env = await fw.core.dispatch(
      'import:preview',
      {
        workspaceId: fw.workspaceId,
        content: campaignCsv,
        mapping: {
          kind: 'custom',
          platform: 'meta',
          columns: { date: 'Day', campaign: 'Campaign', spend: 'Cost', impressions: 'Impr.' },
          dateFormat: 'YYYY-MM-DD',
          currency: 'USD',
          level: 'campaign',
          moneyUnit: 'units',
        },
      },
      TEST_CALLER,
    )
    expect(env.ok && (env.value as Preview).errors[0]?.message).toMatch(/synced at ad level/)
  })
})
