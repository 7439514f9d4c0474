import {
  addDays,
  daysBetween,
  endOfMonth,
  fromEpochDay,
  startOfMonth,
  toEpochDay,
} from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'
import type { EntitySeries } from '../../ml/features'

/** Loaded series of a workspace plus the shared date range (account-local dates). */
export interface WorkspaceSeries {
  from: string
  to: string
  days: number
  /**
   * Days from `from` whose numbers are settled (before the first provisional day of any account).
   * Training and evaluation use only these; later days carry late-conversion estimates.
   */
  settledDays: number
  series: EntitySeries[]
}

/** Settled reference window for completion factors (days before the first provisional day). */
const REFERENCE_DAYS = 28

/**
 * Late-conversion completion factors for the provisional days: platforms keep attributing
 * conversions for up to 28 days, so recent days look worse than they will be. For each
 * provisional day the factor is (workspace conversions per spend over the 28 settled days before)
 * / (conversions per spend on that day), clamped to [1, 4]; same for revenue. Applied to every
 * series so features at forecast time describe settled behaviour, as they did in training.
 */
function applyCompletion(
  sqlite: Sqlite,
  workspaceId: number,
  fromDay: number,
  settledDays: number,
  days: number,
  series: EntitySeries[],
): void {
  if (settledDays >= days || settledDays < REFERENCE_DAYS) return
  const rows = sqlite
    .prepare(
      `SELECT cd.date, sum(cd.spend_micros) AS spend, sum(cd.conversions) AS conversions, sum(cd.conversion_value_micros) AS revenue
       FROM account_daily cd JOIN ad_accounts a ON a.id = cd.account_id
       WHERE a.workspace_id = ? AND cd.date >= ? GROUP BY cd.date`,
    )
    .all(workspaceId, fromEpochDay(fromDay + settledDays - REFERENCE_DAYS)) as {
    date: string
    spend: number
    conversions: number
    revenue: number
  }[]
  let refS = 0
  let refC = 0
  let refR = 0
  const byIdx = new Map<number, { spend: number; conversions: number; revenue: number }>()
  for (const r of rows) {
    const i = toEpochDay(r.date) - fromDay
    if (i < settledDays) {
      refS += r.spend
      refC += r.conversions
      refR += r.revenue
    } else byIdx.set(i, r)
  }
  if (refS <= 0) return
  const clamp = (v: number): number => (Number.isFinite(v) ? Math.min(4, Math.max(1, v)) : 1)
  for (let i = settledDays; i < days; i++) {
    const d = byIdx.get(i)
    if (!d || d.spend <= 0) continue
    const fc = clamp(refC / refS / (d.conversions / d.spend))
    const fr = clamp(refR / refS / (d.revenue / d.spend))
    for (const s of series) {
      s.conversions[i] = (s.conversions[i] as number) * fc
      s.revenue[i] = (s.revenue[i] as number) * fr
    }
  }
}

interface MetaRow {
  id: number
  name: string
  campaign_id: number
  objective: string
  start_date: string | null
  platform: string
  currency: string
  format: string | null
}

interface DayRow {
  id: number
  date: string
  spend: number
  conversions: number
  revenue: number
  impressions: number
  clicks: number
}

/**
 * A series read by entities scans the key range between their ads' smallest and largest id when
 * it holds at most this many ids per ad of theirs (else it looks each ad up day by day).
 */
const LOOKUP_SPAN_PER_AD = 4

/**
 * Read the daily campaign and ad-set series of a workspace (sums of `daily_metrics`) into dense
 * arrays. Money is converted from micros to account-currency units here because the models work on
 * floats; nothing is written back.
 */
