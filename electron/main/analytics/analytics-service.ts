import { compareNames, sortRows, type RowWindowQuery } from '../../../shared/domain/row-window'
import { addDays, dateRange, daysBetween, endOfMonth, startOfMonth } from '../../../shared/domain/dates'
import { PlatformIdSchema, type PlatformId } from '../../../shared/domain/entities'
import type { DataTable } from '../../../shared/domain/tables'
import {
  addTotals,
  deriveKpis,
  EMPTY_TOTALS,
  rankBy,
  rankingValue,
  type DateRange,
  type Totals,
} from '../../../shared/domain/metrics'
import type { z } from 'zod'
import type {
  Breakdown,
  BreakdownInputSchema,
  EntityRow,
  TopInputSchema,
  TrendInputSchema,
  TrendSeriesPoint,
} from '../../../shared/ipc/contracts/analytics-schemas'
import { AppError } from '../../../shared/ipc/result'
import {
  sumsToTotals,
  tableMetric,
  tableTotals,
  type AnalyticsRepo,
  type CampaignSumsReader,
  type CampaignSumsTable,
  type EntityMeta,
  type CampaignSums,
  type CumPiece,
  type RawBucket,
  type ScopeAccount,
} from '../store/repos/analytics-repo'
import type { FxRepo } from '../store/repos/fx-repo'
import type { WorkspaceRepo } from '../store/repos/workspace-repo'
import { adWindowTotalsSteps } from './ad-window-totals'
import { previousPeriod } from './dashboard-service'

type BreakdownInput = z.output<typeof BreakdownInputSchema>
type TopInput = z.output<typeof TopInputSchema>
type TrendInput = z.output<typeof TrendInputSchema>

/** A workspace resolved for one query: accounts in scope and a converter into the reporting currency. */
export interface ResolvedScope {
  currency: string
  accounts: ScopeAccount[]
  byId: Map<number, ScopeAccount>
  convert: (micros: number, currency: string, month: string) => number
  /** Units of the reporting currency per unit of `currency` in `month`. */
  rate: (currency: string, month: string) => number
}

/** Months a range touches, each as [from, to] clipped to the range. */
export function monthPieces(range: DateRange): DateRange[] {
  const out: DateRange[] = []
  for (let m = startOfMonth(range.from); m <= range.to; m = addDays(endOfMonth(m), 1)) {
    out.push({ from: m < range.from ? range.from : m, to: endOfMonth(m) > range.to ? range.to : endOfMonth(m) })
  }
  return out
}

/** Add one converted bucket into totals (money converted at the bucket's month). */
export function addBucket(t: Totals, b: RawBucket, scope: ResolvedScope): void {
  t.spendMicros += scope.convert(b.spend, b.currency, b.month)
  t.revenueMicros += scope.convert(b.revenue, b.currency, b.month)
  t.impressions += b.impressions
  t.clicks += b.clicks
  t.conversions = Math.round((t.conversions + b.conversions) * 1e6) / 1e6
  t.videoViews += b.video_views
}

/** Tables whose change makes a kept explorer list stale (what a breakdown reads). */
export const BREAKDOWN_TABLES: readonly DataTable[] = [
  'workspaces',
  'ad_accounts',
  'campaigns',
  'ad_sets',
  'ads',
  'daily_metrics',
  'account_daily',
  'campaign_cum',
  'campaign_daily',
  'ad_month',
  'fx_rates',
  'connections',
]

/** Rows kept over all kept explorer lists (10,000 campaigns with their previous period: ~10 MB). */
export const MAX_KEPT_ROWS = 60_000
/** Kept explorer lists (range, level, parent) and sorted views of each. */
const MAX_KEPT_LISTS = 4
const MAX_KEPT_VIEWS = 4

/** One breakdown's rows before its window, and the sorted, filtered views asked of them. */
interface KeptList {
  base: Omit<Breakdown, 'rows' | 'total' | 'offset' | 'archived'>
  n: number
  /** Row i (list order); a campaign list builds each when a window first needs it. */
  rows: (EntityRow | undefined)[]
  /** A campaign list's figures, its rows built on demand; null when every row is built. */
  campaigns: CampaignColumns | null
  views: Map<string, KeptView>
}

/**
 * The explorer's campaign list in columns (rows in ascending campaign ids). Names (with status and
 * objective) are read for the rows a window shows and the ties of its sort, or for all of them for
 * a search or the name sort; a row (with its KPIs and previous period) is built only when a window
 * shows it. Reading 10,000 campaigns' names was a third of the explorer's first window; building
 * 10,000 rows of objects that live through the call was most of its garbage collection.
 */
