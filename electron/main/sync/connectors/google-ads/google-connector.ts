import { z } from 'zod'
import { PLATFORM_APIS } from '../../../../../shared/domain/api-versions'
import { currencyMinorDigits, parseMicros } from '../../../../../shared/domain/money'
import { HttpClient, joinUrl } from '../http'
import { assertApplied, parseIntCount, requireStatus, splitWindows } from '../normalize'
import { OAuthTokens } from '../oauth'
import { ConnectorError, type Connector, type ConnectorContext, type RemoteAccount, type WriteResult } from '../types'
import { GOOGLE_PROTOCOL } from './google-protocol'
import {
  streamSchema,
  AccessibleSchema,
  MutateSchema,
  CustomerRow,
  ClientRow,
  type BudgetSchema,
  CampaignRow,
  AdGroupRow,
  AdRow,
  dailyQuery,
  googleFields,
  googleObjective,
  googleFormat,
} from './google-schemas'
import type { GooglePageArgs } from './google-page-decoder'

const customerId = (account: RemoteAccount): string => account.externalId.replace(/-/g, '')

/**
 * Daily rows one searchStream request should answer (one row per ad and day; the ads the account
 * listed are the estimate): the answer is a single JSON document, read whole and parsed whole on a
 * decode thread, so its size is kept down by asking for fewer days at a time. At 10,000 campaigns one
 * 31-day answer of an account was 308,660 rows and the process grew by ~900 MB while it was read and
 * parsed; with this split the sync's Google phase peaked at 1,142 MB instead of 1,822 (issue 18,
 * docs/performance.md). Not a bound: an account listing more than this many ads still asks one day
 * at a time, and ads no longer listed are not counted. The cost is requests: an account with 25,000
 * ads or more asks 365 times for a year's backfill instead of 12.
 */
export const DAILY_ROWS_PER_REQUEST = 25_000

/** Days per daily-metrics request for an account with `ads` ads listed (all 31 when unknown). */
export function dailyRequestDays(ads: number | undefined, rowsPerRequest = DAILY_ROWS_PER_REQUEST): number {
  if (!ads) return 31
  return Math.max(1, Math.min(31, Math.floor(rowsPerRequest / ads)))
}

function requireNumericId(id: string): string {
  if (!/^\d+$/.test(id))
    throw new ConnectorError('bad_request', 'google_ads', `Not a Google Ads id: ${JSON.stringify(id)}`)
  return id
}

/**
 * The API version the connector speaks: the context's, else the one a base URL ending in `/vNN` names
 * (ME_GOOGLE_ADS_BASE_URL pointing at an older version), else the current one.
 */
export function googleApiVersion(ctx: Pick<ConnectorContext, 'apiVersion' | 'baseUrl'>): string {
  return ctx.apiVersion ?? /\/(v\d+)\/?$/.exec(ctx.baseUrl)?.[1] ?? PLATFORM_APIS.google_ads.current
}