export function loadWorkspaceSeries(
  sqlite: Sqlite,
  workspaceId: number,
  opts: {
    adSets?: boolean
    /** One entity only (shorthand for `entities`). */
    only?: { entityType: 'campaign' | 'ad_set'; entityId: number }
    /**
     * Only these campaigns and ad sets of one account, with the workspace's last `lastDays` days
     * (earlier days read as zero): one read for many entities (the recommendation engine's response curves) that scans
     * only that account's recent rows instead of the workspace's whole history per entity.
     */
    entities?: { accountId: number; lastDays: number; campaign: number[]; ad_set: number[] }
  } = {},
): WorkspaceSeries | null {
  const only = opts.entities
    ? opts.entities
    : opts.only
      ? {
          accountId: null,
          lastDays: null,
          campaign: opts.only.entityType === 'campaign' ? [opts.only.entityId] : [],
          ad_set: opts.only.entityType === 'ad_set' ? [opts.only.entityId] : [],
        }
      : null
  const byIds = <T>(ids: number[] | undefined, q: (filter: string, bind: number[]) => T[]): T[] =>
    !only ? q('', []) : inChunks(ids ?? [], (chunk, m) => q(`IN (${m})`, chunk))
  const withAdSets = opts.adSets === true || (only !== null && only.ad_set.length > 0)
  const range = sqlite
    .prepare(
      `SELECT min(cd.date) AS f, max(cd.date) AS t FROM account_daily cd
       JOIN ad_accounts a ON a.id = cd.account_id WHERE a.workspace_id = ?`,
    )
    .get(workspaceId) as { f: string | null; t: string | null }
  if (!range.f || !range.t) return null
  const fromDay = toEpochDay(range.f)
  const days = toEpochDay(range.t) - fromDay + 1
  // Rows of one account over its last days: a range of daily_metrics' key (account, date, ad).
  const recent = only?.accountId != null && only.lastDays !== null
  const range2 = recent ? 'AND dm.account_id = ? AND dm.date >= ?' : ''
  const rangeBind = recent ? [only.accountId, fromEpochDay(fromDay + days - (only.lastDays as number))] : []
  /*
   * The same rows for named entities of one account, looked up by key (account, date, ad) for each
   * day and each of their ads instead of scanning every row of the account's recent days: on the
   * 10,000-campaign store an account has ~1,700 campaigns and the engine asks for 25 of them.
   * When the entities' ad ids are close together (ads are stored as they are synced, an ad set's
   * ads mostly one after another) each day is one short range of the key between their smallest
   * and largest id, their ads kept by the same IN list: the same rows in the same order, without
   * one key lookup per ad and day (the engine's 150 series reads at 10,000 campaigns: about a
   * third less CPU, docs/performance.md).
   */
  const lookup = (level: 'campaign' | 'ad_set', f: string, b: number[]): DayRow[] => {
    const col = level === 'campaign' ? 'campaign_id' : 'ad_set_id'
    const ads = `SELECT x.id FROM ads x JOIN ad_accounts a ON a.id = x.account_id
                 WHERE x.account_id = ? AND a.workspace_id = ? AND x.${col} ${f}`
    const adsBind = [only?.accountId, workspaceId, ...b]
    const [lo, hi, n] = sqlite
      .prepare(`SELECT min(id), max(id), count(*) FROM (${ads})`)
      .raw()
      .get(...adsBind) as [number | null, number | null, number]
    if (lo === null || hi === null) return []
    const span = hi - lo + 1 <= LOOKUP_SPAN_PER_AD * n
    return sqlite
      .prepare(
        `WITH RECURSIVE d(date) AS (SELECT ? UNION ALL SELECT date(date, '+1 day') FROM d WHERE date < ?)
         SELECT dm.${col} AS id, dm.date, sum(dm.spend_micros) AS spend, round(sum(dm.conversions), 6) AS conversions,
           sum(dm.conversion_value_micros) AS revenue, sum(dm.impressions) AS impressions, sum(dm.clicks) AS clicks
         FROM d CROSS JOIN daily_metrics dm ON dm.account_id = ? AND dm.date = d.date
           AND ${span ? 'dm.ad_id BETWEEN ? AND ? AND +dm.ad_id' : 'dm.ad_id'} IN (${ads})
         GROUP BY dm.${col}, dm.date`,
      )
      .all(rangeBind[1], range.t, only?.accountId, ...(span ? [lo, hi] : []), ...adsBind) as DayRow[]
  }
  const formats = new Map<number, string>()
  const formatRows = byIds(
    only ? [...new Set([...only.campaign, ...only.ad_set.map((id) => campaignOfAdSet(sqlite, id))])] : undefined,
    (f, b) =>
      sqlite
        .prepare(
          `SELECT ads.campaign_id AS id, cr.format AS format, count(*) AS n FROM ads
           JOIN creatives cr ON cr.id = ads.creative_id JOIN ad_accounts a ON a.id = ads.account_id
           WHERE a.workspace_id = ? ${f && `AND ads.campaign_id ${f}`} GROUP BY ads.campaign_id, cr.format`,
        )
        .all(workspaceId, ...b) as { id: number; format: string; n: number }[],
  ).sort((x, y) => x.n - y.n)
  for (const r of formatRows) formats.set(r.id, r.format) // ascending count: the dominant format is written last
  const campaignMeta = byIds(
    only?.campaign,
    (f, b) =>
      sqlite
        .prepare(
          `SELECT c.id, c.name, c.id AS campaign_id, c.objective, c.start_date, a.platform, a.currency, NULL AS format
         FROM campaigns c JOIN ad_accounts a ON a.id = c.account_id WHERE a.workspace_id = ? ${f && `AND c.id ${f}`} ORDER BY c.id`,
        )
        .all(workspaceId, ...b) as MetaRow[],
  )
  const adSetMeta = withAdSets
    ? byIds(
        only?.ad_set,
        (f, b) =>
          sqlite
            .prepare(
              `SELECT s.id, s.name, s.campaign_id, c.objective, c.start_date, a.platform, a.currency, NULL AS format
           FROM ad_sets s JOIN campaigns c ON c.id = s.campaign_id JOIN ad_accounts a ON a.id = s.account_id
           WHERE a.workspace_id = ? ${f && `AND s.id ${f}`} ORDER BY s.id`,
            )
            .all(workspaceId, ...b) as MetaRow[],
      )
    : []
  const slab = seriesSlab(campaignMeta.length + adSetMeta.length, days)
  const series: EntitySeries[] = []
  const byKey = new Map<string, EntitySeries>()
  const make = (type: 'campaign' | 'ad_set', m: MetaRow): EntitySeries => {
    const k = series.length
    const s: EntitySeries = {
      entityType: type,
      id: m.id,
      name: m.name,
      campaignId: m.campaign_id,
      currency: m.currency,
      platform: m.platform,
      objective: m.objective,
      format: formats.get(m.campaign_id) ?? 'unknown',
      fromDay,
      // Unknown launch: the first day with spend (set after the rows are read).
      launchIndex: m.start_date ? toEpochDay(m.start_date) - fromDay : Number.NaN,
      spend: slab.spend.subarray(k * days, (k + 1) * days),
      conversions: slab.conversions.subarray(k * days, (k + 1) * days),
      revenue: slab.revenue.subarray(k * days, (k + 1) * days),
      impressions: slab.impressions.subarray(k * days, (k + 1) * days),
      clicks: slab.clicks.subarray(k * days, (k + 1) * days),
    }
    series.push(s)
    byKey.set(`${type}:${m.id}`, s)
    return s
  }
  for (const m of campaignMeta) make('campaign', m)
  const fill = (type: 'campaign' | 'ad_set', rows: Iterable<DayRow>): void => {
    for (const r of rows) {
      const s = byKey.get(`${type}:${r.id}`)
      if (!s) continue
      const i = toEpochDay(r.date) - fromDay
      s.spend[i] = r.spend / 1e6
      s.conversions[i] = r.conversions
      s.revenue[i] = r.revenue / 1e6
      s.impressions[i] = r.impressions
      s.clicks[i] = r.clicks
    }
  }
  if (!only || only.campaign.length)
    fill(
      'campaign',
      recent
        ? byIds(only.campaign, (f, b) => lookup('campaign', f, b))
        : only
          ? byIds(
              only.campaign,
              (f, b) =>
                sqlite
                  .prepare(
                    `SELECT dm.campaign_id AS id, dm.date, sum(dm.spend_micros) AS spend, round(sum(dm.conversions), 6) AS conversions,
                    sum(dm.conversion_value_micros) AS revenue, sum(dm.impressions) AS impressions, sum(dm.clicks) AS clicks
                 FROM daily_metrics dm JOIN ad_accounts a ON a.id = dm.account_id
                 WHERE a.workspace_id = ? ${range2} AND dm.campaign_id ${f}
                 GROUP BY dm.campaign_id, dm.date`,
                  )
                  .all(workspaceId, ...rangeBind, ...b) as DayRow[],
            )
          : sumsByAccountDay(sqlite, workspaceId, 'campaign_id'),
    )
  if (withAdSets) {
    for (const m of adSetMeta) make('ad_set', m)
    const adSetDays = `SELECT dm.ad_set_id AS id, dm.date, sum(dm.spend_micros) AS spend, sum(dm.conversions) AS conversions,
                  sum(dm.conversion_value_micros) AS revenue, sum(dm.impressions) AS impressions, sum(dm.clicks) AS clicks
           FROM daily_metrics dm JOIN ad_accounts a ON a.id = dm.account_id WHERE a.workspace_id = ?`
    fill(
      'ad_set',
      recent
        ? byIds(only.ad_set, (f, b) => lookup('ad_set', f, b))
        : only
          ? byIds(
              only.ad_set,
              (f, b) =>
                sqlite
                  .prepare(`${adSetDays} ${range2} AND dm.ad_set_id ${f} GROUP BY dm.ad_set_id, dm.date`)
                  .all(workspaceId, ...rangeBind, ...b) as DayRow[],
            )
          : sumsByAccountDay(sqlite, workspaceId, 'ad_set_id'),
    )
  }
  for (const s of series) {
    if (Number.isNaN(s.launchIndex)) {
      const first = s.spend.findIndex((v) => v > 0)
      s.launchIndex = first >= 0 ? first : 0
    }
  }
  const prov = sqlite
    .prepare(
      `SELECT min(cd.date) AS d FROM account_daily cd JOIN ad_accounts a ON a.id = cd.account_id
       WHERE a.workspace_id = ? AND cd.provisional = 1`,
    )
    .get(workspaceId) as { d: string | null }
  const settledDays = prov.d ? Math.max(0, toEpochDay(prov.d) - fromDay) : days
  applyCompletion(sqlite, workspaceId, fromDay, settledDays, days, series)
  return { from: range.f, to: fromEpochDay(fromDay + days - 1), days, settledDays, series }
}

