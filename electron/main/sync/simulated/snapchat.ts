import { http, type HttpHandler } from 'msw'
import { addDays, daysBetween, dateRange } from '../../../../shared/domain/dates'
import type { EntityStatus, Objective } from '../../../../shared/domain/entities'
import { localDateOfInstant, localMidnightIso, localMidnightUtcMs } from '../connectors/tz'
import type { SimAccount, SimAd, SimAdSet, SimCampaign, SimDailyRow } from '../simulator'
import { bearer, faultResponse, json, serve, SimHttpError, type SimResponse } from './respond'
import type { SimulatedState } from './state'

const OBJECTIVE: Record<Objective, string> = {
  sales: 'WEB_CONVERSION',
  leads: 'LEAD_GENERATION',
  traffic: 'DRIVE_TRAFFIC',
  awareness: 'AWARENESS',
  app_installs: 'APP_INSTALLS',
}
const STATUS: Record<EntityStatus, string> = { active: 'ACTIVE', paused: 'PAUSED', archived: 'DELETED' }
const ORG_ID = '7d1f4e0a-5c1b-4c3e-9a57-0f5b2c1d9e01'

const fail = (status: number, msg: string): SimHttpError =>
  new SimHttpError(json(status, { request_status: 'ERROR', request_id: 'sim', msg }))
const collection = (
  plural: string,
  singular: string,
  items: unknown[],
  extra: Record<string, unknown> = {},
): SimResponse =>
  json(200, {
    request_status: 'SUCCESS',
    request_id: 'sim',
    ...extra,
    [plural]: items.map((i) => ({ sub_request_status: 'SUCCESS', [singular]: i })),
  })

const isoUtc = (date: string, tz: string, hours = 0): string =>
  new Date(localMidnightUtcMs(date, tz) + hours * 3_600_000).toISOString()

function snapCampaign(c: SimCampaign, acc: SimAccount): Record<string, unknown> {
  return {
    id: c.externalId,
    ad_account_id: acc.externalId,
    name: c.name,
    status: STATUS[c.status],
    objective: OBJECTIVE[c.objective],
    buy_model: 'AUCTION',
    start_time: isoUtc(c.startDate, acc.timeZone),
    ...(c.endDate ? { end_time: isoUtc(addDays(c.endDate, 1), acc.timeZone) } : {}),
    ...(c.dailyBudgetMicros !== null ? { daily_budget_micro: c.dailyBudgetMicros } : {}),
  }
}
const snapSquad = (s: SimAdSet): Record<string, unknown> => ({
  id: s.externalId,
  campaign_id: s.campaignExternalId,
  name: s.name,
  status: STATUS[s.status],
  type: 'SNAP_ADS',
  optimization_goal: 'SWIPES',
  ...(s.dailyBudgetMicros !== null ? { daily_budget_micro: s.dailyBudgetMicros } : {}),
})
const snapAd = (a: SimAd, acc: SimAccount): Record<string, unknown> => ({
  id: a.externalId,
  ad_squad_id: a.adSetExternalId,
  name: a.name,
  status: STATUS[a.status],
  creative_id: a.creative.externalId,
  type: 'SNAP_AD',
  review_status: 'APPROVED',
  created_at: isoUtc(a.launchDate, acc.timeZone, 9),
})

