import { addDays, dateRange, daysBetween } from '../../../shared/domain/dates'
import { PLATFORM_LABELS, type PlatformId } from '../../../shared/domain/entities'
import { CONVERSION_SETTLE_DAYS } from '../../../shared/domain/platforms'
import { formatMoney } from '../../../shared/domain/money'
import type { DateRange } from '../../../shared/domain/metrics'
import type { DataTable } from '../../../shared/domain/tables'
import type { z } from 'zod'
import type {
  Anomaly,
  AnomalyMetric,
  AnomalyNote,
  ListAnomaliesInputSchema,
  MetricSeriesSchema,
} from '../../../shared/ipc/contracts/analytics-insights'
import { AppError } from '../../../shared/ipc/result'
import type { AnomalyDayRow, AnomalyRepo } from '../store/repos/anomaly-repo'
import type { AnalyticsService } from './analytics-service'
import {
  BackgroundLane,
  runSteps,
  runStepsSliced,
  sliceBudget,
  type SliceBudget,
  type Steps,
} from '../scheduler/slices'
import { explain, historyDays, isSeasonalPeak, runs, scoreSeries, severity, type DayParts } from './anomaly-detector'

type ListInput = z.output<typeof ListAnomaliesInputSchema>

/**
 * The tables the scan reads: a `data:changed` naming none of them (alerts raised, recommendations,
 * jobs, rules) keeps its results, so the Anomalies page opens on the after-sync scan's answer.
 */
export const ANOMALY_SOURCE_TABLES: readonly DataTable[] = [
  'workspaces',
  'ad_accounts',
  'connections',
  'campaigns',
  'daily_metrics',
  'account_daily',
  'campaign_cum',
  'campaign_daily',
  'fx_rates',
  'sync_state',
]
type Level = Anomaly['level']
const METRICS: AnomalyMetric[] = ['spend', 'conversions', 'cpa', 'ctr', 'roas']
const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const
/** Campaign-level detection covers the biggest spenders of the range (keeps 10k-campaign accounts fast). */
const MAX_CAMPAIGNS = 300

interface Entity {
  level: Level
  id: number
  name: string
  platform: PlatformId | null
  accountId: number | null
  currency: string
  days: DayParts[]
  /** First day whose conversions are still arriving (null: none known). */
  settleFrom: string | null
}

type Row = AnomalyDayRow

/**
 * Anomalies on daily series per workspace, account and campaign (see anomaly-detector.ts). Results
 * are cached per workspace and range until the data changes.
 */
interface Detected {
  currency: string
  anomalies: Anomaly[]
  notes: AnomalyNote[]
}

/** What `list` answers. */
export interface AnomalyList {
  currency: string
  range: DateRange
  anomalies: Anomaly[]
  notes: AnomalyNote[]
}

export class AnomalyService {
  private readonly cache = new Map<string, Detected>()
  /** Sliced scans under way, by cache key (a page opened during the after-sync scan joins it). */
  private readonly inflight = new Map<string, Promise<Detected>>()
  /** Bumped by invalidate(): a sliced scan that saw a change meanwhile is not kept. */
  private generation = 0
  /** Scans computed ahead (warm), one at a time, sliced. */
  private readonly lane = new BackgroundLane((err) => {
    // A workspace deleted meanwhile has nothing to scan; a scan stopped at shutdown is no failure.
    if (this.stopping.signal.aborted || (err instanceof AppError && err.code === 'NOT_FOUND')) return
    console.error('[anomalies] scan ahead failed:', err)
  })
  private readonly stopping = new AbortController()

  constructor(
    private readonly repo: AnomalyRepo,
    private readonly analytics: AnalyticsService,
    /** The core's injected clock (the default range of a workspace without data ends today). */
    private readonly now: () => Date,
  ) {}

  /** Forget cached results (called on data:changed). */
  invalidate(): void {
    this.cache.clear()
    this.inflight.clear()
    this.generation++
  }

