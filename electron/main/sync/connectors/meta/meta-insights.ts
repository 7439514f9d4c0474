import { z } from 'zod'
import { daysBetween } from '../../../../../shared/domain/dates'
import { asObject, checkedList, idInPlace, isIsoDate, isNumLike } from '../fast-shape'
import { sleep } from '../http'
import {
  amountToMicros,
  halve,
  IdSchema,
  NumLike,
  parseCount,
  parseIntCount,
  parseItems,
  rowError,
  SeenRows,
  splitWindows,
} from '../normalize'
import { ConnectorError, type RemoteAccount, type RemoteDailyRow } from '../types'
import type { MetaApi } from './meta-api'
import { DEFAULT_PURCHASE_ACTION_TYPES } from './meta-protocol'

/** Tuning of the Meta connector (all optional). */
export interface MetaConnectorOptions {
  /** Purchase action types in priority order; the first one present in a row wins. */
  purchaseActionTypes?: string[]
  /** Ranges longer than this many days use an async report run (default 7). */
  asyncAfterDays?: number
  /** Longest delay between async status polls (default 2000 ms, capped by retry.maxDelayMs); polls start at 250 ms and double. */
  pollIntervalMs?: number
  /** Polls before an async job counts as stuck (default 1800, i.e. ~1 h at 2 s). */
  maxPolls?: number
  /** Rows per insights page (default 500). */
  pageLimit?: number
}

/** Largest range fetched per report: longer ranges are cut into windows of this size. */
export const META_MAX_WINDOW_DAYS = 31

export const INSIGHT_FIELDS = [
  'date_start',
  'date_stop',
  'account_currency',
  'campaign_id',
  'adset_id',
  'ad_id',
  'spend',
  'impressions',
  'clicks',
  'reach',
  'actions',
  'action_values',
  'video_play_actions',
].join(',')

const ActionSchema = z.looseObject({ action_type: z.string(), value: z.union([z.string(), z.number()]) })
export const InsightRowSchema = z.looseObject({
  date_start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  ad_id: IdSchema,
  adset_id: IdSchema,
  campaign_id: IdSchema,
  spend: NumLike,
  impressions: NumLike,
  clicks: NumLike,
  reach: NumLike,
  actions: z.array(ActionSchema).optional(),
  action_values: z.array(ActionSchema).optional(),
  video_play_actions: z.array(ActionSchema).optional(),
})
type InsightRow = z.infer<typeof InsightRowSchema>

function isAction(v: unknown): boolean {
  const a = asObject(v)
  return (
    a !== undefined && typeof a.action_type === 'string' && (typeof a.value === 'string' || typeof a.value === 'number')
  )
}

function isActions(v: unknown): boolean {
  return v === undefined || checkedList(v, isAction) !== undefined
}

/** Fast path of InsightRowSchema (converts number ids in place). */
export function isInsightRow(v: unknown): boolean {
  const r = asObject(v)
  return (
    r !== undefined &&
    isIsoDate(r.date_start) &&
    idInPlace(r, 'ad_id') &&
    idInPlace(r, 'adset_id') &&
    idInPlace(r, 'campaign_id') &&
    isNumLike(r.spend) &&
    isNumLike(r.impressions) &&
    isNumLike(r.clicks) &&
    isNumLike(r.reach) &&
    isActions(r.actions) &&
    isActions(r.action_values) &&
    isActions(r.video_play_actions)
  )
}

const ReportRunSchema = z.looseObject({ report_run_id: IdSchema })
const ReportStatusSchema = z.looseObject({
  id: IdSchema.optional(),
  async_status: z.string(),
  async_percent_completion: z.number().optional(),
})

/** First action of the priority list present in `actions` (never a sum across types). */
export function pickAction(
  actions: z.infer<typeof ActionSchema>[] | undefined,
  priority: readonly string[],
): z.infer<typeof ActionSchema> | undefined {
  if (!actions) return undefined
  for (const type of priority) {
    const hit = actions.find((a) => a.action_type === type)
    if (hit) return hit
  }
  return undefined
}

/** One insights row (strings everywhere, arrays only when non-empty) into a normalised ad-day. */
export function insightToRow(r: InsightRow, purchaseTypes: readonly string[]): RemoteDailyRow {
  const purchases = pickAction(r.actions, purchaseTypes)
  const value = pickAction(r.action_values, purchaseTypes)
  const views = r.video_play_actions?.find((a) => a.action_type === 'video_view')
  return {
    adExternalId: r.ad_id,
    adSetExternalId: r.adset_id,
    campaignExternalId: r.campaign_id,
    date: r.date_start,
    spendMicros: r.spend === undefined || r.spend === null ? 0 : amountToMicros(r.spend),
    impressions: parseIntCount(r.impressions),
    clicks: parseIntCount(r.clicks),
    reach: parseIntCount(r.reach),
    conversions: purchases ? parseCount(purchases.value) : 0,
    conversionValueMicros: value ? amountToMicros(value.value) : 0,
    videoViews: views ? parseIntCount(views.value) : 0,
  }
}

