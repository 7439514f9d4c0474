import type { CallContext } from '../../../shared/domain/caller'
import { daysBetween } from '../../../shared/domain/dates'
import type { ParsedReportSpec, ReportSection } from '../../../shared/domain/reports'
import { TEMPLATE_SECTIONS, templateRange } from '../../../shared/domain/reports'
import type { ChannelInput, ChannelOutput } from '../../../shared/ipc/contract'
import type { InvokeChannel } from '../../../shared/ipc/channels'
import { AppError } from '../../../shared/ipc/result'
import type { Dispatch } from '../ipc/router'
import type { CreativesReader } from './report-creatives'

/**
 * Everything a report shows, fetched through the same IPC channels the app's pages call, as the
 * caller who asked for the report: the PDF's figures are the dashboard's figures by construction.
 */
export interface ReportData {
  workspace: { id: number; name: string; reportingCurrency: string }
  sections: ReportSection[]
  summary: ChannelOutput<'dashboard:getSummary'>
  trend: ChannelOutput<'dashboard:getTrend'> | null
  platforms: ChannelOutput<'analytics:getBreakdown'> | null
  /** Spend per platform and ISO week (ranges of two weeks or more). */
  platformWeeks: ChannelOutput<'analytics:getBreakdown'> | null
  top: ChannelOutput<'analytics:getTop'> | null
  bottom: ChannelOutput<'analytics:getTop'> | null
  campaigns: ChannelOutput<'analytics:getBreakdown'> | null
  anomalies: ChannelOutput<'analytics:listAnomalies'> | null
  creatives: ChannelOutput<'analytics:listCreatives'> | null
  pacing: ChannelOutput<'analytics:getPacing'> | null
  forecasts: { name: string; forecast: ChannelOutput<'ml:listEntityForecasts'>[number] }[] | null
  /** Open advice (highest priority first) and how applied advice turned out. */
  recommendations: ChannelOutput<'recommendations:list'> | null
  /** Least spend (reporting currency) of a campaign in the top and bottom lists. */
  rankMinSpend: number
  /** Account-local date of the newest synced day in the workspace (data freshness). */
  lastDataDate: string | null
}

export type Call = <C extends InvokeChannel>(channel: C, input: ChannelInput<C>) => Promise<ChannelOutput<C>>

/** A typed call through the dispatcher that throws the channel's own error. */
export function callThrough(dispatch: Dispatch, ctx: CallContext): Call {
  return async (channel, input) => {
    const env = await dispatch(channel, input, ctx)
    if (!env.ok) throw new AppError(env.error.code, env.error.message, env.error.details)
    return env.value as never
  }
}

const TOP_N = 10
/** Top and bottom lists rank among at least this many of the biggest spenders. */
const RANK_POOL = 30
/** Ads whose fatigue the creatives chart shows (the table lists the first 12). */
const CREATIVES_N = 60
/** Open recommendations a report lists (the Recommendations page has them all). */
const RECOMMENDATIONS_N = 8

/**
 * The figures of a report. `creatives` reads the creatives section's ads (the page's list cut to the
 * ads a report shows, without summing every ad of the range); the rest comes through the channels.
 */
