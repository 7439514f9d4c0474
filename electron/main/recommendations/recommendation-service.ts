import { inScope, principalLabel, roleAllows, type CallContext } from '../../../shared/domain/caller'
import type { Change, ChangeProposal } from '../../../shared/domain/changes'
import { addDays, localDateIn } from '../../../shared/domain/dates'
import {
  VerticalSchema,
  type ReallocationRow,
  type Recommendation,
  type RecommendationKind,
  type RecommendationFollowUp,
  type RecommendationSettings,
  type RecommendationState,
  type Vertical,
} from '../../../shared/domain/recommendations'
import type { DataTable } from '../../../shared/domain/tables'
import type { RecommendationView } from '../../../shared/ipc/contracts/recommendations'
import { AppError } from '../../../shared/ipc/result'
import { reportError } from '../logging'
import type { AnalyticsService } from '../analytics/analytics-service'
import type { ChangeService } from '../changes/change-service'
import type { CoreServices } from '../core-services'
import type { ExperimentService } from '../experiments/experiment-service'
import { contract, type ChannelParsedInput } from '../../../shared/ipc/contract'
import type { TestSuggestion } from '../../../shared/ipc/contracts/experiments'
import type { ForecastService } from '../ml/forecast-service'
import { runStepsSliced, sliceBudget, yieldNow, type SliceBudget } from '../scheduler/slices'
import type { RecAccount, RecommendationDraft, RecommendationsRepo } from '../store/repos/recommendations-repo'
import { AccountDrafter, type AccountDrafts } from './account-draft'
import { DraftThread } from './draft-thread'
import { HORIZON_DAYS } from './engine'

const TABLES: DataTable[] = ['recommendations']
/** Setting the plans writes the accounts' monthly budget (the dashboard's pacing reads it too). */
const SETTINGS_TABLES: DataTable[] = ['recommendations', 'ad_accounts']
const settingsKey = (workspaceId: number): string => `recommendations.settings.${workspaceId}`
/**
 * A generation gives the event loop a turn after this many ms of work (its steps: a curve fit or
 * a read of 10-25 ms), so no stretch on the core's thread passes ~50 ms (issue 16).
 */
const GENERATION_SLICE_MS = 20
/** A/B test suggestions turned into recommendations. */
const AB_TESTS = 3

export interface RecommendationDeps {
  core: CoreServices
  repo: RecommendationsRepo
  forecasts: ForecastService
  analytics: AnalyticsService
  experiments: ExperimentService
  changes: ChangeService
}

export interface GenerateResult {
  generatedAt: string
  inserted: number
  updated: number
  expired: number
  /** Seconds the generation took. */
  seconds: number
  /** Entities whose response curve could not be used, with why (first few). */
  skipped: string[]
}

export interface Calibration {
  currency: string
  /** Applied recommendations whose outcome was measured. */
  measured: number
  /** Of those, how many realised values fell inside the predicted 80% interval. */
  withinInterval: number
  predictedMicros: number
  realisedMicros: number
}

function recommendationContext(id: number, workspaceId: number): CallContext {
  return { principal: { kind: 'recommendation', recommendationId: id, role: 'editor' }, workspaces: [workspaceId] }
}

function requireEditor(ctx: CallContext, what: string): void {
  if (!roleAllows(ctx.principal.role, 'editor'))
    throw new AppError('FORBIDDEN', `Only an editor or above may ${what} (caller is ${ctx.principal.role})`)
}

/**
 * The recommendation engine as a service: generate (read the store and the ML module's response
 * curves, run the engine's rules, store the drafts with their lifecycle), list with follow-ups,
 * apply through the change pipeline as the recommendation's principal, dismiss and snooze.
 */
/** Recommendations in one page of `list` unless the caller asks for another size. */
const LIST_PAGE = 50
/** Rows of a reallocation table, and entities, a list view carries (the rest is paged). */
const VIEW_ROWS = 20
const VIEW_ENTITIES = 20
/** Points of a row's response curve as views chart it (the stored curve keeps every point). */
const VIEW_CURVE_POINTS = 32