interface CampaignColumns {
  /** The accounts in scope (names are read over them). */
  accountIds: number[]
  platformOf: Map<number, PlatformId | null>
  /** The range's sums (AnalyticsRepo.campaignSumsTable); the previous period's read for the rows built. */
  cur: CampaignSumsTable
  prev: CampaignSumsReader | null
  /** Row i is slot `slot[i]` of `cur` (rows in ascending ids). */
  slot: Int32Array
  provisional: Uint8Array
  /** 1 where the campaign is archived (its status until its name is read). */
  archived: Uint8Array
  /** Row i's name, status and objective once read (null: the campaign has no row in `campaigns`). */
  meta: (EntityMeta | null | undefined)[]
  /** Rows whose names are not read yet. */
  unnamed: number
}

/**
 * A sorted, filtered view: the list's rows by index. `ties` (a metric sort over rows whose names are not
 * all read): rows are in metric order only, and each run of equal values is put in name order (as
 * `sortRows` does) when a window first reaches it; `sortedTies` holds the starts of the runs done.
 */
interface KeptView {
  order: Int32Array
  archived: number
  ties: { values: Float64Array; nulls: Uint8Array; sortedTies: Set<number> } | null
}

/**
 * Aggregations for dashboards and the explorer. Sums are taken in each account's currency and
 * converted per month into the workspace reporting currency; every ratio is derived from sums.
 * Dates are account-local. Campaign totals over a range come from running totals (two lookups per
 * campaign), finer levels from the ad-day rows.
 */
export class AnalyticsService {
  constructor(
    private readonly repo: AnalyticsRepo,
    private readonly workspaces: WorkspaceRepo,
    private readonly fx: FxRepo,
  ) {}

  /**
   * The explorer's lists, kept until the data changes (`invalidate` on data:changed naming one of
   * BREAKDOWN_TABLES): scrolling, sorting and searching a kept list costs the window, not the
   * 10,000 rows' sums, names and decoration again (that was most of the core thread's time while a
   * sync ran and the window asked every few hundred ms). Bounded by MAX_KEPT_ROWS and MAX_KEPT_LISTS.
   */
  private readonly kept = new Map<string, KeptList>()

  /** Forget the kept explorer lists. */
  invalidate(): void {
    this.kept.clear()
  }

  /** How many lists and rows are kept, and how many of those rows' names are not read yet (tests, diagnostics). */
  keptStats(): { lists: number; rows: number; unnamed: number } {
    let rows = 0
    let unnamed = 0
    for (const l of this.kept.values()) {
      rows += l.n
      unnamed += l.campaigns?.unnamed ?? 0
    }
    return { lists: this.kept.size, rows, unnamed }
  }

  private keep(key: string, list: KeptList): void {
    if (list.n > MAX_KEPT_ROWS) return
    this.kept.set(key, list)
    let rows = 0
    for (const l of this.kept.values()) rows += l.n
    for (const [k, l] of this.kept) {
      if (this.kept.size <= MAX_KEPT_LISTS && rows <= MAX_KEPT_ROWS) break
      this.kept.delete(k)
      rows -= l.n
    }
  }

  /** Resolve a workspace scope; throws NOT_FOUND for an unknown workspace or account. */
  scope(workspaceId: number, accountIds?: number[]): ResolvedScope {
    const ws = this.workspaces.get(workspaceId)
    const accounts = this.repo.accounts(workspaceId, accountIds)
    if (accountIds?.length && accounts.length !== new Set(accountIds).size) {
      throw new AppError(
        'NOT_FOUND',
        `Some of the accounts ${accountIds.join(', ')} are not in workspace ${workspaceId}`,
      )
    }
    const convert = this.fx.converter(workspaceId, ws.reportingCurrency)
    // Converting 1e12 micros keeps 12 significant digits of the rate through the repo's rounding.
    const rate = (currency: string, month: string): number =>
      currency === ws.reportingCurrency ? 1 : convert(1e12, currency, month) / 1e12
    return { currency: ws.reportingCurrency, accounts, byId: new Map(accounts.map((a) => [a.id, a])), convert, rate }
  }

  /** Currencies of the scope that are converted. */
  convertedFrom(scope: ResolvedScope): string[] {
    return [...new Set(scope.accounts.map((a) => a.currency).filter((c) => c !== scope.currency))].sort()
  }

