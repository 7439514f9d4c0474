import { z } from 'zod'
import { daysBetween } from '../../../../../shared/domain/dates'
import { sleep } from '../http'
import type { DailyBatch } from '../daily-batch'
import { halve, IdSchema, SeenRows, splitWindows } from '../normalize'
import { ConnectorError, type RemoteAccount } from '../types'
import type { MetaApi } from './meta-api'
import { DEFAULT_PURCHASE_ACTION_TYPES } from './meta-protocol'
import { INSIGHT_FIELDS } from './meta-rows'

export { ActionSchema, INSIGHT_FIELDS, insightRowSchema, insightsPage, pickAction } from './meta-rows'

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
  /** Pinned attribution windows (action_attribution_windows); absent: each ad set's setting. */
  attributionWindows?: string[]
}

/** Largest range fetched per report: longer ranges are cut into windows of this size. */
export const META_MAX_WINDOW_DAYS = 31

const ReportRunSchema = z.looseObject({ report_run_id: IdSchema })
const ReportStatusSchema = z.looseObject({
  id: IdSchema.optional(),
  async_status: z.string(),
  async_percent_completion: z.number().optional(),
})

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
): AsyncGenerator<DailyBatch> {
  for (const [a, b] of splitWindows(from, to, META_MAX_WINDOW_DAYS)) {
    yield* rangeRows(api, account, a, b, opts, new SeenRows('meta', a, b))
  }
}

async function* rangeRows(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
  seen: SeenRows,
): AsyncGenerator<DailyBatch> {
  const useAsync = daysBetween(from, to) + 1 > (opts.asyncAfterDays ?? 7)
  try {
    const pages = useAsync ? asyncPages(api, account, from, to, opts) : syncPages(api, account, from, to, opts)
    for await (const page of pages) {
      const rows = seen.fresh(page)
      if (rows.n > 0) yield rows
    }
  } catch (e) {
    const halves = e instanceof ConnectorError && e.kind === 'too_large' ? halve(from, to) : null
    if (!halves) throw e
    for (const [a, b] of halves) yield* rangeRows(api, account, a, b, opts, seen)
  }
}

function purchaseTypesOf(opts: MetaConnectorOptions): string[] {
  return opts.purchaseActionTypes ?? DEFAULT_PURCHASE_ACTION_TYPES
}

function reportParams(from: string, to: string, opts: MetaConnectorOptions): Record<string, string> {
  const windows = opts.attributionWindows
  return {
    level: 'ad',
    time_increment: '1',
    time_range: JSON.stringify({ since: from, until: to }),
    fields: INSIGHT_FIELDS,
    // Actions counted with each ad set's attribution setting, as Ads Manager counts them, unless the
    // user pinned windows (shared/domain/attribution.ts cites the parameters' documentation).
    ...(windows?.length
      ? { action_attribution_windows: JSON.stringify(windows) }
      : { use_unified_attribution_setting: 'true' }),
  }
}

async function* syncPages(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
): AsyncGenerator<DailyBatch> {
  const url = api.url(`${actPath(account)}/insights`, { ...reportParams(from, to, opts), limit: opts.pageLimit ?? 500 })
  yield* api.insightPages(url, `Meta insights ${from}..${to}`, purchaseTypesOf(opts), opts.attributionWindows)
}

async function* asyncPages(
  api: MetaApi,
  account: RemoteAccount,
  from: string,
  to: string,
  opts: MetaConnectorOptions,
): AsyncGenerator<DailyBatch> {
  const what = `Meta async report ${from}..${to}`
  const run = await api.post(`${actPath(account)}/insights`, reportParams(from, to, opts), ReportRunSchema, what)
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
  yield* api.insightPages(
    api.url(`${id}/insights`, { limit: opts.pageLimit ?? 500 }),
    what,
    purchaseTypesOf(opts),
    opts.attributionWindows,
  )
}
