import { metaWindows } from '../../../../../shared/domain/attribution'
import { z } from 'zod'
import type { CreativeFormat } from '../../../../../shared/domain/entities'
import { assertApplied, IdSchema, normaliseObjective, NumLike, requireStatus } from '../normalize'
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type EntityLevel,
  type RemoteAccount,
  type RemoteAd,
  type RemoteAdSet,
  type RemoteCampaign,
  type WriteResult,
} from '../types'
import { MetaApi } from './meta-api'
import { actPath, META_MAX_WINDOW_DAYS, metaDaily, type MetaConnectorOptions } from './meta-insights'
import { metaMinorToMicros, microsToMetaMinor } from './meta-protocol'

export type { MetaConnectorOptions } from './meta-insights'

/** Statuses requested explicitly: Graph hides archived/deleted objects otherwise. */
const ALL_STATUSES = JSON.stringify([
  'ACTIVE',
  'PAUSED',
  'ARCHIVED',
  'DELETED',
  'CAMPAIGN_PAUSED',
  'ADSET_PAUSED',
  'IN_PROCESS',
  'WITH_ISSUES',
  'DISAPPROVED',
  'PENDING_REVIEW',
  'PREAPPROVED',
  'PENDING_BILLING_INFO',
])

const AccountSchema = z.looseObject({
  id: z.string(),
  account_id: IdSchema.optional(),
  name: z.string(),
  currency: z.string(),
  timezone_name: z.string(),
  account_status: z.number().optional(),
})
const CampaignSchema = z.looseObject({
  id: IdSchema,
  name: z.string(),
  objective: z.string().optional(),
  status: z.string().optional(),
  effective_status: z.string().optional(),
  daily_budget: NumLike,
  start_time: z.string().optional(),
  stop_time: z.string().optional(),
})
const AdSetSchema = z.looseObject({
  id: IdSchema,
  campaign_id: IdSchema,
  name: z.string(),
  status: z.string().optional(),
  effective_status: z.string().optional(),
  daily_budget: NumLike,
})
const CreativeSchema = z.looseObject({
  id: IdSchema,
  object_type: z.string().optional(),
  title: z.string().optional(),
  thumbnail_url: z.string().optional(),
  object_story_spec: z
    .looseObject({
      link_data: z
        .looseObject({
          child_attachments: z.array(z.unknown()).optional(),
          collection_thumbnails: z.array(z.unknown()).optional(),
        })
        .optional(),
      video_data: z.unknown().optional(),
      template_data: z.unknown().optional(),
    })
    .optional(),
})
const AdSchema = z.looseObject({
  id: IdSchema,
  name: z.string(),
  adset_id: IdSchema,
  campaign_id: IdSchema,
  status: z.string(),
  created_time: z.string().optional(),
  creative: CreativeSchema,
})
const SuccessSchema = z.looseObject({ success: z.boolean() })
const NodeSchema = z.looseObject({
  id: IdSchema,
  status: z.string().optional(),
  daily_budget: NumLike,
  campaign_id: IdSchema.optional(),
})

/** Creative format from object_type and the story spec (carousel = child attachments). */
export function metaCreativeFormat(c: z.infer<typeof CreativeSchema>): CreativeFormat {
  const link = c.object_story_spec?.link_data
  if (link?.collection_thumbnails?.length || c.object_story_spec?.template_data !== undefined) return 'collection'
  if (link?.child_attachments?.length) return 'carousel'
  if (c.object_type === 'VIDEO' || c.object_story_spec?.video_data !== undefined) return 'video'
  return 'image'
}

/** Budget field (minor units) to micros; absent, empty or zero means "no budget here". */
function budgetMicros(v: string | number | null | undefined, currency: string): number | null {
  if (v === undefined || v === null || v === '' || Number(v) === 0) return null
  return metaMinorToMicros(v, currency)
}

