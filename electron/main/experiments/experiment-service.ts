import { addDays } from '../../../shared/domain/dates'
import { analyzeExperiment, type DayTotals, type VariantTotals } from '../../../shared/experiments/analysis'
import { planTest } from '../../../shared/experiments/stats'
import type { ChannelOutput, ChannelParsedInput } from '../../../shared/ipc/contract'
import type { EntityExperiment, ExperimentMetric, TestSuggestion } from '../../../shared/ipc/contracts/experiments'
import { AppError } from '../../../shared/ipc/result'
import { runSteps, type Steps } from '../scheduler/slices'
import type { AdSetCandidate, EntityDay, ExperimentLevel, ExperimentsRepo } from '../store/repos/experiments-repo'
import { controlOf, ExperimentCsvError, readExperimentCsv } from './csv'

/** Suggested tests must be able to finish within this many days. */
export const MAX_SUGGESTED_DAYS = 56
/** At most this many ads share one suggested test. */
const MAX_TEST_VARIANTS = 5

const LEVEL_WORD: Record<ExperimentLevel, string> = { campaign: 'campaign', ad_set: 'ad set', ad: 'ad' }

function trialsOf(d: { clicks: number; impressions: number; conversions: number }, metric: ExperimentMetric) {
  // Conversions can be fractional (attribution); the binomial tests count whole ones.
  return metric === 'ctr'
    ? { n: d.impressions, conversions: Math.min(d.clicks, d.impressions) }
    : { n: d.clicks, conversions: Math.min(Math.round(d.conversions), d.clicks) }
}

function toAppError(err: unknown): never {
  if (err instanceof ExperimentCsvError || err instanceof RangeError) throw new AppError('VALIDATION', err.message)
  throw err
}

/** A/B tests: between entities of the store, from CSV files, suggestions and power plans. */
export class ExperimentService {
  constructor(private readonly repo: ExperimentsRepo) {}

  private window(workspaceId: number, days: number, to?: string, from?: string): { from: string; to: string } {
    const last = to ?? this.repo.lastDate(workspaceId)
    if (!last) throw new AppError('NOT_FOUND', `Workspace ${workspaceId} has no data yet`)
    const first = from ?? addDays(last, -(days - 1))
    if (first > last) throw new AppError('VALIDATION', `The range starts (${first}) after it ends (${last})`)
    return { from: first, to: last }
  }

  listEntities(input: ChannelParsedInput<'experiments:listEntities'>): ChannelOutput<'experiments:listEntities'> {
    const { from, to } = this.window(input.workspaceId, input.days)
    return this.repo.activeEntities(input.workspaceId, input.level, from, to, 500)
  }

