import { addDays, fromEpochDay } from '../../../shared/domain/dates'
import type {
  EntityForecast,
  Forecast,
  MlEntityType,
  ModelVersion,
  ResponseCurveView,
} from '../../../shared/ipc/contracts/ml'
import { AppError } from '../../../shared/ipc/result'
import type { EventBus } from '../events'
import type { JobContext } from '../scheduler/job-queue'
import { runSteps, sliceBudget, SLICE_MS, type Steps } from '../scheduler/slices'
import type { Sqlite } from '../store/db'
import { accountOfEntity, loadAccountTotals, loadWorkspaceSeries } from '../store/repos/dataset-repo'
import { dataStatus, type EntitySeries } from './features'
import {
  FORECAST_ARTIFACT_KIND,
  forecastBasis,
  forecastEntity,
  type Band,
  type ForecastArtifact,
  type ForecastBasis,
  type TrainOptions,
} from './forecast'
import type { ModelRegistry } from '../store/repos/model-registry'
import {
  anchorLevel,
  curveProblem,
  fitResponseCurve,
  marginalAt,
  MIN_CURVE_R2,
  problemBeforeFit,
  responseAt,
  type ResponseCurve,
} from './response-curve'
import { trainInWorker, type TrainMode } from './train-runner'

export const FORECAST_MODEL = 'forecast'

/** Badges written per transaction after a training (each a few milliseconds; an event-loop turn between them). */
export const PREDICTION_ROWS_PER_WRITE = 4096
/** Horizon of the stored prediction badges. */
export { BADGE_HORIZON_DAYS } from './train-score'
import { BadgeReader } from './train-score'
const CURVE_DAYS = 180
/**
 * Entities whose days one step of `responseCurvesSteps` reads. One: an entity's read is 3-8 ms at
 * 10,000 campaigns, and cheaper in total than reading several together (the statement's IN list of
 * one id gets a better plan): 40 campaigns' reads took 105-141 ms of CPU one by one, 200-347 ms five
 * at a time (32-101 ms per step), 418-468 ms two at a time.
 */
const CURVE_READ_GROUP = 1

const toMicros = (units: number): number => Math.round(units * 1e6)

/** The curves of an entity over its last CURVE_DAYS days, with why each is not usable (null = usable). */
function curvesOf(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
): {
  revenue: ResponseCurve | null
  conversions: ResponseCurve | null
  revenueProblem: string | null
  conversionsProblem: string | null
} {
  return runSteps(curvesOfSteps(s, account))
}

/** `curvesOf` as two steps (one fit each: a fit with its hold-out is 20-40 ms). */
function* curvesOfSteps(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
): Steps<ReturnType<typeof curvesOf>> {
  const rev = revenueCurve(s, account)
  yield
  return { ...rev, ...conversionsCurve(s, account) }
}

/** The window of the entity's series the curves are fitted on, and the season control's. */
function curveWindow(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
) {
  const from = Math.max(0, s.spend.length - CURVE_DAYS)
  // The season control: the account's totals on the same days (the season moves them all).
  const ctl = (v: Float64Array) => (account ? { spend: account.spend.subarray(from), y: v.subarray(from) } : undefined)
  return { from, spend: s.spend.subarray(from), ctl }
}

/** The revenue curve of `curvesOf` (one fit) and its problem. */
function revenueCurve(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
): { revenue: ResponseCurve | null; revenueProblem: string | null } {
  const { from, spend, ctl } = curveWindow(s, account)
  const y = s.revenue.subarray(from)
  const revenue = fitResponseCurve(spend, y, ctl(account?.revenue ?? y))
  // The shape from the whole window, the level from its last weeks (the level drifts).
  const anchored = revenue ? anchorLevel(revenue, spend, y) : null
  return { revenue: anchored, revenueProblem: curveProblem(anchored) }
}

