import type { z } from 'zod'
import { addTotals, deriveKpis, EMPTY_TOTALS, type DateRange, type Totals } from '../../../shared/domain/metrics'
import type {
  ComparisonSchema,
  CompareInputSchema,
  CreativeListSchema,
  FatigueDetailSchema,
  FormatComparisonSchema,
} from '../../../shared/ipc/contracts/analytics-insights'
import { AppError } from '../../../shared/ipc/result'
import { sortRows, type RowSortKey } from '../../../shared/domain/row-window'
import type { AdMeta, CreativesRepo } from '../store/repos/creatives-repo'
import type { AnalyticsRepo } from '../store/repos/analytics-repo'
import { addBucket, type AnalyticsService } from './analytics-service'
import { fitFatigue, type AdDay } from './fatigue'
import { probBBeatsA, ratioCi, twoProportionTest } from './stats'

type Platform = z.infer<typeof CreativeListSchema>['rows'][number]['platform']

/** Per-ad performance, format comparison, fatigue and A/B comparisons. */
/** A creative's row of the list: its ad's names, its totals and KPIs, and the fatigue fit of its days. */
export function creativeRow(
  id: number,
  m: AdMeta,
  t: Totals,
  days: AdDay[],
): z.infer<typeof CreativeListSchema>['rows'][number] {
  const f = fitFatigue(days)
  return {
    adId: id,
    name: m.name,
    status: m.status,
    campaignId: m.campaign_id,
    campaignName: m.campaign_name,
    adSetId: m.ad_set_id,
    adSetName: m.ad_set_name,
    platform: m.platform as Platform,
    format: m.format ?? 'unknown',
    headline: m.headline,
    thumbnailUrl: m.thumbnail_url,
    launchDate: m.launch_date,
    totals: t,
    kpis: deriveKpis(t),
    fatigue: {
      state: f.state,
      initialCtr: f.initialCtr,
      currentCtr: f.currentCtr,
      decayPerMillion: f.decayPerMillion,
      daysUntilFatigue: f.daysUntilFatigue,
      explanation: f.explanation,
    },
  }
}

/** A window of the creatives list (the contract's `window`, defaults applied). */
export interface CreativeWindow {
  offset: number
  limit: number
  sort: RowSortKey
  dir: 'asc' | 'desc'
  search: string
}

/**
 * Every ad delivered in a range, filtered by name and sorted, with its totals: what the windows of
 * the creatives list are cut from (kept by the page reads, so a window costs only its rows). Columns
 * in typed arrays: cheap to copy between threads and to keep.
 */
export interface CreativeOrder {
  currency: string
  convertedFrom: string[]
  /** Ad ids in list order. */
  ids: Float64Array
  /** Each ad's totals, TOTALS_FIELDS.length numbers per ad in the order of `ids`. */
  totals: Float64Array
}

/** The totals' fields as `CreativeOrder.totals` lays them out. */
const TOTALS_FIELDS = ['spendMicros', 'revenueMicros', 'impressions', 'clicks', 'conversions', 'videoViews'] as const
const WIDTH = TOTALS_FIELDS.length

/** The totals of the ads at list positions [from, to) of an order. */
export function orderTotals(o: CreativeOrder, from: number, to: number): Totals[] {
  const out: Totals[] = []
  for (let i = from; i < to; i++) {
    const t = { ...EMPTY_TOTALS }
    TOTALS_FIELDS.forEach((f, k) => (t[f] = o.totals[i * WIDTH + k] as number))
    out.push(t)
  }
  return out
}

interface AdTotals {
  currency: string
  convertedFrom: string[]
  totals: Map<number, Totals>
}

export class CreativesService {
  constructor(
    private readonly creatives: CreativesRepo,
    private readonly repo: AnalyticsRepo,
    private readonly analytics: AnalyticsService,
  ) {}

  /**
   * Per-ad totals of the last two (workspace, range) asked, until the data changes: the page asks for
   * its list and its format comparison over the same range, one after the other.
   */
  private readonly recent = new Map<string, AdTotals>()

  /** Forget the kept totals (called on data:changed). */
  invalidate(): void {
    this.recent.clear()
  }

  private adTotals(workspaceId: number, range: DateRange): AdTotals {
    const key = `${workspaceId}|${range.from}|${range.to}`
    const hit = this.recent.get(key)
    if (hit) return hit
    const out = this.sumAds(workspaceId, range)
    if (this.recent.size >= 2) this.recent.delete(this.recent.keys().next().value as string)
    this.recent.set(key, out)
    return out
  }