  analyzeEntities(input: ChannelParsedInput<'experiments:analyzeEntities'>): EntityExperiment {
    const ids = [...new Set(input.entityIds)]
    if (ids.length < 2) throw new AppError('VALIDATION', 'A test needs at least 2 different entities')
    const found = this.repo.entities(input.workspaceId, input.level, ids)
    const missing = ids.filter((id) => !found.some((e) => e.id === id))
    if (missing.length)
      throw new AppError(
        'NOT_FOUND',
        `No ${LEVEL_WORD[input.level]} ${missing.join(', ')} in workspace ${input.workspaceId}`,
      )
    const controlId = input.controlId ?? ids[0]
    if (!ids.includes(controlId as number))
      throw new AppError(
        'VALIDATION',
        `The control ${controlId} is not one of the compared entities (${ids.join(', ')})`,
      )
    const { from, to } = this.window(input.workspaceId, 28, input.to, input.from)
    const ordered = ids.map((id) => found.find((e) => e.id === id) as (typeof found)[number])
    // Variants are named by entity name; repeated names get their id.
    const counts = new Map<string, number>()
    for (const e of ordered) counts.set(e.name, (counts.get(e.name) ?? 0) + 1)
    const variantOf = new Map(ordered.map((e) => [e.id, (counts.get(e.name) ?? 0) > 1 ? `${e.name} #${e.id}` : e.name]))
    const currencies = new Set(ordered.map((e) => e.currency))
    const currency = currencies.size === 1 ? (ordered[0]?.currency ?? null) : null
    const rows = this.repo.days(input.workspaceId, input.level, ids, from, to)
    const byDate = new Map<string, EntityDay[]>()
    for (const r of rows) byDate.set(r.date, [...(byDate.get(r.date) ?? []), r])
    const days: DayTotals[] = [...byDate.entries()].map(([date, list]) => ({
      date,
      variants: list.map((r) => ({
        name: variantOf.get(r.entityId) as string,
        ...trialsOf(r, input.metric),
        ...(currency ? { spendMicros: r.spendMicros, revenueMicros: r.revenueMicros } : {}),
      })),
    }))
    const variants: VariantTotals[] = ordered.map((e) => {
      const mine = rows.filter((r) => r.entityId === e.id).map((r) => trialsOf(r, input.metric))
      return {
        name: variantOf.get(e.id) as string,
        n: mine.reduce((s, x) => s + x.n, 0),
        conversions: mine.reduce((s, x) => s + x.conversions, 0),
      }
    })
    const empty = variants.filter((v) => v.n === 0)
    if (empty.length)
      throw new AppError(
        'VALIDATION',
        `No ${input.metric === 'ctr' ? 'impressions' : 'clicks'} between ${from} and ${to} for ${empty.map((v) => v.name).join(', ')}`,
      )
    let analysis
    try {
      analysis = analyzeExperiment({
        variants,
        days,
        control: variantOf.get(controlId as number) as string,
        confidence: input.confidence,
        relativeMde: input.mde,
        randomized: false,
      })
    } catch (err) {
      toAppError(err)
    }
    const notes = [
      'The platforms deliver these entities as they see fit (the traffic was not split at random), so read the result as an observational comparison; the sample-ratio check does not apply.',
    ]
    if (input.metric === 'conversion_rate' && rows.some((r) => r.conversions !== Math.round(r.conversions)))
      notes.push('Fractional (attributed) conversions were rounded per day for the binomial tests.')
    if (!currency)
      notes.push(`CPA and ROAS are left out: the entities use different currencies (${[...currencies].join(', ')}).`)
    return {
      level: input.level,
      metric: input.metric,
      from,
      to,
      entities: ordered.map((e) => ({ ...e, variant: variantOf.get(e.id) as string })),
      currency,
      note: notes.join(' '),
      analysis,
    }
  }

  analyzeCsv(input: ChannelParsedInput<'experiments:analyzeCsv'>): ChannelOutput<'experiments:analyzeCsv'> {
    try {
      const { csv, control, confidence, mde, ...columns } = input
      const data = readExperimentCsv(csv.replace(/^\uFEFF/, ''), columns)
      const analysis = analyzeExperiment({
        variants: data.variants,
        days: data.days,
        control: controlOf(data, control, input.variantColumn),
        confidence,
        relativeMde: mde,
      })
      return { format: data.format, rows: data.rows, dropped: data.dropped, analysis }
    } catch (err) {
      return toAppError(err)
    }
  }

  suggest(input: ChannelParsedInput<'experiments:suggest'>): TestSuggestion[] {
    return runSteps(this.suggestSteps(input))
  }

  /** `suggest` as steps (the candidates' reads a chunk at a time), for callers that slice their work. */
  *suggestSteps(input: ChannelParsedInput<'experiments:suggest'>): Steps<TestSuggestion[]> {
    const last = this.repo.lastDate(input.workspaceId)
    if (!last) return []
    const { from, to } = this.window(input.workspaceId, input.days, last)
    const out: TestSuggestion[] = []
    for (const c of yield* this.repo.adSetsWithSeveralAdsSteps(input.workspaceId, from, to, 300)) {
      if (c.status !== 'active' || c.days < 7) continue
      const suggestion = this.suggestFor(c, input)
      if (suggestion) out.push(suggestion)
    }
    // Most value per day of testing first.
    return out.sort((a, b) => b.weeklyValueMicros / b.plan.days - a.weeklyValueMicros / a.plan.days).slice(0, 20)
  }