/**
 * The five daily metrics of `n` series of `days` days, one Float64Array per metric: each series gets
 * views of it. 50,000 arrays of a few kB each filled the allocator's small-block heap, which keeps
 * the pages after they are freed (the training thread's RSS stayed at its peak); one block per
 * metric is mapped and unmapped whole.
 */
function seriesSlab(
  n: number,
  days: number,
): Record<'spend' | 'conversions' | 'revenue' | 'impressions' | 'clicks', Float64Array> {
  return {
    spend: new Float64Array(n * days),
    conversions: new Float64Array(n * days),
    revenue: new Float64Array(n * days),
    impressions: new Float64Array(n * days),
    clicks: new Float64Array(n * days),
  }
}

/**
 * A workspace's rows summed per (campaign or ad set, day), one account-day at a time: each GROUP BY
 * sorts one day of one account (a few thousand rows, on the key's range). One GROUP BY over the whole
 * history sorted every row (12.4M at 10,000 campaigns) in SQLite's temporary storage: ~1.2 GB of
 * RSS in the training thread, most of it kept by the allocator after the read. The sums are SQLite's
 * own (same aggregate, same rows in the same key order), so the series are identical.
 */
function* sumsByAccountDay(sqlite: Sqlite, workspaceId: number, col: 'campaign_id' | 'ad_set_id'): Generator<DayRow> {
  const accounts = sqlite
    .prepare('SELECT id FROM ad_accounts WHERE workspace_id = ? ORDER BY id')
    .pluck()
    .all(workspaceId) as number[]
  const span = sqlite.prepare('SELECT min(date) AS f, max(date) AS t FROM daily_metrics WHERE account_id = ?')
  // Campaign conversions are rounded to 6 decimals as they always were; ad sets' are not.
  const conversions = col === 'campaign_id' ? 'round(sum(conversions), 6)' : 'sum(conversions)'
  const day = sqlite.prepare(
    `SELECT ${col} AS id, date, sum(spend_micros) AS spend, ${conversions} AS conversions,
       sum(conversion_value_micros) AS revenue, sum(impressions) AS impressions, sum(clicks) AS clicks
     FROM daily_metrics WHERE account_id = ? AND date = ? GROUP BY ${col}`,
  )
  for (const a of accounts) {
    const r = span.get(a) as { f: string | null; t: string | null }
    if (r.f === null || r.t === null) continue
    for (let d = r.f; d <= r.t; d = addDays(d, 1)) yield* day.all(a, d) as DayRow[]
  }
}

