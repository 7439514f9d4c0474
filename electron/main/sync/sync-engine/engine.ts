import { addDays, daysBetween } from '../../../../shared/domain/dates'
import { PLATFORM_LABELS, type AccountStatus } from '../../../../shared/domain/entities'
import type { SyncRequest } from '../../../../shared/domain/sync-request'
import { CancelledError, RunLaterError, throwIfAborted, type JobContext } from '../../scheduler/job-queue'
import type { Sqlite } from '../../store/db'
import type { DailyBatch } from '../connectors/daily-batch'
import { choiceFromEnv, intFromEnv } from '../../env-settings'
import { decodePoolSize } from '../connectors/decode-pool'
import { formatUntil, formatWait } from '../connectors/http'
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type RemoteAccount,
  type RemoteAd,
  type RemoteAdSet,
  type RemoteCampaign,
} from '../connectors/types'
import {
  advanceStateStatement,
  attributionStatement,
  type AccountOutcome,
  type ConnectionRow,
  type LocalAccount,
  type SyncRepo,
} from '../../store/repos/sync-repo'
import { ChunkWriter } from '../../store/sync-writer/chunk-writer'
import { openChunkSink, type ChunkSink } from '../../store/sync-writer/chunk-sink'
import { EntityWriter } from '../../store/sync-writer/entity-writer'
import { chunkWindows, planAccount, type AccountPlan } from './plan'
import { cacheSize, setCacheSize, setWalAutoCheckpoint, walAutoCheckpoint } from '../../store/connect'
import { placeholderSteps } from './placeholders'
import { runStepsSliced } from '../../scheduler/slices'

/** Resume point of a sync job, committed in the same transaction as each chunk. */
export interface SyncCheckpoint {
  runId: number
  plans: AccountPlan[]
  outcomes: AccountOutcome[]
  rows: number
  /** Times this job went back to the queue to sit out a platform's long throttle. */
  deferrals?: number
}

/**
 * A platform throttle longer than a request may sit out (the HTTP client waits up to an hour in
 * place) defers the account: the job goes back to the queue until the time the platform gave and
 * resumes the account there, at most this many times per sync.
 */
export const MAX_THROTTLE_DEFERRALS = 3

export interface SyncResult {
  runId: number
  status: 'succeeded' | 'partial' | 'failed'
  rowsWritten: number
  accounts: AccountOutcome[]
  /** Where the chunks were written: the sync's writer thread or the calling thread. */
  writer: 'thread' | 'inline'
}

export interface EngineDeps {
  sqlite: Sqlite
  repo: SyncRepo
  /**
   * A connector for a connection (credentials loaded, signal wired, retries and platform-given
   * waits reported through `events`). Throws ConnectorError('auth') when secrets are gone.
   */
  connectorFor(
    connection: ConnectionRow,
    signal: AbortSignal,
    events?: Pick<ConnectorContext, 'onRetry' | 'onWait'>,
  ): Promise<Connector>
  restatementDays(account: LocalAccount, override: number | null): number
  /** Code of the attribution the account's conversions are requested with (recorded per synced day). */
  attribution?(account: LocalAccount): string
  backfillMonths(): number
  /** First date the platform can have data for this account (null = no limit). */
  earliestDate?(account: LocalAccount): string | null
  now(): Date
  /** Largest chunk in days regardless of what the platform accepts (smaller = finer resume points). */
  maxChunkDays?: number
  /** Where chunks are written: a writer thread (default; file stores only) or this thread; else ME_SYNC_WRITER. */
  writeMode?: 'thread' | 'inline'
}

/**
 * Windows pulled ahead of the one being written. Daily pages are decoded on worker threads while
 * this thread writes; each window pulls its pages one after another (paging needs the previous
 * page), so a few windows in flight keep the decoders busy during a write. ME_SYNC_LOOKAHEAD
 * (0-16, default 3) overrides it. ME_DECODE_WORKERS and ME_SYNC_WRITER (thread | inline: where chunks
 * are written) are checked at the start too, so a wrong setting fails the sync with its name
 * before anything is pulled.
 */
function lookahead(): number {
  return intFromEnv('ME_SYNC_LOOKAHEAD', 0, 16) ?? 3
}

/** Job messages of retries and platform-given waits start with these (the CLI prints them on their own line). */
export const RETRY_PREFIX = 'Retrying'
export const WAIT_PREFIX = 'Rate-limited: waiting for'

