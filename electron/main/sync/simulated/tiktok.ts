import { http, type HttpHandler } from 'msw'
import { daysBetween } from '../../../../shared/domain/dates'
import type { CreativeFormat, EntityStatus, Objective } from '../../../../shared/domain/entities'
import { decimalToMicros, microsToDecimalString } from '../../../../shared/domain/money'
import type { SimAccount, SimDailyRow } from '../simulator'
import { faultResponse, json, raw, serve, SimHttpError, type SimResponse } from './respond'
import type { SimulatedState } from './state'

const OBJECTIVE: Record<Objective, string> = {
  sales: 'PRODUCT_SALES',
  leads: 'LEAD_GENERATION',
  traffic: 'TRAFFIC',
  awareness: 'REACH',
  app_installs: 'APP_PROMOTION',
}
const OP_STATUS: Record<EntityStatus, string> = { active: 'ENABLE', paused: 'DISABLE', archived: 'DELETE' }
const FORMAT: Record<CreativeFormat, string> = {
  image: 'SINGLE_IMAGE',
  video: 'SINGLE_VIDEO',
  carousel: 'CAROUSEL_ADS',
  collection: 'CATALOG_COLLECTION',
}

const ok = (data: unknown): SimResponse => json(200, { code: 0, message: 'OK', request_id: 'sim', data })
const fail = (code: number, message: string): SimHttpError =>
  new SimHttpError(json(200, { code, message, request_id: 'sim', data: {} }))

function budgetFields(micros: number | null): Record<string, unknown> {
  return micros === null
    ? { budget: raw('0.0'), budget_mode: 'BUDGET_MODE_INFINITE' }
    : { budget: raw(microsToDecimalString(micros)), budget_mode: 'BUDGET_MODE_DAY' }
}

/**
 * The simulator's own assumption: a quarter of a TikTok ad's purchase value comes from in-app
 * purchases (`total_purchase_value`), the rest from web CompletePayment events
 * (`total_complete_payment_rate`); the two add up to the world's value to the cent.
 */
export const TIKTOK_APP_VALUE_SHARE = 0.25

/** The app and web parts of an ad-day's purchase value (micros, whole cents each). */
export function tiktokValueSplit(valueMicros: number): { app: number; web: number } {
  const app = Math.round((valueMicros * TIKTOK_APP_VALUE_SHARE) / 10_000) * 10_000
  return { app, web: valueMicros - app }
}

/**
 * A simulated ad-day as a TikTok report row: ids as bare JSON numbers, counts as strings. Like the
 * real API, only the requested metrics are returned (all of them when `metrics` is absent).
 */
export function tiktokReportRow(r: SimDailyRow, metrics?: ReadonlySet<string>): Record<string, unknown> {
  const value = tiktokValueSplit(r.conversionValueMicros)
  const all: Record<string, unknown> = {
    campaign_id: raw(r.campaignExternalId),
    adgroup_id: raw(r.adSetExternalId),
    spend: microsToDecimalString(r.spendMicros),
    impressions: String(r.impressions),
    clicks: `${r.clicks}.0`,
    reach: String(r.reach),
    conversion: String(r.conversions),
    total_purchase_value: microsToDecimalString(value.app),
    total_complete_payment_rate: microsToDecimalString(value.web),
    video_play_actions: raw(String(r.videoViews)),
    cost_per_secondary_goal_result: null,
  }
  const picked = metrics ? Object.fromEntries(Object.entries(all).filter(([k]) => metrics.has(k))) : all
  return { dimensions: { ad_id: raw(r.adExternalId), stat_time_day: `${r.date} 00:00:00` }, metrics: picked }
}

/** The `metrics` parameter of a report request (a JSON array as a string), or null when absent or malformed. */
function requestedMetrics(params: URLSearchParams): Set<string> | null {
  try {
    const list: unknown = JSON.parse(params.get('metrics') ?? 'null')
    return Array.isArray(list) && list.every((m) => typeof m === 'string') ? new Set(list) : null
  } catch {
    return null
  }
}