/** Meta Marketing API connector (Graph API, Bearer token in `credentials.accessToken`). */
export function createMetaConnector(ctx: ConnectorContext, opts: MetaConnectorOptions = {}): Connector {
  // Windows the user pinned (Connections → Attribution); absent: each ad set's own setting.
  const pinned = ctx.attribution?.meta
  const api = new MetaApi(ctx)
  const listUrl = (account: RemoteAccount, edge: string, fields: string): string =>
    api.url(`${actPath(account)}/${edge}`, { fields, limit: 500, effective_status: ALL_STATUSES })

  async function readNode(
    id: string,
    currency: string,
  ): Promise<{ status: string | undefined; budget: number | null; campaignId?: string }> {
    const n = await api.get(
      api.url(id, { fields: 'id,status,daily_budget,campaign_id' }),
      NodeSchema,
      `Meta read ${id}`,
    )
    return {
      status: n.status,
      budget: budgetMicros(n.daily_budget, currency),
      ...(n.campaign_id ? { campaignId: n.campaign_id } : {}),
    }
  }

  return {
    platform: 'meta',
    maxWindowDays: META_MAX_WINDOW_DAYS,

    async listAccounts(ids) {
      const url = api.url('me/adaccounts', {
        fields: 'id,account_id,name,currency,timezone_name,account_status',
        limit: 100,
      })
      const rows = await api.list(url, AccountSchema, 'Meta ad accounts')
      const want = ids ? new Set(ids.map((i) => (i.startsWith('act_') ? i : `act_${i}`))) : null
      return rows
        .filter((a) => want === null || want.has(a.id))
        .map((a) => ({
          externalId: a.id,
          name: a.name,
          currency: a.currency,
          timeZone: a.timezone_name,
          // account_status 1 = ACTIVE; 2 disabled, 3 unsettled, 7/8/9 review/closure states.
          status: a.account_status === undefined || a.account_status === 1 ? 'active' : 'disabled',
        }))
    },

    async listCampaigns(account) {
      const url = listUrl(account, 'campaigns', 'id,name,objective,status,daily_budget,start_time,stop_time')
      const rows = await api.list(url, CampaignSchema, 'Meta campaigns')
      return rows.map((c): RemoteCampaign => ({
        externalId: c.id,
        name: c.name,
        objective: normaliseObjective(c.objective),
        status: requireStatus('meta', c.status ?? c.effective_status, `Meta campaign ${c.id}`),
        dailyBudgetMicros: budgetMicros(c.daily_budget, account.currency),
        // Graph timestamps carry the account's offset, so the first 10 chars are the local date.
        startDate: c.start_time ? c.start_time.slice(0, 10) : null,
        endDate: c.stop_time ? c.stop_time.slice(0, 10) : null,
      }))
    },

    async listAdSets(account) {
      const rows = await api.list(
        listUrl(account, 'adsets', 'id,campaign_id,name,status,daily_budget'),
        AdSetSchema,
        'Meta ad sets',
      )
      return rows.map((s): RemoteAdSet => ({
        externalId: s.id,
        campaignExternalId: s.campaign_id,
        name: s.name,
        status: requireStatus('meta', s.status ?? s.effective_status, `Meta ad set ${s.id}`),
        dailyBudgetMicros: budgetMicros(s.daily_budget, account.currency),
      }))
    },

    async listAds(account) {
      const fields =
        'id,name,adset_id,campaign_id,status,created_time,creative{id,object_type,title,thumbnail_url,object_story_spec}'
      const rows = await api.list(listUrl(account, 'ads', fields), AdSchema, 'Meta ads')
      return rows.map((a): RemoteAd => ({
        externalId: a.id,
        adSetExternalId: a.adset_id,
        campaignExternalId: a.campaign_id,
        name: a.name,
        status: requireStatus('meta', a.status, `Meta ad ${a.id}`),
        creative: {
          externalId: a.creative.id,
          format: metaCreativeFormat(a.creative),
          headline: a.creative.title ?? null,
          thumbnailUrl: a.creative.thumbnail_url ?? null,
        },
        launchDate: a.created_time ? a.created_time.slice(0, 10) : null,
      }))
    },

    fetchDaily(account, from, to) {
      return metaDaily(api, account, from, to, pinned ? { ...opts, attributionWindows: metaWindows(pinned) } : opts)
    },

    async readState(account, level, externalId) {
      const n = await readNode(externalId, account.currency)
      return {
        status: requireStatus('meta', n.status, `Meta ${level} ${externalId}`),
        dailyBudgetMicros: level === 'ad' ? null : n.budget,
      }
    },

    async setStatus(account, level: EntityLevel, externalId, status): Promise<WriteResult> {
      const before = await readNode(externalId, account.currency)
      const res = await api.post(
        externalId,
        { status: status === 'active' ? 'ACTIVE' : 'PAUSED' },
        SuccessSchema,
        `Meta set status ${externalId}`,
        { write: true },
      )
      if (!res.success)
        throw new ConnectorError('bad_request', 'meta', `Meta refused the status change of ${level} ${externalId}`)
      const after = await readNode(externalId, account.currency)
      const afterStatus = requireStatus('meta', after.status, `Meta ${level} ${externalId}`)
      assertApplied('meta', `Meta ${level} ${externalId} status`, status, afterStatus)
      return {
        level,
        externalId,
        before: { status: requireStatus('meta', before.status, `Meta ${level} ${externalId}`) },
        after: { status: afterStatus },
        warnings: [],
      }
    },

    async setDailyBudget(account, level, externalId, micros): Promise<WriteResult> {
      const warnings: string[] = []
      let target = { level: level as 'campaign' | 'ad_set', id: externalId }
      let node = await readNode(externalId, account.currency)
      if (node.budget === null && level === 'ad_set' && node.campaignId) {
        // Budget lives on the campaign (Advantage campaign budget): that is the one to change.
        const campaign = await readNode(node.campaignId, account.currency)
        if (campaign.budget !== null) {
          target = { level: 'campaign', id: node.campaignId }
          node = campaign
          warnings.push(`Ad set ${externalId} uses its campaign's budget (CBO); changed campaign ${target.id} instead`)
        }
      }
      if (node.budget === null)
        throw new ConnectorError(
          'bad_request',
          'meta',
          level === 'campaign'
            ? `Meta campaign ${externalId} has no daily budget (budgets live on its ad sets or it uses a lifetime budget)`
            : `Meta ad set ${externalId} has no daily budget to change`,
        )
      const minor = microsToMetaMinor(micros, account.currency)
      if (minor <= 0)
        throw new ConnectorError('bad_request', 'meta', `Daily budget must be positive (got ${micros} micros)`)
      const res = await api.post(
        target.id,
        { daily_budget: String(minor) },
        SuccessSchema,
        `Meta set budget ${target.id}`,
        { write: true },
      )
      if (!res.success)
        throw new ConnectorError('bad_request', 'meta', `Meta refused the budget change of ${target.id}`)
      const after = await readNode(target.id, account.currency)
      const expected = metaMinorToMicros(minor, account.currency)
      assertApplied('meta', `Meta ${target.level} ${target.id} daily budget (micros)`, expected, after.budget)
      return {
        level: target.level,
        externalId: target.id,
        before: { dailyBudgetMicros: node.budget },
        after: { dailyBudgetMicros: after.budget },
        warnings,
      }
    },
  }
}