function campaignOfAdSet(sqlite: Sqlite, id: number): number {
  const r = sqlite.prepare('SELECT campaign_id AS c FROM ad_sets WHERE id = ?').get(id) as { c: number } | undefined
  return r?.c ?? -1
}

/** Campaigns and ad sets of a workspace that forecasts can be asked for, campaign first then its ad sets. */
export function listModelEntities(
  sqlite: Sqlite,
  workspaceId: number,
  opts: {
    search?: string | undefined
    limit?: number | undefined
    include?: { entityType: string; entityId: number } | undefined
  } = {},
): { entityType: string; entityId: number; name: string; campaignId: number; platform: string }[] {
  type Row = { entityType: string; entityId: number; name: string; campaignId: number; platform: string }
  const search = opts.search?.trim() ?? ''
  // LIKE's wildcards in the user's text are literal.
  const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const where = search ? ` AND x.name LIKE ? ESCAPE '\\'` : ''
  const args: (number | string)[] = search ? [workspaceId, like, workspaceId, like] : [workspaceId, workspaceId]
  const rows = sqlite
    .prepare(
      `SELECT 'campaign' AS entityType, x.id AS entityId, x.name, x.id AS campaignId, a.platform
       FROM campaigns x JOIN ad_accounts a ON a.id = x.account_id WHERE a.workspace_id = ?${where}
       UNION ALL
       SELECT 'ad_set', x.id, x.name, x.campaign_id, a.platform
       FROM ad_sets x JOIN ad_accounts a ON a.id = x.account_id WHERE a.workspace_id = ?${where}
       ORDER BY campaignId, entityType DESC, entityId${opts.limit ? ' LIMIT ?' : ''}`,
    )
    .all(...args, ...(opts.limit ? [opts.limit] : [])) as Row[]
  const inc = opts.include
  if (inc && !rows.some((r) => r.entityType === inc.entityType && r.entityId === inc.entityId)) {
    const table = inc.entityType === 'campaign' ? 'campaigns' : 'ad_sets'
    const campaign = inc.entityType === 'campaign' ? 'x.id' : 'x.campaign_id'
    const one = sqlite
      .prepare(
        `SELECT ? AS entityType, x.id AS entityId, x.name, ${campaign} AS campaignId, a.platform
         FROM ${table} x JOIN ad_accounts a ON a.id = x.account_id WHERE a.workspace_id = ? AND x.id = ?`,
      )
      .get(inc.entityType, workspaceId, inc.entityId) as Row | undefined
    if (one) rows.unshift(one)
  }
  return rows
}