/** msw handlers for the Snap Marketing API (organizations, ad accounts, entities, DAY stats by ad) and OAuth. */
export function snapchatHandlers(state: SimulatedState, baseUrl: string, tokenUrl: string): HttpHandler[] {
  const base = new URL(baseUrl.replace(/\/+$/, ''))
  const pattern = new RegExp(`^${base.href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`)

  const account = (id: string): SimAccount => {
    const a = state.account('snapchat', id)
    if (!a) throw fail(403, `No access to ad account ${id}`)
    return a
  }

  /** A page of items with `paging.next_link` (cursor = offset). */
  function paged(request: Request, plural: string, singular: string, items: unknown[]): SimResponse {
    const url = new URL(request.url)
    const offset = Number(url.searchParams.get('cursor') ?? 0) || 0
    const size = state.pageSize('snapchat', Number(url.searchParams.get('limit')) || undefined)
    const pageItems = items.slice(offset, offset + size)
    let paging: Record<string, unknown> | undefined
    if (offset + size < items.length) {
      url.searchParams.set('cursor', String(offset + size))
      paging = { next_link: url.toString() }
    }
    return collection(plural, singular, pageItems, paging ? { paging } : {})
  }

  /**
   * Share of the account setting's conversions (28-day swipe, 1-day view) a pinned window reports.
   * The simulated world's own assumption, not Snap's figures: 80% of conversions follow a swipe, 20% a
   * view, and shorter windows catch fewer of them. Values outside Snap's documented lists are refused.
   */
  function attributionShare(swipe: string | null, view: string | null): number {
    const SWIPE: Record<string, number> = { '1_DAY': 0.55, '7_DAY': 0.85, '28_DAY': 1 }
    const VIEW: Record<string, number> = {
      NONE: 0,
      '1_HOUR': 0.35,
      '3_HOUR': 0.55,
      '6_HOUR': 0.7,
      '1_DAY': 1,
      '7_DAY': 1.3,
    }
    if (swipe !== null && SWIPE[swipe] === undefined)
      throw fail(400, `Invalid swipe_up_attribution_window ${swipe}: expected one of ${Object.keys(SWIPE).join(', ')}`)
    if (view !== null && VIEW[view] === undefined)
      throw fail(400, `Invalid view_attribution_window ${view}: expected one of ${Object.keys(VIEW).join(', ')}`)
    return 0.8 * (SWIPE[swipe ?? '28_DAY'] as number) + 0.2 * (VIEW[view ?? '1_DAY'] as number)
  }

  /** Whole conversions reported in a window catching `share` of them (deterministic per ad-day). */
  function thinned(conversions: number, share: number, key: string): number {
    const x = conversions * share
    let h = 2166136261
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
    return Math.floor(x) + ((h >>> 0) / 2 ** 32 < x - Math.floor(x) ? 1 : 0)
  }

  function stats(request: Request, acc: SimAccount): SimResponse {
    const p = new URL(request.url).searchParams
    if (p.get('granularity') !== 'DAY' || p.get('breakdown') !== 'ad')
      throw fail(400, 'Only granularity=DAY with breakdown=ad is simulated')
    const start = p.get('start_time') ?? ''
    const end = p.get('end_time') ?? ''
    const from = localDateOfInstant(start, acc.timeZone)
    const endDate = localDateOfInstant(end, acc.timeZone)
    for (const [iso, date] of [
      [start, from],
      [end, endDate],
    ] as const)
      if (Date.parse(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) !== localMidnightUtcMs(date, acc.timeZone))
        throw fail(400, `${iso} is not aligned to a day boundary in the ad account's time zone (${acc.timeZone})`)
    const to = addDays(endDate, -1)
    if (daysBetween(from, to) < 0 || daysBetween(from, to) + 1 > 32)
      throw fail(400, 'The DAY time range must be 1 to 32 days')
    const share = attributionShare(p.get('swipe_up_attribution_window'), p.get('view_attribution_window'))
    const ads = state.memo(`snap|${acc.key}|${from}|${to}|${share}`, () => {
      const byAd = new Map<string, Map<string, SimDailyRow>>()
      for (const r of state.rows(acc.key, from, to)) {
        let m = byAd.get(r.adExternalId)
        if (!m) byAd.set(r.adExternalId, (m = new Map()))
        m.set(r.date, r)
      }
      const dates = dateRange(from, to)
      // Day bounds are the same for every ad: format them once.
      const bounds = dates.map(
        (d) => [localMidnightIso(d, acc.timeZone), localMidnightIso(addDays(d, 1), acc.timeZone)] as const,
      )
      const ads = [...byAd.entries()].map(([id, days]) => ({
        id,
        type: 'AD',
        granularity: 'DAY',
        start_time: localMidnightIso(from, acc.timeZone),
        end_time: localMidnightIso(addDays(to, 1), acc.timeZone),
        timeseries: dates.map((d, i) => {
          const r = days.get(d)
          const conversions = r ? (share === 1 ? r.conversions : thinned(r.conversions, share, `${id}|${d}`)) : 0
          const value = r && r.conversions > 0 ? Math.round((r.conversionValueMicros * conversions) / r.conversions) : 0
          return {
            start_time: bounds[i]?.[0],
            end_time: bounds[i]?.[1],
            stats: {
              impressions: r?.impressions ?? 0,
              swipes: r?.clicks ?? 0,
              spend: r?.spendMicros ?? 0,
              uniques: r?.reach ?? 0,
              video_views: r?.videoViews ?? 0,
              conversion_purchases: conversions,
              conversion_purchases_value: value,
            },
          }
        }),
      }))
      return ads
    })
    const url = new URL(request.url)
    const offset = Number(url.searchParams.get('cursor') ?? 0) || 0
    const size = state.pageSize('snapchat', Number(url.searchParams.get('limit')) || undefined)
    const body: Record<string, unknown> = {
      request_status: 'SUCCESS',
      request_id: 'sim',
      timeseries_stats: [
        {
          sub_request_status: 'SUCCESS',
          timeseries_stat: {
            id: acc.externalId,
            type: 'AD_ACCOUNT',
            granularity: 'DAY',
            start_time: start,
            end_time: end,
            breakdown_stats: { ad: ads.slice(offset, offset + size) },
          },
        },
      ],
    }
    if (offset + size < ads.length) {
      url.searchParams.set('cursor', String(offset + size))
      body.paging = { next_link: url.toString() }
    }
    return json(200, body)
  }

  function get(request: Request, parts: string[]): SimResponse {
    const [a = '', id = '', edge] = parts
    if (a === 'me' && id === 'organizations')
      return paged(request, 'organizations', 'organization', [{ id: ORG_ID, name: 'Simulated org' }])
    if (a === 'organizations' && edge === 'adaccounts') {
      if (id !== ORG_ID) throw fail(403, `No access to organization ${id}`)
      return paged(
        request,
        'adaccounts',
        'adaccount',
        state.accountsOf('snapchat').map((x) => ({
          id: x.externalId,
          name: x.name,
          currency: x.currency,
          timezone: x.timeZone,
          status: 'ACTIVE',
          organization_id: ORG_ID,
        })),
      )
    }
    if (a === 'adaccounts' && edge) {
      const acc = account(id)
      // Deleted entities are listed only with read_deleted_entities=true, as on the real API.
      const deletedToo = new URL(request.url).searchParams.get('read_deleted_entities') === 'true'
      const listed = (e: { status: EntityStatus }): boolean => deletedToo || e.status !== 'archived'
      if (edge === 'campaigns')
        return paged(
          request,
          'campaigns',
          'campaign',
          state
            .campaignsOf(acc.key)
            .filter(listed)
            .map((c) => snapCampaign(c, acc)),
        )
      if (edge === 'adsquads')
        return paged(request, 'adsquads', 'adsquad', state.adSetsOf(acc.key).filter(listed).map(snapSquad))
      if (edge === 'ads')
        return paged(
          request,
          'ads',
          'ad',
          state
            .adsOf(acc.key)
            .filter(listed)
            .map((x) => snapAd(x, acc)),
        )
      if (edge === 'creatives') {
        const seen = new Map<string, unknown>()
        for (const ad of state.adsOf(acc.key)) {
          const c = ad.creative
          const type = c.format === 'collection' ? 'COLLECTION' : c.format === 'carousel' ? 'COMPOSITE' : 'SNAP_AD'
          seen.set(c.externalId, {
            id: c.externalId,
            name: c.headline,
            headline: c.headline,
            type,
            top_snap_media_type: c.format === 'video' ? 'VIDEO' : 'IMAGE',
          })
        }
        return paged(request, 'creatives', 'creative', [...seen.values()])
      }
      if (edge === 'stats') return stats(request, acc)
    }
    if (a === 'campaigns' && !edge) {
      const c = state.campaigns.get(id)
      if (!c) throw fail(404, `Campaign ${id} not found`)
      return collection('campaigns', 'campaign', [snapCampaign(c, state.accountByKey(c.accountKey))])
    }
    if (a === 'adsquads' && !edge) {
      const s = state.adSets.get(id)
      if (!s) throw fail(404, `Ad squad ${id} not found`)
      return collection('adsquads', 'adsquad', [snapSquad(s)])
    }
    if (a === 'ads' && !edge) {
      const ad = state.ads.get(id)
      if (!ad) throw fail(404, `Ad ${id} not found`)
      return collection('ads', 'ad', [snapAd(ad, state.accountByKey(ad.accountKey))])
    }
    throw fail(404, `No route GET /${parts.join('/')}`)
  }

  async function put(request: Request, parts: string[]): Promise<SimResponse> {
    const [, , edge = ''] = parts
    const body = (await request.json()) as Record<string, unknown>
    const items = body[edge]
    if (!Array.isArray(items) || items.length === 0) throw fail(400, `Body must hold a "${edge}" array`)
    const map =
      edge === 'campaigns' ? state.campaigns : edge === 'adsquads' ? state.adSets : edge === 'ads' ? state.ads : null
    if (!map) throw fail(404, `No route PUT /${parts.join('/')}`)
    const ignore = state.ignoreWrites.has('snapchat')
    const out: unknown[] = []
    for (const raw of items as Record<string, unknown>[]) {
      const e = map.get(String(raw.id))
      if (!e) throw fail(400, `Unknown id ${String(raw.id)}`)
      // PUT replaces the entity: a missing name means the client did not send the full object.
      if (typeof raw.name !== 'string') throw fail(400, 'name is required (PUT replaces the whole entity)')
      const next = raw.status === 'ACTIVE' ? 'active' : raw.status === 'PAUSED' ? 'paused' : null
      if (!next) throw fail(400, `Invalid status ${String(raw.status)}`)
      state.recordWrite('snapchat', String(raw.id))
      if (!ignore) {
        e.status = next
        if ('dailyBudgetMicros' in e && typeof raw.daily_budget_micro === 'number')
          e.dailyBudgetMicros = raw.daily_budget_micro
      }
      out.push(raw)
    }
    const singular = edge === 'campaigns' ? 'campaign' : edge === 'adsquads' ? 'adsquad' : 'ad'
    return collection(edge, singular, out)
  }

  return [
    http.post(tokenUrl, async ({ request }) =>
      serve(state, 'snapchat', request, 'auth', async () => {
        const form = new URLSearchParams(await request.text())
        const token =
          form.get('grant_type') === 'refresh_token' && form.get('refresh_token') && form.get('client_id')
            ? state.issueToken('snapchat')
            : null
        if (!token) return json(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' })
        return json(200, {
          access_token: token,
          token_type: 'Bearer',
          expires_in: 1800,
          refresh_token: form.get('refresh_token'),
          scope: 'snapchat-marketing-api',
        })
      }),
    ),
    http.all(pattern, ({ request }) =>
      serve(state, 'snapchat', request, request.method === 'GET' ? 'read' : 'write', async () => {
        if (!state.tokenValid('snapchat', bearer(request))) return faultResponse('snapchat', 'auth')
        const parts = new URL(request.url).pathname
          .slice(base.pathname.length + 1)
          .split('/')
          .filter(Boolean)
        return request.method === 'GET' ? get(request, parts) : put(request, parts)
      }),
    ),
  ]
}
