import { addDays, addMonths, daysBetween, localDateIn, startOfMonth } from '../../../shared/domain/dates'
import { DEFAULT_RESTATEMENT_DAYS } from '../../../shared/domain/platforms'
import type { EventBus } from '../events'
import type { DemoBuildPayload } from '../scheduler/job-kinds'
import { throwIfAborted, type JobContext, type JobKind } from '../scheduler/job-queue'
import type { Sqlite } from '../store/db'
import { FxRepo } from '../store/repos/fx-repo'
import { MetricsRepo, RollupAccumulator, type DailyMetricInput } from '../store/repos/metrics-repo'
import { benchConfig, buildWorld, demoConfig } from './simulator'
import type { SimConfig, SimWorld } from './simulator/types'

export const DEMO_WORKSPACE = 'Demo'
const ROWS_PER_TX = 20_000

/** Rough EUR->USD monthly rates for the demo only (a real workspace edits its own table). */
function demoEurUsd(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const t = (y - 2024) * 12 + (m - 1)
  return Math.round((1.1 + 0.04 * Math.sin(t / 5)) * 10_000) / 10_000
}

export interface DemoResult {
  workspaceId: number
  accounts: number
  campaigns: number
  adSets: number
  ads: number
  rows: number
  from: string
  to: string
  ms: number
}

/** Yield to the event loop so IPC stays responsive during a long synchronous build. */
const breathe = (): Promise<void> => new Promise((r) => setImmediate(r))

/**
 * Builds the demo workspace from the deterministic simulator. Replaces only demo workspaces;
 * user workspaces are never touched.
 */
