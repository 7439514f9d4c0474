import { TEST_CALLER } from '../electron/main/test-support'
import { join } from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { addDays } from '../shared/domain/dates'
import { MAX_RANGE_DAYS } from '../shared/domain/metrics'
import { createCore, type Core } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { timeMedian, type Bench } from './types'

const RUNS = 7

async function call(core: Core, channel: string, input: unknown): Promise<unknown> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${channel}: ${env.error.message}`)
  return env.value
}

/** Copy the ad-day rows (with account currency/platform) and the rate table into DuckDB. */
async function loadDuck(core: Core, con: DuckDBConnection, workspaceId: number): Promise<number> {
  await con.run(`CREATE TABLE m (ad_id INTEGER, campaign_id INTEGER, account_id INTEGER, platform VARCHAR, currency VARCHAR,
    date DATE, month VARCHAR, spend BIGINT, revenue BIGINT, impressions BIGINT, clicks BIGINT, conversions DOUBLE)`)
  await con.run('CREATE TABLE fx (currency VARCHAR, month VARCHAR, rate DOUBLE)')
  const app = await con.createAppender('m')
  let n = 0
  const rows = core.store.sqlite
    .prepare(
      `SELECT d.ad_id, d.campaign_id, d.account_id, a.platform, a.currency, d.date, d.spend_micros, d.conversion_value_micros,
         d.impressions, d.clicks, d.conversions FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = ?`,
    )
    .raw()
    .iterate(workspaceId) as Iterable<
    [number, number, number, string, string, string, number, number, number, number, number]
  >
  for (const r of rows) {
    app.appendInteger(r[0])
    app.appendInteger(r[1])
    app.appendInteger(r[2])
    app.appendVarchar(r[3])
    app.appendVarchar(r[4])
    app.appendVarchar(r[5])
    app.appendVarchar(r[5].slice(0, 7))
    app.appendBigInt(BigInt(r[6]))
    app.appendBigInt(BigInt(r[7]))
    app.appendBigInt(BigInt(r[8]))
    app.appendBigInt(BigInt(r[9]))
    app.appendDouble(r[10])
    app.endRow()
    n++
  }
  app.closeSync()
  // Dates arrive as text; DuckDB casts them on append into the DATE column.
  const fx = core.fx.list(workspaceId)
  const fxApp = await con.createAppender('fx')
  for (const r of fx) {
    fxApp.appendVarchar(r.currency)
    fxApp.appendVarchar(r.month)
    fxApp.appendDouble(r.rate)
    fxApp.endRow()
  }
  fxApp.closeSync()
  return n
}

/**
 * Query bench (analytics issue): the six dashboard queries through the analytics service on the
 * store, and the same six on DuckDB loaded with the same rows, medians of RUNS runs each.
 */
export const queriesBench: Bench = {
  name: 'queries',
  description: 'six dashboard queries: store (analytics service) vs DuckDB on the same rows (10k campaigns x 365 days)',
  async run({ tmpDir, log }) {
    const campaigns = Number(process.env.ME_BENCH_CAMPAIGNS ?? 10_000)
    const days = Number(process.env.ME_BENCH_DAYS ?? 365)
    const endDate = '2026-10-31'
    const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir })
    const core = createCore(platform, { dbPath: join(tmpDir, 'bench-queries.db') })
    const inst = await DuckDBInstance.create(':memory:')
    const con = await inst.connect()
    try {
      log(`generating ${campaigns} campaigns x ${days} days`)
      const id = core.jobs.enqueue('demo:build', { preset: 'bench', campaigns, days, endDate })
      const job = await core.jobs.waitFor(id)
      if (job.status !== 'succeeded') throw new Error(`generation failed: ${job.error}`)
      const { workspaceId } = core.jobs.result<{ workspaceId: number }>(id) as { workspaceId: number }
      log('loading DuckDB')
      const rows = await loadDuck(core, con, workspaceId)
      const from30 = addDays(endDate, -29)
      const from90 = addDays(endDate, -89)
      const from365 = addDays(endDate, -364)
      const campaignId = (core.store.sqlite.prepare('SELECT min(id) AS id FROM campaigns').get() as { id: number }).id
      // DuckDB gets its best equivalent: aggregate per currency and month first, then convert.
      const agg = (keys: string, where: string): string =>
        `WITH s AS (SELECT ${keys ? `${keys}, ` : ''}currency, month, sum(spend) AS spend, sum(revenue) AS revenue,
            sum(impressions) AS impressions, sum(clicks) AS clicks, sum(conversions) AS conversions
          FROM m ${where} GROUP BY ${keys ? `${keys}, ` : ''}currency, month)
         SELECT ${keys ? `${keys}, ` : ''}sum(s.spend * coalesce(f.rate, CASE WHEN s.currency = 'USD' THEN 1 END)) AS spend_c,
           sum(s.revenue * coalesce(f.rate, CASE WHEN s.currency = 'USD' THEN 1 END)) AS revenue_c,
           sum(impressions), sum(clicks), sum(conversions)
         FROM s LEFT JOIN fx f ON f.currency = s.currency AND f.month = s.month ${keys ? `GROUP BY ${keys}` : ''}`
      const q = (
        name: string,
        store: () => Promise<unknown>,
        sql: string,
      ): { name: string; store: () => Promise<unknown>; sql: string } => ({ name, store, sql })
      const in30 = `WHERE date BETWEEN '${from30}' AND '${endDate}'`
      const queries = [
        q(
          'totals_30d',
          () =>
            call(core, 'dashboard:getSummary', { workspaceId, range: { from: from30, to: endDate }, compare: false }),
          agg('', in30),
        ),
        q(
          'trend_90d',
          () => call(core, 'analytics:getTrend', { workspaceId, range: { from: from90, to: endDate } }),
          `${agg('date', `WHERE date BETWEEN '${from90}' AND '${endDate}'`)} ORDER BY date`,
        ),
        q(
          'top20_roas_30d',
          () =>
            call(core, 'analytics:getTop', {
              workspaceId,
              range: { from: from30, to: endDate },
              metric: 'roas',
              limit: 20,
            }),
          `${agg('campaign_id', in30)} HAVING spend_c > 0 ORDER BY revenue_c / spend_c DESC, campaign_id LIMIT 20`,
        ),
        q(
          'platform_split_30d',
          () =>
            call(core, 'analytics:getBreakdown', {
              workspaceId,
              range: { from: from30, to: endDate },
              level: 'platform',
            }),
          agg('platform', in30),
        ),
        q(
          'campaign_365d',
          () =>
            call(core, 'analytics:getTrend', {
              workspaceId,
              range: { from: from365, to: endDate },
              entity: { level: 'campaign', id: campaignId },
            }),
          `${agg('date', `WHERE campaign_id = ${campaignId} AND date BETWEEN '${from365}' AND '${endDate}'`)} ORDER BY date`,
        ),
        q(
          'all_time_totals',
          () =>
            call(core, 'analytics:getBreakdown', {
              workspaceId,
              // All time: the longest range a channel accepts (ten years) holds every row of the bench world.
              range: { from: addDays(endDate, -(MAX_RANGE_DAYS - 1)), to: endDate },
              level: 'workspace',
            }),
          agg('', ''),
        ),
      ]
      const out: { name: string; store_ms: number; duckdb_ms: number; ratio: number }[] = []
      for (const x of queries) {
        const storeMs = await timeMedian(RUNS, x.store)
        const duckMs = await timeMedian(RUNS, async () => (await con.runAndReadAll(x.sql)).getRows())
        log(`  ${x.name}: store ${storeMs} ms, duckdb ${duckMs} ms`)
        out.push({
          name: x.name,
          store_ms: storeMs,
          duckdb_ms: duckMs,
          ratio: Math.round((storeMs / duckMs) * 1000) / 1000,
        })
      }
      return { campaigns, days, rows, runs: RUNS, queries: out }
    } finally {
      con.closeSync()
      inst.closeSync()
      await core.close()
    }
  },
}