/** Chunks issued to the sink beyond the one being written (each holds its window's pages). */
const WRITES_AHEAD = 1

/** SQLite page cache while a sync runs (KiB). */
const SYNC_CACHE_KIB = 256 * 1024

/** One window's pages as pulled. */
interface Pulled {
  batches: DailyBatch[]
  rows: number
}

type Ctx = Pick<JobContext, 'jobId' | 'signal' | 'progress' | 'checkpoint' | 'saveCheckpoint' | 'checkpointStatement'>

/** Say what the user can do about an error, by class. */
export function describeError(err: unknown): {
  status: AccountStatus
  outcome: AccountOutcome['status']
  message: string
} {
  if (err instanceof ConnectorError) {
    switch (err.kind) {
      case 'auth':
        return {
          status: 'needs_reconnect',
          outcome: 'needs_reconnect',
          message: `${err.message} — reconnect this account on the Connections page.`,
        }
      case 'permission':
        return {
          status: 'error',
          outcome: 'failed',
          message: `${err.message} — check that the connected user still has access to this account.`,
        }
      case 'rate_limit':
        return {
          status: 'error',
          outcome: 'failed',
          message:
            err.detail.retryAfterMs !== undefined && err.message.includes('the platform asks to wait')
              ? `${err.message}. The next scheduled sync after that time continues where this one stopped.`
              : `${err.message} — the platform kept rate-limiting; the next sync will retry.`,
        }
      case 'bad_request':
        // Permanent: retrying sends the same request. The platform's own text names the field or value.
        return {
          status: 'error',
          outcome: 'failed',
          message: `${err.message} — the platform refused the request the app sent; retrying will not help. Check Settings → Sync → API versions (or update the app), then sync again.`,
        }
      case 'invalid_response':
        return {
          status: 'error',
          outcome: 'failed',
          message: `${err.message} — the platform's answer could not be read; nothing of it was stored and the next sync will retry.`,
        }
      default:
        return { status: 'error', outcome: 'failed', message: `${err.message} — the next sync will retry.` }
    }
  }
  return { status: 'error', outcome: 'failed', message: err instanceof Error ? err.message : String(err) }
}

/**
 * The sync engine: per account (in isolation), upsert the structure, then pull daily rows chunk
 * by chunk (oldest first) and replace each chunk's window atomically with its checkpoint.
 * Resumes a crashed run from its last committed chunk.
 */
export class SyncEngine {
  private readonly entities: EntityWriter
  private readonly chunks: ChunkWriter
  private activeRuns = 0
  private cacheBefore = 0
  private threadRuns = 0
  private autoCheckpointBefore = 0

  constructor(private readonly deps: EngineDeps) {
    this.entities = new EntityWriter(deps.sqlite, () => deps.now())
    this.chunks = new ChunkWriter(deps.sqlite)
  }

  /** Accounts a request covers: connected accounts of the workspace (or the listed ones). */
  private accountsFor(req: SyncRequest): LocalAccount[] {
    const all = this.deps.repo.accounts(req.workspaceId).filter((a) => a.connectionId !== null)
    if (!req.accountIds?.length) return all
    const wanted = new Set(req.accountIds)
    return all.filter((a) => wanted.has(a.id))
  }

  private initialCheckpoint(req: SyncRequest, jobId: number): SyncCheckpoint {
    const now = this.deps.now()
    const plans = this.accountsFor(req).map((a) => {
      const st = this.deps.repo.state(a.id)
      return planAccount({
        accountId: a.id,
        timeZone: a.timeZone,
        mode: req.mode,
        ...(req.since ? { since: req.since } : {}),
        restatementDays: this.deps.restatementDays(a, st?.restatementDays ?? null),
        backfillMonths: this.deps.backfillMonths(),
        syncedThrough: st?.syncedThrough ?? this.deps.repo.lastDataDate(a.id),
        backfillFrom: st?.backfillFrom ?? null,
        earliest: this.deps.earliestDate?.(a) ?? null,
        now,
      })
    })
    const runId = this.deps.repo.startRun(req.workspaceId, jobId, req.mode === 'full' ? 'backfill' : 'incremental')
    return { runId, plans, outcomes: [], rows: 0 }
  }