  /** Running-total pieces of a range for the accounts in scope (clamped to each account's last day). */
  private pieces(scope: ResolvedScope, range: DateRange): CumPiece[] {
    const out: CumPiece[] = []
    for (const a of scope.accounts) {
      if (a.lastDate === null) continue
      const mine: CumPiece[] = []
      for (const m of monthPieces(range)) {
        const to = m.to < a.lastDate ? m.to : a.lastDate
        if (to < m.from) continue
        const rate = scope.rate(a.currency, m.from.slice(0, 7))
        const prev = mine[mine.length - 1]
        // Months at the same rate (always so in the reporting currency) are one piece: converted
        // and rounded once.
        if (prev && prev.rate === rate) prev.to = to
        else mine.push({ accountId: a.id, from: m.from, to, rate })
      }
      out.push(...mine)
    }
    return out
  }

  /** Converted campaign totals over a range, optionally ranked (see AnalyticsRepo.campaignSums). */
  campaignTotals(
    scope: ResolvedScope,
    range: DateRange,
    opts: Parameters<AnalyticsRepo['campaignSums']>[1] = {},
  ): CampaignSums[] {
    return this.repo.campaignSums(this.pieces(scope, range), opts)
  }

  private rowsFor(
    level: BreakdownInput['level'],
    grain: BreakdownInput['grain'],
    scope: ResolvedScope,
    range: DateRange,
    filter: { campaignId?: number; adSetId?: number; ids?: number[] },
  ): Map<string, { totals: Totals; period: string; key: string; provisional: boolean; accountId?: number }> {
    const out = new Map<
      string,
      { totals: Totals; period: string; key: string; provisional: boolean; accountId?: number }
    >()
    const accountIds = scope.accounts.map((a) => a.id)
    if (level === 'campaign' && grain === 'total' && filter.campaignId === undefined && filter.adSetId === undefined) {
      const prov = this.repo.provisionalAccounts(accountIds, range.from, range.to)
      for (const s of this.campaignTotals(scope, range, { ...(filter.ids ? { ids: filter.ids } : {}) })) {
        out.set(`${s.id}|`, {
          key: String(s.id),
          period: '',
          totals: sumsToTotals(s),
          provisional: prov.has(s.account_id),
          accountId: s.account_id,
        })
      }
      return out
    }
    for (const b of this.repo.buckets(level, grain, accountIds, range.from, range.to, filter)) {
      const k = `${b.key}|${b.period}`
      let r = out.get(k)
      if (!r) {
        r = { key: String(b.key), period: b.period, totals: { ...EMPTY_TOTALS }, provisional: false }
        out.set(k, r)
      }
      addBucket(r.totals, b, scope)
      r.provisional ||= b.provisional === 1
    }
    return out
  }

  /**
   * Converted totals per entity of a level over one range (automation rules evaluate many
   * entities at once): campaigns from the running totals, ad sets and ads from the ad-day rows.
   */
  entityTotals(scope: ResolvedScope, level: 'campaign' | 'ad_set' | 'ad', range: DateRange): Map<number, Totals> {
    const out = new Map<number, Totals>()
    for (const r of this.rowsFor(level, 'total', scope, range, {}).values()) out.set(Number(r.key), r.totals)
    return out
  }

  /**
   * Converted totals per ad and per ad set over one range from one read of the ad-day rows. Each
   * entity's sums are taken per month and currency before converting, as `entityTotals` does.
   */
  adAndAdSetTotals(scope: ResolvedScope, range: DateRange): { ad: Map<number, Totals>; ad_set: Map<number, Totals> } {
    return adTotalsOf(
      scope,
      this.repo.adBuckets(
        scope.accounts.map((a) => a.id),
        range.from,
        range.to,
      ),
    )
  }

  /**
   * `adAndAdSetTotals` for several ranges at once, each over some accounts of the scope (automation
   * evaluates many windows per cycle). Months a range covers whole (every day of the month the
   * account has rows on) come from the per-ad monthly sums (`ad_month`); the other days from one
   * read of each account's ad-day rows over the union of those days. The totals are those of
   * `adAndAdSetTotals` per range (same buckets per ad, ad set and month, added in the same order).
   */
  adAndAdSetTotalsMany(
    scope: ResolvedScope,
    ranges: { from: string; to: string; accountIds: number[] }[],
  ): { ad: Map<number, Totals>; ad_set: Map<number, Totals> }[] {
    const steps = this.adAndAdSetTotalsSteps(scope, ranges)
    for (;;) {
      const r = steps.next()
      if (r.done) return r.value
    }
  }