  /**
   * Scan a range ahead, in the background and in slices (after the start and each sync, the range
   * the dashboard asks first), so the page opens on a kept scan. `idle()` waits for it.
   */
  warm(workspaceId: number, range?: DateRange): void {
    this.lane.add(async () => {
      if (this.stopping.signal.aborted) return
      await this.detectSliced(
        workspaceId,
        range ?? this.defaultRange(workspaceId),
        sliceBudget(undefined, this.stopping.signal),
      )
    })
  }

  /** Shutdown: scans ahead stop at their next slice. */
  stop(): Promise<void> {
    this.stopping.abort(new Error('The core is closing'))
    return this.lane.idle()
  }

  /** Resolves once the scans queued by warm() are done. */
  idle(): Promise<void> {
    return this.lane.idle()
  }

  /** Default range: the last 90 days up to the workspace's last day. */
  defaultRange(workspaceId: number): DateRange {
    const to = this.repo.lastDataDate(workspaceId) ?? this.now().toISOString().slice(0, 10)
    return { from: addDays(to, -89), to }
  }

  private fill(span: DateRange, rows: Row[]): Map<number, DayParts[]> {
    const dates = dateRange(span.from, span.to)
    const index = new Map(dates.map((d, i) => [d, i]))
    const out = new Map<number, DayParts[]>()
    for (const r of rows) {
      let arr = out.get(r.key)
      if (!arr) {
        arr = dates.map((date) => ({ date, spend: 0, revenue: 0, impressions: 0, clicks: 0, conversions: 0 }))
        out.set(r.key, arr)
      }
      const d = arr[index.get(r.date) as number] as DayParts
      d.spend += r.spend
      d.revenue += r.revenue
      d.impressions += r.impressions
      d.clicks += r.clicks
      d.conversions += r.conversions
    }
    return out
  }

  /** Series of every entity the detector watches over `span`, in steps (reads chunked per account-day). */
  private *entities(
    workspaceId: number,
    span: DateRange,
    range: DateRange,
    only?: { level: Level; id: number },
    notes: AnomalyNote[] = [],
  ): Steps<Entity[]> {
    const scope = this.analytics.scope(workspaceId)
    const ids = scope.accounts.map((a) => a.id)
    if (!ids.length) return []
    const accRows = this.repo.accountDays(ids, span.from, span.to)
    yield
    const out: Entity[] = []
    // Each account's newest days still gain late conversions: from its reported-through day back
    // its platform's settling days. The workspace total settles when its slowest account does.
    const settling = this.settlingDays(scope.accounts)
    const settleFrom = new Map([...settling].map(([id, d]) => [id, d.from]))
    const earliest = [...settleFrom.values()].sort()[0] ?? null
    const accSeries = this.fill(span, accRows)
    // An account currency without any exchange rate: the workspace total cannot be summed, so it
    // is left out (and said so); accounts and campaigns are judged in their own currency.
    const noRate = this.analytics.convertedFrom(scope).filter((c) => {
      try {
        scope.rate(c, span.to.slice(0, 7))
        return false
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONFLICT') return true
        throw err
      }
    })
    for (const c of noRate)
      notes.push({
        kind: 'fx_missing',
        from: c,
        to: scope.currency,
        message: `No exchange rate from ${c} to ${scope.currency}: the workspace total ("All accounts") is not checked for anomalies; accounts and campaigns are, each in its own currency. Add ${c} → ${scope.currency} rates under Settings → Exchange rates.`,
      })
    if (only?.level === 'workspace' && noRate.length) throw new AppError('CONFLICT', (notes[0] as AnomalyNote).message)
    if ((!only || only.level === 'workspace') && !noRate.length) {
      // The workspace series converts each account-day at its month's rate.
      const conv = accRows.map((r) => {
        const a = scope.byId.get(r.key)
        const m = r.date.slice(0, 7)
        const c = a?.currency ?? scope.currency
        return { ...r, key: 0, spend: scope.convert(r.spend, c, m), revenue: scope.convert(r.revenue, c, m) }
      })
      const ws = this.fill(span, conv).get(0)
      if (ws)
        out.push({
          level: 'workspace',
          id: workspaceId,
          name: 'All accounts',
          platform: null,
          accountId: null,
          currency: scope.currency,
          days: ws,
          settleFrom: earliest,
        })
    }
    if (!only || only.level === 'account') {
      for (const a of scope.accounts) {
        const days = accSeries.get(a.id)
        if (!days || (only && only.id !== a.id)) continue
        out.push({
          level: 'account',
          id: a.id,
          name: a.name,
          platform: a.platform,
          accountId: a.id,
          currency: a.currency,
          days,
          settleFrom: settleFrom.get(a.id) ?? null,
        })
      }
    }
    if (!only || only.level === 'campaign') {
      const top = only ? [only.id] : yield* this.repo.topCampaignsSteps(ids, range.from, range.to, MAX_CAMPAIGNS)
      if (top.length) {
        const rows = yield* this.repo.campaignDaysSteps(top, span.from, span.to)
        const meta = this.repo.campaigns(top, ids)
        yield
        const series = this.fill(span, rows)
        for (const c of meta) {
          const a = scope.byId.get(c.accountId)
          const days = series.get(c.id)
          if (!a || !days) continue
          out.push({
            level: 'campaign',
            id: c.id,
            name: c.name,
            platform: a.platform,
            accountId: a.id,
            currency: a.currency,
            days,
            settleFrom: settleFrom.get(a.id) ?? null,
          })
        }
      }
    }
    return out
  }