  /** Run (or resume) a sync job. Never throws for one account's failure; throws when all failed or on cancel. */
  async run(req: SyncRequest, ctx: Ctx): Promise<SyncResult> {
    const pullAhead = lookahead()
    decodePoolSize()
    const mode = this.deps.writeMode ?? choiceFromEnv('ME_SYNC_WRITER', ['thread', 'inline'] as const) ?? 'thread'
    const sink = openChunkSink(this.deps.sqlite, this.chunks, this.entities, mode)
    // Inline chunk writes touch the account's B-tree pages and its rollups: with the default cache
    // a large backfill re-reads and spills pages. Restored after the run. (A writer thread sets its own.)
    const inline = sink.mode === 'inline'
    if (inline && this.activeRuns++ === 0) {
      this.cacheBefore = cacheSize(this.deps.sqlite)
      if (this.cacheBefore < 0 && this.cacheBefore > -SYNC_CACHE_KIB) setCacheSize(this.deps.sqlite, -SYNC_CACHE_KIB)
    }
    // A writer thread checkpoints the WAL once per many rows: meanwhile a commit on this connection
    // (job progress, a user's edit) must not run SQLite's automatic checkpoint on the core's thread.
    if (!inline && this.threadRuns++ === 0) {
      this.autoCheckpointBefore = walAutoCheckpoint(this.deps.sqlite)
      setWalAutoCheckpoint(this.deps.sqlite, 0)
    }
    try {
      return await this.runJob(req, ctx, sink, pullAhead)
    } finally {
      await sink.close()
      if (inline && --this.activeRuns === 0) setCacheSize(this.deps.sqlite, this.cacheBefore)
      if (!inline && --this.threadRuns === 0) setWalAutoCheckpoint(this.deps.sqlite, this.autoCheckpointBefore)
    }
  }