export async function gatherReportData(
  spec: ParsedReportSpec,
  call: Call,
  creativesOf: CreativesReader,
): Promise<ReportData> {
  const sections = [...(spec.sections ?? TEMPLATE_SECTIONS[spec.template])]
  const has = (s: ReportSection): boolean => sections.includes(s)
  const ws = (await call('workspaces:list', {})).find((w) => w.id === spec.workspaceId)
  if (!ws) throw new AppError('NOT_FOUND', `No workspace ${spec.workspaceId}`)
  const scope = {
    workspaceId: spec.workspaceId,
    range: spec.range,
    ...(spec.accountIds ? { accountIds: spec.accountIds } : {}),
  }
  const compare = spec.comparison === 'previous'
  const summary = await call('dashboard:getSummary', { ...scope, compare })
  const accounts = await call('accounts:list', { workspaceId: spec.workspaceId })
  const inScope = accounts.filter((a) => !spec.accountIds || spec.accountIds.includes(a.id))
  const lastDataDate = inScope.reduce<string | null>(
    (m, a) => (a.lastDate && (!m || a.lastDate > m) ? a.lastDate : m),
    null,
  )

  const empty = summary.totals.spendMicros === 0 && summary.totals.impressions === 0
  const ranks = (has('top_campaigns') || has('bottom_campaigns')) && !empty
  const bySpend =
    ranks || has('forecast')
      ? await call('analytics:getTop', { ...scope, level: 'campaign', metric: 'spend', order: 'top', limit: 200 })
      : null
  // Ratios of tiny campaigns are noise: rank only campaigns that spent at least 1% of the period's
  // spend or, in workspaces with many small campaigns (10,000 campaigns rarely reach 1% each), at
  // least as much as the RANK_POOL-th biggest spender.
  const poolFloor = bySpend?.rows[RANK_POOL - 1]?.kpis.spend ?? Number.POSITIVE_INFINITY
  const minSpend = Math.max(0.01, Math.min(summary.kpis.spend * 0.01, poolFloor))

  const trend = has('trend') ? await call('dashboard:getTrend', scope) : null
  const platforms = has('platforms')
    ? await call('analytics:getBreakdown', { ...scope, level: 'platform', grain: 'total', compare })
    : null
  const platformWeeks =
    has('platforms') && rangeDays(spec.range) >= 14
      ? await call('analytics:getBreakdown', { ...scope, level: 'platform', grain: 'week' })
      : null
  const top =
    has('top_campaigns') && !empty
      ? await call('analytics:getTop', {
          ...scope,
          level: 'campaign',
          metric: 'roas',
          order: 'top',
          limit: TOP_N,
          minSpend,
        })
      : null
  const bottom =
    has('bottom_campaigns') && !empty
      ? await call('analytics:getTop', {
          ...scope,
          level: 'campaign',
          metric: 'roas',
          order: 'bottom',
          limit: TOP_N,
          minSpend,
        })
      : null
  const campaigns = has('campaign_table')
    ? await call('analytics:getBreakdown', { ...scope, level: 'campaign', grain: 'total', compare })
    : null
  const anomalies = has('anomalies')
    ? await call('analytics:listAnomalies', { workspaceId: spec.workspaceId, range: spec.range })
    : null
  // The workspace was found in the caller's list above: the caller may read it.
  const creatives = has('creatives') ? creativesOf(spec.workspaceId, spec.range, CREATIVES_N, spec.accountIds) : null
  const pacing = has('pacing') ? await call('analytics:getPacing', { workspaceId: spec.workspaceId }) : null

  let recommendations: ReportData['recommendations'] = null
  if (has('recommendations')) {
    // A report on some accounts shows the advice about those accounts.
    recommendations = await call('recommendations:list', {
      workspaceId: spec.workspaceId,
      states: ['new'],
      limit: RECOMMENDATIONS_N,
      ...(spec.accountIds?.length ? { accountIds: spec.accountIds } : {}),
    })
  }

  let forecasts: ReportData['forecasts'] = null
  if (has('forecast')) {
    const list = await call('ml:listEntityForecasts', { workspaceId: spec.workspaceId, entityType: 'campaign' })
    const fc = new Map(list.map((f) => [f.entityId, f]))
    forecasts = (bySpend?.rows ?? [])
      .map((r) => ({ name: r.name, forecast: fc.get(Number(r.id)) }))
      .filter((x): x is { name: string; forecast: NonNullable<typeof x.forecast> } => x.forecast !== undefined)
      .slice(0, TOP_N)
  }

  return {
    workspace: { id: ws.id, name: ws.name, reportingCurrency: ws.reportingCurrency },
    sections,
    summary,
    trend,
    platforms,
    platformWeeks,
    top,
    bottom,
    campaigns,
    anomalies,
    creatives,
    pacing,
    forecasts,
    recommendations,
    rankMinSpend: minSpend,
    lastDataDate,
  }
}

/** The default range of a template: the last full ISO week or calendar month before `today`. */
export function defaultRange(template: ParsedReportSpec['template'], today: string): { from: string; to: string } {
  return templateRange(template, today)
}

export function rangeDays(r: { from: string; to: string }): number {
  return daysBetween(r.from, r.to) + 1
}