  /**
   * `adAndAdSetTotalsMany` as steps (a caller can give the event loop back between them): one
   * month of `ad_month` or one day of one account's rows per step (an account read again on one
   * snapshot if something was written between its steps), then the totals in steps of 2,048 ads
   * (`adWindowTotalsSteps`).
   */
  *adAndAdSetTotalsSteps(
    scope: ResolvedScope,
    ranges: { from: string; to: string; accountIds: number[] }[],
  ): Generator<void, { ad: Map<number, Totals>; ad_set: Map<number, Totals> }[]> {
    return yield* adWindowTotalsSteps(this.repo, scope, ranges)
  }

  /** Totals and ratios by level and grain, optionally with the previous period per row. */
  breakdown(input: BreakdownInput): Breakdown {
    if (!input.window) {
      const { base, scope, filter } = this.breakdownScope(input)
      const rows = this.breakdownRows(input, scope, filter)
      rows.sort((a, b) => (a.period ?? '').localeCompare(b.period ?? '') || b.totals.spendMicros - a.totals.spendMicros)
      return { ...base, rows }
    }
    // A window of a kept list: the list is built once per data change, each sort/filter once.
    const key = JSON.stringify([
      input.workspaceId,
      input.accountIds ?? null,
      input.level,
      input.grain,
      input.parent ?? null,
      input.range,
      input.compare,
    ])
    let list = this.kept.get(key)
    if (list) {
      this.kept.delete(key)
      this.kept.set(key, list)
    } else {
      list = this.keptList(input)
      this.keep(key, list)
    }
    const { offset, limit, ...q } = input.window
    const viewKey = JSON.stringify([q.sort, q.dir, q.search.trim().toLowerCase(), q.platform ?? null, q.archived])
    let view = list.views.get(viewKey)
    if (!view) {
      view = this.view(list, q)
      if (list.views.size >= MAX_KEPT_VIEWS) list.views.delete(list.views.keys().next().value as string)
      list.views.set(viewKey, view)
    }
    if (view.ties) this.sortTies(list, view, offset, limit)
    const shown = view.order.subarray(offset, offset + limit)
    this.build(list, shown)
    return {
      ...list.base,
      rows: Array.from(shown, (i) => list.rows[i] as EntityRow),
      total: view.order.length,
      offset,
      archived: view.archived,
    }
  }

  /** A kept list's rows filtered and sorted as `sortRows` does (see KeptView). */
  private view(list: KeptList, q: Omit<RowWindowQuery, 'offset' | 'limit'>): KeptView {
    const c = list.campaigns
    if (!c) {
      const rows = list.rows as EntityRow[]
      const at = new Map(rows.map((r, i) => [r, i]))
      const sorted = sortRows(rows, q)
      return { order: Int32Array.from(sorted.rows, (r) => at.get(r) as number), archived: sorted.archived, ties: null }
    }
    const needle = q.search.trim().toLowerCase()
    if (!c.unnamed || needle !== '' || q.sort === 'name') return this.namedView(list, c, q, needle)
    // sortRows without the names: the filter does not need them, the order only for ties.
    let archived = 0
    const kept: number[] = []
    for (let i = 0; i < list.n; i++) {
      if (q.platform && c.platformOf.get(c.cur.accountIds[c.slot[i] as number] as number) !== q.platform) continue
      if (this.statusOf(c, i) !== 'archived') kept.push(i)
      else {
        archived++
        if (q.archived === true) kept.push(i)
      }
    }
    const sort = q.sort
    const dir = q.dir === 'asc' ? 1 : -1
    const m = kept.length
    const values = new Float64Array(m)
    const nulls = new Uint8Array(m)
    const order: number[] = []
    for (let k = 0; k < m; k++) {
      const v = tableMetric(sort, c.cur.sums, c.slot[kept[k] as number] as number)
      if (v === null) nulls[k] = 1
      else values[k] = v
      order.push(k)
    }
    order.sort((a, b) => {
      if (nulls[a]) return nulls[b] ? 0 : 1
      if (nulls[b]) return -1
      return dir * ((values[a] as number) - (values[b] as number)) || 0
    })
    const view: KeptView = {
      order: new Int32Array(m),
      archived,
      ties: { values: new Float64Array(m), nulls: new Uint8Array(m), sortedTies: new Set() },
    }
    const ties = view.ties as NonNullable<KeptView['ties']>
    for (let k = 0; k < m; k++) {
      const at = order[k] as number
      view.order[k] = kept[at] as number
      ties.values[k] = values[at] as number
      ties.nulls[k] = nulls[at] as number
    }
    return view
  }

