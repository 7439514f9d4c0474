import { http, type HttpHandler } from 'msw'
import { PLATFORM_APIS } from '../../../../shared/domain/api-versions'
import type { CreativeFormat, EntityStatus, Objective } from '../../../../shared/domain/entities'
import type { SimAccount, SimDailyRow } from '../simulator'
import { bearer, faultResponse, json, serve, SimHttpError, type SimResponse } from './respond'
import type { SimulatedState } from './state'

const STATUS: Record<EntityStatus, string> = { active: 'ENABLED', paused: 'PAUSED', archived: 'REMOVED' }
const CHANNEL_BIDDING: Record<Objective, [string, string]> = {
  sales: ['SEARCH', 'MAXIMIZE_CONVERSION_VALUE'],
  leads: ['SEARCH', 'MAXIMIZE_CONVERSIONS'],
  traffic: ['SEARCH', 'TARGET_SPEND'],
  awareness: ['VIDEO', 'TARGET_CPM'],
  app_installs: ['MULTI_CHANNEL', 'TARGET_CPA'],
}
const AD_TYPE: Record<CreativeFormat, string> = {
  image: 'RESPONSIVE_DISPLAY_AD',
  video: 'VIDEO_RESPONSIVE_AD',
  carousel: 'DEMAND_GEN_CAROUSEL_AD',
  collection: 'SHOPPING_PRODUCT_AD',
}

const CURRENT = PLATFORM_APIS.google_ads.current

function googleError(
  status: number,
  code: string,
  message: string,
  errorCode?: Record<string, string>,
  version = CURRENT,
  failureMessage = message,
): SimHttpError {
  return new SimHttpError(
    json(status, {
      error: {
        code: status,
        message,
        status: code,
        ...(errorCode
          ? {
              details: [
                {
                  '@type': `type.googleapis.com/google.ads.googleads.${version}.errors.GoogleAdsFailure`,
                  errors: [{ errorCode, message: failureMessage }],
                  requestId: 'sim',
                },
              ],
            }
          : {}),
      },
    }),
  )
}

/** Major version number of a Google Ads API version ("v26" -> 26). */
const major = (version: string): number => Number(version.slice(1))

/**
 * GAQL fields a version no longer knows (connectors/google-ads/google-schemas.ts googleFields): the
 * real API rejects the whole query with queryError UNRECOGNIZED_FIELD naming the field.
 */
function unknownField(version: string, query: string): string | undefined {
  const n = major(version)
  if (n >= 22 && /\bmetrics\.video_views\b/.test(query)) return 'metrics.video_views'
  if (n < 22 && /\bmetrics\.video_trueview_views\b/.test(query)) return 'metrics.video_trueview_views'
  if (n >= 23 && /\bcampaign\.(start|end)_date\b(?!_)/.test(query))
    return /\bcampaign\.start_date\b(?!_)/.test(query) ? 'campaign.start_date' : 'campaign.end_date'
  if (n < 23 && /\bcampaign\.(start|end)_date_time\b/.test(query)) return 'campaign.start_date_time'
  return undefined
}

/** A simulated ad-day as a searchStream result: micros and counts as int64 strings, doubles for conversions. */
export function googleMetricsRow(r: SimDailyRow, cid: string, version = CURRENT): Record<string, unknown> {
  const metrics: Record<string, unknown> = {}
  // proto3 JSON drops zero values.
  if (r.spendMicros) metrics.costMicros = String(r.spendMicros)
  if (r.impressions) metrics.impressions = String(r.impressions)
  if (r.clicks) metrics.clicks = String(r.clicks)
  if (r.conversions) metrics.conversions = r.conversions
  if (r.conversionValueMicros) metrics.conversionsValue = r.conversionValueMicros / 1_000_000
  if (r.videoViews) metrics[major(version) >= 22 ? 'videoTrueviewViews' : 'videoViews'] = String(r.videoViews)
  return {
    campaign: { resourceName: `customers/${cid}/campaigns/${r.campaignExternalId}`, id: r.campaignExternalId },
    adGroup: { resourceName: `customers/${cid}/adGroups/${r.adSetExternalId}`, id: r.adSetExternalId },
    adGroupAd: {
      resourceName: `customers/${cid}/adGroupAds/${r.adSetExternalId}~${r.adExternalId}`,
      ad: { resourceName: `customers/${cid}/ads/${r.adExternalId}`, id: r.adExternalId },
    },
    segments: { date: r.date },
    metrics,
  }
}