  /** The scan of a workspace's range, at once (cached until the data changes). */
  private detect(workspaceId: number, range: DateRange): Detected {
    const key = `${workspaceId}|${range.from}|${range.to}`
    const hit = this.cache.get(key)
    if (hit) return hit
    return this.keep(key, runSteps(this.detectSteps(workspaceId, range)))
  }

  /**
   * The same scan in slices that give the event loop a turn every `budget` (the after-sync scan,
   * the Anomalies page): the same result as `detect`, kept the same way unless the data changed
   * while it ran. Callers asking for a range being scanned wait for that scan.
   */
  private detectSliced(workspaceId: number, range: DateRange, budget: SliceBudget): Promise<Detected> {
    const key = `${workspaceId}|${range.from}|${range.to}`
    const hit = this.cache.get(key)
    if (hit) return Promise.resolve(hit)
    const running = this.inflight.get(key)
    if (running) return running
    const generation = this.generation
    const scan = runStepsSliced(this.detectSteps(workspaceId, range), budget).then(
      (result) => {
        if (this.inflight.get(key) === scan) this.inflight.delete(key)
        return generation === this.generation ? this.keep(key, result) : result
      },
      (err: unknown) => {
        if (this.inflight.get(key) === scan) this.inflight.delete(key)
        throw err
      },
    )
    this.inflight.set(key, scan)
    return scan
  }

  private keep(key: string, result: Detected): Detected {
    if (this.cache.size > 20) this.cache.clear()
    this.cache.set(key, result)
    return result
  }