/** The conversions curve of `curvesOf` (one fit) and its problem. */
function conversionsCurve(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
): { conversions: ResponseCurve | null; conversionsProblem: string | null } {
  const { from, spend, ctl } = curveWindow(s, account)
  const n = s.conversions.subarray(from)
  const conversions = fitResponseCurve(spend, n, ctl(account?.conversions ?? n))
  const anchored = conversions ? anchorLevel(conversions, spend, n) : null
  return { conversions: anchored, conversionsProblem: curveProblem(anchored) }
}

/**
 * Adstock + Hill curves (concave, bounded) for revenue and conversions over the entity's last
 * CURVE_DAYS days. `usable` is false (with `problem`) when the fit is too poor to use: the page then
 * hides the curve, the what-if scales in proportion to spend and the recommendation engine falls
 * back to its power law. One model and one gate for the three.
 */
function curveView(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
): ResponseCurveView {
  return runSteps(curveViewSteps(s, account)) as ResponseCurveView
}

/** A curve `responseCurvesSteps` found unusable from its revenue fit alone (`usableOnly`). */
export interface UnusableCurve {
  usable: false
  problem: string
}

/**
 * `curveView` as steps (one fit per step). With `usableOnly`, a revenue curve that is not usable
 * ends it there: its problem (the view's, since the revenue's problem comes first) without the
 * conversions fit or the view (a caller that only uses usable curves).
 */
function* curveViewSteps(
  s: EntitySeries,
  account: { spend: Float64Array; revenue: Float64Array; conversions: Float64Array } | null,
  usableOnly = false,
): Steps<ResponseCurveView | UnusableCurve> {
  if (usableOnly && account) {
    // The season control alone may decide that the revenue curve is not usable: no fit then.
    const { from, spend } = curveWindow(s, account)
    const control = { spend: account.spend.subarray(from), y: account.revenue.subarray(from) }
    const early = problemBeforeFit(spend, s.revenue.subarray(from), control)
    if (early !== null) return { usable: false, problem: early }
  }
  const r = revenueCurve(s, account)
  // A null revenue curve (fewer than 14 spend days: the conversions' is null too) is refused below.
  if (usableOnly && r.revenue && r.revenueProblem !== null) return { usable: false, problem: r.revenueProblem }
  yield
  const c = { ...r, ...conversionsCurve(s, account) }
  const rev = c.revenue
  const conv = c.conversions
  if (!rev || !conv)
    throw new AppError('NOT_FOUND', `Not enough spend days in the last ${CURVE_DAYS} to fit a response curve`)
  // The same "current spend" as the forecast: the recent active spend.
  const current = dataStatus(s, s.spend.length).activeDailySpend
  const from = Math.max(0, s.spend.length - CURVE_DAYS)
  let maxSpend = 0
  for (let i = from; i < s.spend.length; i++) maxSpend = Math.max(maxSpend, s.spend[i] as number)
  const top = Math.max(maxSpend, current) * 2
  const points: ResponseCurveView['points'] = []
  for (let i = 0; i <= 40; i++) {
    const x = (top * i) / 40
    points.push({
      spendMicros: toMicros(x),
      revenueMicros: toMicros(responseAt(rev, x)),
      conversions: responseAt(conv, x),
      marginalRoas: i === 0 ? 0 : marginalAt(rev, x),
    })
  }
  const problem = c.revenueProblem ?? c.conversionsProblem
  const m = marginalAt(rev, current)
  return {
    currency: s.currency,
    params: {
      theta: rev.theta,
      s: rev.s,
      k: rev.k,
      beta: rev.beta,
      r2: rev.r2,
      r2Weekly: rev.r2Weekly,
      days: rev.days,
    },
    currentDailySpendMicros: toMicros(current),
    points,
    marginalRoasAtCurrent: Number.isFinite(m) ? m : 0,
    usable: problem === null,
    problem,
    minR2: MIN_CURVE_R2,
  }
}

/**
 * The spend what-if on top of a forecast at the current spend: with a usable response curve the
 * window total moves by days x (curve(planned) - curve(current)) — the same curve the page draws,
 * so the what-if's marginal ROAS is the curve's; without one it scales with spend (constant
 * returns, said in the basis).
 */
