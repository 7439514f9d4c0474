import { addDays, addMonths, daysBetween, localDateIn, startOfMonth } from '../../../shared/domain/dates'
import { DEFAULT_RESTATEMENT_DAYS } from '../../../shared/domain/platforms'
import type { EventBus } from '../events'
import type { DemoBuildPayload } from '../scheduler/job-kinds'
import { throwIfAborted, type JobContext, type JobKind } from '../scheduler/job-queue'
import type { Sqlite } from '../store/db'
import { FxRepo } from '../store/repos/fx-repo'
import { DemoRepo } from '../store/repos/demo-repo'
import { RollupAccumulator, type DailyMetricInput } from '../store/repos/metrics-repo'
import { benchConfig, buildWorld, demoConfig } from './simulator'
import type { SimConfig } from './simulator/types'
import { yieldNow } from '../scheduler/slices'

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
  /** The last stored day (`through` when later days were held back). */
  to: string
  /** The simulated world's last day: the demo's simulated platforms serve it through this day. */
  worldTo: string
  ms: number
}

/**
 * Yield to the event loop so IPC stays responsive during a long synchronous build (taking turns
 * with the thread's other sliced work, scheduler/slices.ts).
 */
const breathe = yieldNow

/**
 * Builds the demo workspace from the deterministic simulator. Replaces only demo workspaces;
 * user workspaces are never touched.
 */
export class DemoService {
  private readonly repo: DemoRepo
  private readonly fx: FxRepo
  constructor(
    sqlite: Sqlite,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {
    this.repo = new DemoRepo(sqlite, DEMO_WORKSPACE)
    this.fx = new FxRepo(sqlite)
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
    return this.repo.lastDate()
  }

  hasAnyWorkspace(): boolean {
    return this.repo.hasAnyWorkspace()
  }

  /** Build (or rebuild) the demo workspace; reports progress through `ctx`. */
  async build(p: DemoBuildPayload, ctx?: Pick<JobContext, 'progress' | 'signal'>): Promise<DemoResult> {
    const started = performance.now()
    const cfg = this.config(p)
    const world = buildWorld(cfg)
    ctx?.progress('Preparing', 0, 1, 'Removing the previous demo workspace')
    for (const step of this.repo.deleteDemoSteps()) {
      step()
      if (ctx) throwIfAborted(ctx.signal)
      await breathe()
    }
    const ids = this.repo.insertEntities(world, this.now().toISOString())
    const from = addDays(cfg.endDate, -(cfg.days - 1))
    // The rates first: pages read the rows as they are written (the demo's EUR account would fail
    // the dashboard's conversion with "no exchange rate" until the build's end).
    this.insertFx(ids.workspaceId, from, cfg.endDate)
    // The last stored day: the window's end, or `through` when later days are held back.
    const last = p.through && p.through < cfg.endDate ? p.through : cfg.endDate
    const estimate = world.ads.reduce((n, a) => {
      const start = a.launchDate > from ? a.launchDate : from
      const end = a.endDate && a.endDate < cfg.endDate ? a.endDate : cfg.endDate
      return n + Math.max(0, daysBetween(start, end) + 1)
    }, 0)
    let rows = 0
    for (const acc of world.accounts) {
      const sums = new RollupAccumulator()
      const accountId = ids.accounts.get(acc.key) as number
      const provisionalFrom = addDays(last, -(DEFAULT_RESTATEMENT_DAYS[acc.platform] - 1))
      let batch: DailyMetricInput[] = []
      for (const r of world.rows(acc.key, p.through ? { asOf: addDays(last, 1) } : {})) {
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
          rows += this.repo.insertDaily(batch)
          batch = []
          ctx?.progress('Generating daily rows', rows, Math.max(rows, estimate), `${acc.name}`)
          if (ctx) throwIfAborted(ctx.signal)
          await breathe()
        }
      }
      rows += this.repo.insertDaily(batch)
      ctx?.progress('Building rollups', rows, Math.max(rows, estimate), acc.name)
      this.repo.replaceRollups(accountId, from, last, sums)
      await breathe()
    }
    this.repo.insertAnomalies(world, ids)
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
      to: last,
      worldTo: cfg.endDate,
      ms: Math.round(performance.now() - started),
    }
  }

  private insertFx(workspaceId: number, from: string, to: string): void {
    const rates = []
    for (let m = startOfMonth(from); m <= to; m = addMonths(m, 1)) {
      rates.push({ currency: 'EUR', month: m.slice(0, 7), rate: demoEurUsd(m.slice(0, 7)) })
    }
    this.fx.upsertMany(workspaceId, rates)
  }
}

/** The `demo:build` job kind: create or reset the demo workspace. */
export function demoBuildJob(service: DemoService, stopDemoSyncs: () => Promise<void>): JobKind<'demo:build'> {
  return {
    kind: 'demo:build',
    maxAttempts: 2,
    run: async (payload, ctx) => {
      ctx.progress('Preparing', 0, 1, 'Stopping syncs of the previous demo workspace')
      await stopDemoSyncs()
      return service.build(payload, ctx)
    },
  }
}