  private sumAds(workspaceId: number, range: DateRange): AdTotals {
    const scope = this.analytics.scope(workspaceId)
    const totals = new Map<number, Totals>()
    for (const b of this.creatives.adRangeBuckets(scope.accounts, range.from, range.to)) {
      const id = Number(b.key)
      let t = totals.get(id)
      if (!t) {
        t = { ...EMPTY_TOTALS }
        totals.set(id, t)
      }
      addBucket(t, b, scope)
    }
    return { currency: scope.currency, convertedFrom: this.analytics.convertedFrom(scope), totals }
  }

  private adMeta(ids: number[]): Map<number, AdMeta> {
    return new Map(this.creatives.adMeta(ids).map((r) => [r.id, r]))
  }

  /** Daily impressions and clicks of ads from launch up to `to`, grouped by ad. */
  private adDays(ids: number[], to: string): Map<number, AdDay[]> {
    const out = new Map<number, AdDay[]>()
    for (const id of ids) out.set(id, [])
    for (const r of this.creatives.adDays(ids, to))
      (out.get(r.ad_id) as AdDay[]).push({ date: r.date, impressions: r.impressions, clicks: r.clicks })
    return out
  }

  /**
   * The `limit` ads of highest spend in the range with their fatigue state (reports, and the list
   * without a window). The Creatives page's windows are cut from `order` and read with `rowsOf` (the
   * page reads keep the order: `PageReads.creativesWindow`).
   */
  list(workspaceId: number, range: DateRange, limit: number): z.infer<typeof CreativeListSchema> {
    const { currency, convertedFrom, totals } = this.adTotals(workspaceId, range)
    const ids = [...totals.entries()]
      .sort((a, b) => b[1].spendMicros - a[1].spendMicros || a[0] - b[0])
      .slice(0, limit)
      .map(([id]) => id)
    return {
      currency,
      convertedFrom,
      rows: this.rowsOf(
        ids,
        ids.map((id) => totals.get(id) as Totals),
        range.to,
      ),
    }
  }

  /** The list's rows of these ads with these totals: names, creative, fatigue fitted on their days up to `to`. */
  rowsOf(ids: number[], totals: Totals[], to: string): z.infer<typeof CreativeListSchema>['rows'] {
    const meta = this.adMeta(ids)
    const days = this.adDays(ids, to)
    return ids.flatMap((id, i) => {
      const m = meta.get(id)
      if (!m) return []
      return [creativeRow(id, m, totals[i] as Totals, days.get(id) ?? [])]
    })
  }

  /**
   * The ads delivered in the range whose name contains the search (case-insensitive), sorted as the
   * explorer sorts (`sortRows`: rows without a value last either way, ties by name, then by id).
   */
  order(workspaceId: number, range: DateRange, w: Pick<CreativeWindow, 'sort' | 'dir' | 'search'>): CreativeOrder {
    const { currency, convertedFrom, totals } = this.adTotals(workspaceId, range)
    const search = w.search.trim().toLowerCase()
    const names = this.creatives.adNames([...totals.keys()])
    const rows: { id: number; name: string; platform: null; totals: Totals; kpis: ReturnType<typeof deriveKpis> }[] = []
    // In id order, so ads of equal value and equal name (the sort is stable) keep one order.
    for (const id of [...totals.keys()].sort((a, b) => a - b)) {
      const t = totals.get(id) as Totals
      const name = names.get(id) ?? ''
      if (search && !name.toLowerCase().includes(search)) continue
      rows.push({ id, name, platform: null, totals: t, kpis: deriveKpis(t) })
    }
    const sorted = sortRows(rows, { sort: w.sort, dir: w.dir, search: '' }).rows
    const ids = new Float64Array(sorted.length)
    const cols = new Float64Array(sorted.length * WIDTH)
    sorted.forEach((r, i) => {
      ids[i] = r.id
      TOTALS_FIELDS.forEach((f, k) => (cols[i * WIDTH + k] = r.totals[f]))
    })
    return { currency, convertedFrom, ids, totals: cols }
  }