function applySpend(
  band: Band,
  days: number,
  current: number,
  planned: number,
  curve: ResponseCurve | null,
  usable: boolean,
): Band {
  if (planned === current) return band
  if (usable && curve) {
    const delta = days * (responseAt(curve, planned) - responseAt(curve, current))
    const point = Math.max(0, band.point + delta)
    return {
      point,
      lower: Math.min(point, Math.max(0, band.lower + delta)),
      upper: Math.max(point, band.upper + delta),
    }
  }
  const f = current > 0 ? planned / current : 0
  return { point: band.point * f, lower: band.lower * f, upper: band.upper * f }
}

/** The entities of one account whose response curves `responseCurvesSteps` fits. */
export interface ResponseCurvesInput {
  workspaceId: number
  accountId: number
  entities: { entityType: MlEntityType; entityId: number }[]
  /**
   * Only usable curves are wanted (the recommendation engine, which falls back to its own curve
   * otherwise): an entity whose revenue curve is not usable gets `UnusableCurve` (the view's
   * problem) without its conversions fit, half of its fitting.
   */
  usableOnly?: boolean
}

/**
 * `ForecastService.responseCurves` as steps on a connection (a caller gives the event loop a turn
 * between them; the recommendations' draft worker runs it on its own connection): the entities'
 * days read a few entities at a time, one fit per step. The same curves, in the same order.
 */
export function* responseCurvesSteps(
  sqlite: Sqlite,
  input: ResponseCurvesInput,
): Steps<Map<string, ResponseCurveView | UnusableCurve | { problem: string }>> {
  const got = new Map<string, ResponseCurveView | UnusableCurve | { problem: string }>()
  const series: EntitySeries[] = []
  let account: ReturnType<typeof loadAccountTotals> | null | undefined
  for (let i = 0; i < input.entities.length; i += CURVE_READ_GROUP) {
    const group = input.entities.slice(i, i + CURVE_READ_GROUP)
    const ids = (t: MlEntityType): number[] => group.filter((e) => e.entityType === t).map((e) => e.entityId)
    yield
    const ws = loadWorkspaceSeries(sqlite, input.workspaceId, {
      entities: {
        accountId: input.accountId,
        lastDays: CURVE_DAYS,
        campaign: ids('campaign'),
        ad_set: ids('ad_set'),
      },
    })
    for (const s of ws?.series ?? []) {
      if (account === undefined) {
        yield
        account = loadAccountTotals(sqlite, input.accountId, s.fromDay, s.spend.length)
      }
      yield
      series.push(s)
      try {
        got.set(`${s.entityType}:${s.id}`, yield* curveViewSteps(s, account, input.usableOnly === true))
      } catch (e) {
        got.set(`${s.entityType}:${s.id}`, { problem: (e as Error).message })
      }
    }
  }
  // Campaigns by id, then ad sets by id (one read's order), then the entities without data.
  series.sort((x, y) => (x.entityType === y.entityType ? x.id - y.id : x.entityType === 'campaign' ? -1 : 1))
  const out = new Map<string, ResponseCurveView | UnusableCurve | { problem: string }>()
  for (const s of series) {
    const key = `${s.entityType}:${s.id}`
    out.set(key, got.get(key) as ResponseCurveView | UnusableCurve | { problem: string })
  }
  for (const e of input.entities) {
    const key = `${e.entityType}:${e.entityId}`
    if (!out.has(key)) out.set(key, { problem: `no ${e.entityType} ${e.entityId} with data in the account` })
  }
  return out
}

/** Training, champion/challenger activation, forecasts, badges and response curves. */
export class ForecastService {
  constructor(
    private readonly sqlite: Sqlite,
    private readonly registry: ModelRegistry,
    private readonly events: EventBus,
    private readonly now: () => Date,
    private readonly mode: TrainMode = 'worker',
  ) {}

