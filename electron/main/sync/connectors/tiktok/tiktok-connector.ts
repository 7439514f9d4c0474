import { type z } from 'zod'
import { microsToDecimalString } from '../../../../../shared/domain/money'
import { HttpClient, joinUrl, withQuery } from '../http'
import type { DailyBatch } from '../daily-batch'
import { assertApplied, halve, normaliseObjective, type requireStatus, SeenRows, splitWindows } from '../normalize'
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type EntityLevel,
  type RemoteAccount,
  type WriteResult,
} from '../types'
import type { TikTokEnvelope, TikTokPageArgs } from './tiktok-page-decoder'
import { TIKTOK_PROTOCOL } from './tiktok-protocol'
import {
  listEnvelope,
  type ListData,
  AnyEnvelope,
  AdvertiserSchema,
  AdvertiserInfoSchema,
  CampaignSchema,
  AdGroupSchema,
  AdSchema,
  ReadSchema,
  tiktokFormat,
  status,
  dailyBudget,
  ALL_STATUSES_FILTER,
} from './tiktok-schemas'

/** Tuning of the TikTok connector. */
export interface TikTokConnectorOptions {
  /** Report metric counted as conversions (default "conversion"). */
  conversionMetric?: string
  /**
   * Report metrics holding purchase value in currency units, added together (default
   * TIKTOK_VALUE_METRICS: web and app purchases).
   */
  valueMetrics?: readonly string[]
}

/**
 * Purchase value, web and app, as TikTok reports them apart (both in currency units):
 * - `total_complete_payment_rate`: the total value of the *web* (TikTok Pixel / Events API)
 *   CompletePayment events attributed to the ads: the page-event "Total complete payment value"
 *   (misleadingly named `_rate` in the API), beside its count `complete_payment` and
 *   `complete_payment_roas`. Page events glossary: https://ads.tiktok.com/help/article/page-events ;
 *   report/integrated/get: https://business-api.tiktok.com/portal/docs?id=1740302848100353
 * - `total_purchase_value`: the total value of the *in-app* purchase events (app events via an MMP or
 *   the TikTok SDK), beside `purchase`/`total_purchase`. In-app events glossary:
 *   https://ads.tiktok.com/help/article/in-app-events
 * Asking only for `total_purchase_value` (as the connector did until 2026-12) left every
 * web-pixel advertiser at 0 revenue. Each event is counted once, under its own source, so the two add
 * up to the advertiser's purchase value; conversions stay `conversion` (the ad group's optimisation
 * event, as Ads Manager's Conversions column).
 */
export const TIKTOK_VALUE_METRICS = ['total_complete_payment_rate', 'total_purchase_value'] as const

/** Daily reports accept at most 30 days per query. */
export const TIKTOK_MAX_WINDOW_DAYS = 30