/**
 * A reallocation table in the order views show it (the most budget moved first, then by name), each
 * curve thinned to VIEW_CURVE_POINTS evenly spaced points with both ends kept: a smooth concave
 * line needs no more, and the stored 100-odd points made a 3,000-row table 2 MB.
 */
function orderedRows(rows: readonly ReallocationRow[]): ReallocationRow[] {
  const moved = (r: ReallocationRow): number => Math.abs(r.budgetAfterMicros - r.budgetBeforeMicros)
  return [...rows]
    .sort((a, b) => moved(b) - moved(a) || a.name.localeCompare(b.name) || a.entityId - b.entityId)
    .map((r) => (r.curve.length <= VIEW_CURVE_POINTS ? r : { ...r, curve: thinned(r.curve, VIEW_CURVE_POINTS) }))
}

/** `budget`, stopping the work (throwing the signal's reason) at its next step once `signal` is aborted. */
function cancellable(budget: SliceBudget, signal: AbortSignal): SliceBudget {
  return {
    maybeYield: async () => {
      signal.throwIfAborted()
      await budget.maybeYield()
      signal.throwIfAborted()
    },
    yield: async () => {
      await budget.yield()
      signal.throwIfAborted()
    },
    elapsed: () => budget.elapsed(),
    get yields() {
      return budget.yields
    },
  }
}

function thinned<T>(points: readonly T[], n: number): T[] {
  return Array.from({ length: n }, (_, i) => points[Math.round((i * (points.length - 1)) / (n - 1))] as T)
}

/**
 * The core's thread races the draft worker's last account only after the worker has spent this
 * many times what the core's thread would need for it (the worker is a little slower: a cold start
 * and a lower priority; a starved worker is still overtaken).
 */
const RACE_AFTER = 2

export class RecommendationService {
  /** One account's advice, on the core's connection (a draft worker has its own). */
  private readonly drafter: AccountDrafter

  constructor(private readonly d: RecommendationDeps) {
    this.drafter = new AccountDrafter({
      repo: d.repo,
      curveSteps: (input) => d.forecasts.responseCurvesSteps(input),
    })
  }

  private now(): Date {
    return this.d.core.platform.clock.now()
  }

  /** The workspace's advice settings: its vertical and each account's monthly plan. */
  settings(workspaceId: number): RecommendationSettings {
    this.d.core.workspaces.get(workspaceId)
    return {
      vertical: this.vertical(workspaceId),
      plans: this.d.repo.accounts(workspaceId).map((a) => ({
        accountId: a.id,
        name: a.name,
        platform: a.platform,
        currency: a.currency,
        monthlyPlanMicros: a.monthlyPlanMicros,
      })),
    }
  }

  private vertical(workspaceId: number): Vertical {
    const v = VerticalSchema.safeParse(
      this.d.core.kv.get<{ vertical?: unknown }>(settingsKey(workspaceId), {}).vertical ?? 'unknown',
    )
    return v.success ? v.data : 'unknown'
  }

  /** Set the vertical and/or accounts' monthly plans (audited; accounts of other workspaces refused). */
  setSettings(
    input: {
      workspaceId: number
      vertical?: Vertical
      plans?: { accountId: number; monthlyPlanMicros: number | null }[]
    },
    ctx: CallContext,
  ): Promise<RecommendationSettings> {
    requireEditor(ctx, 'change the advice settings')
    const { workspaceId } = input
    if (!inScope(ctx, workspaceId))
      throw new AppError('FORBIDDEN', `Workspace ${workspaceId} is outside the caller's scope`)
    this.d.core.workspaces.get(workspaceId)
    const accounts = new Map(this.d.repo.accounts(workspaceId).map((a) => [a.id, a]))
    for (const p of input.plans ?? [])
      if (!accounts.has(p.accountId))
        throw new AppError('VALIDATION', `plans: account ${p.accountId} is not an account of workspace ${workspaceId}`)
    return this.d.core.mutations.run(
      {
        action: 'recommendations.settings',
        ctx,
        tables: input.plans?.length ? SETTINGS_TABLES : TABLES,
        workspaceId,
        detail: () => ({ vertical: input.vertical ?? null, plans: input.plans ?? [] }),
      },
      () => {
        if (input.vertical !== undefined) this.d.core.kv.set(settingsKey(workspaceId), { vertical: input.vertical })
        for (const p of input.plans ?? []) this.d.repo.setMonthlyPlan(p.accountId, p.monthlyPlanMicros)
        return this.settings(workspaceId)
      },
    )
  }