  /** Put the runs of equal values that a window reaches in name order (sortRows' tie rule). */
  private sortTies(list: KeptList, view: KeptView, offset: number, limit: number): void {
    const ties = view.ties as NonNullable<KeptView['ties']>
    const { values: v, nulls } = ties
    const n = view.order.length
    // sortRows compares `dir * (va - vb) || names`: equal values and equal infinities (NaN) tie.
    const tie = (a: number, b: number): boolean =>
      nulls[a] || nulls[b] ? nulls[a] === nulls[b] : !((v[a] as number) - (v[b] as number))
    let start = Math.min(offset, n)
    while (start > 0 && start < n && tie(start - 1, start)) start--
    while (start < Math.min(offset + limit, n)) {
      let end = start + 1
      while (end < n && tie(start, end)) end++
      if (end - start > 1 && !ties.sortedTies.has(start)) {
        const run = Array.from(view.order.subarray(start, end))
        const c = list.campaigns as CampaignColumns
        this.name(c, run)
        run.sort((a, b) => compareNames(this.nameOf(c, a), this.nameOf(c, b)))
        view.order.set(run, start)
        ties.sortedTies.add(start)
      }
      start = end
    }
  }

  /**
   * `sortRows` over a campaign list with every name read (a search, the name sort, or all names
   * read already): the same filter and comparisons over the names and the columns, without
   * building the rows.
   */
  private namedView(
    list: KeptList,
    c: CampaignColumns,
    q: Omit<RowWindowQuery, 'offset' | 'limit'>,
    needle: string,
  ): KeptView {
    const all: number[] = []
    for (let i = 0; i < list.n; i++) all.push(i)
    this.name(c, all)
    let archived = 0
    const kept = all.filter((i) => {
      if (
        (q.platform && c.platformOf.get(c.cur.accountIds[c.slot[i] as number] as number) !== q.platform) ||
        (needle && !this.nameOf(c, i).toLowerCase().includes(needle))
      )
        return false
      if (this.statusOf(c, i) !== 'archived') return true
      archived++
      return q.archived === true
    })
    const dir = q.dir === 'asc' ? 1 : -1
    const sort = q.sort
    if (sort === 'name') kept.sort((a, b) => dir * compareNames(this.nameOf(c, a), this.nameOf(c, b)))
    else {
      const value = new Map(kept.map((i) => [i, tableMetric(sort, c.cur.sums, c.slot[i] as number)]))
      kept.sort((a, b) => {
        const va = value.get(a) ?? null
        const vb = value.get(b) ?? null
        if (va === null) return vb === null ? compareNames(this.nameOf(c, a), this.nameOf(c, b)) : 1
        if (vb === null) return -1
        return dir * (va - vb) || compareNames(this.nameOf(c, a), this.nameOf(c, b))
      })
    }
    return { order: Int32Array.from(kept), archived, ties: null }
  }

  /** A campaign row's name as `sortRows` sees it (read already). */
  private nameOf(c: CampaignColumns, i: number): string {
    return c.meta[i]?.name ?? `#${c.cur.ids[c.slot[i] as number] as number}`
  }

  /** A campaign row's status: its campaign's once read, else 'archived' or null. */
  private statusOf(c: CampaignColumns, i: number): string | null {
    const m = c.meta[i]
    return m ? m.status : c.archived[i] ? 'archived' : null
  }