/** msw handlers for the Google Ads REST API (listAccessibleCustomers, searchStream, mutate) and OAuth. */
export function googleAdsHandlers(state: SimulatedState, baseUrl: string, tokenUrl: string): HttpHandler[] {
  // Every API version under the base URL's root answers, with that version's field names.
  const trimmed = baseUrl.replace(/\/+$/, '')
  const versioned = /^(.*)\/(v\d+)$/.exec(trimmed)
  const root = new URL(versioned ? (versioned[1] ?? trimmed) : trimmed)
  const fixedVersion = versioned ? null : CURRENT
  const escaped = root.href.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = new RegExp(`^${escaped}/${fixedVersion ? '' : 'v\\d+/'}`)

  const customer = (cid: string): SimAccount => {
    const acc = state.account('google_ads', cid)
    if (!acc)
      throw googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission', {
        authorizationError: 'USER_PERMISSION_DENIED',
      })
    return acc
  }

  function campaignRow(cid: string, id: string, version: string): Record<string, unknown> | null {
    const c = state.campaigns.get(id)
    if (!c) return null
    const [channel, bidding] = CHANNEL_BIDDING[c.objective]
    const budgetId = state.googleBudgetOf.get(id) ?? id
    const users = state.googleBudgetUsers(budgetId)
    return {
      campaign: {
        resourceName: `customers/${cid}/campaigns/${id}`,
        id,
        name: c.name,
        status: STATUS[c.status],
        advertisingChannelType: channel,
        biddingStrategyType: bidding,
        ...(major(version) >= 23
          ? { startDateTime: `${c.startDate} 00:00:00`, endDateTime: `${c.endDate ?? '2037-12-30'} 23:59:59` }
          : { startDate: c.startDate, endDate: c.endDate ?? '2037-12-30' }),
        campaignBudget: `customers/${cid}/campaignBudgets/${budgetId}`,
      },
      campaignBudget: {
        resourceName: `customers/${cid}/campaignBudgets/${budgetId}`,
        amountMicros: String(state.googleBudgets.get(budgetId) ?? 0),
        explicitlyShared: users.length > 1,
        referenceCount: String(users.length),
      },
    }
  }

  function search(cid: string, query: string, version: string): unknown[] {
    const bad = unknownField(version, query)
    if (bad)
      throw googleError(
        400,
        'INVALID_ARGUMENT',
        'Request contains an invalid argument.',
        { queryError: 'UNRECOGNIZED_FIELD' },
        version,
        `Unrecognized field in the query: '${bad}'.`,
      )
    const from = /\bFROM\s+(\w+)/i.exec(query)?.[1]
    const idEq = (field: string): string | undefined =>
      new RegExp(`${field.replace(/\./g, '\\.')}\\s*=\\s*(\\d+)`).exec(query)?.[1]
    if (from === 'customer_client') {
      return state.accountsOf('google_ads').map((a) => ({
        customerClient: {
          clientCustomer: `customers/${a.externalId}`,
          level: '1',
          id: a.externalId,
          descriptiveName: a.name,
          currencyCode: a.currency,
          timeZone: a.timeZone,
          status: 'ENABLED',
          manager: false,
        },
      }))
    }
    const acc = customer(cid)
    switch (from) {
      case 'customer':
        return [
          {
            customer: {
              resourceName: `customers/${cid}`,
              id: cid,
              descriptiveName: acc.name,
              currencyCode: acc.currency,
              timeZone: acc.timeZone,
              status: 'ENABLED',
              manager: false,
            },
          },
        ]
      case 'campaign': {
        const only = idEq('campaign.id')
        const ids = only ? [only] : state.campaignsOf(acc.key).map((c) => c.externalId)
        return ids.map((id) => campaignRow(cid, id, version)).filter((r) => r !== null)
      }
      case 'ad_group': {
        const only = idEq('ad_group.id')
        return state
          .adSetsOf(acc.key)
          .filter((s) => !only || s.externalId === only)
          .map((s) => ({
            campaign: { resourceName: `customers/${cid}/campaigns/${s.campaignExternalId}`, id: s.campaignExternalId },
            adGroup: {
              resourceName: `customers/${cid}/adGroups/${s.externalId}`,
              id: s.externalId,
              name: s.name,
              status: STATUS[s.status],
            },
          }))
      }
      case 'ad_group_ad': {
        const range = /segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'/i.exec(query)
        if (range)
          return state.rows(acc.key, range[1] ?? '', range[2] ?? '').map((r) => googleMetricsRow(r, cid, version))
        const only = idEq('ad_group_ad.ad.id')
        return state
          .adsOf(acc.key)
          .filter((a) => !only || a.externalId === only)
          .map((a) => ({
            campaign: { id: a.campaignExternalId },
            adGroup: { id: a.adSetExternalId },
            adGroupAd: {
              resourceName: `customers/${cid}/adGroupAds/${a.adSetExternalId}~${a.externalId}`,
              status: STATUS[a.status],
              ad: {
                resourceName: `customers/${cid}/ads/${a.externalId}`,
                id: a.externalId,
                name: a.creative.headline,
                type: AD_TYPE[a.creative.format],
              },
            },
          }))
      }
      default:
        throw googleError(400, 'INVALID_ARGUMENT', `Unsupported resource in query: ${from ?? '(none)'}`, {
          queryError: 'PROHIBITED_RESOURCE_TYPE_IN_FROM_CLAUSE',
        })
    }
  }

  function mutate(cid: string, service: string, body: unknown): SimResponse {
    customer(cid)
    const op = (body as { operations?: { update?: Record<string, unknown>; updateMask?: string }[] }).operations?.[0]
    const update = op?.update
    const rn = typeof update?.resourceName === 'string' ? update.resourceName : ''
    const id = rn.split('/').pop()?.split('~').pop() ?? ''
    const ignore = state.ignoreWrites.has('google_ads')
    if (service === 'campaignBudgets') {
      if (!state.googleBudgets.has(id))
        throw googleError(400, 'INVALID_ARGUMENT', 'Resource was not found.', { mutateError: 'RESOURCE_NOT_FOUND' })
      const amount = Number(update?.amountMicros)
      if (!Number.isSafeInteger(amount) || amount <= 0)
        throw googleError(400, 'INVALID_ARGUMENT', 'Budget amount is invalid.', {
          campaignBudgetError: 'NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT',
        })
      state.recordWrite('google_ads', id)
      if (!ignore) state.googleBudgets.set(id, amount)
      return json(200, { results: [{ resourceName: rn }] })
    }
    const entity =
      service === 'campaigns'
        ? state.campaigns.get(id)
        : service === 'adGroups'
          ? state.adSets.get(id)
          : service === 'adGroupAds'
            ? state.ads.get(id)
            : undefined
    if (!entity)
      throw googleError(400, 'INVALID_ARGUMENT', 'Resource was not found.', { mutateError: 'RESOURCE_NOT_FOUND' })
    const next = update?.status === 'ENABLED' ? 'active' : update?.status === 'PAUSED' ? 'paused' : null
    if (!next) throw googleError(400, 'INVALID_ARGUMENT', 'Invalid status.', { requestError: 'INVALID_ENUM_VALUE' })
    state.recordWrite('google_ads', id)
    if (!ignore) entity.status = next
    return json(200, { results: [{ resourceName: rn }] })
  }

  async function route(request: Request): Promise<SimResponse> {
    if (!state.tokenValid('google_ads', bearer(request))) return faultResponse('google_ads', 'auth')
    if (!request.headers.get('developer-token'))
      throw googleError(401, 'UNAUTHENTICATED', 'Developer token is missing.', {
        authenticationError: 'DEVELOPER_TOKEN_PARAMETER_MISSING',
      })
    const rest = new URL(request.url).pathname.slice(root.pathname.replace(/\/+$/, '').length + 1)
    const v = fixedVersion ? null : /^(v\d+)\//.exec(rest)
    const version = fixedVersion ?? v?.[1] ?? CURRENT
    const path = v ? rest.slice(v[0].length) : rest
    if (request.method === 'GET' && path === 'customers:listAccessibleCustomers')
      return json(200, { resourceNames: state.accountsOf('google_ads').map((a) => `customers/${a.externalId}`) })
    const m = /^customers\/(\d+)\/(googleAds:searchStream|(\w+):mutate)$/.exec(path)
    if (!m || request.method !== 'POST') throw googleError(404, 'NOT_FOUND', `No route for ${request.method} ${path}`)
    const body = (await request.json()) as { query?: string }
    const cid = m[1] ?? ''
    if (m[3]) return mutate(cid, m[3], body)
    const results = search(cid, body.query ?? '', version)
    const size = state.pageSize('google_ads')
    const batches: unknown[] = []
    for (let i = 0; i < results.length || i === 0; i += size) {
      batches.push({ results: results.slice(i, i + size), fieldMask: 'sim', requestId: 'sim' })
      if (results.length === 0) break
    }
    return json(200, batches)
  }

  return [
    http.post(tokenUrl, async ({ request }) =>
      serve(state, 'google_ads', request, 'auth', async () => {
        const form = new URLSearchParams(await request.text())
        const token =
          form.get('grant_type') === 'refresh_token' && form.get('refresh_token')
            ? state.issueToken('google_ads')
            : null
        if (!token)
          return json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })
        return json(200, {
          access_token: token,
          expires_in: 3599,
          scope: 'https://www.googleapis.com/auth/adwords',
          token_type: 'Bearer',
        })
      }),
    ),
    http.all(pattern, ({ request }) => {
      const mode = /:mutate$/.test(new URL(request.url).pathname) ? 'write' : 'read'
      return serve(state, 'google_ads', request, mode, () => route(request))
    }),
  ]
}