/** A campaign-day of a workspace with its platform (as `key`) and currency. */
export interface CampaignDayRow {
  key: string
  campaignId: number
  currency: string
  date: string
  conversions: number
  revenue: number
}

/** Every campaign-day of a workspace in [from, to] (the account ids as a list: one key range each). */
export function campaignDaysOfWorkspace(
  sqlite: Sqlite,
  workspaceId: number,
  from: string,
  to: string,
): CampaignDayRow[] {
  const accounts = sqlite
    .prepare('SELECT id FROM ad_accounts WHERE workspace_id = ?')
    .pluck()
    .all(workspaceId) as number[]
  return sqlite
    .prepare(
      `SELECT a.platform AS key, cd.campaign_id AS campaignId, a.currency, cd.date, cd.conversions, cd.conversion_value_micros AS revenue
       FROM campaign_daily cd JOIN ad_accounts a ON a.id = cd.account_id
       WHERE cd.account_id IN (${accounts.map(() => '?').join(',')}) AND cd.date BETWEEN ? AND ?`,
    )
    .all(...accounts, from, to) as CampaignDayRow[]
}

/** Campaign names of a workspace by id. */
export function campaignNames(sqlite: Sqlite, workspaceId: number): Map<number, string> {
  const rows = sqlite
    .prepare('SELECT c.id, c.name FROM campaigns c JOIN ad_accounts a ON a.id = c.account_id WHERE a.workspace_id = ?')
    .all(workspaceId) as { id: number; name: string }[]
  return new Map(rows.map((r) => [r.id, r.name]))
}

