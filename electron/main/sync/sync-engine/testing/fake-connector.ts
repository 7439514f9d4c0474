import { packRows, type DailyBatch } from '../../connectors/daily-batch'
import type { PlatformId } from '../../../../../shared/domain/entities'
import type { SimWorld } from '../../simulator/types'
import {
  ConnectorError,
  type Connector,
  type EntityState,
  type RemoteAccount,
  type RemoteAd,
  type RemoteAdSet,
  type RemoteCampaign,
  type RemoteDailyRow,
  type WriteResult,
} from '../../connectors/types'

/** One account of a fake platform: structure plus a row source for any date range. */
export interface FakeAccount {
  account: RemoteAccount
  campaigns: RemoteCampaign[]
  adSets: RemoteAdSet[]
  ads: RemoteAd[]
  rows(from: string, to: string): RemoteDailyRow[]
}

/** Where a fault may be injected (return nothing to pass, throw to fail the call). */
export interface FaultPoint {
  call: 'listAccounts' | 'structure' | 'page'
  account?: string
  from?: string
  page?: number
}

export interface FakeOptions {
  pageSize?: number
  maxWindowDays?: number
  fault?: (p: FaultPoint) => void
  /** Rewrite a page before it is yielded (malformed-data chaos). */
  mangle?: (rows: RemoteDailyRow[], p: FaultPoint) => RemoteDailyRow[]
}

/** An in-memory Connector for engine tests (the real ones speak HTTP to simulated platforms). */
export class FakeConnector implements Connector {
  readonly maxWindowDays: number
  readonly calls: FaultPoint[] = []
  constructor(
    readonly platform: PlatformId,
    private readonly accounts: FakeAccount[],
    private readonly opts: FakeOptions = {},
  ) {
    this.maxWindowDays = opts.maxWindowDays ?? 30
  }

  private find(a: RemoteAccount): FakeAccount {
    const f = this.accounts.find((x) => x.account.externalId === a.externalId)
    if (!f) throw new ConnectorError('permission', this.platform, `No access to ${a.externalId}`)
    return f
  }

  private hit(p: FaultPoint): void {
    this.calls.push(p)
    this.opts.fault?.(p)
  }

  async listAccounts(ids?: string[]): Promise<RemoteAccount[]> {
    this.hit({ call: 'listAccounts' })
    return this.accounts.map((a) => a.account).filter((a) => !ids || ids.includes(a.externalId))
  }
  async listCampaigns(a: RemoteAccount): Promise<RemoteCampaign[]> {
    this.hit({ call: 'structure', account: a.externalId })
    return this.find(a).campaigns
  }
  async listAdSets(a: RemoteAccount): Promise<RemoteAdSet[]> {
    return this.find(a).adSets
  }
  async listAds(a: RemoteAccount): Promise<RemoteAd[]> {
    return this.find(a).ads
  }
  async *fetchDaily(a: RemoteAccount, from: string, to: string): AsyncGenerator<DailyBatch> {
    const rows = this.find(a).rows(from, to)
    const size = this.opts.pageSize ?? 500
    for (let i = 0, page = 0; i < rows.length || page === 0; i += size, page++) {
      const p: FaultPoint = { call: 'page', account: a.externalId, from, page }
      this.hit(p)
      const chunk = rows.slice(i, i + size)
      yield packRows(this.opts.mangle ? this.opts.mangle(chunk, p) : chunk)
      await Promise.resolve()
    }
  }
  /** What the fake platform holds after writes (else the entity as listed). */
  private readonly written = new Map<string, EntityState>()
  async readState(a: RemoteAccount, level: WriteResult['level'], externalId: string): Promise<EntityState> {
    const w = this.written.get(`${level}:${externalId}`)
    if (w) return Promise.resolve(w)
    const f = this.find(a)
    const e =
      level === 'campaign'
        ? f.campaigns.find((x) => x.externalId === externalId)
        : level === 'ad_set'
          ? f.adSets.find((x) => x.externalId === externalId)
          : f.ads.find((x) => x.externalId === externalId)
    if (!e) throw new ConnectorError('bad_request', this.platform, `No ${level} ${externalId}`)
    return Promise.resolve({
      status: e.status,
      dailyBudgetMicros: 'dailyBudgetMicros' in e ? e.dailyBudgetMicros : null,
    })
  }
  async setStatus(
    a: RemoteAccount,
    level: WriteResult['level'],
    externalId: string,
    status: 'active' | 'paused',
  ): Promise<WriteResult> {
    const before = await this.readState(a, level, externalId)
    this.written.set(`${level}:${externalId}`, { ...before, status })
    return {
      level,
      externalId,
      before: { status: before.status },
      after: { status },
      warnings: [],
    }
  }
  async setDailyBudget(
    a: RemoteAccount,
    level: 'campaign' | 'ad_set',
    externalId: string,
    micros: number,
  ): Promise<WriteResult> {
    const before = await this.readState(a, level, externalId)
    this.written.set(`${level}:${externalId}`, { ...before, dailyBudgetMicros: micros })
    return {
      level,
      externalId,
      before: { dailyBudgetMicros: before.dailyBudgetMicros },
      after: { dailyBudgetMicros: micros },
      warnings: [],
    }
  }
}