  /**
   * Train a new forecast version on the workspace's campaign and ad-set history (worker thread),
   * score the active version on the same held-out window, activate the new one only if it is
   * better, and refresh the prediction badges. Returns what happened (job result).
   */
  async train(
    workspaceId: number,
    ctx: Pick<JobContext, 'progress' | 'signal'>,
    options: TrainOptions = {},
  ): Promise<{
    version: number
    activated: boolean
    ranIn: TrainMode
    score: number
    activeScore: number | null
    workerHeapMb: number | null
  }> {
    ctx.progress('load', 0, 3, 'Reading daily history')
    // Campaign series only: ad-set series are thinner and noisier, and measured on the demo they
    // made the shared model worse than the naive baseline; ad sets are forecast with this model.
    // Reading, training, scoring and the badges run in the training worker.
    const active = this.registry.active(workspaceId, FORECAST_MODEL)
    const trained = await trainInWorker(
      { sqlite: this.sqlite, workspaceId, activeArtifact: active?.artifact ?? null },
      options,
      ctx.signal,
      this.mode,
      (series, days) => ctx.progress('train', 1, 3, `Training on ${series} series x ${days} days`),
    )
    const result = trained.result
    ctx.progress('evaluate', 2, 3, 'Comparing with the active model')
    const { newScore, activeScore } = trained
    const activate = trained.badges !== null
    const budget = sliceBudget(SLICE_MS, ctx.signal)
    // A turn between taking the worker's message and storing the artifact (~1.4 MB at 10,000
    // campaigns): two short stretches on the core's thread, not one.
    await budget.yield()
    const version = this.registry.add(
      workspaceId,
      FORECAST_MODEL,
      {
        features: result.features,
        dataFrom: result.dataFrom,
        dataTo: result.dataTo,
        metrics: result.metrics,
        artifact: trained.artifactJson,
        trainedAt: this.now().toISOString(),
      },
      false,
    )
    if (trained.badges) {
      // The new version's badges go in a slice at a time while it is inactive, then it becomes the
      // active one in one step: readers see the old version and its badges, or the new and all of its.
      // A training cancelled (or failing) between slices removes the version with its badges, so no
      // half-written version is listed as "kept inactive". (A crash in that moment leaves one: an
      // inactive version no page reads, replaced by the next training.)
      const at = this.now().toISOString()
      const rowsPerWrite = options.predictionRowsPerWrite ?? PREDICTION_ROWS_PER_WRITE
      try {
        const badges = new BadgeReader(trained.badges)
        for (let i = 0; i < badges.total; i += rowsPerWrite) {
          await budget.yield()
          this.registry.addPredictions(version.id, badges.next(rowsPerWrite), at)
        }
        this.registry.activate(workspaceId, FORECAST_MODEL, version.id)
      } catch (err) {
        this.registry.remove(version.id)
        throw err
      }
    }
    this.events.emit('ml:modelTrained', {
      workspaceId,
      name: FORECAST_MODEL,
      version: version.version,
      activated: activate,
      score: newScore,
      activeScore,
    })
    this.events.emit('data:changed', { tables: ['models', 'predictions'], workspaceId })
    ctx.progress(
      'done',
      3,
      3,
      activate ? `Version ${version.version} is active` : `Version ${version.version} kept inactive`,
    )
    return {
      version: version.version,
      activated: activate,
      ranIn: trained.ranIn,
      score: newScore,
      activeScore,
      // The training thread's heap after reading and training (MB; null inline): the scale bench reports it.
      workerHeapMb: trained.workerHeapMb,
    }
  }

  private activeArtifact(workspaceId: number): { version: ModelVersion; artifact: ForecastArtifact } {
    const a = this.registry.active(workspaceId, FORECAST_MODEL)
    if (!a) throw new AppError('NOT_FOUND', 'No trained forecast model yet: run "Retrain" (ml:train) first')
    const artifact = JSON.parse(a.artifact) as ForecastArtifact
    if (artifact.kind !== FORECAST_ARTIFACT_KIND) {
      throw new AppError(
        'CONFLICT',
        `Forecast model v${a.version} was saved in an older format: run "Retrain" (ml:train)`,
      )
    }
    return { version: a.version, artifact }
  }