  /**
   * Run every rule of the engine over the workspace (no writes). Accounts are drafted on the core's
   * thread (sliced by `budget`) and, where the store is a file, on a draft worker at the same time
   * (`draft-thread.ts`): the core's thread takes accounts from the largest, the worker the A/B test
   * suggestions and then accounts from the smallest, until they meet; the drafts come back in the
   * accounts' order, the same as drafted on one thread. The worker's last task is also done here
   * when it is late (an account: after RACE_AFTER times this thread's pace for it), the first
   * answer kept. An account the worker failed on is drafted here.
   */
  async draft(
    workspaceId: number,
    budget: SliceBudget = sliceBudget(GENERATION_SLICE_MS),
    /**
     * Work to do on the drafts made so far while this thread has no account left and waits for
     * the worker's last one (`generate` serialises their bodies then, not after the wait).
     */
    whileWaiting?: (drafts: readonly RecommendationDraft[]) => Promise<void>,
  ): Promise<{ drafts: RecommendationDraft[]; skipped: string[] }> {
    // The A/B test suggestions are the Experiments page's answer: when the page reads keep it (the
    // page's warm-up after a sync, or the page itself, computed it on the page-reads worker), that
    // one; else computed on the draft worker, or here after the accounts, sliced, and given to the
    // page reads as their answer (the warm-up after a sync, queued beside this generation, waits for
    // it instead of computing it again on the page-reads worker).
    const input = RecommendationService.suggestInput(workspaceId)
    const kept = this.d.core.pageReads.has('experiments:suggest', input)
      ? this.d.core.pageReads.get('experiments:suggest', input)
      : null
    let settle = (_: TestSuggestion[] | null): void => undefined
    if (!kept)
      this.d.core.pageReads.share(
        'experiments:suggest',
        input,
        new Promise<TestSuggestion[]>((resolve, reject) => {
          settle = (v) => (v ? resolve(v) : reject(new Error('The A/B test suggestions were not computed')))
        }),
      )
    try {
      return await this.draftWith(workspaceId, budget, input, kept, (v) => settle(v), whileWaiting)
    } finally {
      // A draft that failed or was stopped: the page reads compute them (a settled promise ignores this).
      settle(null)
    }
  }