/** Normalise validated insights rows; a value that is not a plain decimal is invalid_response. */
export function insightRows(rows: InsightRow[], purchaseTypes: readonly string[], what: string): RemoteDailyRow[] {
  return rows.map((r, i) => {
    try {
      return insightToRow(r, purchaseTypes)
    } catch (e) {
      throw rowError('meta', `${what}: row ${i}`, e)
    }
  })
}

/** Validate and normalise a page of raw insights items. */
export function insightsPage(data: unknown[], purchaseTypes: readonly string[], what: string): RemoteDailyRow[] {
  return insightRows(parseItems('meta', data, InsightRowSchema, what), purchaseTypes, what)
}

/** `act_<id>` node id of an account whatever form the id is stored in. */
export function actPath(account: RemoteAccount): string {
  return account.externalId.startsWith('act_') ? account.externalId : `act_${account.externalId}`
}

/**
 * Daily ad-level insights for [from, to]: 31-day windows, sync paging for short ranges, async
 * report runs for long ones, and halving of any range Meta calls too large.
 */
export async function* metaDaily(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
): AsyncGenerator<RemoteDailyRow[]> {
  for (const [a, b] of splitWindows(from, to, META_MAX_WINDOW_DAYS)) {
    yield* rangeRows(api, account, a, b, opts, new SeenRows('meta'))
  }
}

async function* rangeRows(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
  seen: SeenRows,
): AsyncGenerator<RemoteDailyRow[]> {
  const purchaseTypes = opts.purchaseActionTypes ?? DEFAULT_PURCHASE_ACTION_TYPES
  const useAsync = daysBetween(from, to) + 1 > (opts.asyncAfterDays ?? 7)
  try {
    const pages = useAsync ? asyncPages(api, account, from, to, opts) : syncPages(api, account, from, to, opts)
    for await (const { data, what } of pages) {
      const rows = seen.fresh(insightRows(data, purchaseTypes, what))
      if (rows.length > 0) yield rows
    }
  } catch (e) {
    const halves = e instanceof ConnectorError && e.kind === 'too_large' ? halve(from, to) : null
    if (!halves) throw e
    for (const [a, b] of halves) yield* rangeRows(api, account, a, b, opts, seen)
  }
}

function reportParams(from: string, to: string): Record<string, string> {
  return {
    level: 'ad',
    time_increment: '1',
    time_range: JSON.stringify({ since: from, until: to }),
    fields: INSIGHT_FIELDS,
  }
}

async function* syncPages(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
): AsyncGenerator<{ data: InsightRow[]; what: string }> {
  const url = api.url(`${actPath(account)}/insights`, { ...reportParams(from, to), limit: opts.pageLimit ?? 500 })
  const what = `Meta insights ${from}..${to}`
  for await (const data of api.pages(url, what, InsightRowSchema, isInsightRow)) yield { data, what }
}

async function* asyncPages(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
): AsyncGenerator<{ data: InsightRow[]; what: string }> {
  const what = `Meta async report ${from}..${to}`
  const run = await api.post(`${actPath(account)}/insights`, reportParams(from, to), ReportRunSchema, what)
  const id = run.report_run_id
  const interval = Math.min(opts.pollIntervalMs ?? 2000, api.http.policy.maxDelayMs)
  // Small jobs finish in well under a second: poll early, then back off to the interval.
  let wait = Math.min(250, interval)
  const maxPolls = opts.maxPolls ?? 1800
  for (let poll = 1; ; poll++) {
    const st = await api.get(
      api.url(id, { fields: 'async_status,async_percent_completion' }),
      ReportStatusSchema,
      `${what} status`,
    )
    if (st.async_status === 'Job Completed') break
    if (st.async_status === 'Job Failed' || st.async_status === 'Job Skipped')
      throw new ConnectorError('too_large', 'meta', `${what}: report run ${id} ended with "${st.async_status}"`, {
        code: st.async_status,
      })
    if (poll >= maxPolls)
      throw new ConnectorError(
        'transient',
        'meta',
        `${what}: report run ${id} still "${st.async_status}" after ${poll} polls`,
      )
    await sleep(wait, api.signal)
    wait = Math.min(interval, wait * 2)
  }
  for await (const data of api.pages(
    api.url(`${id}/insights`, { limit: opts.pageLimit ?? 500 }),
    what,
    InsightRowSchema,
    isInsightRow,
  ))
    yield { data, what }
}