  /** The daily totals of an entity's account on the entity's days (the curves' season control). */
  private accountTotals(
    workspaceId: number,
    entityType: MlEntityType,
    entityId: number,
    s: EntitySeries,
  ): ReturnType<typeof loadAccountTotals> | null {
    const accountId = accountOfEntity(this.sqlite, workspaceId, entityType, entityId)
    return accountId === null ? null : loadAccountTotals(this.sqlite, accountId, s.fromDay, s.spend.length)
  }

  private entity(
    workspaceId: number,
    entityType: MlEntityType,
    entityId: number,
  ): { s: EntitySeries; from: string; days: number } {
    const ws = loadWorkspaceSeries(this.sqlite, workspaceId, { only: { entityType, entityId } })
    const s = ws?.series[0]
    if (!ws || !s) throw new AppError('NOT_FOUND', `No ${entityType} ${entityId} with data in workspace ${workspaceId}`)
    return { s, from: ws.from, days: ws.days }
  }

  /**
   * How an entity is forecast (model or baseline per metric, data status, spend tier, reasons),
   * without computing the forecast. For consumers that need to skip or explain entities.
   */
  basis(input: { workspaceId: number; entityType: MlEntityType; entityId: number }): ForecastBasis {
    const { artifact } = this.activeArtifact(input.workspaceId)
    const { s } = this.entity(input.workspaceId, input.entityType, input.entityId)
    return forecastBasis(artifact, s)
  }

  /**
   * Forecast totals over `days` after the last data day at a planned daily spend (micros; default
   * the recent active spend). Entities the data cannot support (new, long idle) get no forecast:
   * a CONFLICT error that says why. Paused entities and those where the model lost to the seasonal
   * baseline get the baseline, with the reason in `basis`.
   */
  forecast(input: {
    workspaceId: number
    entityType: MlEntityType
    entityId: number
    days: number
    dailySpendMicros?: number | undefined
  }): Forecast {
    const { version, artifact } = this.activeArtifact(input.workspaceId)
    const { s } = this.entity(input.workspaceId, input.entityType, input.entityId)
    const basis = forecastBasis(artifact, s)
    if (basis.status === 'none') throw new AppError('CONFLICT', basis.reasons.join(' '), { basis })
    const current = basis.currentDailySpend
    const planned = input.dailySpendMicros !== undefined ? input.dailySpendMicros / 1e6 : current
    const curves =
      planned === current
        ? null
        : curvesOf(s, this.accountTotals(input.workspaceId, input.entityType, input.entityId, s))
    const spendResponse: Forecast['spendResponse'] =
      curves === null
        ? 'current'
        : curves.revenueProblem === null && curves.conversionsProblem === null
          ? 'curve'
          : 'proportional'
    const reasons = [...basis.reasons]
    if (curves && spendResponse === 'proportional') {
      reasons.push(
        `What-if: ${curves.revenueProblem ?? curves.conversionsProblem}, so the forecast scales in proportion to spend (constant returns; likely optimistic above the current spend).`,
      )
    }
    const useCurve = spendResponse === 'curve'
    const lastDate = fromEpochDay(s.fromDay + s.spend.length - 1)
    const path: Forecast['path'] = []
    for (let d = 1; d <= input.days; d++) {
      const f = forecastEntity(artifact, s, d, basis)
      const conv = applySpend(f.conversions, d, current, planned, curves?.conversions ?? null, useCurve)
      const rev = applySpend(f.revenue, d, current, planned, curves?.revenue ?? null, useCurve)
      path.push({
        date: addDays(lastDate, d),
        conversions: conv,
        revenueMicros: { point: toMicros(rev.point), lower: toMicros(rev.lower), upper: toMicros(rev.upper) },
      })
    }
    const end = path[path.length - 1] as Forecast['path'][number]
    const spendTotal = planned * input.days * 1e6
    const history: Forecast['history'] = []
    for (let i = Math.max(0, s.spend.length - 56); i < s.spend.length; i++) {
      history.push({
        date: fromEpochDay(s.fromDay + i),
        spendMicros: toMicros(s.spend[i] as number),
        conversions: s.conversions[i] as number,
        revenueMicros: toMicros(s.revenue[i] as number),
      })
    }
    return {
      entityType: s.entityType,
      entityId: s.id,
      name: s.name,
      currency: s.currency,
      startDate: addDays(lastDate, 1),
      days: input.days,
      currentDailySpendMicros: toMicros(current),
      plannedDailySpendMicros: toMicros(planned),
      conversions: end.conversions,
      revenueMicros: end.revenueMicros,
      roas:
        spendTotal > 0
          ? {
              point: end.revenueMicros.point / spendTotal,
              lower: end.revenueMicros.lower / spendTotal,
              upper: end.revenueMicros.upper / spendTotal,
            }
          : null,
      path,
      history,
      model: { version: version.version, trainedAt: version.trainedAt, metrics: version.metrics },
      basis: {
        status: basis.status,
        dataStatus: basis.dataStatus,
        methods: basis.methods,
        tier: basis.tier,
        reasons,
      },
      spendResponse,
    }
  }