  private async runJob(req: SyncRequest, ctx: Ctx, sink: ChunkSink, pullAhead: number): Promise<SyncResult> {
    let cp = ctx.checkpoint<SyncCheckpoint>()
    if (cp && !this.deps.repo.run(cp.runId)) {
      // Interrupted (app quit or killed), then its workspace was removed or rebuilt (a demo reset
      // deletes the old demo workspace with its runs and accounts): there is nothing to resume into.
      throw new CancelledError(
        'Not resumed: the workspace this interrupted sync belonged to was removed or rebuilt (for example by a demo reset). Start a new sync.',
      )
    }
    if (!cp) {
      cp = this.initialCheckpoint(req, ctx.jobId)
      ctx.saveCheckpoint(cp)
    }
    const state = cp
    const connectors = new Map<number, Promise<Connector>>()
    const remoteByConn = new Map<number, Promise<RemoteAccount[]>>()
    const totalDays = state.plans.reduce(
      (n, p) => n + Math.max(0, daysBetween(p.through ? addDays(p.through, 1) : p.from, p.to) + 1),
      0,
    )
    let doneDays = 0
    const report = (account: LocalAccount, idx: number, msg: string): void =>
      ctx.progress(
        `Syncing ${account.name}`,
        doneDays,
        Math.max(1, totalDays),
        `account ${idx + 1}/${state.plans.length} · ${msg} · ${state.rows.toLocaleString('en-US')} rows`,
      )

    /**
     * Everything about an account that needs no store write: its connector, remote account,
     * structure and the first windows' pulls. Started for the next account while this one's chunks
     * are written, so the writer does not wait for the next account's first pages.
     */
    const prepare = (idx: number): Promise<Prepared> | null => {
      const plan = state.plans[idx]
      if (!plan || plan.done) return null
      const account = this.deps.repo.account(plan.accountId)
      if (!account || account.connectionId === null) return null
      const connection = this.deps.repo.connection(account.connectionId)
      const p = (async (): Promise<Prepared> => {
        if (!connection) throw new Error('The connection of this account was removed')
        if (!connectors.has(connection.id)) {
          // Retries and platform-given waits show in the job's message (the UI, and the CLI on stderr).
          const label = PLATFORM_LABELS[connection.platform]
          const events: Pick<ConnectorContext, 'onRetry' | 'onWait'> = {
            onRetry: (r) =>
              report(
                account,
                idx,
                `${RETRY_PREFIX} ${label}: ${r.reason} (attempt ${r.attempt + 1} in ${formatWait(r.delayMs)})`,
              ),
            onWait: (wt) =>
              report(
                account,
                idx,
                `${WAIT_PREFIX} ${label} until ${formatUntil(wt.untilMs, this.deps.now().getTime())} (${formatWait(wt.delayMs)}), as the platform asked: ${wt.reason}`,
              ),
          }
          connectors.set(connection.id, this.deps.connectorFor(connection, ctx.signal, events))
        }
        const connector = await (connectors.get(connection.id) as Promise<Connector>)
        if (!remoteByConn.has(connection.id)) {
          const ids = this.deps.repo
            .accounts(account.workspaceId)
            .filter((a) => a.connectionId === connection.id)
            .map((a) => a.externalId)
          remoteByConn.set(connection.id, connector.listAccounts(ids))
        }
        const remote = (await (remoteByConn.get(connection.id) as Promise<RemoteAccount[]>)).find(
          (r) => r.externalId === account.externalId,
        )
        if (!remote)
          throw new ConnectorError(
            'permission',
            account.platform,
            `The credentials no longer reach account ${account.externalId}`,
          )
        report(account, idx, 'structure')
        const structure = {
          campaigns: await connector.listCampaigns(remote),
          adSets: await connector.listAdSets(remote),
          ads: await connector.listAds(remote),
        }
        const start = plan.through ? addDays(plan.through, 1) : plan.from
        const windows =
          start <= plan.to
            ? chunkWindows(start, plan.to, Math.min(connector.maxWindowDays, this.deps.maxChunkDays ?? 31))
            : []
        const puller = new WindowPuller(windows, pullAhead, async (w, ci, pulled, stopped) => {
          for await (const page of connector.fetchDaily(remote, w.from, w.to)) {
            throwIfAborted(ctx.signal)
            if (stopped()) break
            pulled.batches.push(page)
            pulled.rows += page.n
            report(
              account,
              idx,
              `chunk ${ci + 1}/${windows.length} (${pulled.rows.toLocaleString('en-US')} rows pulled)`,
            )
          }
        })
        puller.prime()
        return { connection, remote, structure, windows, puller }
      })()
      // Awaited in turn below; until then a failure must not count as unhandled.
      p.catch(() => undefined)
      return p
    }
    const prepared = new Map<number, Promise<Prepared> | null>()
    const preparedFor = (idx: number): Promise<Prepared> | null => {
      if (!prepared.has(idx)) prepared.set(idx, prepare(idx))
      return prepared.get(idx) ?? null
    }

    /** Accounts a platform asked to come back to later, and the latest time it gave. */
    const deferred: { names: string[]; untilMs: number; reasons: string[] } = { names: [], untilMs: 0, reasons: [] }
    try {
      for (const [idx, plan] of state.plans.entries()) {
        if (plan.done) continue
        throwIfAborted(ctx.signal)
        const account = this.deps.repo.account(plan.accountId)
        if (!account || account.connectionId === null) {
          plan.done = true
          state.outcomes.push(outcome(plan, account, 'skipped', 0, 0, 'The account was removed or disconnected'))
          continue
        }
        let rows = 0
        let chunksDone = 0
        const mine = preparedFor(idx)
        try {
          if (!mine) throw new Error('The connection of this account was removed')
          const { connection, remote, structure, windows, puller } = await mine
          this.entities.upsertAccount(account.workspaceId, account.platform, connection.id, remote)
          let ids = await sink.upsertStructure({
            accountId: account.id,
            ...structure,
            at: this.deps.now().toISOString(),
          })
          const attribution = this.deps.attribution?.(account)
          // The next account's structure and first windows are pulled while this one is written.
          for (let next = idx + 1; next < state.plans.length; next++) {
            if (state.plans[next]?.done) continue
            preparedFor(next)
            break
          }
          // Chunks are issued to the sink as soon as they are pulled, up to WRITES_AHEAD beyond the
          // one being written, so the writer never waits for this thread to see a write's reply.
          // The resume point each one commits is the state as it was issued; `committed` follows the
          // replies (in order) and is what a failure rolls back to.
          const inflight: Promise<void>[] = []
          let committed = { through: plan.through, rows: state.rows }
          let failure: { error: unknown } | null = null
          try {
            let ci = 0
            while (ci < windows.length) {
              throwIfAborted(ctx.signal)
              const w = windows[ci] as { from: string; to: string }
              const pulled = await puller.take(ci++)
              throwIfAborted(ctx.signal)
              if (failure) break
              // Sliced: a large account's chunk holds hundreds of batches to check.
              const missing = await runStepsSliced(placeholderSteps(pulled.batches, ids))
              throwIfAborted(ctx.signal)
              if (failure) break
              if (missing) {
                // Rows of entities the listing did not return (deleted ones) are kept against
                // archived placeholders instead of failing the account. Rare: written once the
                // writer is idle, and the new maps travel with this chunk.
                await Promise.all(inflight)
                if (failure) break
                ids = await sink.upsertStructure({
                  accountId: account.id,
                  ...missing,
                  parents: ids,
                  at: this.deps.now().toISOString(),
                })
              }
              plan.through = w.to
              state.rows += pulled.rows
              const issued = { through: plan.through, rows: state.rows }
              const index = ci
              inflight.push(
                sink
                  .write(
                    {
                      accountId: account.id,
                      from: w.from,
                      to: w.to,
                      provisionalFrom: plan.provisionalFrom,
                      batches: pulled.batches,
                      ids,
                    },
                    [
                      advanceStateStatement(account.id, w.from, w.to),
                      ...(attribution ? [attributionStatement(account.id, w.from, w.to, attribution)] : []),
                      ctx.checkpointStatement(state),
                    ],
                  )
                  .then(
                    (n) => {
                      committed = issued
                      rows += n
                      chunksDone++
                      doneDays += daysBetween(w.from, w.to) + 1
                      report(account, idx, `chunk ${index}/${windows.length}`)
                    },
                    (e: unknown) => {
                      failure ??= { error: e }
                    },
                  ),
              )
              if (inflight.length > WRITES_AHEAD) await inflight.shift()
              if (failure) break
            }
          } finally {
            // Every write issued settles first (the sink refuses the ones after a failed chunk);
            // after a failure or a cancel the plan and row count go back to what was committed.
            await Promise.all(inflight)
            if (failure || ctx.signal.aborted) {
              plan.through = committed.through
              state.rows = committed.rows
            }
            // A window pulled ahead of a failure stops at its next page and is dropped.
            await puller.stop()
          }
          if (failure) throw (failure as { error: unknown }).error
          this.chunks.finalizeBefore(account.id, plan.provisionalFrom)
          const at = this.deps.now().toISOString()
          this.deps.repo.setAccountStatus(account.id, remote.status === 'active' ? 'active' : 'disabled', null, at)
          this.deps.repo.markStateOutcome(account.id, null, null)
          plan.done = true
          state.outcomes.push(outcome(plan, account, 'succeeded', rows, chunksDone, null))
        } catch (err) {
          if (err instanceof CancelledError || ctx.signal.aborted) throw err
          const waitMs =
            err instanceof ConnectorError && err.kind === 'rate_limit' ? err.detail.retryAfterMs : undefined
          if (
            waitMs !== undefined &&
            waitMs > 0 &&
            (state.deferrals ?? 0) < MAX_THROTTLE_DEFERRALS &&
            this.deps.repo.account(plan.accountId)
          ) {
            // Not a failure: the platform said when to come back. The account keeps what it
            // committed and resumes from there when the job runs again at that time.
            const nowMs = this.deps.now().getTime()
            const untilMs = nowMs + waitMs
            const message = `${PLATFORM_LABELS[account.platform]} asked to wait until ${formatUntil(untilMs, nowMs)}: this account's sync resumes then`
            this.deps.repo.setAccountStatus(account.id, 'active', message)
            deferred.names.push(account.name)
            deferred.reasons.push((err as Error).message)
            deferred.untilMs = Math.max(deferred.untilMs, untilMs)
            ctx.saveCheckpoint(state)
            continue
          }
          plan.done = true
          if (!this.deps.repo.account(plan.accountId)) {
            // Removed meanwhile (its rows went with it): nothing to record on the account itself.
            state.outcomes.push(
              outcome(plan, account, 'skipped', 0, chunksDone, 'The account was removed while it synced'),
            )
          } else {
            const d = describeError(err)
            this.deps.repo.setAccountStatus(account.id, d.status, d.message)
            this.deps.repo.markStateOutcome(account.id, d.message, null)
            state.outcomes.push({
              ...outcome(plan, account, d.outcome, rows, chunksDone, d.message),
              errorKind: err instanceof ConnectorError ? err.kind : 'other',
            })
          }
        }
        ctx.saveCheckpoint(state)
        this.deps.repo.updateRun(state.runId, state.outcomes, state.rows)
      }
    } catch (err) {
      // Accounts prepared ahead of a run that stops here stop pulling.
      await Promise.allSettled([...prepared.values()].map((p) => p?.then((x) => x.puller.stop())))
      const cancelled = err instanceof CancelledError || ctx.signal.aborted
      this.deps.repo.finishRun(
        state.runId,
        cancelled ? 'cancelled' : 'failed',
        state.outcomes,
        state.rows,
        cancelled ? 'Cancelled' : String(err),
      )
      throw cancelled ? new CancelledError() : err
    }
    if (deferred.names.length > 0) {
      state.deferrals = (state.deferrals ?? 0) + 1
      ctx.saveCheckpoint(state)
      this.deps.repo.updateRun(state.runId, state.outcomes, state.rows)
      const nowMs = this.deps.now().getTime()
      throw new RunLaterError(
        new Date(deferred.untilMs),
        `Rate-limited: waiting until ${formatUntil(deferred.untilMs, nowMs)} (${formatWait(deferred.untilMs - nowMs)}) as the platform asked, then ${deferred.names.join(', ')} resume${deferred.names.length === 1 ? 's' : ''} where ${deferred.names.length === 1 ? 'it' : 'they'} stopped. ${deferred.reasons[0] ?? ''}`,
      )
    }
    const failed = state.outcomes.filter((o) => o.status === 'failed' || o.status === 'needs_reconnect')
    const ok = state.outcomes.filter((o) => o.status === 'succeeded')
    const status: SyncResult['status'] = failed.length === 0 ? 'succeeded' : ok.length > 0 ? 'partial' : 'failed'
    const error = failed.length ? failed.map((f) => `${f.name}: ${f.error}`).join('\n') : null
    this.deps.repo.finishRun(state.runId, status, state.outcomes, state.rows, error)
    if (status === 'failed') throw new Error(`Sync failed for every account:\n${error}`)
    return { runId: state.runId, status, rowsWritten: state.rows, accounts: state.outcomes, writer: sink.mode }
  }
}