/** TikTok API for Business v1.3 connector (`Access-Token` header, errors in HTTP-200 bodies). */
export function createTikTokConnector(ctx: ConnectorContext, opts: TikTokConnectorOptions = {}): Connector {
  const http = new HttpClient(ctx, TIKTOK_PROTOCOL)
  const headers = (): Record<string, string> => ({ 'access-token': ctx.credentials.accessToken ?? '' })
  const advertiser = (a: RemoteAccount): string => a.externalId

  /** GET a list endpoint; items are validated inside the request (a bad item is retried). */
  function get<T>(
    path: string,
    params: Record<string, string | number | undefined>,
    what: string,
    item: z.ZodType<T>,
  ): Promise<{ data: ListData<T> }> {
    return http.request({
      method: 'GET',
      url: withQuery(joinUrl(ctx.baseUrl, path), params),
      headers: headers(),
      schema: listEnvelope(item),
      what,
    })
  }

  /** A write (status or budget update): sent once, see RequestSpec.write. */
  function post(path: string, body: Record<string, unknown>, what: string): Promise<unknown> {
    return http.request({
      method: 'POST',
      write: true,
      url: joinUrl(ctx.baseUrl, path),
      headers: { ...headers(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      schema: AnyEnvelope,
      what,
    })
  }

  /** Every item of a paged `/xxx/get/` endpoint. */
  async function listAll<T>(
    path: string,
    params: Record<string, string | undefined>,
    item: z.ZodType<T>,
    what: string,
  ): Promise<T[]> {
    const out: T[] = []
    for (let page = 1; ; page++) {
      const body = await get(path, { ...params, page, page_size: 1000 }, `${what} (page ${page})`, item)
      out.push(...body.data.list)
      if (page >= (body.data.page_info?.total_page ?? 1)) return out
    }
  }

  const conversionMetric = opts.conversionMetric ?? 'conversion'
  const valueMetrics = [...(opts.valueMetrics ?? TIKTOK_VALUE_METRICS)]
  const METRICS = JSON.stringify([
    'campaign_id',
    'adgroup_id',
    'spend',
    'impressions',
    'clicks',
    'reach',
    conversionMetric,
    ...valueMetrics,
    'video_play_actions',
  ])

  async function* windowRows(
    account: RemoteAccount,
    from: string,
    to: string,
    seen: SeenRows,
  ): AsyncGenerator<DailyBatch> {
    try {
      for (let page = 1; ; page++) {
        const what = `TikTok report ${from}..${to} (page ${page})`
        const args: TikTokPageArgs = { conversionMetric, valueMetrics, what }
        const body = await http.requestPage<TikTokEnvelope>({
          method: 'GET',
          url: withQuery(joinUrl(ctx.baseUrl, 'report/integrated/get/'), {
            advertiser_id: advertiser(account),
            report_type: 'BASIC',
            service_type: 'AUCTION',
            data_level: 'AUCTION_AD',
            dimensions: JSON.stringify(['ad_id', 'stat_time_day']),
            metrics: METRICS,
            start_date: from,
            end_date: to,
            page,
            page_size: 1000,
          }),
          headers: headers(),
          what,
          decode: { decoder: 'tiktok-report', args },
        })
        const rows = seen.fresh(body.batch)
        if (rows.n > 0) yield rows
        if (page >= (body.envelope.totalPage ?? 1)) return
      }
    } catch (e) {
      const halves = e instanceof ConnectorError && e.kind === 'too_large' ? halve(from, to) : null
      if (!halves) throw e
      for (const [a, b] of halves) yield* windowRows(account, a, b, seen)
    }
  }

  type Kind = 'campaign' | 'adgroup' | 'ad'
  const KIND: Record<EntityLevel, Kind> = { campaign: 'campaign', ad_set: 'adgroup', ad: 'ad' }

  async function readOne(
    account: RemoteAccount,
    kind: Kind,
    id: string,
  ): Promise<{ status: ReturnType<typeof requireStatus>; budget: number | null; campaignId?: string }> {
    const rows = await listAll(
      `${kind}/get/`,
      {
        advertiser_id: advertiser(account),
        filtering: JSON.stringify({ ...ALL_STATUSES_FILTER, [`${kind}_ids`]: [id] }),
      },
      ReadSchema,
      `TikTok read ${kind} ${id}`,
    )
    const row = rows[0]
    if (!row) throw new ConnectorError('bad_request', 'tiktok', `TikTok ${kind} ${id} not found`)
    return {
      status: status(row, `TikTok ${kind} ${id}`),
      budget: dailyBudget(row),
      ...(row.campaign_id !== undefined && kind !== 'campaign' ? { campaignId: row.campaign_id } : {}),
    }
  }

  return {
    platform: 'tiktok',
    maxWindowDays: TIKTOK_MAX_WINDOW_DAYS,

    async listAccounts(ids) {
      const c = ctx.credentials
      let advertiserIds: string[]
      if (c.appId && c.secret) {
        const list = await listAll(
          'oauth2/advertiser/get/',
          { app_id: c.appId, secret: c.secret },
          AdvertiserSchema,
          'TikTok advertisers',
        )
        advertiserIds = list.map((a) => a.advertiser_id)
        if (ids) advertiserIds = advertiserIds.filter((a) => ids.includes(a))
      } else {
        // Without the app secret (long-term token pasted by the user) the ids must be given.
        const configured = (c.advertiserIds ?? '').split(',').map((s) => s.trim())
        advertiserIds = (ids ?? configured).filter(Boolean)
        if (advertiserIds.length === 0)
          throw new ConnectorError(
            'bad_request',
            'tiktok',
            'TikTok needs appId and secret to list advertisers, or the advertiser ids to read',
          )
      }
      const out: RemoteAccount[] = []
      for (let i = 0; i < advertiserIds.length; i += 100) {
        const chunk = advertiserIds.slice(i, i + 100)
        const body = await get(
          'advertiser/info/',
          {
            advertiser_ids: JSON.stringify(chunk),
            fields: JSON.stringify(['advertiser_id', 'name', 'currency', 'timezone', 'display_timezone', 'status']),
          },
          'TikTok advertiser info',
          AdvertiserInfoSchema,
        )
        for (const a of body.data.list)
          out.push({
            externalId: a.advertiser_id,
            name: a.name ?? a.advertiser_id,
            currency: a.currency,
            timeZone: a.display_timezone ?? a.timezone ?? 'UTC',
            status: a.status === undefined || a.status === 'STATUS_ENABLE' ? 'active' : 'disabled',
          })
      }
      return out
    },

    async listCampaigns(account) {
      const rows = await listAll(
        'campaign/get/',
        { advertiser_id: advertiser(account), filtering: JSON.stringify(ALL_STATUSES_FILTER) },
        CampaignSchema,
        'TikTok campaigns',
      )
      return rows.map((c) => ({
        externalId: c.campaign_id,
        name: c.campaign_name,
        objective: normaliseObjective(c.objective_type),
        status: status(c, `TikTok campaign ${c.campaign_id}`),
        dailyBudgetMicros: dailyBudget(c),
        startDate: null,
        endDate: null,
      }))
    },

    async listAdSets(account) {
      const rows = await listAll(
        'adgroup/get/',
        { advertiser_id: advertiser(account), filtering: JSON.stringify(ALL_STATUSES_FILTER) },
        AdGroupSchema,
        'TikTok ad groups',
      )
      return rows.map((g) => ({
        externalId: g.adgroup_id,
        campaignExternalId: g.campaign_id,
        name: g.adgroup_name,
        status: status(g, `TikTok ad group ${g.adgroup_id}`),
        dailyBudgetMicros: dailyBudget(g),
      }))
    },

    async listAds(account) {
      const rows = await listAll(
        'ad/get/',
        { advertiser_id: advertiser(account), filtering: JSON.stringify(ALL_STATUSES_FILTER) },
        AdSchema,
        'TikTok ads',
      )
      return rows.map((a) => ({
        externalId: a.ad_id,
        adSetExternalId: a.adgroup_id,
        campaignExternalId: a.campaign_id,
        name: a.ad_name,
        status: status(a, `TikTok ad ${a.ad_id}`),
        creative: {
          externalId: a.video_id ?? a.image_ids?.[0] ?? a.ad_id,
          format: tiktokFormat(a.ad_format),
          headline: a.ad_text ?? null,
          thumbnailUrl: null,
        },
        // create_time is "YYYY-MM-DD HH:MM:SS" in the advertiser's time zone.
        launchDate: a.create_time ? a.create_time.slice(0, 10) : null,
      }))
    },

    async *fetchDaily(account, from, to) {
      for (const [a, b] of splitWindows(from, to, TIKTOK_MAX_WINDOW_DAYS))
        yield* windowRows(account, a, b, new SeenRows('tiktok', a, b))
    },

    async readState(account, level, externalId) {
      const r = await readOne(account, KIND[level], externalId)
      return { status: r.status, dailyBudgetMicros: level === 'ad' ? null : r.budget }
    },

    async setStatus(account, level, externalId, next): Promise<WriteResult> {
      const kind = KIND[level]
      const before = await readOne(account, kind, externalId)
      await post(
        `${kind}/status/update/`,
        {
          advertiser_id: advertiser(account),
          [`${kind}_ids`]: [externalId],
          operation_status: next === 'active' ? 'ENABLE' : 'DISABLE',
        },
        `TikTok set ${kind} status`,
      )
      const after = await readOne(account, kind, externalId)
      assertApplied('tiktok', `TikTok ${kind} ${externalId} status`, next, after.status)
      return { level, externalId, before: { status: before.status }, after: { status: after.status }, warnings: [] }
    },

    async setDailyBudget(account, level, externalId, micros): Promise<WriteResult> {
      const warnings: string[] = []
      let kind: Kind = KIND[level]
      let id = externalId
      let before = await readOne(account, kind, id)
      if (before.budget === null && kind === 'adgroup' && before.campaignId) {
        const campaign = await readOne(account, 'campaign', before.campaignId)
        if (campaign.budget !== null) {
          // Campaign budget optimisation: the ad group budget is ignored, the campaign's is the one.
          warnings.push(
            `Ad group ${externalId} uses its campaign's budget (CBO); changed campaign ${before.campaignId} instead`,
          )
          kind = 'campaign'
          id = before.campaignId
          before = campaign
        }
      }
      if (before.budget === null)
        throw new ConnectorError('bad_request', 'tiktok', `TikTok ${kind} ${id} has no daily budget to change`)
      // Budgets are currency units (not micros), sent with at most two decimals.
      const amount = Math.round(micros / 10_000) * 10_000
      if (amount <= 0)
        throw new ConnectorError('bad_request', 'tiktok', `Daily budget must be positive (got ${micros} micros)`)
      await post(
        `${kind}/update/`,
        { advertiser_id: advertiser(account), [`${kind}_id`]: id, budget: Number(microsToDecimalString(amount)) },
        `TikTok set ${kind} budget`,
      )
      const after = await readOne(account, kind, id)
      assertApplied('tiktok', `TikTok ${kind} ${id} daily budget (micros)`, amount, after.budget)
      return {
        level: kind === 'campaign' ? 'campaign' : 'ad_set',
        externalId: id,
        before: { dailyBudgetMicros: before.budget },
        after: { dailyBudgetMicros: after.budget },
        warnings,
      }
    },
  }
}