  /**
   * Adstock + Hill curves (concave, bounded) for revenue and conversions over the entity's last 180
   * days. `usable` is false (with `problem`) when the fit is too poor to use: the page then hides
   * the curve and the what-if scales in proportion to spend.
   */
  responseCurve(input: { workspaceId: number; entityType: MlEntityType; entityId: number }): ResponseCurveView {
    const { s } = this.entity(input.workspaceId, input.entityType, input.entityId)
    return curveView(s, this.accountTotals(input.workspaceId, input.entityType, input.entityId, s))
  }

  /**
   * The response curves of many campaigns and ad sets of one account, read in one pass over the
   * account's last CURVE_DAYS days (the recommendation engine's reallocation): the same curves as
   * `responseCurve`, or why an entity has none.
   */
  responseCurves(input: {
    workspaceId: number
    accountId: number
    entities: { entityType: MlEntityType; entityId: number }[]
  }): Map<string, ResponseCurveView | { problem: string }> {
    return runSteps(this.responseCurvesSteps(input))
  }

  /**
   * `responseCurves` as steps (a caller gives the event loop a turn between them): the entities'
   * days read a few entities at a time, one fit per step. The same curves, in the same order.
   */
  responseCurvesSteps(
    input: ResponseCurvesInput,
  ): Steps<Map<string, ResponseCurveView | UnusableCurve | { problem: string }>> {
    return responseCurvesSteps(this.sqlite, input)
  }

  /** Stored badges of the active model. */
  /** The active model's badges of one entity type; of the entities `ids` only when given (the explorer's rows in view). */
  entityForecasts(workspaceId: number, entityType: MlEntityType, ids?: readonly number[]): EntityForecast[] {
    const a = this.registry.active(workspaceId, FORECAST_MODEL)
    if (!a) return []
    return this.registry.predictions(a.version.id, entityType, ids).map((p) => {
      const v = JSON.parse(p.value) as {
        currency: string
        dailySpendMicros: number
        conversions: EntityForecast['conversions']
        revenue: EntityForecast['conversions']
        status?: 'model' | 'fallback'
        reasons?: string[]
      }
      return {
        entityType,
        entityId: p.entityId,
        horizonDays: p.horizonDays,
        currency: v.currency,
        dailySpendMicros: v.dailySpendMicros,
        conversions: v.conversions,
        revenueMicros: {
          point: toMicros(v.revenue.point),
          lower: toMicros(v.revenue.lower),
          upper: toMicros(v.revenue.upper),
        },
        createdAt: p.createdAt,
        ...(v.status ? { status: v.status, reasons: v.reasons ?? [] } : {}),
      }
    })
  }
}
