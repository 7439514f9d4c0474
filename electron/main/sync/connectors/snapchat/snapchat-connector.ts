import { z } from 'zod'
import type { CreativeFormat } from '../../../../../shared/domain/entities'
import { addDays } from '../../../../../shared/domain/dates'
import { HttpClient, joinUrl, withQuery } from '../http'
import type { SnapchatEnvelope, SnapchatPageArgs } from './snapchat-page-decoder'
import { pairsText } from './snapchat-stats'
import { assertApplied, normaliseObjective, parseIntCount, requireStatus, SeenRows, splitWindows } from '../normalize'
import { OAuthTokens } from '../oauth'
import { localDateOfInstant, localMidnightIso } from '../tz'
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type EntityLevel,
  type RemoteAccount,
  type RemoteAd,
  type WriteResult,
} from '../types'
import { collectionSchema, SNAPCHAT_PROTOCOL } from './snapchat-protocol'
import { Ad, Campaign, Creative, Squad, wrapped, type AdObj, type SquadObj } from './snapchat-schemas'

/** Snap's DAY stats are fetched in windows of at most this many days. */
export const SNAPCHAT_MAX_WINDOW_DAYS = 31

const Org = wrapped('organization', z.looseObject({ id: z.string() }))
const AdAccount = wrapped(
  'adaccount',
  z.looseObject({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    timezone: z.string(),
    status: z.string().optional(),
  }),
)

/** Creative type to format: COLLECTION, story (COMPOSITE) = carousel, else by top snap media. */
export function snapchatFormat(
  c: { type?: string | undefined; top_snap_media_type?: string | undefined } | undefined,
): CreativeFormat {
  if (c?.type === 'COLLECTION') return 'collection'
  if (c?.type === 'COMPOSITE') return 'carousel'
  return c?.top_snap_media_type === 'VIDEO' ? 'video' : 'image'
}

const micro = (v: string | number | null | undefined): number | null =>
  v === undefined || v === null || v === '' || Number(v) === 0 ? null : parseIntCount(v)