/** msw handlers for TikTok API for Business v1.3 (errors in HTTP-200 bodies). */
export function tiktokHandlers(state: SimulatedState, baseUrl: string): HttpHandler[] {
  const base = new URL(baseUrl.replace(/\/+$/, ''))
  const pattern = new RegExp(`^${base.href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`)

  const advertiser = (id: string | null): SimAccount => {
    const acc = id ? state.account('tiktok', id) : undefined
    if (!acc) throw fail(40001, `No permission to operate advertiser ${id ?? ''}.`)
    return acc
  }

  function paged(params: URLSearchParams, items: unknown[]): SimResponse {
    const page = Math.max(1, Number(params.get('page') ?? 1))
    const size = state.pageSize('tiktok', Number(params.get('page_size') ?? 10))
    const list = items.slice((page - 1) * size, page * size)
    return ok({
      list,
      page_info: {
        page,
        page_size: size,
        total_number: items.length,
        total_page: Math.max(1, Math.ceil(items.length / size)),
      },
    })
  }

  /**
   * Deleted objects are listed only with `filtering.primary_status` STATUS_ALL (or STATUS_DELETE);
   * the default is STATUS_NOT_DELETE, as on the real API.
   */
  const listed = (params: URLSearchParams, e: { status: EntityStatus }): boolean => {
    const f = params.get('filtering')
    const ps = f ? (JSON.parse(f) as Record<string, unknown>).primary_status : undefined
    if (ps === 'STATUS_ALL') return true
    if (ps === 'STATUS_DELETE') return e.status === 'archived'
    return e.status !== 'archived'
  }
  const opStatus = (s: EntityStatus): string => (s === 'archived' ? 'DISABLE' : OP_STATUS[s])
  const secondary = (kind: string, s: EntityStatus): string =>
    s === 'archived'
      ? `${kind}_STATUS_DELETE`
      : s === 'active'
        ? `${kind}_STATUS_DELIVERY_OK`
        : `${kind}_STATUS_DISABLE`

  const idFilter = (params: URLSearchParams, key: string): string[] | null => {
    const f = params.get('filtering')
    const ids = f ? (JSON.parse(f) as Record<string, unknown>)[key] : undefined
    return Array.isArray(ids) ? ids.map(String) : null
  }

  function get(path: string, params: URLSearchParams): SimResponse {
    if (path === 'oauth2/advertiser/get/') {
      if (!params.get('app_id') || !params.get('secret')) throw fail(40002, 'app_id and secret are required')
      return ok({
        list: state.accountsOf('tiktok').map((a) => ({ advertiser_id: raw(a.externalId), advertiser_name: a.name })),
      })
    }
    if (path === 'advertiser/info/') {
      const ids = JSON.parse(params.get('advertiser_ids') ?? '[]') as unknown[]
      return ok({
        list: ids
          .map((id) => advertiser(String(id)))
          .map((a) => ({
            advertiser_id: a.externalId,
            name: a.name,
            currency: a.currency,
            timezone: 'Etc/GMT+8',
            display_timezone: a.timeZone,
            status: 'STATUS_ENABLE',
          })),
      })
    }
    const acc = advertiser(params.get('advertiser_id'))
    if (path === 'campaign/get/') {
      const only = idFilter(params, 'campaign_ids')
      return paged(
        params,
        state
          .campaignsOf(acc.key)
          .filter((c) => (!only || only.includes(c.externalId)) && listed(params, c))
          .map((c) => ({
            campaign_id: raw(c.externalId),
            campaign_name: c.name,
            advertiser_id: raw(acc.externalId),
            objective_type: OBJECTIVE[c.objective],
            operation_status: opStatus(c.status),
            secondary_status: secondary('CAMPAIGN', c.status),
            ...budgetFields(c.dailyBudgetMicros),
            create_time: `${c.startDate} 00:00:00`,
          })),
      )
    }
    if (path === 'adgroup/get/') {
      const only = idFilter(params, 'adgroup_ids')
      return paged(
        params,
        state
          .adSetsOf(acc.key)
          .filter((s) => (!only || only.includes(s.externalId)) && listed(params, s))
          .map((s) => ({
            adgroup_id: raw(s.externalId),
            campaign_id: raw(s.campaignExternalId),
            adgroup_name: s.name,
            operation_status: opStatus(s.status),
            secondary_status: secondary('ADGROUP', s.status),
            ...budgetFields(s.dailyBudgetMicros),
          })),
      )
    }
    if (path === 'ad/get/') {
      const only = idFilter(params, 'ad_ids')
      return paged(
        params,
        state
          .adsOf(acc.key)
          .filter((a) => (!only || only.includes(a.externalId)) && listed(params, a))
          .map((a) => ({
            ad_id: raw(a.externalId),
            adgroup_id: raw(a.adSetExternalId),
            campaign_id: raw(a.campaignExternalId),
            ad_name: a.name,
            operation_status: opStatus(a.status),
            secondary_status: secondary('AD', a.status),
            ad_format: FORMAT[a.creative.format],
            ad_text: a.creative.headline,
            ...(a.creative.format === 'video'
              ? { video_id: a.creative.externalId, image_ids: [] }
              : { video_id: null, image_ids: [a.creative.externalId] }),
            create_time: `${a.launchDate} 09:00:00`,
          })),
      )
    }
    if (path === 'report/integrated/get/') {
      const from = params.get('start_date') ?? ''
      const to = params.get('end_date') ?? ''
      if (params.get('data_level') !== 'AUCTION_AD' || params.get('report_type') !== 'BASIC')
        throw fail(40002, 'Unsupported report request')
      const span = daysBetween(from, to) + 1
      if (!(span >= 1)) throw fail(40002, 'end_date must not be earlier than start_date')
      if (span > 30) throw fail(40002, 'The time range of stat_time_day queries cannot exceed 30 days')
      const max = state.faults.options.tiktokMaxWindowDays
      if (max !== undefined && span > max)
        throw fail(
          40067,
          'Your query is too large, please reduce the query size (e.g. fewer metrics or time range) and retry after a while.',
        )
      const metrics = requestedMetrics(params)
      if (!metrics) throw fail(40002, 'metrics: a JSON array of metric names is required')
      const key = [...metrics].sort().join(',')
      return paged(
        params,
        state.memo(`tiktok|${acc.key}|${from}|${to}|${key}`, () =>
          state.rows(acc.key, from, to).map((r) => tiktokReportRow(r, metrics)),
        ),
      )
    }
    throw fail(40002, `Unknown path ${path}`)
  }

  function post(path: string, body: Record<string, unknown>): SimResponse {
    advertiser(typeof body.advertiser_id === 'string' ? body.advertiser_id : null)
    const ignore = state.ignoreWrites.has('tiktok')
    const m = /^(campaign|adgroup|ad)\/(status\/update|update)\/$/.exec(path)
    if (!m) throw fail(40002, `Unknown path ${path}`)
    const kind = m[1] as 'campaign' | 'adgroup' | 'ad'
    const map = kind === 'campaign' ? state.campaigns : kind === 'adgroup' ? state.adSets : state.ads
    if (m[2] === 'status/update') {
      const ids = body[`${kind}_ids`]
      const next = body.operation_status === 'ENABLE' ? 'active' : body.operation_status === 'DISABLE' ? 'paused' : null
      if (!Array.isArray(ids) || !next) throw fail(40002, 'Invalid status update')
      for (const id of ids) {
        const e = map.get(String(id))
        if (!e) throw fail(40002, `Unknown ${kind} ${String(id)}`)
        if (e.status === 'archived') throw fail(40002, 'Deleted objects cannot be changed')
        state.recordWrite('tiktok', String(id))
        if (!ignore) e.status = next
      }
      return ok({ [`${kind}_ids`]: ids })
    }
    const e = map.get(String(body[`${kind}_id`]))
    if (!e || kind === 'ad') throw fail(40002, `Unknown ${kind}`)
    if (typeof body.budget !== 'number') throw fail(40002, 'budget must be a number')
    const ent = e as { dailyBudgetMicros: number | null }
    if (ent.dailyBudgetMicros === null) throw fail(40002, 'Budget mode does not allow a daily budget')
    state.recordWrite('tiktok', String(body[`${kind}_id`]))
    if (!ignore) ent.dailyBudgetMicros = decimalToMicros(body.budget)
    return ok({ [`${kind}_id`]: body[`${kind}_id`] })
  }

  return [
    http.all(pattern, ({ request }) =>
      serve(state, 'tiktok', request, request.method === 'GET' ? 'read' : 'write', async () => {
        if (!state.tokenValid('tiktok', request.headers.get('access-token'))) return faultResponse('tiktok', 'auth')
        const url = new URL(request.url)
        const path = url.pathname.slice(base.pathname.length + 1)
        return request.method === 'GET'
          ? get(path, url.searchParams)
          : post(path, (await request.json()) as Record<string, unknown>)
      }),
    ),
  ]
}
