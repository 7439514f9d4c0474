import { http, type HttpHandler } from 'msw'
import { daysBetween } from '../../../../shared/domain/dates'
import type { EntityStatus, Objective } from '../../../../shared/domain/entities'
import { microsToDecimalString } from '../../../../shared/domain/money'
import { metaMinorToMicros, microsToMetaMinor } from '../connectors/meta/meta-protocol'
import { localTimestamp } from '../connectors/tz'
import type { SimAccount, SimAd, SimDailyRow } from '../simulator'
import { bearer, faultResponse, json, serve, SimHttpError, type SimResponse } from './respond'
import type { SimulatedState } from './state'

const OBJECTIVE: Record<Objective, string> = {
  sales: 'OUTCOME_SALES',
  leads: 'OUTCOME_LEADS',
  traffic: 'OUTCOME_TRAFFIC',
  awareness: 'OUTCOME_AWARENESS',
  app_installs: 'OUTCOME_APP_PROMOTION',
}
const STATUS: Record<EntityStatus, string> = { active: 'ACTIVE', paused: 'PAUSED', archived: 'ARCHIVED' }
const PURCHASE_TYPES = ['offsite_conversion.fb_pixel_purchase', 'purchase', 'omni_purchase']

function metaError(status: number, code: number, message: string, subcode?: number): SimHttpError {
  return new SimHttpError(
    json(status, {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(subcode ? { error_subcode: subcode } : {}),
        fbtrace_id: 'sim',
      },
    }),
  )
}

function budget(micros: number | null, currency: string): string | undefined {
  return micros === null ? undefined : String(microsToMetaMinor(micros, currency))
}

/**
 * Share of an ad-day's purchases (and their value) each attribution window counts, against the ad
 * set's setting (the row's `value`). The simulator's own assumption, not Meta's figures: longer click
 * windows count more, view-through windows a small extra share.
 */
export const META_WINDOW_SHARE: Record<string, number> = {
  '1d_click': 0.6,
  '7d_click': 0.85,
  '28d_click': 0.95,
  '1d_view': 0.15,
  '1d_ev': 0.05,
}

/** A windowed action: `value` (the ad set's setting) plus one value per requested window. */
function windowed(a: { action_type: string; value: string }, windows: string[], amount: (share: number) => string) {
  const out: Record<string, string> = { ...a }
  for (const w of windows) out[w] = amount(META_WINDOW_SHARE[w] ?? 0)
  return out
}

/** One simulated ad-day as a Graph insights row: strings everywhere, redundant purchase types. */
export function metaInsightRow(r: SimDailyRow, acc: SimAccount, windows: string[] = []): Record<string, unknown> {
  const bare = acc.externalId.replace(/^act_/, '')
  const row: Record<string, unknown> = {
    account_currency: acc.currency,
    account_id: bare,
    ad_id: r.adExternalId,
    adset_id: r.adSetExternalId,
    campaign_id: r.campaignExternalId,
    date_start: r.date,
    date_stop: r.date,
    impressions: String(r.impressions),
    clicks: String(r.clicks),
    reach: String(r.reach),
    spend: microsToDecimalString(r.spendMicros),
  }
  const actions = [{ action_type: 'link_click', value: String(r.clicks) }]
  const values: { action_type: string; value: string }[] = []
  if (r.conversions > 0) {
    // Meta reports the same purchases under several redundant types: summing them would triple-count.
    for (const t of PURCHASE_TYPES) actions.push({ action_type: t, value: String(r.conversions) })
    for (const t of PURCHASE_TYPES)
      values.push({ action_type: t, value: microsToDecimalString(r.conversionValueMicros) })
  }
  // action_attribution_windows: every purchase action gains one value per window (Ads Action Stats).
  const counted = windows.length
    ? actions.map((a) =>
        a.action_type === 'link_click' ? a : windowed(a, windows, (share) => String(Math.round(r.conversions * share))),
      )
    : actions
  const valued = windows.length
    ? values.map((v) =>
        windowed(v, windows, (share) => microsToDecimalString(Math.round(r.conversionValueMicros * share))),
      )
    : values
  if (r.clicks > 0) row.actions = counted
  if (valued.length > 0) row.action_values = valued
  return withViews(row, r)
}