export class DemoService {
  private readonly metrics: MetricsRepo
  constructor(
    private readonly sqlite: Sqlite,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {
    this.metrics = new MetricsRepo(sqlite)
  }

  config(p: DemoBuildPayload): SimConfig {
    const endDate = p.endDate ?? addDays(localDateIn(Intl.DateTimeFormat().resolvedOptions().timeZone, this.now()), -1)
    const base = p.preset === 'bench' ? benchConfig(endDate) : demoConfig(endDate)
    return {
      ...base,
      ...(p.campaigns !== undefined ? { campaigns: p.campaigns } : {}),
      ...(p.days !== undefined ? { days: p.days } : {}),
      ...(p.seed !== undefined ? { seed: p.seed } : {}),
    }
  }

  /** The demo's last date, or null when there is no demo workspace. */
  demoLastDate(): string | null {
    const r = this.sqlite
      .prepare(
        `SELECT max(d.date) AS d FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         JOIN workspaces w ON w.id = a.workspace_id WHERE w.is_demo = 1`,
      )
      .get() as { d: string | null }
    return r.d
  }

  hasAnyWorkspace(): boolean {
    return !!this.sqlite.prepare('SELECT 1 FROM workspaces LIMIT 1').get()
  }

  private deleteDemo(): void {
    const ids = this.sqlite.prepare('SELECT id FROM workspaces WHERE is_demo = 1').all() as { id: number }[]
    this.sqlite.transaction(() => {
      for (const { id } of ids) {
        const accounts = `SELECT id FROM ad_accounts WHERE workspace_id = ${id}`
        this.sqlite.prepare(`DELETE FROM account_daily WHERE account_id IN (${accounts})`).run()
        this.sqlite.prepare(`DELETE FROM campaign_cum WHERE account_id IN (${accounts})`).run()
        this.sqlite.prepare(`DELETE FROM daily_metrics WHERE account_id IN (${accounts})`).run()
        this.sqlite.prepare('DELETE FROM workspaces WHERE id = ?').run(id)
      }
    })()
  }

  /** Build (or rebuild) the demo workspace; reports progress through `ctx`. */
  async build(p: DemoBuildPayload, ctx?: Pick<JobContext, 'progress' | 'signal'>): Promise<DemoResult> {
    const started = performance.now()
    const cfg = this.config(p)
    const world = buildWorld(cfg)
    ctx?.progress('Preparing', 0, 1, 'Removing the previous demo workspace')
    this.deleteDemo()
    const ids = this.insertEntities(world)
    const from = addDays(cfg.endDate, -(cfg.days - 1))
    const estimate = world.ads.reduce((n, a) => {
      const start = a.launchDate > from ? a.launchDate : from
      const end = a.endDate && a.endDate < cfg.endDate ? a.endDate : cfg.endDate
      return n + Math.max(0, daysBetween(start, end) + 1)
    }, 0)
    let rows = 0
    const insertBatch = this.sqlite.transaction((batch: DailyMetricInput[]) => this.metrics.upsert(batch))
    for (const acc of world.accounts) {
      const sums = new RollupAccumulator()
      const accountId = ids.accounts.get(acc.key) as number
      const provisionalFrom = addDays(cfg.endDate, -(DEFAULT_RESTATEMENT_DAYS[acc.platform] - 1))
      let batch: DailyMetricInput[] = []
      for (const r of world.rows(acc.key)) {
        const row: DailyMetricInput = {
          adId: ids.ads.get(r.adExternalId) as number,
          date: r.date,
          accountId,
          campaignId: ids.campaigns.get(r.campaignExternalId) as number,
          adSetId: ids.adSets.get(r.adSetExternalId) as number,
          spendMicros: r.spendMicros,
          impressions: r.impressions,
          clicks: r.clicks,
          reach: r.reach,
          conversions: r.conversions,
          conversionValueMicros: r.conversionValueMicros,
          videoViews: r.videoViews,
          provisional: r.date >= provisionalFrom,
          source: 'demo',
        }
        batch.push(row)
        sums.add(row)
        if (batch.length >= ROWS_PER_TX) {
          rows += insertBatch(batch)
          batch = []
          ctx?.progress('Generating daily rows', rows, Math.max(rows, estimate), `${acc.name}`)
          if (ctx) throwIfAborted(ctx.signal)
          await breathe()
        }
      }
      rows += insertBatch(batch)
      ctx?.progress('Building rollups', rows, Math.max(rows, estimate), acc.name)
      this.sqlite.transaction(() => this.metrics.replaceRollups(accountId, from, cfg.endDate, sums))()
      await breathe()
    }
    this.insertAnomalies(world, ids)
    this.insertFx(ids.workspaceId, from, cfg.endDate)
    this.events.emit('data:changed', {
      tables: ['workspaces', 'ad_accounts', 'daily_metrics'],
      workspaceId: ids.workspaceId,
    })
    return {
      workspaceId: ids.workspaceId,
      accounts: world.accounts.length,
      campaigns: world.campaigns.length,
      adSets: world.adSets.length,
      ads: world.ads.length,
      rows,
      from,
      to: cfg.endDate,
      ms: Math.round(performance.now() - started),
    }
  }

  private insertEntities(world: SimWorld): {
    workspaceId: number
    accounts: Map<string, number>
    campaigns: Map<string, number>
    adSets: Map<string, number>
    ads: Map<string, number>
  } {
    const s = this.sqlite
    const accounts = new Map<string, number>()
    const campaigns = new Map<string, number>()
    const adSets = new Map<string, number>()
    const ads = new Map<string, number>()
    let workspaceId = 0
    s.transaction(() => {
      workspaceId = Number(
        s.prepare("INSERT INTO workspaces (name, reporting_currency, is_demo) VALUES (?, 'USD', 1)").run(DEMO_WORKSPACE)
          .lastInsertRowid,
      )
      const insAcc = s.prepare(
        `INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone, status, last_synced_at)
         VALUES (?, ?, ?, ?, ?, ?, 'active', ?)`,
      )
      const syncedAt = this.now().toISOString()
      for (const a of world.accounts) {
        accounts.set(
          a.key,
          Number(
            insAcc.run(workspaceId, a.platform, a.externalId, a.name, a.currency, a.timeZone, syncedAt).lastInsertRowid,
          ),
        )
      }
      const insCamp = s.prepare(
        `INSERT INTO campaigns (account_id, external_id, name, objective, status, daily_budget_micros, start_date, end_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      for (const c of world.campaigns) {
        const acc = accounts.get(c.accountKey) as number
        campaigns.set(
          c.externalId,
          Number(
            insCamp.run(acc, c.externalId, c.name, c.objective, c.status, c.dailyBudgetMicros, c.startDate, c.endDate)
              .lastInsertRowid,
          ),
        )
      }
      const insSet = s.prepare(
        'INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status, daily_budget_micros) VALUES (?, ?, ?, ?, ?, ?)',
      )
      for (const x of world.adSets) {
        adSets.set(
          x.externalId,
          Number(
            insSet.run(
              accounts.get(x.accountKey),
              campaigns.get(x.campaignExternalId),
              x.externalId,
              x.name,
              x.status,
              x.dailyBudgetMicros,
            ).lastInsertRowid,
          ),
        )
      }
      const insCreative = s.prepare(
        'INSERT INTO creatives (account_id, external_id, format, headline, thumbnail_url) VALUES (?, ?, ?, ?, ?)',
      )
      const insAd = s.prepare(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, creative_id, external_id, name, status, launch_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const creativeIds = new Map<string, number>()
      for (const ad of world.ads) {
        const acc = accounts.get(ad.accountKey) as number
        const ckey = `${ad.accountKey}|${ad.creative.externalId}`
        let creativeId = creativeIds.get(ckey)
        if (creativeId === undefined) {
          creativeId = Number(
            insCreative.run(
              acc,
              ad.creative.externalId,
              ad.creative.format,
              ad.creative.headline,
              ad.creative.thumbnailUrl,
            ).lastInsertRowid,
          )
          creativeIds.set(ckey, creativeId)
        }
        ads.set(
          ad.externalId,
          Number(
            insAd.run(
              acc,
              campaigns.get(ad.campaignExternalId),
              adSets.get(ad.adSetExternalId),
              creativeId,
              ad.externalId,
              ad.name,
              ad.status,
              ad.launchDate,
            ).lastInsertRowid,
          ),
        )
      }
    })()
    return { workspaceId, accounts, campaigns, adSets, ads }
  }

  private insertAnomalies(
    world: SimWorld,
    ids: { workspaceId: number; accounts: Map<string, number>; campaigns: Map<string, number> },
  ): void {
    const ins = this.sqlite.prepare(
      `INSERT INTO simulator_events (workspace_id, kind, account_id, campaign_id, metric, start_date, end_date, description)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    for (const a of world.anomalies) {
      ins.run(
        ids.workspaceId,
        a.kind,
        ids.accounts.get(a.accountKey) ?? null,
        a.campaignExternalId ? (ids.campaigns.get(a.campaignExternalId) ?? null) : null,
        a.metric,
        a.startDate,
        a.endDate,
        a.description,
      )
    }
  }

  private insertFx(workspaceId: number, from: string, to: string): void {
    const rates = []
    for (let m = startOfMonth(from); m <= to; m = addMonths(m, 1)) {
      rates.push({ currency: 'EUR', month: m.slice(0, 7), rate: demoEurUsd(m.slice(0, 7)) })
    }
    new FxRepo(this.sqlite).upsertMany(workspaceId, rates)
  }
}

/** The `demo:build` job kind: create or reset the demo workspace. */
export function demoBuildJob(service: DemoService): JobKind<'demo:build'> {
  return {
    kind: 'demo:build',
    maxAttempts: 2,
    run: (payload, ctx) => service.build(payload, ctx),
  }
}