/** One ad set's sums over a range with its platform, objective and creative format. */
export interface AdSetAggregate {
  platform: string
  objective: string
  format: string
  currency: string
  spend: number
  conversions: number
  impressions: number
  clicks: number
  activeDays: number
}

/**
 * Ad sets of a workspace with at least `minConversions` and some spend in [from, to], by spend (ties by
 * id). Sums come from the per-ad monthly sums (`ad_month`) for the months the range covers whole and,
 * for a partial month, from the rows of its days in the range or the month's sums minus the rows of
 * the rest of the month, whichever reads fewer days (90 days at 10,000 campaigns: two days of rows
 * instead of ninety). `activeDays` is the days its longest-running ad delivered in the range (an ad's
 * days are exact: the rows it has; ads of an ad set mostly run side by side).
 */
export function adSetAggregates(
  sqlite: Sqlite,
  workspaceId: number,
  from: string,
  to: string,
  minConversions: number,
): AdSetAggregate[] {
  const accounts = sqlite
    .prepare('SELECT id, platform, currency FROM ad_accounts WHERE workspace_id = ? ORDER BY id')
    .all(workspaceId) as { id: number; platform: string; currency: string }[]
  const span = sqlite.prepare('SELECT min(date), max(date) FROM account_daily WHERE account_id = ?').raw()
  const months = sqlite
    .prepare(
      `SELECT ad_id, ad_set_id, sum(spend_micros), sum(conversions), sum(impressions), sum(clicks), sum(days)
       FROM ad_month WHERE account_id = ? AND month = ? GROUP BY ad_id, ad_set_id`,
    )
    .raw()
  const rows = sqlite
    .prepare(
      `SELECT ad_id, ad_set_id, sum(spend_micros), sum(conversions), sum(impressions), sum(clicks), count(*)
       FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? GROUP BY ad_id, ad_set_id`,
    )
    .raw()
  const adSetMeta = sqlite
    .prepare('SELECT s.id, c.objective FROM ad_sets s JOIN campaigns c ON c.id = s.campaign_id WHERE s.account_id = ?')
    .raw()
  const formats = sqlite
    .prepare(
      'SELECT x.ad_set_id, cr.format FROM ads x JOIN creatives cr ON cr.id = x.creative_id WHERE x.account_id = ? ORDER BY x.id',
    )
    .raw()
  const out: (AdSetAggregate & { id: number })[] = []
  for (const a of accounts) {
    const [first, last] = span.get(a.id) as [string | null, string | null]
    if (first === null || last === null) continue
    const f = from > first ? from : first
    const t = to < last ? to : last
    // (ad, ad set) -> [ad set, spend, conversions, impressions, clicks, days]
    const perAd = new Map<number, number[]>()
    const add = (list: unknown[][], sign: 1 | -1): void => {
      for (const r of list) {
        const k = (r[0] as number) * 4_294_967_296 + (r[1] as number)
        let v = perAd.get(k)
        if (!v) perAd.set(k, (v = [r[1] as number, 0, 0, 0, 0, 0]))
        for (let c = 1; c < 6; c++) v[c] = (v[c] as number) + sign * ((r[c + 1] as number | null) ?? 0)
      }
    }
    for (let p = f; p <= t; p = addDays(endOfMonth(p), 1)) {
      const pieceTo = endOfMonth(p) < t ? endOfMonth(p) : t
      const ms = startOfMonth(p) > first ? startOfMonth(p) : first
      const me = endOfMonth(p) < last ? endOfMonth(p) : last
      const pieceDays = daysBetween(p, pieceTo) + 1
      if (daysBetween(ms, me) + 1 - pieceDays < pieceDays) {
        add(months.all(a.id, p.slice(0, 7)) as unknown[][], 1)
        if (ms < p) add(rows.all(a.id, ms, addDays(p, -1)) as unknown[][], -1)
        if (pieceTo < me) add(rows.all(a.id, addDays(pieceTo, 1), me) as unknown[][], -1)
      } else add(rows.all(a.id, p, pieceTo) as unknown[][], 1)
    }
    const sets = new Map<number, number[]>()
    for (const v of perAd.values()) {
      if ((v[5] as number) <= 0) continue
      const id = v[0] as number
      const s = sets.get(id)
      if (!s) sets.set(id, v.slice(1))
      else {
        for (let c = 0; c < 4; c++) s[c] = (s[c] as number) + (v[c + 1] as number)
        s[4] = Math.max(s[4] as number, v[5] as number)
      }
    }
    const keep = [...sets].filter(([, s]) => (s[1] as number) >= minConversions - 1e-9 && (s[0] as number) > 0)
    if (!keep.length) continue
    const objective = new Map(adSetMeta.all(a.id) as [number, string][])
    const format = new Map<number, string>()
    for (const [set, fmt] of formats.iterate(a.id) as Iterable<[number, string | null]>)
      if (fmt !== null && !format.has(set)) format.set(set, fmt)
    for (const [id, s] of keep)
      out.push({
        id,
        platform: a.platform,
        objective: objective.get(id) ?? '',
        format: format.get(id) ?? 'unknown',
        currency: a.currency,
        spend: s[0] as number,
        conversions: Math.round((s[1] as number) * 1e6) / 1e6,
        impressions: s[2] as number,
        clicks: s[3] as number,
        activeDays: s[4] as number,
      })
  }
  out.sort((x, y) => y.spend - x.spend || x.id - y.id)
  return out.map(({ id: _id, ...r }) => r)
}