function withViews(row: Record<string, unknown>, r: SimDailyRow): Record<string, unknown> {
  if (r.videoViews > 0) row.video_play_actions = [{ action_type: 'video_view', value: String(r.videoViews) }]
  return row
}

/** The windows of an `action_attribution_windows` parameter (JSON list or comma list); [] when absent. */
function windowsOf(raw: string | null): string[] {
  if (!raw) return []
  const list = raw.trim().startsWith('[') ? (JSON.parse(raw) as string[]) : raw.split(',')
  for (const w of list)
    if (!(w in META_WINDOW_SHARE))
      throw metaError(
        400,
        100,
        `(#100) action_attribution_windows must be a subset of ${Object.keys(META_WINDOW_SHARE).join(', ')}: ${w}`,
      )
  return list
}

function creative(ad: SimAd): Record<string, unknown> {
  const c = ad.creative
  const base = { id: c.externalId, title: c.headline, thumbnail_url: c.thumbnailUrl }
  if (c.format === 'video')
    return { ...base, object_type: 'VIDEO', object_story_spec: { video_data: { title: c.headline } } }
  if (c.format === 'carousel')
    return {
      ...base,
      object_type: 'SHARE',
      object_story_spec: { link_data: { child_attachments: [{ name: '1' }, { name: '2' }, { name: '3' }] } },
    }
  if (c.format === 'collection')
    return {
      ...base,
      object_type: 'SHARE',
      object_story_spec: { link_data: { collection_thumbnails: [{ element_id: '1' }] } },
    }
  return { ...base, object_type: 'PHOTO' }
}

/** A page of `items` with Graph cursor paging (`paging.next` absent on the last page). */
function page(request: Request, items: unknown[], size: number): SimResponse {
  const url = new URL(request.url)
  const offset =
    Number(url.searchParams.get('after') ? Buffer.from(url.searchParams.get('after') ?? '', 'base64').toString() : 0) ||
    0
  const data = items.slice(offset, offset + size)
  const cursors = {
    before: Buffer.from(String(offset)).toString('base64'),
    after: Buffer.from(String(offset + data.length)).toString('base64'),
  }
  const paging: Record<string, unknown> = { cursors }
  if (offset + data.length < items.length) {
    url.searchParams.set('after', cursors.after)
    paging.next = url.toString()
  }
  return json(200, { data, paging })
}