  /** The scan in steps: one step per entity and metric scored (see scheduler/slices.ts). */
  private *detectSteps(workspaceId: number, range: DateRange): Steps<Detected> {
    // The usual 56 days of baseline, and last year's season too when the range reaches into it.
    const history = historyDays(range)
    const span = { from: addDays(range.from, -history), to: range.to }
    const currency = this.analytics.scope(workspaceId).currency
    const anomalies: Anomaly[] = []
    const notes: AnomalyNote[] = []
    // Season days of the broadest series (the workspace, else its first account) judged without last year.
    let blindSeason: string[] | null = null
    for (const e of yield* this.entities(workspaceId, span, range, undefined, notes)) {
      const fmt = (m: AnomalyMetric, v: number): string =>
        m === 'spend' || m === 'cpa'
          ? formatMoney(Math.round(v * 1e6), e.currency)
          : m === 'ctr'
            ? `${(v * 100).toFixed(2)}%`
            : m === 'roas'
              ? `${v.toFixed(2)}x`
              : v.toFixed(1)
      for (const metric of METRICS) {
        yield
        const scored = scoreSeries(e.days, metric, history, settleOpts(span, e))
        if (blindSeason === null && metric === 'spend' && e.level !== 'campaign')
          blindSeason = scored.filter((d) => d.basis === 'season_no_history').map((d) => d.date)
        for (const run of runs(scored)) {
          const p = run.peak
          const expected = p.expected ?? 0
          const actual = p.actual ?? 0
          const ratio = expected > 0 ? actual / expected : actual > 0 ? 99 : 1
          const score = p.score ?? 0
          anomalies.push({
            id: `${e.level}:${e.id}:${metric}:${run.startDate}`,
            level: e.level,
            entityId: e.id,
            entityName: e.name,
            platform: e.platform,
            accountId: e.accountId,
            metric,
            startDate: run.startDate,
            endDate: run.endDate,
            peakDate: p.date,
            currency: e.currency,
            actual,
            expected,
            ratio,
            score,
            direction: score >= 0 ? 'up' : 'down',
            severity: severity(score, ratio > 0 ? ratio : 0.01, run.sustainedDays, metric),
            // A peak day judged by the usual baseline (no year of history): a big move is expected there.
            seasonal: isSeasonalPeak(p.date) && p.basis !== 'last_year',
            explanation: `${e.name}: ${explain(metric, run, fmt)}`,
            ...(p.actual === null ? { undefinedValue: true } : {}),
            ...(run.settlingDays.length ? { settling: true } : {}),
            ...(p.basis === 'young' ? { young: true } : {}),
          })
        }
      }
    }
    anomalies.sort((a, b) => b.endDate.localeCompare(a.endDate) || Math.abs(b.score) - Math.abs(a.score))
    const blind = blindSeason as string[] | null
    if (blind?.length) {
      const from = blind[0] as string
      const to = blind[blind.length - 1] as string
      notes.push({
        kind: 'season_without_history',
        from,
        to,
        message: `${from === to ? from : `${from} to ${to}`} fall${from === to ? 's' : ''} in the retail season, and this workspace has less than a year of history to compare the season with. Those days are judged by the weeks before the season, so the season itself is not accounted for: a budget typo or a tracking break still shows, but so may an ordinary seasonal rise. Cyber week and Christmas-peak days are hidden unless retail peaks are included.`,
      })
    }
    const settling = this.settlingNote(workspaceId, range)
    if (settling) notes.push(settling)
    return { currency, anomalies, notes }
  }

  /**
   * Each account's days still gaining late conversions: from its platform's settling days before
   * its reported-through day, to that day (accounts with nothing reported are left out).
   */
  private settlingDays(
    accounts: { id: number; platform: PlatformId }[],
  ): Map<number, { from: string; through: string }> {
    const through = this.repo.reportedThrough(accounts.map((a) => a.id))
    const out = new Map<number, { from: string; through: string }>()
    for (const a of accounts) {
      const t = through.get(a.id)
      if (t) out.set(a.id, { from: addDays(t, -(CONVERSION_SETTLE_DAYS[a.platform] - 1)), through: t })
    }
    return out
  }

