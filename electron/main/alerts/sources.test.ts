import { afterEach, describe, expect, it, vi } from 'vitest'
import { formatAlertNumber } from '../../../shared/domain/alerts'
import { formatMoney } from '../../../shared/domain/money'
import type { Change } from '../../../shared/domain/changes'
import { addDays } from '../../../shared/domain/dates'
import type { PlatformId } from '../../../shared/domain/entities'
import { CONVERSION_SETTLE_DAYS } from '../../../shared/domain/platforms'
import { ChangeRepo } from '../store/repos/change-repo'
import type { AccountOutcome } from '../store/repos/sync-repo'
import { syncNow } from '../sync/sync-engine/testing/setup'
import { createTestCore, TEST_CALLER } from '../test-support'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

const outcome = (status: AccountOutcome['status'], over: Partial<AccountOutcome> = {}): AccountOutcome => ({
  accountId: 1,
  name: 'Acme Meta',
  platform: 'meta',
  status,
  rows: 0,
  chunks: 0,
  from: null,
  to: null,
  error: status === 'succeeded' ? null : 'Meta said: the session has expired',
  ...over,
})

describe('alert sources', () => {
  it('sync health: reconnect needed, rate limit, N failures in a row, stale data; a success resolves them', async () => {
    let now = new Date('2026-12-04T12:00:00Z')
    core = createTestCore({ now: () => now })
    const c = core
    const db = c.store.sqlite
    db.prepare("INSERT INTO workspaces (name) VALUES ('Shop')").run()
    db.prepare(
      "INSERT INTO connections (workspace_id, platform, label, secret_ref) VALUES (1, 'meta', 'Meta', 'sync.connection.1')",
    ).run()
    db.prepare(
      "INSERT INTO ad_accounts (workspace_id, connection_id, platform, external_id, name, currency, time_zone) VALUES (1, 1, 'meta', 'act_1', 'Acme Meta', 'USD', 'UTC')",
    ).run()
    db.prepare("INSERT INTO sync_state (account_id, last_success_at) VALUES (1, '2026-12-01T12:00:00Z')").run()
    const repo = c.services.sync.repo
    const run = (o: AccountOutcome): Promise<void> => {
      const id = repo.startRun(1, null, 'incremental')
      repo.finishRun(id, o.status === 'succeeded' ? 'succeeded' : 'failed', [o], 0, o.error)
      c.events.emit('sync:finished', { workspaceId: 1, runId: id, status: o.status, rowsWritten: 0 })
      return c.services.alertSources.idle()
    }
    const open = (): string[] =>
      c.services.alerts
        .list({ state: ['open'] })
        .map((a) => `${a.severity} ${a.dedupeKey}`)
        .sort()

    await run(outcome('failed', { errorKind: 'rate_limit', error: 'Meta kept rate-limiting (code 17)' }))
    expect(open()).toEqual(['warning sync:rate-limit:1', 'warning sync:stale:1'])
    const stale = c.services.alerts.list({ source: ['sync'] }).find((a) => a.dedupeKey === 'sync:stale:1')!
    expect(stale.title).toBe('Acme Meta has not synced for 72 hours')
    expect(stale.numbers[0]).toMatchObject({ value: 72, unit: 'hours', previous: 48 })

    await run(outcome('needs_reconnect', { errorKind: 'auth' }))
    expect(open()).toContain('error sync:reconnect:1')
    expect(open()).not.toContain('error sync:failing:1')
    await run(outcome('failed', { errorKind: 'server' }))
    expect(open()).toContain('error sync:failing:1')
    const failing = c.services.alerts.list({}).find((a) => a.dedupeKey === 'sync:failing:1')!
    expect(failing.title).toBe('Acme Meta failed to sync 3 times in a row')

    // Turning the source off stops new sync alerts.
    await c.services.alerts.updateSettings({ sources: { sync: false } }, TEST_CALLER)
    await run(outcome('failed', { accountId: 1, errorKind: 'rate_limit' }))
    expect(c.services.alerts.list({}).find((a) => a.dedupeKey === 'sync:rate-limit:1')!.count).toBe(1)
    await c.services.alerts.updateSettings({ sources: { sync: true } }, TEST_CALLER)

    now = new Date('2026-12-04T13:00:00Z')
    db.prepare("UPDATE sync_state SET last_success_at = '2026-12-04T13:00:00Z' WHERE account_id = 1").run()
    await run(outcome('succeeded'))
    expect(open()).toEqual([])
    expect(c.services.alerts.list({ state: ['resolved'] })).toHaveLength(4)
  })

  it('forecast retraining that came out worse raises a WARNING; an activated version resolves it', () => {
    core = createTestCore()
    const c = core
    c.store.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('Shop')").run()
    const trained = (activated: boolean, score: number, activeScore: number | null): void =>
      c.events.emit('ml:modelTrained', { workspaceId: 1, name: 'forecast', version: 2, activated, score, activeScore })
    trained(false, 1.05, 1.0) // 5% worse: under the 10% setting
    expect(c.services.alerts.list({ source: ['ml'] })).toHaveLength(0)
    trained(false, 1.3, 1.0)
    const [a] = c.services.alerts.list({ source: ['ml'] })
    expect(a).toMatchObject({ severity: 'warning', state: 'open' })
    expect(a!.body).toContain('30% higher')
    trained(true, 0.9, 1.0)
    expect(c.services.alerts.get(a!.id).state).toBe('resolved')
  })

  it('the demo: a sync that brings anomalies raises them with the explanation; pacing is checked', async () => {
    const now = new Date('2026-06-15T18:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 14, days: 120 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const ws = c.workspaces.list().find((w) => w.isDemo)!.id
    // The demo's injected anomalies end 10+ days before its last day: widen "recent" to see them.
    await c.services.alerts.updateSettings({ anomalyRecentDays: 120 }, TEST_CALLER)
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const anomalies = c.services.alerts.list({ source: ['anomaly'] })
    const found = c.services.anomalies.list({ workspaceId: ws, minSeverity: 'warning', includeSeasonal: false })
    const last = found.range.to
    const recent = found.anomalies.filter(
      (a) => a.endDate >= new Date(Date.parse(last) - 120 * 86_400_000).toISOString().slice(0, 10),
    )
    expect(anomalies.length).toBeGreaterThan(0)
    expect(anomalies.length).toBe(recent.length)
    let foreignMoney = 0
    for (const a of anomalies) {
      const match = recent.find((r) => `anomaly:${r.id}` === a.dedupeKey)!
      expect(a.body).toBe(match.explanation)
      expect(a.numbers).toHaveLength(1)
      // Money in the currency the explanation uses: the account's (a EUR account's spend is never "$").
      const n = a.numbers[0]!
      if (match.undefinedValue)
        expect(n).toEqual({ label: `Conversions on ${match.peakDate}`, value: 0, unit: 'count' })
      if (n.unit === 'money_micros') {
        const account = c.services.sync.repo.accounts(ws).find((x) => x.id === match.accountId)
        expect(n.currency).toBe(account?.currency ?? found.currency)
        expect(a.body).toContain(formatMoney(n.previous as number, n.currency as string))
        if (n.currency !== found.currency) foreignMoney++
      }
    }
    expect(foreignMoney).toBeGreaterThan(0)
    // Pacing alerts name an account and carry the budget as the compared value.
    const pacingAlerts = c.services.alerts.list({ source: ['budget'] })
    expect(pacingAlerts.length).toBeGreaterThan(0)
    for (const a of pacingAlerts) {
      // The month in words, as a marketer says it: "… its December 2026 budget by 20%".
      expect(a.title).toMatch(/ is on course to (over|under)spend its [A-Z][a-z]+ \d{4} budget by \d+%$/)
      expect(a.numbers[1]).toMatchObject({ label: 'Projected month', previousLabel: 'budget', compare: 'against' })
      // "€10,200.00 (against €9,000.00 budget, +13%)", never "(was €9,000.00 budget".
      expect(formatAlertNumber(a.numbers[1]!)).toMatch(/^\S+ \(against \S+ budget, [+−±]\d+(\.\d)?%\)$/)
    }
    for (const a of anomalies) {
      const match = recent.find((r) => `anomaly:${r.id}` === a.dedupeKey)!
      if (match.undefinedValue) expect(a.title).toContain('with no conversions')
      else expect(formatAlertNumber(a.numbers[0]!)).toContain('(against ')
    }
  })

  it('an account currency without exchange rates is ONE alert naming the pair and the fix, not a log line per sync', async () => {
    const now = new Date('2026-06-15T18:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 6, days: 60 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const ws = c.workspaces.list().find((w) => w.isDemo)!.id
    const db = c.store.sqlite
    const rates = db.prepare('SELECT * FROM fx_rates WHERE workspace_id = ?').all(ws) as Record<string, unknown>[]
    expect(rates.length).toBeGreaterThan(0) // the demo has accounts in other currencies
    db.prepare('DELETE FROM fx_rates WHERE workspace_id = ?').run(ws)
    await c.services.alerts.updateSettings({ anomalyRecentDays: 60, anomalyMinSeverity: 'info' }, TEST_CALLER)
    const logged = vi.spyOn(console, 'error')
    const warned = vi.spyOn(console, 'warn')
    try {
      for (let i = 0; i < 3; i++) expect((await syncNow(c, ws)).status).toBe('succeeded')
      await c.services.alertSources.idle()
      const lines = [...logged.mock.calls, ...warned.mock.calls].map((args) => args.map(String).join(' '))
      expect(lines.filter((l) => /exchange rate|check failed/i.test(l))).toEqual([])
    } finally {
      logged.mockRestore()
      warned.mockRestore()
    }
    const fx = c.services.alerts.list({ workspaceId: ws, source: ['system'] })
    expect(fx.map((a) => a.dedupeKey)).toEqual(['fx:missing:EUR:USD'])
    const [alert] = fx
    expect(alert).toMatchObject({
      severity: 'warning',
      state: 'open',
      title: 'No exchange rate from EUR to USD',
      link: '/settings',
    })
    expect(alert!.count).toBeGreaterThanOrEqual(3) // the demo build and three syncs: one alert, counted
    expect(alert!.body).toMatch(
      /^Alder & Pine Europe, .+ report in EUR, but this workspace reports in USD and has no EUR → USD rate\./,
    )
    expect(alert!.body).toContain('add monthly EUR → USD rates under Settings → Exchange rates')
    // The other checks still run: no "could not run" alert, and anomalies of accounts and campaigns are raised.
    expect(c.services.alerts.openByKey(ws, 'source-failed:anomalies')).toBeNull()
    const listed = c.services.anomalies.list({ workspaceId: ws, minSeverity: 'info', includeSeasonal: false })
    expect(listed.notes.filter((n) => n.kind !== 'conversions_settling')).toEqual([
      expect.objectContaining({ kind: 'fx_missing', from: 'EUR', to: 'USD' }),
    ])
    expect(listed.anomalies.some((a) => a.level === 'workspace')).toBe(false)
    expect(listed.anomalies.length).toBeGreaterThan(0)
    expect(c.services.alerts.list({ workspaceId: ws, source: ['anomaly'] }).length).toBeGreaterThan(0)

    const cols = Object.keys(rates[0]!)
    const insert = db.prepare(`INSERT INTO fx_rates (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
    for (const r of rates) insert.run(...cols.map((k) => r[k]))
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    expect(c.services.alerts.get(alert!.id).state).toBe('resolved')
    expect(
      c.services.anomalies
        .list({ workspaceId: ws, minSeverity: 'info', includeSeasonal: false })
        .notes.filter((n) => n.kind !== 'conversions_settling'),
    ).toEqual([])
  })

  it('a check that cannot run is a WARNING saying why, logged once however many syncs repeat it; a run that works resolves it', async () => {
    core = createTestCore({
      seedDemo: true,
      demo: { campaigns: 4, days: 30 },
      now: () => new Date('2026-06-15T18:00:00Z'),
    })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const ws = c.workspaces.list().find((w) => w.isDemo)!.id
    const broken = vi.spyOn(c.services.anomalies, 'listSliced').mockRejectedValue(new Error('disk I/O error'))
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      for (let i = 0; i < 3; i++)
        c.events.emit('sync:finished', { workspaceId: ws, runId: 1, status: 'succeeded', rowsWritten: 0 })
      await c.services.alertSources.idle()
      expect(logged.mock.calls.filter((a) => String(a[0]).includes('anomalies check failed'))).toHaveLength(1)
    } finally {
      logged.mockRestore()
      broken.mockRestore()
    }
    const failed = c.services.alerts.openByKey(ws, 'source-failed:anomalies')
    expect(failed).toMatchObject({
      source: 'system',
      severity: 'warning',
      title: 'The anomalies check could not run',
      count: 3,
    })
    expect(failed!.body).toBe('disk I/O error. Until this is fixed, no anomalies alerts are raised for this workspace.')
    c.events.emit('sync:finished', { workspaceId: ws, runId: 1, status: 'succeeded', rowsWritten: 0 })
    await c.services.alertSources.idle()
    expect(c.services.alerts.get(failed!.id).state).toBe('resolved')
  })
})

/**
 * The newest days' conversions are still arriving: no conversion, CPA or ROAS anomaly (or alert)
 * on a day still settling for its platform, unless it is a rise (or a fall deeper than lag
 * explains: not in the demo); the Anomalies list says which days are settling.
 */
function expectNoLagAlarms(c: TestCore): void {
  const ws = c.workspaces.list().find((w) => w.isDemo)!.id
  const listed = c.services.anomalies.list({ workspaceId: ws, minSeverity: 'info', includeSeasonal: true })
  const note = listed.notes.find((n) => n.kind === 'conversions_settling')
  expect(note?.message).toMatch(/Conversions are still arriving for the newest days: .*\(Google Ads\)/)
  expect(note?.to).toBe(listed.range.to)
  const platformOf = new Map(
    (
      c.store.sqlite.prepare('SELECT id, platform FROM ad_accounts').all() as { id: number; platform: PlatformId }[]
    ).map((r) => [r.id, r.platform]),
  )
  // The first settling day of an account's platform (the workspace total: its slowest account's).
  const settlingFrom = (accountId: number | null | undefined): string => {
    const p = accountId ? platformOf.get(accountId) : undefined
    return addDays(listed.range.to, -((p ? CONVERSION_SETTLE_DAYS[p] : 7) - 1))
  }
  const lagMetric = (m: string): boolean => m === 'conversions' || m === 'cpa' || m === 'roas'
  for (const a of listed.anomalies) {
    if (!lagMetric(a.metric) || a.endDate < settlingFrom(a.accountId)) continue
    const rise = a.metric === 'cpa' ? a.direction === 'down' : a.direction === 'up'
    expect({ id: a.id, rise, settling: a.settling }).toEqual({ id: a.id, rise: true, settling: true })
  }
  for (const a of c.services.alerts.list({ workspaceId: ws, source: ['anomaly'] })) {
    const metric = /^(Conversions|CPA|ROAS) of /.exec(a.title)?.[1]
    const day = / on (\d{4}-\d\d-\d\d)$/.exec(a.numbers[0]?.label ?? '')?.[1]
    if (!metric || !day || day < settlingFrom(a.entity?.accountId)) continue
    expect(a.body).toContain('late conversions only add to this')
  }
}

describe('the demo raises alerts', () => {
  it('a demo build runs the sources: its current spend spike is an anomaly alert on the day it ended', async () => {
    // Outside the retail season (the December case is the next test).
    const now = new Date('2026-06-17T10:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 20, days: 60 }, now: () => now })
    const c = core
    const demo = await c.jobs.waitFor(c.startupJobId as number)
    await c.services.alertSources.idle()
    expect(demo.status).toBe('succeeded')
    const spike = c.store.sqlite
      .prepare("SELECT end_date AS endDate FROM simulator_events WHERE kind = 'spend_spike'")
      .get() as { endDate: string }
    // Ends within the last three days of data (yesterday is the last day).
    expect(spike.endDate >= '2026-06-13' && spike.endDate <= '2026-06-15').toBe(true)
    const anomalies = c.services.alerts.list({ source: ['anomaly'] })
    expect(anomalies.some((a) => a.title.startsWith('Spend of') && a.numbers[0]?.label.includes(spike.endDate))).toBe(
      true,
    )
  })

  it('a December demo (cyber week just behind it) raises the current spend spike, judged against last year', async () => {
    // The usual baseline leaves the retail peaks out, so in early December it had too few days to
    // judge by; the season is now compared with the same days a year earlier (the demo has 16 months).
    const now = new Date('2026-12-04T10:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 20, days: 480 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const spike = c.store.sqlite
      .prepare("SELECT end_date AS endDate FROM simulator_events WHERE kind = 'spend_spike'")
      .get() as { endDate: string }
    expect(spike.endDate >= '2026-11-30' && spike.endDate <= '2026-12-03').toBe(true)
    const alerts = c.services.alerts.list({ source: ['anomaly'] })
    const found = alerts.filter((a) => a.title.startsWith('Spend of') && a.numbers[0]?.label.includes(spike.endDate))
    expect(found.length).toBeGreaterThan(0)
    for (const a of found) expect(a.body).toMatch(/the level of the same \w+day last year \(grown as this year has\)/)
    expectNoLagAlarms(c)
  })

  it('a 60-day December demo (no last year) still raises its December anomalies, each saying the season is not accounted for', async () => {
    const now = new Date('2026-12-05T10:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { days: 60 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const ws = c.workspaces.list().find((w) => w.isDemo)!.id
    const listed = c.services.anomalies.list({ workspaceId: ws, minSeverity: 'info', includeSeasonal: false })
    const note = listed.notes.find((n) => n.kind === 'season_without_history')
    expect(note).toMatchObject({ from: '2026-11-17', to: '2026-12-04' })
    expect(note!.message).toContain('the season itself is not accounted for')
    const december = c.services.alerts
      .list({ workspaceId: ws, source: ['anomaly'] })
      .filter((a) => a.numbers[0]?.label.includes(' on 2026-12-'))
    expect(december.length).toBeGreaterThan(0)
    for (const a of december)
      expect(a.body).toContain("Without last year's season to compare with (less than a year of history)")
    expectNoLagAlarms(c)

    // The current spend spike sits on a campaign launched for cyber week (under three weeks of
    // usual days): it is found on the campaign itself, against its days since its first week.
    const spike = c.store.sqlite
      .prepare("SELECT campaign_id AS id, end_date AS endDate FROM simulator_events WHERE kind = 'spend_spike'")
      .get() as { id: number; endDate: string }
    const young = listed.anomalies.find(
      (a) => a.level === 'campaign' && a.entityId === spike.id && a.metric === 'spend',
    )
    expect(young).toMatchObject({ young: true, direction: 'up', severity: 'warning' })
    const alert = c.services.alerts
      .list({ workspaceId: ws, source: ['anomaly'] })
      .find((a) => a.entity?.level === 'campaign' && a.entity.id === spike.id && a.title.startsWith('Spend of'))
    expect(alert?.body).toMatch(/Spend \d\.\dx its post-launch level on 2026-12-0\d/)
    expect(alert?.body).toContain('It started recently: judged against its')
    // Its chart (the page asks 14 days past the anomaly): no values after the last day of data, and
    // the conversion series marks the days still settling (Google Ads: the newest 7).
    const chart = (m: 'spend' | 'conversions') =>
      c.services.anomalies.series(ws, 'campaign', spike.id, m, { from: '2026-11-01', to: '2026-12-16' }).points
    expect(chart('spend').filter((p) => p.date > '2026-12-04' && p.actual !== null)).toEqual([])
    expect(chart('spend').find((p) => p.date === spike.endDate)).toMatchObject({ flagged: true })
    expect(
      chart('conversions')
        .filter((p) => p.settling)
        .map((p) => p.date),
    ).toEqual(['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'])

    // A real tracking break on the newest days (conversions gone, spend normal) is still found
    // on settling days: deeper than late conversions explain.
    const meta = c.store.sqlite
      .prepare("SELECT a.id, a.name FROM ad_accounts a WHERE a.workspace_id = ? AND a.platform = 'meta' ORDER BY a.id")
      .get(ws) as { id: number; name: string }
    c.store.sqlite
      .prepare(
        "UPDATE account_daily SET conversions = 0, conversion_value_micros = 0 WHERE account_id = ? AND date >= '2026-12-03'",
      )
      .run(meta.id)
    c.services.anomalies.invalidate()
    const broken = c.services.anomalies
      .list({ workspaceId: ws, minSeverity: 'warning', includeSeasonal: false })
      .anomalies.filter(
        (a) => a.level === 'account' && a.entityId === meta.id && a.metric === 'conversions' && a.endDate > '2026-12',
      )
    expect(broken).toEqual([
      expect.objectContaining({ startDate: '2026-12-03', endDate: '2026-12-04', settling: true, direction: 'down' }),
    ])
    expect(broken[0]!.explanation).toContain(
      'Conversions for 2026-12-03 to 2026-12-04 are still arriving, but the fall is deeper than late conversions explain',
    )
  }, 120_000)

  it('the change pipeline: approvals waiting are one WARNING following the count; a failed change is an ERROR once', async () => {
    core = createTestCore({
      seedDemo: true,
      demo: { campaigns: 6, days: 30 },
      now: () => new Date('2026-06-15T18:00:00Z'),
    })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const ws = c.workspaces.list().find((w) => w.isDemo)!.id
    const ids = (
      c.store.sqlite.prepare('SELECT id FROM campaigns WHERE daily_budget_micros > 0 ORDER BY id LIMIT 2').all() as {
        id: number
      }[]
    ).map((r) => r.id)
    expect(ids).toHaveLength(2)
    const propose = async (id: number): Promise<Change> => {
      const env = await c.dispatch(
        'changes:propose',
        { entityType: 'campaign', entityId: id, action: { kind: 'change_budget_pct', pct: 10 }, approval: 'required' },
        TEST_CALLER,
      )
      if (!env.ok) throw new Error(env.error.message)
      return env.value as Change
    }
    const [a, b] = [await propose(ids[0]!), await propose(ids[1]!)]
    const approvals = () => c.services.alerts.openByKey(ws, 'changes:approvals')
    expect(approvals()).toMatchObject({
      severity: 'warning',
      source: 'automation',
      title: '2 changes to the ad platforms wait for approval',
      link: '/automation?tab=approvals',
    })
    const env = await c.dispatch('changes:reject', { id: a.id, reason: 'not now' }, TEST_CALLER)
    expect(env.ok).toBe(true)
    expect(approvals()?.title).toBe('1 change to the ad platforms waits for approval')

    // The worker's path to a platform refusal (proposed → approved → applying → failed), then its data:changed.
    const repo = new ChangeRepo(c.store.sqlite)
    const at = new Date('2026-06-15T18:00:00Z').toISOString()
    repo.transition(b.id, ['proposed'], 'approved', {}, at)
    repo.transition(b.id, ['approved'], 'applying', {}, at)
    repo.transition(b.id, ['applying'], 'failed', { error: 'Meta said: (#100) the budget is below the minimum' }, at)
    for (let i = 0; i < 2; i++) c.events.emit('data:changed', { tables: ['changes'], workspaceId: ws })
    expect(approvals()).toBeNull()
    const failed = c.services.alerts.list({ workspaceId: ws, source: ['automation'], severity: ['error'] })
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ dedupeKey: `change:failed:${b.id}`, count: 1 })
    expect(failed[0]!.title).toMatch(
      /^A change failed: set the daily budget of campaign “.+” from [$€][\d,.]+ to [$€][\d,.]+$/,
    )
    expect(failed[0]!.body).toContain('user:tester (test) asked to set the daily budget')
    expect(failed[0]!.body).toContain('It was not applied: Meta said: (#100) the budget is below the minimum.')
    // Resolved by the user, it stays resolved (a later change event raises nothing new).
    await c.services.alerts.resolve([failed[0]!.id], TEST_CALLER)
    c.events.emit('data:changed', { tables: ['changes'], workspaceId: ws })
    expect(c.services.alerts.get(failed[0]!.id).state).toBe('resolved')
    expect(c.services.alerts.list({ workspaceId: ws, source: ['automation'], severity: ['error'] })).toHaveLength(1)
  })
})