  /** Formats compared over a range: sums, ratios and cluster-robust 95% intervals. */
  formats(workspaceId: number, range: DateRange): z.infer<typeof FormatComparisonSchema> {
    const { currency, totals } = this.adTotals(workspaceId, range)
    const formats = this.creatives.adFormats(this.analytics.scope(workspaceId).accounts.map((a) => a.id))
    const groups = new Map<string, Totals[]>()
    for (const [id, t] of totals) {
      const f = formats.get(id) ?? 'unknown'
      const list = groups.get(f) ?? []
      list.push(t)
      groups.set(f, list)
    }
    const rows = [...groups.entries()].map(([format, list]) => {
      const sum = list.reduce(addTotals, { ...EMPTY_TOTALS })
      sum.conversions = Math.round(sum.conversions * 1e6) / 1e6
      return {
        format,
        ads: list.length,
        totals: sum,
        kpis: deriveKpis(sum),
        ctrCi: ratioCi(
          list.map((t) => t.clicks),
          list.map((t) => t.impressions),
        ),
        cvrCi: ratioCi(
          list.map((t) => t.conversions),
          list.map((t) => t.clicks),
        ),
        roasCi: ratioCi(
          list.map((t) => t.revenueMicros),
          list.map((t) => t.spendMicros),
        ),
      }
    })
    rows.sort((a, b) => b.totals.spendMicros - a.totals.spendMicros)
    return { currency, rows }
  }

  /** One ad's CTR decay curve since launch (all its days, not only a range). */
  fatigue(workspaceId: number, adId: number): z.infer<typeof FatigueDetailSchema> {
    const name = this.creatives.adName(adId, workspaceId)
    if (name === null) throw new AppError('NOT_FOUND', `No ad ${adId} in workspace ${workspaceId}`)
    const days = this.adDays([adId], '9999-12-31').get(adId) ?? []
    const f = fitFatigue(days)
    return {
      adId,
      name,
      state: f.state,
      initialCtr: f.initialCtr,
      currentCtr: f.currentCtr,
      decayPerMillion: f.decayPerMillion,
      daysUntilFatigue: f.daysUntilFatigue,
      explanation: f.explanation,
      points: days.map((d, i) => ({
        date: d.date,
        cumImpressions: f.cum[i] ?? 0,
        impressions: d.impressions,
        ctr: d.impressions > 0 ? d.clicks / d.impressions : null,
      })),
      fitted: f.fitted,
    }
  }

  /** Two entities compared on CTR or CVR with a z-test and the Bayesian probability that B beats A. */
  compare(input: z.output<typeof CompareInputSchema>): z.infer<typeof ComparisonSchema> {
    if (input.aId === input.bId) throw new AppError('VALIDATION', 'Pick two different entities to compare')
    const scope = this.analytics.scope(input.workspaceId)
    const accountIds = scope.accounts.map((a) => a.id)
    const sums = new Map<number, Totals>()
    for (const b of this.repo.buckets(input.level, 'total', accountIds, input.range.from, input.range.to, {
      ids: [input.aId, input.bId],
    })) {
      const t = sums.get(Number(b.key)) ?? { ...EMPTY_TOTALS }
      addBucket(t, b, scope)
      sums.set(Number(b.key), t)
    }
    const meta = this.repo.meta(input.level, accountIds, [input.aId, input.bId])
    for (const id of [input.aId, input.bId]) {
      if (!meta.has(id)) throw new AppError('NOT_FOUND', `No ${input.level} ${id} in workspace ${input.workspaceId}`)
    }
    const arm = (id: number): { id: number; name: string; successes: number; trials: number; rate: number | null } => {
      const t = sums.get(id) ?? EMPTY_TOTALS
      const successes = input.metric === 'ctr' ? t.clicks : t.conversions
      const trials = input.metric === 'ctr' ? t.impressions : t.clicks
      return {
        id,
        name: meta.get(id)?.name ?? String(id),
        successes,
        trials,
        rate: trials > 0 ? successes / trials : null,
      }
    }
    const a = arm(input.aId)
    const b = arm(input.bId)
    const test = twoProportionTest(a.successes, a.trials, b.successes, b.trials)
    const prob = a.trials > 0 && b.trials > 0 ? probBBeatsA(a.successes, a.trials, b.successes, b.trials) : null
    const label = input.metric.toUpperCase()
    const significant = test !== null && test.pValue < 0.05
    const summary =
      test === null || a.rate === null || b.rate === null
        ? `Not enough data: both need ${input.metric === 'ctr' ? 'impressions' : 'clicks'} in the range.`
        : `${b.name} ${label} ${(b.rate * 100).toFixed(2)}% vs ${a.name} ${(a.rate * 100).toFixed(2)}%: ` +
          `${significant ? 'a significant' : 'no significant'} difference (p = ${test.pValue.toPrecision(2)}); ` +
          `probability ${b.name} is better: ${Math.round((prob ?? 0) * 100)}%.`
    return {
      metric: input.metric,
      a,
      b,
      diff: test?.diff ?? null,
      diffCi: test?.diffCi ?? null,
      relativeLift: test && a.rate ? test.diff / a.rate : null,
      z: test?.z ?? null,
      pValue: test?.pValue ?? null,
      significant,
      probBBeatsA: prob,
      summary,
    }
  }
}