/** Google Ads API connector (REST + GAQL searchStream; OAuth refresh against ctx.tokenUrl). */
export function createGoogleAdsConnector(
  ctx: ConnectorContext,
  opts: { dailyRowsPerRequest?: number } = {},
): Connector {
  const http = new HttpClient(ctx, GOOGLE_PROTOCOL)
  /** Ads each customer listed (listAds): its daily requests ask for fewer days when it has many. */
  const adsListed = new Map<string, number>()
  const fields = googleFields(googleApiVersion(ctx))
  const tokens = new OAuthTokens(ctx, 'google_ads')

  const headers = (token: string): Record<string, string> => {
    const h: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'developer-token': ctx.credentials.developerToken ?? '',
      'content-type': 'application/json',
    }
    const login = ctx.credentials.loginCustomerId?.replace(/-/g, '')
    if (login) h['login-customer-id'] = login
    return h
  }

  /** Every result row of a GAQL query, streamed as batches. */
  async function stream<T>(cid: string, query: string, what: string, row: z.ZodType<T>): Promise<T[][]> {
    const body = await tokens.withToken((token) =>
      http.request({
        method: 'POST',
        url: joinUrl(ctx.baseUrl, `customers/${cid}/googleAds:searchStream`),
        headers: headers(token),
        body: JSON.stringify({ query }),
        schema: streamSchema(row),
        what,
      }),
    )
    return body.map((b) => b.results ?? [])
  }

  async function query<T>(cid: string, gaql: string, row: z.ZodType<T>, what: string): Promise<T[]> {
    return (await stream(cid, gaql, what, row)).flat()
  }

  async function mutate(
    cid: string,
    service: string,
    update: Record<string, unknown>,
    mask: string,
    what: string,
  ): Promise<void> {
    await tokens.withToken((token) =>
      http.request({
        method: 'POST',
        write: true,
        url: joinUrl(ctx.baseUrl, `customers/${cid}/${service}:mutate`),
        headers: headers(token),
        body: JSON.stringify({ operations: [{ update, updateMask: mask }] }),
        schema: MutateSchema,
        what,
      }),
    )
  }

  const LEVELS = {
    campaign: {
      resource: 'campaign',
      service: 'campaigns',
      idField: 'campaign.id',
      read: (r: Record<string, unknown>) => r.campaign,
    },
    ad_set: {
      resource: 'ad_group',
      service: 'adGroups',
      idField: 'ad_group.id',
      read: (r: Record<string, unknown>) => r.adGroup,
    },
    ad: {
      resource: 'ad_group_ad',
      service: 'adGroupAds',
      idField: 'ad_group_ad.ad.id',
      read: (r: Record<string, unknown>) => r.adGroupAd,
    },
  } as const
  const StatusRow = z.looseObject({ resourceName: z.string(), status: z.string() })

  async function readStatus(cid: string, level: keyof typeof LEVELS, id: string): Promise<z.infer<typeof StatusRow>> {
    const L = LEVELS[level]
    const rows = await query(
      cid,
      `SELECT ${L.resource}.resource_name, ${L.resource}.status FROM ${L.resource} WHERE ${L.idField} = ${requireNumericId(id)}`,
      z.looseObject({}),
      `Google read ${level} ${id}`,
    )
    const obj = rows[0] ? L.read(rows[0]) : undefined
    const p = StatusRow.safeParse(obj)
    if (!p.success)
      throw new ConnectorError('bad_request', 'google_ads', `Google Ads ${level} ${id} not found in customer ${cid}`)
    return p.data
  }

  async function readBudget(cid: string, id: string): Promise<z.infer<typeof BudgetSchema>> {
    const rows = await query(
      cid,
      `SELECT campaign.id, campaign.status, campaign_budget.resource_name, campaign_budget.amount_micros, campaign_budget.explicitly_shared, campaign_budget.reference_count FROM campaign WHERE campaign.id = ${requireNumericId(id)}`,
      CampaignRow,
      `Google read budget of campaign ${id}`,
    )
    const b = rows[0]?.campaignBudget
    if (!b) throw new ConnectorError('bad_request', 'google_ads', `Google Ads campaign ${id} has no campaign budget`)
    return b
  }

  const toAccount = (c: z.infer<typeof CustomerRow>['customer']): RemoteAccount => ({
    externalId: c.id,
    name: c.descriptiveName ?? c.id,
    currency: c.currencyCode,
    timeZone: c.timeZone,
    status: c.status === undefined || c.status === 'ENABLED' ? 'active' : 'disabled',
  })

  return {
    platform: 'google_ads',
    maxWindowDays: 31,

    async listAccounts(ids) {
      const fields = 'id, descriptive_name, currency_code, time_zone, status, manager'
      let out: RemoteAccount[]
      const login = ctx.credentials.loginCustomerId?.replace(/-/g, '')
      if (login) {
        // Through a manager: expand its client tree (level <= 1) and keep the non-manager clients.
        const rows = await query(
          login,
          `SELECT ${fields
            .split(', ')
            .map((f) => `customer_client.${f}`)
            .join(', ')} FROM customer_client WHERE customer_client.level <= 1`,
          ClientRow,
          'Google customer clients',
        )
        out = rows.filter((r) => !r.customerClient.manager).map((r) => toAccount(r.customerClient))
      } else {
        const acc = await tokens.withToken((token) =>
          http.request({
            method: 'GET',
            url: joinUrl(ctx.baseUrl, 'customers:listAccessibleCustomers'),
            headers: headers(token),
            schema: AccessibleSchema,
            what: 'Google accessible customers',
          }),
        )
        out = []
        for (const rn of acc.resourceNames ?? []) {
          const cid = rn.replace(/^customers\//, '')
          if (ids && !ids.includes(cid)) continue
          const rows = await query(
            cid,
            `SELECT ${fields
              .split(', ')
              .map((f) => `customer.${f}`)
              .join(', ')} FROM customer`,
            CustomerRow,
            `Google customer ${cid}`,
          )
          for (const r of rows) if (!r.customer.manager) out.push(toAccount(r.customer))
        }
      }
      return ids ? out.filter((a) => ids.includes(a.externalId)) : out
    },

    async listCampaigns(account) {
      const rows = await query(
        customerId(account),
        `SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, campaign.bidding_strategy_type, ${fields.campaignStart}, ${fields.campaignEnd}, campaign_budget.amount_micros, campaign_budget.explicitly_shared, campaign_budget.reference_count FROM campaign`,
        CampaignRow,
        'Google campaigns',
      )
      return rows.map((r) => {
        // v23+ date times ("2026-01-05 00:00:00") -> the date; 2037-12-30 is Google's "no end date".
        const start = (r.campaign.startDateTime ?? r.campaign.startDate)?.slice(0, 10) ?? null
        const end = (r.campaign.endDateTime ?? r.campaign.endDate)?.slice(0, 10) ?? null
        return {
          externalId: r.campaign.id,
          name: r.campaign.name ?? r.campaign.id,
          objective: googleObjective(r.campaign.advertisingChannelType, r.campaign.biddingStrategyType),
          status: requireStatus('google_ads', r.campaign.status, `Google campaign ${r.campaign.id}`),
          dailyBudgetMicros: r.campaignBudget?.amountMicros != null ? parseMicros(r.campaignBudget.amountMicros) : null,
          startDate: start,
          endDate: end && end < '2037-12-30' ? end : null,
        }
      })
    },

    async listAdSets(account) {
      const rows = await query(
        customerId(account),
        'SELECT campaign.id, ad_group.id, ad_group.name, ad_group.status FROM ad_group',
        AdGroupRow,
        'Google ad groups',
      )
      return rows.map((r) => ({
        externalId: r.adGroup.id,
        campaignExternalId: r.campaign.id,
        name: r.adGroup.name ?? r.adGroup.id,
        status: requireStatus('google_ads', r.adGroup.status, `Google ad group ${r.adGroup.id}`),
        dailyBudgetMicros: null,
      }))
    },

    async listAds(account) {
      const rows = await query(
        customerId(account),
        'SELECT campaign.id, ad_group.id, ad_group_ad.status, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.type FROM ad_group_ad',
        AdRow,
        'Google ads',
      )
      adsListed.set(customerId(account), rows.length)
      return rows.map((r) => ({
        externalId: r.adGroupAd.ad.id,
        adSetExternalId: r.adGroup.id,
        campaignExternalId: r.campaign.id,
        name: r.adGroupAd.ad.name ?? r.adGroupAd.ad.id,
        status: requireStatus('google_ads', r.adGroupAd.status, `Google ad ${r.adGroupAd.ad.id}`),
        // On Google Ads the ad is its own creative.
        creative: {
          externalId: r.adGroupAd.ad.id,
          format: googleFormat(r.adGroupAd.ad.type),
          headline: r.adGroupAd.ad.name ?? null,
          thumbnailUrl: null,
        },
        launchDate: null,
      }))
    },

    async *fetchDaily(account, from, to) {
      const cid = customerId(account)
      for (const [a, b] of splitWindows(from, to, dailyRequestDays(adsListed.get(cid), opts.dailyRowsPerRequest))) {
        const what = `Google daily metrics ${a}..${b}`
        const args: GooglePageArgs = { what }
        const page = await tokens.withToken((token) =>
          http.requestPage({
            method: 'POST',
            url: joinUrl(ctx.baseUrl, `customers/${cid}/googleAds:searchStream`),
            headers: headers(token),
            body: JSON.stringify({ query: dailyQuery(a, b, fields) }),
            what,
            decode: { decoder: 'google-stream', args },
          }),
        )
        if (page.batch.n > 0) yield page.batch
      }
    },

    async readState(account, level, externalId) {
      const cid = customerId(account)
      if (level === 'campaign') {
        // Budgets live on campaign budgets (possibly shared): read the campaign with its budget.
        const rows = await query(
          cid,
          `SELECT campaign.id, campaign.status, campaign_budget.amount_micros FROM campaign WHERE campaign.id = ${requireNumericId(externalId)}`,
          CampaignRow,
          `Google read campaign ${externalId}`,
        )
        const row = rows[0]
        if (!row)
          throw new ConnectorError(
            'bad_request',
            'google_ads',
            `Google Ads campaign ${externalId} not found in customer ${cid}`,
          )
        const amount = row.campaignBudget?.amountMicros
        return {
          status: requireStatus('google_ads', row.campaign.status, `Google campaign ${externalId}`),
          dailyBudgetMicros: amount != null ? parseMicros(amount) : null,
        }
      }
      const s = await readStatus(cid, level, externalId)
      return { status: requireStatus('google_ads', s.status, `Google ${level} ${externalId}`), dailyBudgetMicros: null }
    },

    async setStatus(account, level, externalId, status): Promise<WriteResult> {
      const cid = customerId(account)
      const before = await readStatus(cid, level, externalId)
      const target = status === 'active' ? 'ENABLED' : 'PAUSED'
      await mutate(
        cid,
        LEVELS[level].service,
        { resourceName: before.resourceName, status: target },
        'status',
        `Google set ${level} status`,
      )
      const after = await readStatus(cid, level, externalId)
      const afterStatus = requireStatus('google_ads', after.status, `Google ${level} ${externalId}`)
      assertApplied('google_ads', `Google ${level} ${externalId} status`, status, afterStatus)
      return {
        level,
        externalId,
        before: { status: requireStatus('google_ads', before.status, `Google ${level}`) },
        after: { status: afterStatus },
        warnings: [],
      }
    },

    async setDailyBudget(account, level, externalId, micros): Promise<WriteResult> {
      if (level !== 'campaign')
        throw new ConnectorError(
          'bad_request',
          'google_ads',
          'Google Ads budgets live on campaigns (campaign budgets), not ad groups',
        )
      const cid = customerId(account)
      const before = await readBudget(cid, externalId)
      // Amounts must be whole minor units of the account currency (10,000 micros for USD).
      const step = 10 ** (6 - currencyMinorDigits(account.currency))
      const amount = Math.round(micros / step) * step
      if (amount <= 0)
        throw new ConnectorError('bad_request', 'google_ads', `Daily budget must be positive (got ${micros} micros)`)
      const warnings: string[] = []
      const refs = before.referenceCount != null ? parseIntCount(before.referenceCount) : 1
      if (before.explicitlyShared || refs > 1)
        warnings.push(`Budget is shared by ${refs} campaigns: the new amount applies to all of them`)
      await mutate(
        cid,
        'campaignBudgets',
        { resourceName: before.resourceName, amountMicros: String(amount) },
        'amount_micros',
        'Google set campaign budget',
      )
      const after = await readBudget(cid, externalId)
      const afterMicros = after.amountMicros != null ? parseMicros(after.amountMicros) : null
      assertApplied('google_ads', `Google campaign ${externalId} budget (micros)`, amount, afterMicros)
      return {
        level,
        externalId,
        before: { dailyBudgetMicros: before.amountMicros != null ? parseMicros(before.amountMicros) : null },
        after: { dailyBudgetMicros: afterMicros },
        warnings,
      }
    },
  }
}