/**
 * An account's daily totals (all its campaigns: `account_daily`) over `days` days from epoch day
 * `fromDay`, money in account-currency units, zero where it has no row: the season control of the
 * response curves (the rest of the account on the same days).
 */
export function loadAccountTotals(
  sqlite: Sqlite,
  accountId: number,
  fromDay: number,
  days: number,
): { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } {
  const out = { spend: new Float64Array(days), revenue: new Float64Array(days), conversions: new Float64Array(days) }
  const rows = sqlite
    .prepare(
      `SELECT date, spend_micros AS spend, conversion_value_micros AS revenue, conversions FROM account_daily
       WHERE account_id = ? AND date BETWEEN ? AND ?`,
    )
    .all(accountId, fromEpochDay(fromDay), fromEpochDay(fromDay + days - 1)) as {
    date: string
    spend: number
    revenue: number
    conversions: number
  }[]
  for (const r of rows) {
    const i = toEpochDay(r.date) - fromDay
    if (i < 0 || i >= days) continue
    out.spend[i] = r.spend / 1e6
    out.revenue[i] = r.revenue / 1e6
    out.conversions[i] = r.conversions
  }
  return out
}

/** The account of a campaign or an ad set of the workspace, or null. */
export function accountOfEntity(
  sqlite: Sqlite,
  workspaceId: number,
  entityType: 'campaign' | 'ad_set',
  entityId: number,
): number | null {
  const table = entityType === 'campaign' ? 'campaigns' : 'ad_sets'
  const r = sqlite
    .prepare(
      `SELECT x.account_id AS id FROM ${table} x JOIN ad_accounts a ON a.id = x.account_id
       WHERE x.id = ? AND a.workspace_id = ?`,
    )
    .get(entityId, workspaceId) as { id: number } | undefined
  return r?.id ?? null
}