function outcome(
  plan: AccountPlan,
  account: LocalAccount | null,
  status: AccountOutcome['status'],
  rows: number,
  chunks: number,
  error: string | null,
): AccountOutcome {
  return {
    accountId: plan.accountId,
    name: account?.name ?? `#${plan.accountId}`,
    platform: account?.platform ?? 'meta',
    status,
    rows,
    chunks,
    from: plan.from <= plan.to ? plan.from : null,
    to: plan.from <= plan.to ? plan.to : null,
    error,
  }
}

/** An account's pulls and structure, fetched before its turn to be written. */
interface Prepared {
  connection: ConnectionRow
  remote: RemoteAccount
  structure: { campaigns: RemoteCampaign[]; adSets: RemoteAdSet[]; ads: RemoteAd[] }
  windows: { from: string; to: string }[]
  puller: WindowPuller
}

/**
 * Pulls an account's date windows up to `ahead` windows before the one being written (each window's
 * pages come one after another: paging needs the previous page). A window pulled ahead of a failure
 * stops at its next page.
 */
class WindowPuller {
  private readonly pulls = new Map<number, Promise<Pulled>>()
  private stopped = false

  constructor(
    private readonly windows: { from: string; to: string }[],
    private readonly ahead: number,
    private readonly pullWindow: (
      w: { from: string; to: string },
      ci: number,
      into: Pulled,
      stopped: () => boolean,
    ) => Promise<void>,
  ) {}

  private start(ci: number): void {
    const w = this.windows[ci]
    if (!w || this.pulls.has(ci) || this.stopped) return
    const pulled: Pulled = { batches: [], rows: 0 }
    const p = this.pullWindow(w, ci, pulled, () => this.stopped).then(() => pulled)
    // Awaited in turn by take(); until then a failure must not count as unhandled.
    p.catch(() => undefined)
    this.pulls.set(ci, p)
  }

  /** Start the first window. */
  prime(): void {
    this.start(0)
  }

  /**
   * Window `ci`'s pages; then the windows after it start. The decoders take pages in arrival order,
   * so windows started together would finish together: starting the next ones once this one is in
   * gets the first chunk to the writer sooner, and they are pulled while it is written.
   */
  async take(ci: number): Promise<Pulled> {
    this.start(ci)
    const got = await (this.pulls.get(ci) as Promise<Pulled>)
    this.pulls.delete(ci)
    for (let k = 1; k <= this.ahead; k++) this.start(ci + k)
    return got
  }

  /** Stop pulling; resolves when the windows in flight have stopped. */
  async stop(): Promise<void> {
    this.stopped = true
    await Promise.allSettled(this.pulls.values())
    this.pulls.clear()
  }
}