  /**
   * The first test that finishes within MAX_SUGGESTED_DAYS: on the conversion rate (what pays),
   * else on the CTR (many more trials); with as many of the ad set's ads as the traffic allows.
   */
  private suggestFor(c: AdSetCandidate, input: ChannelParsedInput<'experiments:suggest'>): TestSuggestion | null {
    const money = (m: number): string => `${Math.round(m / 1_000_000).toLocaleString('en-US')} ${c.currency}`
    const dailySpendMicros = Math.round(c.spendMicros / c.days)
    // A lift of the MDE in either rate brings about MDE × revenue at the same spend.
    const weeklyValueMicros = Math.round((c.revenueMicros / c.days) * 7 * input.mde)
    for (const metric of ['conversion_rate', 'ctr'] as const) {
      const { n, conversions } = trialsOf(c, metric)
      if (n === 0 || conversions < 1) continue
      const baseRate = conversions / n
      if (!(baseRate * (1 + input.mde) < 1)) continue
      const dailyTrials = n / c.days
      for (let variants = Math.min(c.adIds.length, MAX_TEST_VARIANTS); variants >= 2; variants--) {
        const plan = planTest({
          baseRate,
          relativeMde: input.mde,
          confidence: input.confidence,
          power: input.power,
          variants,
          dailyTrials,
          dailySpendMicros,
        })
        if (plan.days > MAX_SUGGESTED_DAYS) continue
        const what = metric === 'ctr' ? 'impressions' : 'clicks'
        const rate = metric === 'ctr' ? 'a CTR of' : 'converting at'
        return {
          adSetId: c.id,
          adSet: c.name,
          campaign: c.campaign,
          currency: c.currency,
          adIds: c.adIds.slice(0, variants),
          metric,
          dailyTrials,
          dailySpendMicros,
          baseRate,
          weeklyValueMicros,
          plan,
          reason: `${c.adIds.length} ads share ${Math.round(dailyTrials).toLocaleString('en-US')} ${what} a day at ${rate} ${(baseRate * 100).toFixed(2)}%: a test of ${variants} of them detects a ${Math.round(input.mde * 100)}% lift in ${metric === 'ctr' ? 'CTR' : 'conversion rate'} in about ${plan.days} days (about ${money(plan.budgetMicros ?? 0)} at the current spend); such a lift would be worth about ${money(weeklyValueMicros)} a week.`,
        }
      }
    }
    return null
  }

  plan(input: ChannelParsedInput<'experiments:plan'>): ChannelOutput<'experiments:plan'> {
    const [entity] = this.repo.entities(input.workspaceId, input.level, [input.entityId])
    if (!entity)
      throw new AppError(
        'NOT_FOUND',
        `No ${LEVEL_WORD[input.level]} ${input.entityId} in workspace ${input.workspaceId}`,
      )
    const { from, to } = this.window(input.workspaceId, 28)
    const rows = this.repo.days(input.workspaceId, input.level, [input.entityId], from, to)
    const t = rows.map((r) => trialsOf(r, input.metric))
    const n = t.reduce((s, x) => s + x.n, 0)
    const conversions = t.reduce((s, x) => s + x.conversions, 0)
    const what = input.metric === 'ctr' ? 'clicks' : 'conversions'
    if (rows.length === 0 || n === 0 || conversions === 0)
      throw new AppError(
        'VALIDATION',
        `${entity.name} had no ${what} between ${from} and ${to}: there is no rate to plan a test on${input.metric === 'ctr' ? '' : ' (try the CTR)'}`,
      )
    const baseRate = conversions / n
    const dailyTrials = n / rows.length
    const dailySpendMicros = Math.round(rows.reduce((s, r) => s + r.spendMicros, 0) / rows.length)
    try {
      const plan = planTest({
        baseRate,
        relativeMde: input.mde,
        confidence: input.confidence,
        power: input.power,
        variants: input.variants,
        dailyTrials,
        dailySpendMicros,
      })
      return { entity, baseRate, dailyTrials, dailySpendMicros, plan }
    } catch (err) {
      return toAppError(err)
    }
  }
}