/** Snap Marketing API connector (Bearer from the OAuth refresh flow, `paging.next_link`). */
export function createSnapchatConnector(ctx: ConnectorContext): Connector {
  const http = new HttpClient(ctx, SNAPCHAT_PROTOCOL)
  const tokens = new OAuthTokens(ctx, 'snapchat')
  const api = (path: string): string => joinUrl(ctx.baseUrl, path)
  const pinned = ctx.attribution?.snapchat

  function request<T>(
    method: 'GET' | 'PUT',
    url: string,
    schema: z.ZodType<T>,
    what: string,
    body?: unknown,
    fast?: (json: unknown) => T | undefined,
  ): Promise<T> {
    return tokens.withToken((token) =>
      http.request({
        method,
        // A PUT replaces the entity: a write, sent once (see RequestSpec.write).
        ...(method === 'PUT' ? { write: true } : {}),
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        schema,
        ...(fast ? { fast } : {}),
        what,
      }),
    )
  }

  async function list<T>(url: string, plural: string, item: z.ZodType<T>, what: string): Promise<T[]> {
    const out: T[] = []
    let next: string | undefined = withQuery(url, { limit: 1000 })
    for (let page = 1; next !== undefined; page++) {
      const body: { items: T[]; next?: string } = await request(
        'GET',
        next,
        collectionSchema(plural, item),
        `${what} (page ${page})`,
      )
      out.push(...body.items)
      next = body.next
    }
    return out
  }

  /**
   * Entity lists of an account, deleted ones included (`read_deleted_entities=true`: Snap omits
   * deleted campaigns, ad squads and ads otherwise, and their stats would name ads we never saw).
   * Listed once per connector, i.e. once per sync: the structure sync and every date window of
   * the stats share one listing instead of re-listing every ad and squad per window against
   * Snap's rate limit. A failed listing is not kept.
   */
  const listings = new Map<string, Promise<unknown[]>>()
  function listOnce<T>(account: RemoteAccount, edge: string, plural: string, item: z.ZodType<T>, what: string) {
    const key = `${account.externalId}/${edge}`
    let p = listings.get(key) as Promise<T[]> | undefined
    if (!p) {
      p = list(
        withQuery(api(`adaccounts/${account.externalId}/${edge}`), { read_deleted_entities: 'true' }),
        plural,
        item,
        what,
      )
      listings.set(key, p)
      p.catch(() => listings.delete(key))
    }
    return p
  }
  const listAdsRaw = (account: RemoteAccount): Promise<z.infer<typeof AdObj>[]> =>
    listOnce(account, 'ads', 'ads', Ad, 'Snapchat ads')
  const listSquadsRaw = (account: RemoteAccount): Promise<z.infer<typeof SquadObj>[]> =>
    listOnce(account, 'adsquads', 'adsquads', Squad, 'Snapchat ad squads')

  const PATHS: Record<EntityLevel, { get: string; plural: string; schema: z.ZodType<Record<string, unknown>> }> = {
    campaign: { get: 'campaigns', plural: 'campaigns', schema: Campaign as z.ZodType<Record<string, unknown>> },
    ad_set: { get: 'adsquads', plural: 'adsquads', schema: Squad as z.ZodType<Record<string, unknown>> },
    ad: { get: 'ads', plural: 'ads', schema: Ad as z.ZodType<Record<string, unknown>> },
  }

  async function readEntity(level: EntityLevel, id: string): Promise<Record<string, unknown>> {
    const P = PATHS[level]
    const got = await list(api(`${P.get}/${id}`), P.plural, P.schema, `Snapchat read ${level} ${id}`)
    const e = got[0]
    if (!e) throw new ConnectorError('bad_request', 'snapchat', `Snapchat ${level} ${id} not found`)
    return e
  }

  /** PUT replaces the whole entity, so the full object read before is sent back with the change. */
  async function writeEntity(
    account: RemoteAccount,
    level: EntityLevel,
    entity: Record<string, unknown>,
  ): Promise<void> {
    const url =
      level === 'campaign'
        ? api(`adaccounts/${account.externalId}/campaigns`)
        : level === 'ad_set'
          ? api(`campaigns/${String(entity.campaign_id)}/adsquads`)
          : api(`adsquads/${String(entity.ad_squad_id)}/ads`)
    const plural = PATHS[level].plural
    const res = await request('PUT', url, collectionSchema(plural), `Snapchat update ${level} ${String(entity.id)}`, {
      [plural]: [entity],
    })
    const sub = res.items[0] as { sub_request_status?: string; sub_request_error_reason?: string } | undefined
    if (sub?.sub_request_status && sub.sub_request_status !== 'SUCCESS')
      throw new ConnectorError(
        'bad_request',
        'snapchat',
        `Snapchat refused the update of ${level} ${String(entity.id)}: ${sub.sub_request_error_reason ?? sub.sub_request_status}`,
      )
  }

  return {
    platform: 'snapchat',
    maxWindowDays: SNAPCHAT_MAX_WINDOW_DAYS,

    async listAccounts(ids) {
      const orgs = await list(api('me/organizations'), 'organizations', Org, 'Snapchat organizations')
      const out: RemoteAccount[] = []
      for (const org of orgs)
        for (const a of await list(
          api(`organizations/${org.id}/adaccounts`),
          'adaccounts',
          AdAccount,
          'Snapchat ad accounts',
        ))
          if (!ids || ids.includes(a.id))
            out.push({
              externalId: a.id,
              name: a.name,
              currency: a.currency,
              timeZone: a.timezone,
              status: a.status === undefined || a.status === 'ACTIVE' ? 'active' : 'disabled',
            })
      return out
    },

    async listCampaigns(account) {
      // Listed once per sync already (only the structure sync needs campaigns).
      const rows = await list(
        withQuery(api(`adaccounts/${account.externalId}/campaigns`), { read_deleted_entities: 'true' }),
        'campaigns',
        Campaign,
        'Snapchat campaigns',
      )
      return rows.map((c) => ({
        externalId: c.id,
        name: c.name,
        objective: normaliseObjective(c.objective),
        status: requireStatus('snapchat', c.status, `Snapchat campaign ${c.id}`),
        dailyBudgetMicros: micro(c.daily_budget_micro),
        startDate: c.start_time ? localDateOfInstant(c.start_time, account.timeZone) : null,
        endDate: c.end_time ? localDateOfInstant(c.end_time, account.timeZone) : null,
      }))
    },

    async listAdSets(account) {
      return (await listSquadsRaw(account)).map((s) => ({
        externalId: s.id,
        campaignExternalId: s.campaign_id,
        name: s.name,
        status: requireStatus('snapchat', s.status, `Snapchat ad squad ${s.id}`),
        dailyBudgetMicros: micro(s.daily_budget_micro),
      }))
    },

    async listAds(account) {
      const [ads, squads, creatives] = await Promise.all([
        listAdsRaw(account),
        listSquadsRaw(account),
        list(api(`adaccounts/${account.externalId}/creatives`), 'creatives', Creative, 'Snapchat creatives'),
      ])
      const campaignOf = new Map(squads.map((s) => [s.id, s.campaign_id]))
      const creativeById = new Map(creatives.map((c) => [c.id, c]))
      return ads.map((a): RemoteAd => {
        const cr = a.creative_id ? creativeById.get(a.creative_id) : undefined
        return {
          externalId: a.id,
          adSetExternalId: a.ad_squad_id,
          campaignExternalId: campaignOf.get(a.ad_squad_id) ?? '',
          name: a.name,
          status: requireStatus('snapchat', a.status, `Snapchat ad ${a.id}`),
          creative: {
            externalId: a.creative_id ?? a.id,
            format: snapchatFormat(cr),
            headline: cr?.headline ?? null,
            thumbnailUrl: null,
          },
          launchDate: a.created_at ? localDateOfInstant(a.created_at, account.timeZone) : null,
        }
      })
    },

    async *fetchDaily(account, from, to) {
      // Stats rows carry only the ad id: the decoder maps ads to their squad and campaign.
      const [ads, squads] = await Promise.all([listAdsRaw(account), listSquadsRaw(account)])
      const fields = 'impressions,swipes,spend,uniques,video_views,conversion_purchases,conversion_purchases_value'
      const map = {
        timeZone: account.timeZone,
        adSquads: pairsText(ads.map((x) => [x.id, x.ad_squad_id])),
        squadCampaigns: pairsText(squads.map((x) => [x.id, x.campaign_id])),
      }
      for (const [a, b] of splitWindows(from, to, SNAPCHAT_MAX_WINDOW_DAYS)) {
        const seen = new SeenRows('snapchat', a, b)
        // Bounds must sit on the account's local midnights (end exclusive), with the zone's offset.
        let next: string | undefined = withQuery(api(`adaccounts/${account.externalId}/stats`), {
          granularity: 'DAY',
          breakdown: 'ad',
          fields,
          start_time: localMidnightIso(a, account.timeZone),
          end_time: localMidnightIso(addDays(b, 1), account.timeZone),
          // Absent: the ad account's own attribution setting; pinned in Connections → advanced.
          swipe_up_attribution_window: pinned?.swipe,
          view_attribution_window: pinned?.view,
        })
        for (let page = 1; next !== undefined; page++) {
          const what = `Snapchat stats ${a}..${b} (page ${page})`
          const url: string = next
          const args: SnapchatPageArgs = { ...map, what }
          const decoded = await tokens.withToken((token) =>
            http.requestPage<SnapchatEnvelope>({
              method: 'GET',
              url,
              headers: { authorization: `Bearer ${token}` },
              what,
              decode: { decoder: 'snapchat-stats', args },
            }),
          )
          const fresh = seen.fresh(decoded.batch)
          if (fresh.n > 0) yield fresh
          next = decoded.envelope.next
        }
      }
    },

    async readState(_account, level, externalId) {
      const e = await readEntity(level, externalId)
      return {
        status: requireStatus('snapchat', String(e.status), `Snapchat ${level} ${externalId}`),
        dailyBudgetMicros: level === 'ad' ? null : micro(e.daily_budget_micro as string | number | null | undefined),
      }
    },

    async setStatus(account, level, externalId, status): Promise<WriteResult> {
      const before = await readEntity(level, externalId)
      await writeEntity(account, level, { ...before, status: status === 'active' ? 'ACTIVE' : 'PAUSED' })
      const after = await readEntity(level, externalId)
      const afterStatus = requireStatus('snapchat', String(after.status), `Snapchat ${level} ${externalId}`)
      assertApplied('snapchat', `Snapchat ${level} ${externalId} status`, status, afterStatus)
      return {
        level,
        externalId,
        before: { status: requireStatus('snapchat', String(before.status), `Snapchat ${level}`) },
        after: { status: afterStatus },
        warnings: [],
      }
    },

    async setDailyBudget(account, level, externalId, micros): Promise<WriteResult> {
      const before = await readEntity(level, externalId)
      const prev = micro(before.daily_budget_micro as string | number | null | undefined)
      if (prev === null)
        throw new ConnectorError(
          'bad_request',
          'snapchat',
          `Snapchat ${level} ${externalId} has no daily budget to change`,
        )
      // Snap budgets are micro-currency but must be whole cents.
      const amount = Math.round(micros / 10_000) * 10_000
      if (amount <= 0)
        throw new ConnectorError('bad_request', 'snapchat', `Daily budget must be positive (got ${micros} micros)`)
      await writeEntity(account, level, { ...before, daily_budget_micro: amount })
      const after = await readEntity(level, externalId)
      const afterMicros = micro(after.daily_budget_micro as string | number | null | undefined)
      assertApplied('snapchat', `Snapchat ${level} ${externalId} daily budget (micros)`, amount, afterMicros)
      return {
        level,
        externalId,
        before: { dailyBudgetMicros: prev },
        after: { dailyBudgetMicros: afterMicros },
        warnings: [],
      }
    },
  }
}