  /** Read the name, status and objective of those campaign rows not read yet. */
  private name(c: CampaignColumns, indices: ArrayLike<number>): void {
    if (!c.unnamed) return
    const todo: number[] = []
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number
      if (c.meta[i] === undefined) todo.push(i)
    }
    if (!todo.length) return
    const all = todo.length === c.unnamed || todo.length > 500
    const idOf = (i: number): number => c.cur.ids[c.slot[i] as number] as number
    const meta = this.repo.meta('campaign', c.accountIds, all ? undefined : todo.map(idOf))
    for (const i of todo) c.meta[i] = meta.get(idOf(i)) ?? null
    c.unnamed -= todo.length
  }

  /** Build the rows of those indices not built yet (a campaign list: reading their names first). */
  private build(list: KeptList, indices: ArrayLike<number>): void {
    const c = list.campaigns
    if (!c) return
    this.name(c, indices)
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number
      if (list.rows[i]) continue
      const slot = c.slot[i] as number
      const id = c.cur.ids[slot] as number
      const accountId = c.cur.accountIds[slot] as number
      const m = c.meta[i]
      const totals = tableTotals(c.cur.sums, slot)
      const ps = c.prev?.sums(id, accountId)
      const p = c.prev ? (ps ? tableTotals(ps, 0) : { ...EMPTY_TOTALS }) : null
      list.rows[i] = {
        level: 'campaign',
        id: String(id),
        name: m ? m.name : `#${id}`,
        platform: c.platformOf.get(accountId) ?? null,
        accountId,
        campaignId: id,
        adSetId: null,
        status: this.statusOf(c, i),
        objective: m ? m.objective : null,
        period: null,
        totals,
        kpis: deriveKpis(totals),
        previousTotals: p,
        previousKpis: p ? deriveKpis(p) : null,
        provisional: c.provisional[i] === 1,
      }
    }
  }

  /** A breakdown's scope (restricted to its parent), its filter and what the answer says beside the rows. */
  private breakdownScope(input: BreakdownInput): {
    base: KeptList['base']
    scope: ResolvedScope
    filter: { campaignId?: number; adSetId?: number }
  } {
    const scope = this.scope(input.workspaceId, input.accountIds)
    const filter: { campaignId?: number; adSetId?: number } = {}
    if (input.parent) {
      const id = Number(input.parent.id)
      if (input.parent.level === 'platform') {
        const p = PlatformIdSchema.safeParse(input.parent.id)
        if (!p.success) throw new AppError('VALIDATION', `Unknown platform "${input.parent.id}"`)
        this.restrict(scope, (a) => a.platform === p.data)
      } else if (!Number.isInteger(id) || id <= 0) {
        throw new AppError('VALIDATION', `parent.id must be a numeric id for level ${input.parent.level}`)
      } else if (input.parent.level === 'account') this.restrict(scope, (a) => a.id === id)
      else if (input.parent.level === 'campaign') filter.campaignId = id
      else filter.adSetId = id
    }
    const base = {
      currency: scope.currency,
      convertedFrom: this.convertedFrom(scope),
      range: input.range,
      previousRange: input.compare ? previousPeriod(input.range) : null,
    }
    return { base, scope, filter }
  }

  /** A breakdown's decorated rows (unsorted). */
  private breakdownRows(
    input: BreakdownInput,
    scope: ResolvedScope,
    filter: { campaignId?: number; adSetId?: number },
  ): EntityRow[] {
    const cur = this.rowsFor(input.level, input.grain, scope, input.range, filter)
    const prevRange = input.compare ? previousPeriod(input.range) : null
    const prev = prevRange ? this.rowsFor(input.level, input.grain, scope, prevRange, filter) : null
    return this.decorate(input.level, scope, [...cur.values()], prev)
  }

  /** A list to keep for windows: campaigns' totals in columns (rows built on demand), other levels decorated. */
  private keptList(input: BreakdownInput): KeptList {
    const { base, scope, filter } = this.breakdownScope(input)
    if (
      input.level !== 'campaign' ||
      input.grain !== 'total' ||
      filter.campaignId !== undefined ||
      filter.adSetId !== undefined
    ) {
      const rows = this.breakdownRows(input, scope, filter)
      return { base, n: rows.length, rows, campaigns: null, views: new Map() }
    }
    // The campaign totals from the running totals, as rowsFor reads them (ascending ids).
    const accountIds = scope.accounts.map((a) => a.id)
    const cur = this.repo.campaignSumsTable(this.pieces(scope, input.range))
    const prev = base.previousRange ? this.repo.campaignSumsReader(this.pieces(scope, base.previousRange)) : null
    const prov = this.repo.provisionalAccounts(accountIds, input.range.from, input.range.to)
    const archivedIds = this.repo.archivedCampaignIds(accountIds)
    const n = cur.n
    const c: CampaignColumns = {
      accountIds,
      platformOf: new Map(scope.accounts.map((a) => [a.id, a.platform])),
      cur,
      prev,
      slot: cur.byId,
      provisional: new Uint8Array(n),
      archived: new Uint8Array(n),
      meta: new Array<EntityMeta | null | undefined>(n),
      unnamed: n,
    }
    for (let i = 0; i < n; i++) {
      const s = cur.byId[i] as number
      c.provisional[i] = prov.has(cur.accountIds[s] as number) ? 1 : 0
      c.archived[i] = archivedIds.has(cur.ids[s] as number) ? 1 : 0
    }
    return { base, n, rows: new Array<EntityRow | undefined>(n), campaigns: c, views: new Map() }
  }

  private restrict(scope: ResolvedScope, keep: (a: ScopeAccount) => boolean): void {
    scope.accounts = scope.accounts.filter(keep)
    scope.byId = new Map(scope.accounts.map((a) => [a.id, a]))
  }

  /** Attach names, parents and previous-period values to raw rows. */
  decorate(
    level: EntityRow['level'],
    scope: ResolvedScope,
    rows: { key: string; period: string; totals: Totals; provisional: boolean }[],
    prev: Map<string, { totals: Totals }> | null,
  ): EntityRow[] {
    const accountIds = scope.accounts.map((a) => a.id)
    const ids = rows.map((r) => Number(r.key))
    const meta =
      level === 'campaign' || level === 'ad_set' || level === 'ad'
        ? this.repo.meta(level, accountIds, ids.length <= 500 ? [...new Set(ids)] : undefined)
        : null
    return rows.map((r) => {
      const m = meta?.get(Number(r.key))
      const accountId = level === 'account' ? Number(r.key) : (m?.account_id ?? null)
      const acc = accountId !== null ? scope.byId.get(accountId) : undefined
      const platform: PlatformId | null = level === 'platform' ? (r.key as PlatformId) : (acc?.platform ?? null)
      const name =
        level === 'workspace'
          ? 'All accounts'
          : level === 'platform'
            ? r.key
            : level === 'account'
              ? (acc?.name ?? r.key)
              : (m?.name ?? `#${r.key}`)
      return {
        level,
        id: r.key,
        name,
        platform,
        accountId,
        campaignId: m?.campaign_id ?? null,
        adSetId: m?.ad_set_id ?? null,
        status: m?.status ?? null,
        objective: m?.objective ?? null,
        ...rowFigures(r, prev),
      }
    })
  }

  /** Top or bottom N entities by a metric over a range with a minimum spend. */
  top(input: TopInput): { currency: string; convertedFrom: string[]; rows: EntityRow[] } {
    const scope = this.scope(input.workspaceId, input.accountIds)
    const minSpendMicros = Math.round(input.minSpend * 1e6)
    let raw: { key: string; period: string; totals: Totals; provisional: boolean }[]
    if (input.level === 'campaign') {
      const prov = this.repo.provisionalAccounts(
        scope.accounts.map((a) => a.id),
        input.range.from,
        input.range.to,
      )
      raw = this.campaignTotals(scope, input.range, {
        metric: input.metric,
        order: input.order,
        limit: input.limit,
        minSpendMicros,
      }).map((s) => ({ key: String(s.id), period: '', totals: sumsToTotals(s), provisional: prov.has(s.account_id) }))
    } else {
      const all = [...this.rowsFor(input.level, 'total', scope, input.range, {}).values()]
      raw = rankBy(
        all.filter((r) => r.totals.spendMicros >= minSpendMicros),
        (r) => rankingValue(r.totals, input.metric),
        (r) => Number(r.key),
        input.order,
        input.limit,
      )
    }
    return {
      currency: scope.currency,
      convertedFrom: this.convertedFrom(scope),
      rows: this.decorate(input.level, scope, raw, null),
    }
  }

  /** Daily series with a trailing 7-day moving average (the 6 days before the range feed it). */
  trend(input: TrendInput): { currency: string; convertedFrom: string[]; points: TrendSeriesPoint[] } {
    const scope = this.scope(input.workspaceId, input.accountIds)
    const lead = { from: addDays(input.range.from, -6), to: input.range.to }
    let buckets: RawBucket[]
    const accountIds = scope.accounts.map((a) => a.id)
    const e = input.entity
    if (!e) buckets = this.repo.buckets('workspace', 'day', accountIds, lead.from, lead.to)
    else if (e.level === 'account')
      buckets = this.repo.buckets('account', 'day', accountIds, lead.from, lead.to, { ids: [e.id] })
    else if (e.level === 'campaign')
      buckets = this.repo.buckets('campaign', 'day', accountIds, lead.from, lead.to, { ids: [e.id] })
    else buckets = this.repo.buckets(e.level, 'day', accountIds, lead.from, lead.to, { ids: [e.id] })
    const byDate = new Map<string, { totals: Totals; provisional: boolean }>()
    const dates = dateRange(lead.from, lead.to)
    for (const d of dates) byDate.set(d, { totals: { ...EMPTY_TOTALS }, provisional: false })
    for (const b of buckets) {
      const p = byDate.get(b.period)
      if (!p) continue
      addBucket(p.totals, b, scope)
      p.provisional ||= b.provisional === 1
    }
    const points: TrendSeriesPoint[] = []
    const window: Totals[] = []
    for (const d of dates) {
      const p = byDate.get(d) as { totals: Totals; provisional: boolean }
      window.push(p.totals)
      if (window.length > 7) window.shift()
      if (d < input.range.from) continue
      const s = window.reduce(addTotals, { ...EMPTY_TOTALS })
      const k = deriveKpis(s)
      const n = window.length
      points.push({
        date: d,
        totals: p.totals,
        kpis: deriveKpis(p.totals),
        ma7: {
          spend: k.spend / n,
          revenue: k.revenue / n,
          conversions: k.conversions / n,
          roas: k.roas,
          cpa: k.cpa,
          ctr: k.ctr,
        },
        provisional: p.provisional,
      })
    }
    return { currency: scope.currency, convertedFrom: this.convertedFrom(scope), points }
  }

  /** Days in the month of `date`. */
  static daysInMonth(date: string): number {
    return daysBetween(startOfMonth(date), endOfMonth(date)) + 1
  }
}