/** msw handlers for the Graph API (`/me/adaccounts`, `act_*` edges, nodes, async report runs). */
export function metaHandlers(state: SimulatedState, baseUrl: string): HttpHandler[] {
  const base = baseUrl.replace(/\/+$/, '')
  // Every Graph API version under the base URL's root answers (a user may pick another version).
  const versioned = /^(.*)\/v\d+\.\d+$/.exec(base)
  const root = versioned ? (versioned[1] ?? base) : base
  const pattern = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${versioned ? 'v\\d+\\.\\d+/' : ''}`)
  const sizeOf = (req: Request): number =>
    state.pageSize('meta', Number(new URL(req.url).searchParams.get('limit')) || undefined)

  const accountOf = (node: string): SimAccount => {
    const acc = state.account('meta', node)
    if (!acc) throw metaError(400, 100, `Unsupported get request. Object with ID '${node}' does not exist`, 33)
    return acc
  }

  // Like the Graph API, insights rows hold the requested `fields` (date_start and date_stop always,
  // with time_increment); without `fields` the API's default set.
  const insightRows = (
    acc: SimAccount,
    from: string,
    to: string,
    fields: string | null,
    windows: string[] = [],
  ): unknown[] =>
    state.memo(`meta|${acc.key}|${from}|${to}|${fields ?? ''}|${windows.join(',')}`, () => {
      const rows = state.rows(acc.key, from, to).map((r) => metaInsightRow(r, acc, windows))
      if (!fields) return rows
      const keep = new Set(['date_start', 'date_stop', ...fields.split(',').map((f) => f.trim())])
      return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => keep.has(k))))
    })

  function parseRange(params: URLSearchParams): { from: string; to: string } {
    const tr = params.get('time_range')
    const parsed = tr ? (JSON.parse(tr) as { since?: string; until?: string }) : {}
    if (!parsed.since || !parsed.until) throw metaError(400, 100, 'time_range must have since and until')
    return { from: parsed.since, to: parsed.until }
  }

  function get(request: Request, parts: string[]): SimResponse {
    const params = new URL(request.url).searchParams
    const [node = '', edge] = parts
    if (node === 'me' && edge === 'adaccounts')
      return page(
        request,
        state.accountsOf('meta').map((a) => ({
          id: a.externalId,
          account_id: a.externalId.replace(/^act_/, ''),
          name: a.name,
          currency: a.currency,
          timezone_name: a.timeZone,
          account_status: 1,
        })),
        sizeOf(request),
      )
    if (node.startsWith('act_')) {
      const acc = accountOf(node)
      const tz = acc.timeZone
      // Graph lists archived and deleted objects only when effective_status asks for them.
      const wanted = new URL(request.url).searchParams.get('effective_status')
      const archivedToo = wanted !== null && /"(ARCHIVED|DELETED)"/.test(wanted)
      const listed = (e: { status: EntityStatus }): boolean => archivedToo || e.status !== 'archived'
      if (edge === 'campaigns')
        return page(
          request,
          state
            .campaignsOf(acc.key)
            .filter(listed)
            .map((c) => ({
              id: c.externalId,
              name: c.name,
              objective: OBJECTIVE[c.objective],
              status: STATUS[c.status],
              daily_budget: budget(c.dailyBudgetMicros, acc.currency),
              start_time: localTimestamp(c.startDate, '00:00:00', tz, true),
              ...(c.endDate ? { stop_time: localTimestamp(c.endDate, '23:59:59', tz, true) } : {}),
            })),
          sizeOf(request),
        )
      if (edge === 'adsets')
        return page(
          request,
          state
            .adSetsOf(acc.key)
            .filter(listed)
            .map((s) => ({
              id: s.externalId,
              campaign_id: s.campaignExternalId,
              name: s.name,
              status: STATUS[s.status],
              daily_budget: budget(s.dailyBudgetMicros, acc.currency),
            })),
          sizeOf(request),
        )
      if (edge === 'ads')
        return page(
          request,
          state
            .adsOf(acc.key)
            .filter(listed)
            .map((a) => ({
              id: a.externalId,
              name: a.name,
              adset_id: a.adSetExternalId,
              campaign_id: a.campaignExternalId,
              status: STATUS[a.status],
              created_time: localTimestamp(a.launchDate, '09:00:00', tz, true),
              creative: creative(a),
            })),
          sizeOf(request),
        )
      if (edge === 'insights') {
        const { from, to } = parseRange(params)
        const max = state.faults.options.metaMaxSyncDays
        if (max !== undefined && daysBetween(from, to) + 1 > max)
          throw metaError(
            500,
            1,
            "Please reduce the amount of data you're asking for, then retry your request",
            1487534,
          )
        const windows = windowsOf(params.get('action_attribution_windows'))
        return page(request, insightRows(acc, from, to, params.get('fields'), windows), sizeOf(request))
      }
      throw metaError(400, 100, `Unknown edge ${edge}`)
    }
    const run = state.reportRuns.get(node)
    if (run) {
      if (edge === 'insights')
        return page(
          request,
          insightRows(state.accountByKey(run.accountKey), run.from, run.to, run.fields, run.windows),
          sizeOf(request),
        )
      run.polls++
      const needed = state.faults.options.metaAsyncPolls ?? 2
      const status =
        run.fail && run.polls >= needed
          ? 'Job Failed'
          : run.polls >= needed
            ? 'Job Completed'
            : run.polls === 1
              ? 'Job Not Started'
              : 'Job Running'
      return json(200, {
        id: run.id,
        account_id: run.accountKey,
        async_status: status,
        async_percent_completion: status === 'Job Completed' ? 100 : Math.floor((run.polls / needed) * 100),
        date_start: run.from,
        date_stop: run.to,
      })
    }
    return json(200, readNode(node))
  }

  function readNode(id: string): Record<string, unknown> {
    const c = state.campaigns.get(id)
    if (c)
      return {
        id,
        status: STATUS[c.status],
        daily_budget: budget(c.dailyBudgetMicros, state.accountByKey(c.accountKey).currency),
      }
    const s = state.adSets.get(id)
    if (s)
      return {
        id,
        status: STATUS[s.status],
        campaign_id: s.campaignExternalId,
        daily_budget: budget(s.dailyBudgetMicros, state.accountByKey(s.accountKey).currency),
      }
    const a = state.ads.get(id)
    if (a) return { id, status: STATUS[a.status], campaign_id: a.campaignExternalId }
    throw metaError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist`, 33)
  }

  async function post(request: Request, parts: string[]): Promise<SimResponse> {
    const form = new URLSearchParams(await request.text())
    const [node = '', edge] = parts
    if (node.startsWith('act_') && edge === 'insights') {
      const acc = accountOf(node)
      const { from, to } = parseRange(form)
      const id = `${9_000_000_000_000_000n + BigInt(state.reportRuns.size + 1)}`
      const max = state.faults.options.metaAsyncMaxDays
      state.reportRuns.set(id, {
        id,
        accountKey: acc.key,
        from,
        to,
        polls: 0,
        fail: max !== undefined && daysBetween(from, to) + 1 > max,
        fields: form.get('fields'),
        windows: windowsOf(form.get('action_attribution_windows')),
      })
      return json(200, { report_run_id: id })
    }
    const ignore = state.ignoreWrites.has('meta')
    const status = form.get('status')
    const dailyBudget = form.get('daily_budget')
    const entity = state.campaigns.get(node) ?? state.adSets.get(node) ?? state.ads.get(node)
    if (!entity) throw metaError(400, 100, `Object with ID '${node}' does not exist`, 33)
    state.recordWrite('meta', node)
    if (status !== null) {
      const next = status === 'ACTIVE' ? 'active' : status === 'PAUSED' ? 'paused' : null
      if (!next) throw metaError(400, 100, `Invalid parameter: status ${status}`)
      if (!ignore) entity.status = next
    }
    if (dailyBudget !== null) {
      if (!('dailyBudgetMicros' in entity) || entity.dailyBudgetMicros === null)
        throw metaError(400, 100, 'Invalid parameter: this object has no daily budget', 1885621)
      const currency = state.accountByKey(entity.accountKey).currency
      if (!ignore) entity.dailyBudgetMicros = metaMinorToMicros(dailyBudget, currency)
    }
    return json(200, { success: true })
  }

  const route = async (request: Request, mode: 'read' | 'write'): Promise<Response> => {
    return serve(state, 'meta', request, mode, async () => {
      if (!state.tokenValid('meta', bearer(request) ?? new URL(request.url).searchParams.get('access_token')))
        return faultResponse('meta', 'auth')
      const parts = new URL(request.url).pathname
        .slice(new URL(root).pathname.replace(/\/+$/, '').length + 1)
        .split('/')
        .filter(Boolean)
      if (versioned) parts.shift()
      return request.method === 'GET' ? get(request, parts) : post(request, parts)
    })
  }

  return [
    http.get(pattern, ({ request }) => route(request, 'read')),
    http.post(pattern, async ({ request }) => {
      const parts = new URL(request.url).pathname.split('/')
      // Creating an async report run is a read; everything else POSTed is a write-back.
      return route(request, parts[parts.length - 1] === 'insights' ? 'read' : 'write')
    }),
  ]
}