/** Fake accounts over a simulator world as reported on `asOf` (the same data the simulated APIs serve). */
export function worldAccounts(
  world: SimWorld,
  asOf?: string | (() => string | undefined),
): Map<PlatformId, FakeAccount[]> {
  const asOfNow = (): string | undefined => (typeof asOf === 'function' ? asOf() : asOf)
  const out = new Map<PlatformId, FakeAccount[]>()
  for (const acc of world.accounts) {
    const campaigns: RemoteCampaign[] = world.campaigns
      .filter((c) => c.accountKey === acc.key)
      .map((c) => ({
        externalId: c.externalId,
        name: c.name,
        objective: c.objective,
        status: c.status,
        dailyBudgetMicros: c.dailyBudgetMicros,
        startDate: c.startDate,
        endDate: c.endDate,
      }))
    const adSets: RemoteAdSet[] = world.adSets
      .filter((x) => x.accountKey === acc.key)
      .map((x) => ({
        externalId: x.externalId,
        campaignExternalId: x.campaignExternalId,
        name: x.name,
        status: x.status,
        dailyBudgetMicros: x.dailyBudgetMicros,
      }))
    const ads: RemoteAd[] = world.ads
      .filter((x) => x.accountKey === acc.key)
      .map((x) => ({
        externalId: x.externalId,
        adSetExternalId: x.adSetExternalId,
        campaignExternalId: x.campaignExternalId,
        name: x.name,
        status: x.status,
        creative: {
          externalId: x.creative.externalId,
          format: x.creative.format,
          headline: x.creative.headline,
          thumbnailUrl: x.creative.thumbnailUrl,
        },
        launchDate: x.launchDate,
      }))
    const fa: FakeAccount = {
      account: {
        externalId: acc.externalId,
        name: acc.name,
        currency: acc.currency,
        timeZone: acc.timeZone,
        status: 'active',
      },
      campaigns,
      adSets,
      ads,
      rows: (from, to) =>
        [...world.rows(acc.key, { from, to, ...(asOfNow() ? { asOf: asOfNow() as string } : {}) })].map((r) => ({
          adExternalId: r.adExternalId,
          adSetExternalId: r.adSetExternalId,
          campaignExternalId: r.campaignExternalId,
          date: r.date,
          spendMicros: r.spendMicros,
          impressions: r.impressions,
          clicks: r.clicks,
          reach: r.reach,
          conversions: r.conversions,
          conversionValueMicros: r.conversionValueMicros,
          videoViews: r.videoViews,
        })),
    }
    out.set(acc.platform, [...(out.get(acc.platform) ?? []), fa])
  }
  return out
}