  /**
   * Which of the range's days are still settling, per platform, in plain words (null when none
   * are): conversions, CPA and ROAS there are flagged only for falls beyond late conversions.
   */
  private settlingNote(workspaceId: number, range: DateRange): AnomalyNote | null {
    const accounts = this.analytics.scope(workspaceId).accounts
    const settling = this.settlingDays(accounts)
    const spans = new Map<string, string[]>()
    let from: string | null = null
    let to: string | null = null
    for (const a of accounts) {
      const d = settling.get(a.id)
      if (!d || d.through < range.from) continue
      const { from: f, through: t } = d
      const span = `${f < range.from ? range.from : f} to ${t > range.to ? range.to : t}`
      if (f > range.to) continue
      const label = PLATFORM_LABELS[a.platform]
      const list = spans.get(span) ?? []
      if (!list.includes(label)) list.push(label)
      spans.set(span, list)
      if (!from || f < from) from = f
      if (!to || t > to) to = t
    }
    if (!from || !to) return null
    const clip = { from: from < range.from ? range.from : from, to: to > range.to ? range.to : to }
    const parts = [...spans.entries()].map(([span, labels]) => `${span} (${labels.join(', ')})`)
    return {
      kind: 'conversions_settling',
      ...clip,
      message: `Conversions are still arriving for the newest days: ${parts.join('; ')}. Platforms credit a conversion to the day of the click or view and report it days later, so these days hold only part of their final conversions. There, conversions, CPA and ROAS are flagged only for a fall deeper than late conversions explain (such as a tracking break); spend, clicks and CTR are judged as usual.`,
    }
  }

  /** Anomalies of a range with filters; newest first. */
  list(input: ListInput): AnomalyList {
    const range = input.range ?? this.defaultRange(input.workspaceId)
    return this.filtered(input, range, this.detect(input.workspaceId, range))
  }

  /**
   * `list` with the scan in slices (never one long stretch on the core's thread): the Anomalies
   * page and the after-sync alert check. The same answer as `list`.
   */
  async listSliced(input: ListInput, budget: SliceBudget = sliceBudget()): Promise<AnomalyList> {
    const range = input.range ?? this.defaultRange(input.workspaceId)
    return this.filtered(input, range, await this.detectSliced(input.workspaceId, range, budget))
  }

  private filtered(input: ListInput, range: DateRange, { currency, anomalies, notes }: Detected): AnomalyList {
    const min = SEVERITY_RANK[input.minSeverity]
    return {
      currency,
      range,
      anomalies: anomalies.filter(
        (a) =>
          (input.includeSeasonal || !a.seasonal) &&
          SEVERITY_RANK[a.severity] >= min &&
          (!input.metrics || input.metrics.includes(a.metric)) &&
          (!input.levels || input.levels.includes(a.level)),
      ),
      notes,
    }
  }

  /** One entity's metric with the baseline, band and flags for each day of `range`. */
  series(
    workspaceId: number,
    level: Level,
    entityId: number,
    metric: AnomalyMetric,
    range: DateRange,
  ): z.infer<typeof MetricSeriesSchema> {
    const history = historyDays(range)
    const span = { from: addDays(range.from, -history), to: range.to }
    const e = runSteps(
      this.entities(workspaceId, span, range, { level, id: level === 'workspace' ? workspaceId : entityId }),
    )[0]
    if (level === 'workspace' && entityId !== workspaceId)
      throw new AppError('NOT_FOUND', `Workspace ${entityId} is not ${workspaceId}`)
    const currency = e?.currency ?? this.analytics.scope(workspaceId).currency
    if (!e)
      return {
        currency,
        points: dateRange(range.from, range.to).map((date) => ({
          date,
          actual: null,
          expected: null,
          lower: null,
          upper: null,
          score: null,
          flagged: false,
        })),
      }
    // Days after the workspace's last day of data have not happened (or not been synced) yet: no
    // values, rather than a drop to zero.
    const last = this.repo.lastDataDate(workspaceId) ?? range.to
    return {
      currency,
      points: scoreSeries(e.days, metric, history, settleOpts(span, e)).map(
        ({ basis: _b, baselineDays: _d, settling, ...p }) =>
          p.date > last
            ? { date: p.date, actual: null, expected: null, lower: null, upper: null, score: null, flagged: false }
            : { ...p, ...(settling ? { settling } : {}) },
      ),
    }
  }
}

/** The index of the entity's first settling day in its series over `span` (see scoreSeries). */
function settleOpts(span: DateRange, e: Entity): { settleFrom?: number } {
  if (!e.settleFrom) return {}
  return { settleFrom: Math.max(0, daysBetween(span.from, e.settleFrom)) }
}
