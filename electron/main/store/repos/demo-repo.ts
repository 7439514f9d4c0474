import type { SimWorld } from '../../sync/simulator/types'
import type { Sqlite } from '../db'
import { MetricsRepo, type DailyMetricInput, type RollupAccumulator } from './metrics-repo'
import { touchAccountData } from './ad-month-rollup'

/** Local ids of a freshly inserted demo world, by the simulator's keys and external ids. */
export interface DemoIds {
  workspaceId: number
  accounts: Map<string, number>
  campaigns: Map<string, number>
  adSets: Map<string, number>
  ads: Map<string, number>
}

/** Entities deleted per transaction when a demo is removed (each cascades to what refers to it). */
const ENTITIES_PER_PIECE = 2_000

/** SQL of the demo workspace: find, delete and insert the simulator's world. */
export class DemoRepo {
  private readonly metrics: MetricsRepo

  constructor(
    private readonly sqlite: Sqlite,
    private readonly name: string,
  ) {
    this.metrics = new MetricsRepo(sqlite)
  }

  /** The demo's last date, or null when there is no demo workspace. */
  lastDate(): string | null {
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

  /**
   * The removal of every demo workspace with its rows (user workspaces are never touched), as pieces
   * the caller runs one at a time with a turn of the event loop between: a transaction each, of one
   * account-day of rows, one account-month of its per-ad months or `ENTITIES_PER_PIECE` entities. In
   * one transaction the large demo's 12.4M rows took 12 s and its 128,000 ads and creatives minutes,
   * all on the core's thread. A removal cut short (a crash) leaves the rest to the next one.
   */
  *deleteDemoSteps(): Generator<() => void> {
    const q = this.sqlite
    const tx =
      (run: () => void): (() => void) =>
      () =>
        q.transaction(run).immediate()
    // Each piece that removes rows moves the account's data mark, as every writer of the rows does: a
    // read in steps of the account (window sums) started before it restarts on one state.
    const rows = (account: number, run: () => void): (() => void) =>
      tx(() => {
        run()
        touchAccountData(q, [account])
      })
    const workspaces = q.prepare('SELECT id FROM workspaces WHERE is_demo = 1').pluck().all() as number[]
    const delDay = q.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date = ?')
    const delMonth = q.prepare('DELETE FROM ad_month WHERE account_id = ? AND month = ?')
    const delMonthDays = q.prepare('DELETE FROM ad_month_days WHERE account_id = ? AND month = ?')
    for (const ws of workspaces) {
      const accounts = q
        .prepare('SELECT id FROM ad_accounts WHERE workspace_id = ? ORDER BY id')
        .pluck()
        .all(ws) as number[]
      for (const account of accounts) {
        const days = q
          .prepare('SELECT date FROM account_daily WHERE account_id = ? ORDER BY date')
          .pluck()
          .all(account) as string[]
        for (const day of days) yield rows(account, () => delDay.run(account, day))
        const months = q
          .prepare('SELECT DISTINCT month FROM ad_month WHERE account_id = ? ORDER BY month')
          .pluck()
          .all(account) as string[]
        for (const month of months)
          yield rows(account, () => {
            delMonth.run(account, month)
            delMonthDays.run(account, month)
          })
        // What is left of the account's rows (days without a rollup row, packed days of other months) and its rollups.
        yield rows(account, () => {
          for (const table of ['daily_metrics', 'ad_month', 'ad_month_days', 'account_daily', 'campaign_cum'])
            q.prepare(`DELETE FROM ${table} WHERE account_id = ?`).run(account)
        })
        // Entities, children first, a piece at a time (each deletion cascades to what refers to it).
        for (const table of ['ads', 'creatives', 'ad_sets', 'campaigns']) {
          const del = q.prepare(
            `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE account_id = ? LIMIT ${ENTITIES_PER_PIECE})`,
          )
          let more = true
          while (more) yield tx(() => void (more = del.run(account).changes > 0))
        }
      }
      yield tx(() => void q.prepare('DELETE FROM workspaces WHERE id = ?').run(ws))
    }
  }

  /** Write a batch of daily rows in one transaction; returns how many. */
  insertDaily(batch: DailyMetricInput[]): number {
    return this.sqlite.transaction(() => this.metrics.upsert(batch)).immediate()
  }

  /** Replace an account's rollups over [from, to] from the sums of the rows written. */
  replaceRollups(accountId: number, from: string, to: string, sums: RollupAccumulator): void {
    this.sqlite.transaction(() => this.metrics.replaceRollups(accountId, from, to, sums)).immediate()
  }

  /** Insert the demo workspace and the world's accounts, campaigns, ad sets, creatives and ads (`syncedAt`: now). */
  insertEntities(world: SimWorld, syncedAt: string): DemoIds {
    const s = this.sqlite
    const accounts = new Map<string, number>()
    const campaigns = new Map<string, number>()
    const adSets = new Map<string, number>()
    const ads = new Map<string, number>()
    let workspaceId = 0
    s.transaction(() => {
      workspaceId = Number(
        s.prepare("INSERT INTO workspaces (name, reporting_currency, is_demo) VALUES (?, 'USD', 1)").run(this.name)
          .lastInsertRowid,
      )
      const insAcc = s.prepare(
        `INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone, status, last_synced_at)
         VALUES (?, ?, ?, ?, ?, ?, 'active', ?)`,
      )
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
    }).immediate()
    return { workspaceId, accounts, campaigns, adSets, ads }
  }

  /** Record the world's injected anomalies (the ground truth the anomaly tests compare with). */
  insertAnomalies(world: SimWorld, ids: Pick<DemoIds, 'workspaceId' | 'accounts' | 'campaigns'>): void {
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
}