type AdBucket = RawBucket & { adSetId: number }

/** A breakdown row's figures: its period, totals and KPIs, and the previous period's (zero when it had none). */
function rowFigures(
  r: { key: string; period: string; totals: Totals; provisional: boolean },
  prev: Map<string, { totals: Totals }> | null,
): Pick<EntityRow, 'period' | 'totals' | 'kpis' | 'previousTotals' | 'previousKpis' | 'provisional'> {
  const p = prev?.get(`${r.key}|${r.period}`)?.totals ?? (prev ? { ...EMPTY_TOTALS } : null)
  return {
    period: r.period === '' ? null : r.period,
    totals: r.totals,
    kpis: deriveKpis(r.totals),
    previousTotals: p,
    previousKpis: p ? deriveKpis(p) : null,
    provisional: r.provisional,
  }
}

/** Ad and ad-set totals from ad buckets in (ad, ad set, month) order (see adAndAdSetTotals). */
function adTotalsOf(
  scope: ResolvedScope,
  buckets: Iterable<AdBucket>,
): { ad: Map<number, Totals>; ad_set: Map<number, Totals> } {
  // Sums per (entity, month, currency) in order of first appearance, keyed by a number: the
  // month's and currency's index in this call (at most 4,096 and 64 of them) beside the id.
  const months = new Map<string, number>()
  const currencies = new Map<string, number>()
  const raw = { ad: new Map<number, RawBucket>(), ad_set: new Map<number, RawBucket>() }
  const add = (m: Map<number, RawBucket>, id: number, part: number, b: RawBucket): void => {
    const k = id * 262_144 + part
    const r = m.get(k)
    if (!r)
      m.set(k, {
        key: String(id),
        period: b.period,
        month: b.month,
        currency: b.currency,
        spend: b.spend,
        revenue: b.revenue,
        impressions: b.impressions,
        clicks: b.clicks,
        conversions: b.conversions,
        video_views: b.video_views,
        provisional: b.provisional,
      })
    else {
      r.spend += b.spend
      r.revenue += b.revenue
      r.impressions += b.impressions
      r.clicks += b.clicks
      r.conversions += b.conversions
      r.video_views += b.video_views
    }
  }
  for (const b of buckets) {
    let mi = months.get(b.month)
    if (mi === undefined) months.set(b.month, (mi = months.size))
    let ci = currencies.get(b.currency)
    if (ci === undefined) currencies.set(b.currency, (ci = currencies.size))
    if (mi >= 4096 || ci >= 64) throw new Error('adTotalsOf: more than 4,096 months or 64 currencies in one read')
    const part = mi * 64 + ci
    add(raw.ad, Number(b.key), part, b)
    add(raw.ad_set, b.adSetId, part, b)
  }
  const out = { ad: new Map<number, Totals>(), ad_set: new Map<number, Totals>() }
  for (const level of ['ad', 'ad_set'] as const)
    for (const b of raw[level].values()) {
      const id = Number(b.key)
      let t = out[level].get(id)
      if (!t) out[level].set(id, (t = { ...EMPTY_TOTALS }))
      addBucket(t, b, scope)
    }
  return out
}