  /**
   * `draft` once the suggestions' source is known; `computed` gets the suggestions this draft computed
   * as soon as they are known.
   */
  private async draftWith(
    workspaceId: number,
    budget: SliceBudget,
    input: ChannelParsedInput<'experiments:suggest'>,
    kept: Promise<TestSuggestion[]> | null,
    computed: (v: TestSuggestion[]) => void,
    whileWaiting?: (drafts: readonly RecommendationDraft[]) => Promise<void>,
  ): Promise<{ drafts: RecommendationDraft[]; skipped: string[] }> {
    const scope = this.d.analytics.scope(workspaceId)
    const month = localDateIn('UTC', this.now()).slice(0, 7)
    const vertical = this.vertical(workspaceId)
    const accounts = this.d.repo.accounts(workspaceId)
    const rates = accounts.map((acc) => scope.rate(acc.currency, month))
    // Largest first (by ad rows): the worker's last account is a small one.
    const rows = this.d.repo.adRowsByAccount(workspaceId)
    const order = accounts
      .map((acc, i) => ({ i, n: rows.get(acc.id) ?? 0 }))
      .sort((x, y) => y.n - x.n || x.i - y.i)
      .map((x) => x.i)
    const results: (AccountDrafts | null | undefined)[] = accounts.map(() => undefined)
    let lo = 0
    let hi = order.length - 1
    let suggestions: TestSuggestion[] | null = null
    // The suggestions as soon as they are known (the worker's, the race's or this thread's; the first
    // kept): a page waiting for them has them then, not when every account is drafted.
    const found = (v: TestSuggestion[]): void => {
      suggestions ??= v
      computed(suggestions)
    }
    // The worker's task under way (an account's index, or null: the suggestions) and whether it answered.
    let onWorker: { i: number | null; answered: Promise<boolean>; startedAt: number } | null = null
    const thread = accounts.length > 1 || !kept ? DraftThread.start(this.d.core.store.path) : null
    // Set when the draft ends, however it ends: the worker takes nothing more.
    let done = false
    const onThread = async (t: DraftThread): Promise<void> => {
      const ask = async (i: number | null): Promise<boolean> => {
        const answered = (async (): Promise<boolean> => {
          if (i === null) found(await t.suggest(input))
          else {
            const acc = accounts[i] as RecAccount
            const r = await t.account({
              kind: 'account',
              workspaceId,
              account: acc,
              rate: rates[i] as number,
              vertical,
            })
            if (results[i] === undefined) results[i] = r
          }
          return true
        })().catch((err: unknown) => {
          // Stopped because the draft ended is not a failure; anything else is reported once (the
          // worker answers nothing after it: its tasks are drafted here).
          if (!done) reportError('The recommendations draft worker failed', err)
          return false
        })
        onWorker = { i, answered, startedAt: performance.now() }
        const ok = await answered
        onWorker = null
        return ok
      }
      if (!kept && !(await ask(null))) return
      while (!done && lo <= hi) if (!(await ask(order[hi--] as number))) return
    }
    const here = (i: number, b: SliceBudget = budget): Promise<AccountDrafts | null> =>
      this.drafter.draft(workspaceId, accounts[i] as RecAccount, rates[i] as number, vertical, b)
    try {
      if (thread) void onThread(thread)
      // This thread's pace (ms per ad row) over the accounts it drafted.
      let hereMs = 0
      let hereRows = 0
      while (lo <= hi) {
        const i = order[lo++] as number
        const t = performance.now()
        results[i] = await here(i)
        hereMs += performance.now() - t
        hereRows += rows.get((accounts[i] as RecAccount).id) ?? 0
      }
      // Nothing left to take: first the caller's work on the drafts so far, while the worker ends
      // its last task (a small account, or the suggestions when the worker is slow to start or
      // starved of a core); then, if it has not answered yet (an account: within RACE_AFTER times
      // this thread's pace for it, below), that task is also done here, and the first answer is kept.
      if (onWorker && whileWaiting) await whileWaiting(results.flatMap((r) => r?.drafts ?? []))
      // A worker on its last account is raced only once it has had RACE_AFTER times what this
      // thread would need for that account at its own pace: racing a worker that is on time takes
      // a core from it (on two cores, V8's compiler and GC threads too) and doubles the work.
      const pending = onWorker as { i: number | null; answered: Promise<boolean>; startedAt: number } | null
      if (pending && pending.i !== null && hereRows > 0) {
        const need = (hereMs * (rows.get((accounts[pending.i] as RecAccount).id) ?? 0)) / hereRows
        const wait = pending.startedAt + RACE_AFTER * need - performance.now()
        if (wait > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined
          await Promise.race([pending.answered, new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))])
          clearTimeout(timer)
        }
      }
      const last = onWorker as { i: number | null; answered: Promise<boolean>; startedAt: number } | null
      if (last) {
        const stop = new AbortController()
        const mine = cancellable(budget, stop.signal)
        const race = last.i === null ? this.suggestionsSliced(workspaceId, mine) : here(last.i, mine)
        const ours = race.then(
          (r) => ({ r }),
          // Stopped (the worker answered first), or suggestions that failed here (as below: none).
          (e: unknown) => (stop.signal.aborted || last.i === null ? null : Promise.reject(e)),
        )
        const first = await Promise.race([
          last.answered.then((ok) => (ok ? 'worker' : 'failed')),
          ours.then(() => 'here'),
        ])
        if (first === 'worker') stop.abort()
        const got = await ours
        if (got && last.i === null) found(got.r as TestSuggestion[])
        else if (got && last.i !== null && results[last.i] === undefined)
          results[last.i] = got.r as AccountDrafts | null
      }
    } finally {
      done = true
      if (thread) void thread.close()
    }
    // An account the worker failed on (it stopped answering) is drafted here.
    for (const [i, r] of results.entries()) if (r === undefined) results[i] = await here(i)
    const drafts: RecommendationDraft[] = []
    const skipped: string[] = []
    for (const r of results) {
      if (!r) continue
      drafts.push(...r.drafts)
      skipped.push(...r.skipped)
    }
    const fromPage = kept ? await kept.catch(() => null) : null
    if (!fromPage && !suggestions) {
      const v = await this.suggestionsHere(workspaceId, budget)
      if (v) found(v)
    }
    drafts.push(...this.abTests(fromPage ?? suggestions ?? []))
    return { drafts, skipped }
  }

  /** The suggestions' input: the Experiments page's defaults (10% lift, 95%, power 80%, 28 days). */
  private static suggestInput(workspaceId: number): ChannelParsedInput<'experiments:suggest'> {
    return contract['experiments:suggest'].input.parse({ workspaceId })
  }

  /** The suggestions computed on this thread, sliced (null when they cannot be computed). */
  private async suggestionsHere(workspaceId: number, budget: SliceBudget): Promise<TestSuggestion[] | null> {
    try {
      return await this.suggestionsSliced(workspaceId, budget)
    } catch {
      return null
    }
  }

  /** The suggestions computed on this thread, sliced (throws what their steps or the budget throw). */
  private suggestionsSliced(workspaceId: number, budget: SliceBudget): Promise<TestSuggestion[]> {
    return runStepsSliced(this.d.experiments.suggestSteps(RecommendationService.suggestInput(workspaceId)), budget)
  }

  /** The experiments module's best test suggestions, as recommendations (no money impact claimed). */
  private abTests(suggestions: readonly TestSuggestion[]): RecommendationDraft[] {
    return suggestions.slice(0, AB_TESTS).map((s) => ({
      kind: 'ab_test' as const,
      key: `ab_test:ad_set:${s.adSetId}`,
      title: `Test the ${s.adIds.length} creatives of ad set ${s.adSet} against each other (${s.plan.days} days)`,
      currency: s.currency,
      impact: null,
      confidence: 0.5,
      priority: 0,
      body: {
        summary: s.reason,
        entities: [{ entityType: 'ad_set' as const, entityId: s.adSetId, name: s.adSet, accountId: 0 }],
        evidence: {
          metrics: [
            { label: 'Trials per day', value: Math.round(s.dailyTrials), unit: 'count' as const },
            { label: 'Base rate', value: s.baseRate * 100, unit: 'percent' as const },
            { label: 'Days needed (10% lift, 95%, power 80%)', value: s.plan.days, unit: 'days' as const },
            { label: 'Value of a 10% lift per week', value: s.weeklyValueMicros / 1e6, unit: 'money' as const },
          ],
          chart: null,
          notes: [`Campaign: ${s.campaign}. Measures ${s.metric === 'ctr' ? 'CTR' : 'conversion rate'}.`],
        },
        impactMethod: 'Not estimated in money: a test tells which creative is better, not by how much in advance.',
        horizonDays: s.plan.days,
        changes: [],
        reallocation: null,
        link: { route: 'experiments', label: 'Plan it on the Experiments page' },
      },
    }))
  }

  /** The last generation's save (`generate`): saves run one after the other. */
  private saving: Promise<unknown> = Promise.resolve()

  /** Background generations (after syncs and demo builds), one at a time. */
  private background: Promise<unknown> = Promise.resolve()

  /**
   * Queue a generation of each workspace in the background (after a sync or a demo build): one
   * workspace per turn, after the job's own follow-ups (badges, rules) had theirs.
   */
  regenerateLater(workspaceIds: number[]): void {
    const run = async (): Promise<void> => {
      for (const id of workspaceIds) {
        await yieldNow()
        try {
          await this.generate(id)
        } catch {
          // A workspace deleted meanwhile, or no data yet: the next sync tries again.
        }
      }
    }
    this.background = this.background.then(run, run)
  }

  /** Resolves once the queued background generations have finished. */
  idle(): Promise<void> {
    return this.background.then(
      () => undefined,
      () => undefined,
    )
  }

  /** Generate and store: new advice, refreshed numbers, and expiry of what the data no longer supports. */
  async generate(workspaceId: number): Promise<GenerateResult> {
    this.d.core.workspaces.get(workspaceId)
    const t0 = performance.now()
    const at = this.now().toISOString()
    this.d.repo.wakeSnoozed(workspaceId, at.slice(0, 10))
    const budget = sliceBudget(GENERATION_SLICE_MS)
    // The bodies serialised between turns of the event loop (1,100 bodies, 8 MB at 10,000
    // campaigns: with the writes, one 300 ms stretch), then written in steps. Those of
    // the accounts drafted first are serialised while this thread waits for the draft worker's
    // last account (~0.2 s of a generation's tail at 10,000 campaigns, docs/performance.md).
    const serialised = new Map<RecommendationDraft, string>()
    const serialise = async (list: readonly RecommendationDraft[]): Promise<void> => {
      for (const d of list) {
        if (serialised.has(d)) continue
        serialised.set(d, JSON.stringify(d.body))
        await budget.maybeYield()
      }
    }
    const { drafts, skipped } = await this.draft(workspaceId, budget, serialise)
    await serialise(drafts)
    const bodies = drafts.map((d) => serialised.get(d) as string)
    // Written a transaction per ~1 MB of bodies, the slice budget between them; one save at a
    // time (a generation asked on the page while a background one saves waits for it).
    const save = this.saving.then(() =>
      runStepsSliced(this.d.repo.saveGenerationSteps(workspaceId, drafts, at, bodies), budget),
    )
    this.saving = save.catch(() => undefined)
    const counts = await save
    this.checkFollowUps(workspaceId)
    this.d.core.events.emit('data:changed', { tables: TABLES, workspaceId })
    return { generatedAt: at, ...counts, seconds: (performance.now() - t0) / 1000, skipped: skipped.slice(0, 20) }
  }

  get(id: number, ctx?: CallContext): Recommendation {
    const r = this.d.repo.get(id)
    if (!r || (ctx && !inScope(ctx, r.workspaceId))) throw new AppError('NOT_FOUND', `No recommendation ${id}`)
    return r
  }

  /**
   * Recommendations by priority, a page at a time, with their changes' live states, and the
   * calibration of applied advice. A view's reallocation table and entity list are cut to their
   * first rows (see `viewOf`); `reallocationRows` pages through a whole table.
   */
  list(
    workspaceId: number,
    states?: readonly RecommendationState[],
    page: {
      kinds?: readonly RecommendationKind[]
      accountIds?: readonly number[]
      offset?: number
      limit?: number
    } = {},
  ): { items: RecommendationView[]; total: number; calibration: Calibration } {
    this.checkFollowUps(workspaceId)
    const offset = page.offset ?? 0
    const limit = page.limit ?? LIST_PAGE
    let rows: Recommendation[]
    let total: number
    if (page.accountIds) {
      // Which accounts a recommendation is about is in its body: read them all (reports ask this).
      const wanted = new Set(page.accountIds)
      const kinds = page.kinds ? new Set(page.kinds) : null
      const all = this.d.repo
        .list(workspaceId, states)
        .filter((r) => (!kinds || kinds.has(r.kind)) && r.body.entities.some((e) => wanted.has(e.accountId)))
      rows = all.slice(offset, offset + limit)
      total = all.length
    } else {
      ;({ rows, total } = this.d.repo.listPage(workspaceId, {
        ...(states ? { states } : {}),
        ...(page.kinds ? { kinds: page.kinds } : {}),
        offset,
        limit,
      }))
    }
    const items = rows.map((r) => this.viewOf(r))
    const scope = this.d.analytics.scope(workspaceId)
    const measured = this.d.repo
      .list(workspaceId, ['applied'])
      .filter((r) => r.followUp !== null && r.followUp.realisedMicros !== null)
    // Totals in the reporting currency at the rate of the month each was measured in.
    const inReporting = (r: Recommendation, micros: number): number =>
      Math.round(micros * scope.rate(r.currency, (r.followUp?.dueDate ?? '').slice(0, 7)))
    return {
      items,
      total,
      calibration: {
        currency: scope.currency,
        measured: measured.length,
        withinInterval: measured.filter((r) => r.followUp?.withinInterval).length,
        predictedMicros: measured.reduce((s, r) => s + inReporting(r, r.followUp?.predicted?.point ?? 0), 0),
        realisedMicros: measured.reduce((s, r) => s + inReporting(r, r.followUp?.realisedMicros ?? 0), 0),
      },
    }
  }

  private accountOf(r: Recommendation): RecAccount {
    const accounts = this.d.repo.accounts(r.workspaceId)
    const id = r.body.entities[0]?.accountId
    const acc = accounts.find((a) => a.id === id) ?? accounts[0]
    if (!acc) throw new AppError('NOT_FOUND', `Workspace ${r.workspaceId} has no accounts`)
    return acc
  }

  /** Weekly net (revenue − spend) of the recommendation's entities over [from, to], micros. */
  private netPerWeek(r: Recommendation, acc: RecAccount, from: string, to: string): number {
    const level = r.body.entities[0]?.entityType === 'campaign' ? 'campaign' : 'ad_set'
    const ids = new Set(r.body.entities.filter((e) => e.entityType === level).map((e) => e.entityId))
    let net = 0
    for (const s of this.d.repo.windowSums(level, acc.id, from, to))
      if (ids.has(s.id)) net += s.revenueMicros - s.spendMicros
    const days = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1)
    return Math.round((net * 7) / days)
  }

  /** Measure the outcome of applied recommendations whose horizon has passed (once each). */
  checkFollowUps(workspaceId: number): number {
    let done = 0
    for (const r of this.d.repo.list(workspaceId, ['applied'])) {
      const f = r.followUp
      if (!f || f.measuredAt !== null) continue
      const acc = this.accountOf(r)
      if (!acc.lastSettledDate || acc.lastSettledDate < f.dueDate) continue
      const from = f.appliedDate
      const after = this.netPerWeek(r, acc, from, f.dueDate)
      const realised = after - f.before.netPerWeekMicros
      this.d.repo.setFollowUp(r.id, {
        ...f,
        after: { from, to: f.dueDate, netPerWeekMicros: after },
        realisedMicros: realised,
        withinInterval: f.predicted ? realised >= f.predicted.lower && realised <= f.predicted.upper : null,
        measuredAt: this.now().toISOString(),
      })
      done++
    }
    return done
  }

  /**
   * Apply: propose the recommendation's changes as one batch of the change pipeline, as the
   * recommendation's principal (so the workspace's approval policy decides, and the audit says
   * who asked), and start its follow-up. Refused for advice that has no platform change.
   */
  apply(id: number, ctx: CallContext): Promise<{ recommendation: Recommendation; changes: Change[] }> {
    requireEditor(ctx, 'apply a recommendation')
    const r = this.get(id, ctx)
    return this.d.core.mutations.run(
      { action: 'recommendations.apply', ctx, tables: TABLES, workspaceId: r.workspaceId, detail: () => ({ id }) },
      () => this.applyNow(id, ctx),
    )
  }

  private applyNow(id: number, ctx: CallContext): { recommendation: Recommendation; changes: Change[] } {
    const r = this.get(id, ctx)
    if (r.state !== 'new')
      throw new AppError('CONFLICT', `Recommendation ${id} is ${r.state}: only a new recommendation can be applied`)
    if (!r.body.changes.length)
      throw new AppError(
        'VALIDATION',
        `Recommendation ${id} (${r.kind}) has no change this app can make on the platform: act on it there`,
      )
    const batchId = `recommendation:${id}`
    const proposals: ChangeProposal[] = r.body.changes.map((c) => ({
      entityType: c.entityType,
      entityId: c.entityId,
      action: c.action,
      reason: `Recommendation #${id}: ${r.title}`.slice(0, 2000),
      metrics: {
        recommendation: id,
        kind: r.kind,
        impactPerWeekMicros: r.impact?.point ?? null,
        impactLowerMicros: r.impact?.lower ?? null,
        impactUpperMicros: r.impact?.upper ?? null,
        confidence: Math.round(r.confidence * 1000) / 1000,
        requestedBy: principalLabel(ctx.principal),
      },
      idempotencyKey: `${batchId}:${c.entityType}:${c.entityId}:${c.action.kind}`,
      batchId,
    }))
    const changes = this.d.changes.proposeBatch(proposals, recommendationContext(id, r.workspaceId), { batchId })
    const acc = this.accountOf(r)
    const applied = localDateIn(acc.timeZone, this.now())
    const beforeFrom = addDays(applied, -r.body.horizonDays)
    const beforeTo = addDays(applied, -1)
    const followUp: RecommendationFollowUp = {
      appliedDate: applied,
      dueDate: addDays(applied, r.body.horizonDays - 1),
      predicted: r.impact,
      realisedMicros: null,
      withinInterval: null,
      measuredAt: null,
      before: { from: beforeFrom, to: beforeTo, netPerWeekMicros: this.netPerWeek(r, acc, beforeFrom, beforeTo) },
      after: null,
      note: `Weekly revenue − spend of the changed entities over the ${r.body.horizonDays} days from ${applied}, minus the same over the ${r.body.horizonDays} days before. A before/after comparison: seasonality and anything else that changed count too.`,
    }
    this.d.repo.decide(id, 'applied', principalLabel(ctx.principal), this.now().toISOString(), { batchId, followUp })
    return { recommendation: this.get(id), changes }
  }

  /** A page of a reallocation's before/after table, in the order lists show it (most budget moved first). */
  reallocationRows(
    id: number,
    offset: number,
    limit: number,
    ctx: CallContext,
  ): { rows: ReallocationRow[]; total: number } {
    const rows = orderedRows(this.get(id, ctx).body.reallocation ?? [])
    return { rows: rows.slice(offset, offset + limit), total: rows.length }
  }

  /**
   * How lists show a recommendation: the live states of its changes, and at most the first
   * VIEW_ROWS rows of a reallocation table and VIEW_ENTITIES entities and proposed changes (a
   * workspace-wide reallocation at 10,000 campaigns has over 3,000 of each: 2 MB).
   */
  private viewOf(r: Recommendation): RecommendationView {
    const table = r.body.reallocation
    return {
      ...r,
      body: {
        ...r.body,
        entities: r.body.entities.slice(0, VIEW_ENTITIES),
        changes: r.body.changes.slice(0, VIEW_ENTITIES),
        reallocation: table ? orderedRows(table).slice(0, VIEW_ROWS) : null,
      },
      reallocationTotal: table ? table.length : null,
      entitiesTotal: r.body.entities.length,
      changesTotal: r.body.changes.length,
      changeStates: r.batchId
        ? this.d.changes
            .list({ batchId: r.batchId, limit: 500 })
            .items.filter((c) => c.undoOf === null)
            .map(({ id, state, entityName, requested, applied, before, error }) => ({
              id,
              state,
              entityName,
              requested,
              applied: applied ?? null,
              before,
              error,
            }))
        : [],
    }
  }

  dismiss(id: number, ctx: CallContext): Promise<Recommendation> {
    return this.decide(id, 'dismissed', ctx, null)
  }

  snooze(id: number, days: number, ctx: CallContext): Promise<Recommendation> {
    return this.decide(id, 'snoozed', ctx, days)
  }

  private decide(
    id: number,
    to: 'dismissed' | 'snoozed',
    ctx: CallContext,
    days: number | null,
  ): Promise<Recommendation> {
    const verb = to === 'dismissed' ? 'dismiss' : 'snooze'
    requireEditor(ctx, `${verb} a recommendation`)
    const r = this.get(id, ctx)
    return this.d.core.mutations.run(
      {
        action: `recommendations.${verb}`,
        ctx,
        tables: TABLES,
        workspaceId: r.workspaceId,
        detail: () => ({ id, days }),
      },
      () => {
        const now = this.get(id, ctx)
        if (now.state !== 'new' && now.state !== 'snoozed')
          throw new AppError('CONFLICT', `Recommendation ${id} is ${now.state}: only a new or snoozed one can be ${to}`)
        const at = this.now()
        this.d.repo.decide(id, to, principalLabel(ctx.principal), at.toISOString(), {
          snoozedUntil: days === null ? null : addDays(at.toISOString().slice(0, 10), days),
        })
        return this.get(id)
      },
    )
  }
}

export { HORIZON_DAYS }
