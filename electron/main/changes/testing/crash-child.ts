/**
 * Child process of the change pipeline's crash test: a file-backed core under ME_DATA_DIR whose
 * connections reach the simulated platforms over loopback HTTP (ME_<PLATFORM>_BASE_URL / _TOKEN_URL, served by the parent
 * so the platforms' state survives a SIGKILL). It connects and syncs once, proposes one batch of
 * budget changes (idempotency keys make re-proposing after a restart a no-op), prints "APPLYING",
 * waits until every change settled and prints "DONE <states>".
 *
 * `ME_CRASH_SOURCE=rule`: the batch comes from an automation rule instead (automatic mode: every
 * active campaign with a budget gets +10%). The child creates the rule once, prints "APPLYING" and
 * runs it on every start (as if "Run now" were pressed again after each crash: its cooldown must
 * keep a second run from proposing a change for an entity it already changed), then waits until
 * every change of the rule settled and prints "DONE <states>".
 */
import { join } from 'node:path'
import { PLATFORMS } from '../../../../shared/domain/entities'
import { userContext } from '../../../../shared/domain/caller'
import { createCore } from '../../core'
import { createNodePlatform } from '../../platform/node'
import { fakeCredentials } from '../../sync/sync-engine/testing/setup'

export const CRASH_NOW = new Date('2026-06-15T12:00:00Z')
export const CRASH_CHANGES = 50
export const CRASH_RULE_NAME = 'Crash: raise every budget 10%'
const CALLER = userContext('test', { id: 'crash', name: 'Crash test' })

async function main(): Promise<void> {
  const dataDir = process.env.ME_DATA_DIR as string
  const accounts = JSON.parse(process.env.ME_SIM_ACCOUNTS as string) as Record<string, string[]>
  const platform = createNodePlatform({ host: 'cli', dataDir, now: () => CRASH_NOW })
  const core = createCore(platform, {
    dbPath: join(dataDir, 'marketing-engine.db'),
    changeWorker: { baseDelayMs: 5, maxDelayMs: 40 },
  })
  const dispatch = async <T>(channel: string, input: unknown): Promise<T> => {
    const env = await core.dispatch(channel, input, CALLER)
    if (!env.ok) throw new Error(`${channel}: ${env.error.message}`)
    return env.value as T
  }
  let ws = core.workspaces.findByName('Crash')?.id
  if (ws === undefined) ws = core.workspaces.create('Crash', 'USD')
  const have = new Set(
    (core.store.sqlite.prepare('SELECT platform FROM connections').all() as { platform: string }[]).map(
      (r) => r.platform,
    ),
  )
  for (const p of PLATFORMS) {
    if (have.has(p)) continue
    await dispatch('connections:connect', {
      workspaceId: ws,
      credentials: fakeCredentials(p, accounts[p] ?? []),
    })
  }
  const budgeted = (): { level: 'campaign' | 'ad_set'; id: number; ext: string; platform: string }[] =>
    core.store.sqlite
      .prepare(
        `SELECT 'campaign' AS level, c.id, c.external_id AS ext, a.platform FROM campaigns c JOIN ad_accounts a ON a.id = c.account_id
           WHERE c.daily_budget_micros IS NOT NULL
         UNION ALL
         SELECT 'ad_set', s.id, s.external_id, a.platform FROM ad_sets s JOIN ad_accounts a ON a.id = s.account_id
           WHERE s.daily_budget_micros IS NOT NULL AND a.platform <> 'google_ads'
         ORDER BY 4, 1, 3`,
      )
      .all() as { level: 'campaign' | 'ad_set'; id: number; ext: string; platform: string }[]
  if (budgeted().length < CRASH_CHANGES) {
    const { jobId } = await dispatch<{ jobId: number }>('sync:start', { workspaceId: ws })
    const job = await core.jobs.waitFor(jobId)
    if (job.status !== 'succeeded') throw new Error(`sync ${job.status}: ${job.error ?? ''}`)
  }
  if (process.env.ME_CRASH_SOURCE === 'rule') {
    await runRule(ws)
    return
  }
  const targets = budgeted().slice(0, CRASH_CHANGES)
  if (targets.length < CRASH_CHANGES) throw new Error(`only ${targets.length} entities with budgets`)
  const made = core.services.changes.proposeBatch(
    targets.map((t, i) => ({
      entityType: t.level,
      entityId: t.id,
      // A value no entity has (whole cents), the same on every restart.
      action: { kind: 'set_budget' as const, dailyBudgetMicros: 7_000_000 + i * 10_000 },
      idempotencyKey: `crash:${t.platform}:${t.ext}`,
      metrics: { index: i },
      approval: 'auto' as const,
    })),
    CALLER,
    { batchId: 'crash-batch' },
  )
  process.stdout.write('APPLYING\n')
  const done = await Promise.all(made.map((c) => core.services.changes.settled(c.id, 120_000)))
  process.stdout.write(`DONE ${done.map((c) => c.state).join(',')}\n`)
  await core.close()

  async function runRule(workspaceId: number): Promise<void> {
    const automation = core.services.automation
    // The EUR accounts need a rate into the workspace's USD for the rule's money (as a user adds one).
    const fx = await dispatch<{ currencies: string[] }>('analytics:listFxRates', { workspaceId })
    await dispatch('analytics:setFxRates', {
      workspaceId,
      upsert: fx.currencies.flatMap((currency) =>
        ['2026-05', '2026-06'].map((month) => ({ currency, month, rate: 1.1 })),
      ),
    })
    let rule = automation.list(workspaceId).find((r) => r.definition.name === CRASH_RULE_NAME)
    rule ??= await automation.create(
      {
        workspaceId,
        name: CRASH_RULE_NAME,
        mode: 'automatic',
        scope: { level: 'campaign' },
        conditions: { type: 'group', op: 'and', items: [{ type: 'condition', metric: 'budget', op: 'gt', value: 0 }] },
        actions: [{ kind: 'change_budget', pct: 10 }],
        schedule: { kind: 'manual' },
        guardrails: { learningDays: 0, cooldownHours: 24, maxActionsPerRun: 1000, maxActionsPerDayPerAccount: 1000 },
      },
      CALLER,
    )
    process.stdout.write('APPLYING\n')
    const run = await dispatch<{ run: { id: number; matched: number; skipped: number } }>('rules:run', { id: rule.id })
    process.stdout.write(`RUN ${run.run.id} matched ${run.run.matched} skipped ${run.run.skipped}\n`)
    const mine = core.services.changes
      .list({ workspaceId, limit: 500 })
      .items.filter((c) => c.actor.kind === 'rule' && c.actor.id.startsWith(`${rule.id}@`))
    const done = await Promise.all(mine.map((c) => core.services.changes.settled(c.id, 120_000)))
    process.stdout.write(`DONE ${done.map((c) => c.state).join(',')}\n`)
    await core.close()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-child failed: ${String(err)}\n`)
  process.exit(1)
})
