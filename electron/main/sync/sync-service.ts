import { randomUUID } from 'node:crypto'
import { attributionOf } from '../../../shared/domain/attribution'
import type { PlatformId } from '../../../shared/domain/entities'
import { SyncRequestSchema, type SyncRequestInput } from '../../../shared/domain/sync-request'
import { addDays } from '../../../shared/domain/dates'
import { AppError } from '../../../shared/ipc/result'
import type { CoreServices } from '../core-services'
import type { JobKindName } from '../scheduler/job-kinds'
import type { JobKind } from '../scheduler/job-queue'
import type { Connectors } from './connector-factory'
import { ConnectorError, type Connector, type ConnectorContext, type RemoteAccount } from './connectors/types'
import {
  accountIdsOf,
  connectorCredentials,
  CredentialsSchema,
  CredentialVault,
  type Credentials,
  type CredentialsInput,
} from './credentials'
import { SyncConfigStore } from './sync-config'
import { describeError, SyncEngine, type SyncResult } from './sync-engine/engine'
import { SyncRepo, type ConnectionRow, type LocalAccount } from '../store/repos/sync-repo'

export const SYNC_JOB = 'sync:run' satisfies JobKindName

const SIMULATED_RETRY = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 30_000 }

/** What the simulated platforms cost so far: requests answered per mode, threads started, the thread's largest heap. */
export interface SimulatedPlatformsStats {
  thread: number
  inline: number
  starts: number
  peakHeapMb: number
  running: boolean
}

/** Builds the fetch a simulated (demo) connection uses; set once the simulated platforms are wired. */
export type SimulatedFetchFactory = (sim: NonNullable<ConnectionRow['config']['simulated']>, now: Date) => typeof fetch

/**
 * Connections, credentials and sync jobs (platform writes go through the change pipeline). Handlers and the CLI call this; SQL lives
 * in SyncRepo, the pull-and-write loop in SyncEngine.
 */
export class SyncService {
  readonly repo: SyncRepo
  readonly config: SyncConfigStore
  readonly vault: CredentialVault
  readonly engine: SyncEngine
  private simulatedFetch: SimulatedFetchFactory | null = null
  private simulatedStats: (() => SimulatedPlatformsStats) | null = null

  constructor(
    private readonly s: CoreServices,
    private readonly connectors: Connectors,
  ) {
    this.repo = new SyncRepo(s.store.sqlite, () => s.platform.clock.now())
    this.config = new SyncConfigStore(s.kv)
    this.vault = new CredentialVault(s.platform.secrets)
    this.engine = new SyncEngine({
      sqlite: s.store.sqlite,
      repo: this.repo,
      connectorFor: (c, signal, events) => this.connectorForConnection(c, signal, events),
      restatementDays: (a, o) => this.config.restatementDays(a.platform, o),
      attribution: (a) => attributionOf(a.platform, this.config.get().attribution).code,
      backfillMonths: () => this.config.get().backfillMonths,
      earliestDate: (a) => {
        // A simulated platform has no history before its world starts.
        const sim = a.connectionId !== null ? this.repo.connection(a.connectionId)?.config.simulated : undefined
        return sim ? addDays(sim.endDate, -(sim.days - 1)) : null
      },
      now: () => s.platform.clock.now(),
    })
  }

  /** Serve demo connections from the simulated platforms (`stats`: what they cost, for benches and diagnostics). */
  useSimulatedFetch(f: SimulatedFetchFactory, stats?: () => SimulatedPlatformsStats): void {
    this.simulatedFetch = f
    this.simulatedStats = stats ?? null
  }

  /** Requests the simulated platforms answered, on their thread or inline, and their thread's largest heap (MB). */
  simulatedPlatformsStats(): SimulatedPlatformsStats | null {
    return this.simulatedStats?.() ?? null
  }

  /** A connector for a stored connection; a missing secret is an auth error ("needs reconnect"). */
  async connectorForConnection(
    c: ConnectionRow,
    signal?: AbortSignal,
    events?: Pick<ConnectorContext, 'onRetry' | 'onWait'>,
  ): Promise<Connector> {
    const now = (): Date => this.s.platform.clock.now()
    if (c.config.simulated) {
      if (!this.simulatedFetch)
        throw new ConnectorError('transient', c.platform, 'The simulated platforms are not available in this build')
      const fetchImpl = this.simulatedFetch(c.config.simulated, now())
      // The simulated platforms accept any static token; ids go where TikTok expects them.
      const creds = {
        accessToken: 'demo-token',
        developerToken: 'demo-developer-token',
        clientId: 'demo',
        clientSecret: 'demo',
        refreshToken: 'demo-refresh',
        advertiserIds: (c.config.accountIds ?? []).join(','),
      }
      // The simulated platforms answer at once: poll and back off in milliseconds, not seconds.
      const ctx = {
        ...this.context(c.platform, fetchImpl, creds, signal, c.config.baseUrl),
        ...events,
        retry: SIMULATED_RETRY,
      }
      return this.connectors.for(c.platform, ctx, c)
    }
    const creds = await this.vault.load(c.secretRef)
    if (!creds) throw new ConnectorError('auth', c.platform, 'The saved credentials are missing or unreadable')
    const urlProblem = c.config.baseUrl === undefined ? null : this.config.urlProblem(c.config.baseUrl)
    if (urlProblem) throw new ConnectorError('bad_request', c.platform, `The connection's API address: ${urlProblem}`)
    return this.connectors.for(
      c.platform,
      {
        ...this.context(c.platform, globalThis.fetch, connectorCredentials(creds), signal, c.config.baseUrl),
        ...events,
        // A rotated refresh token replaces the stored one at once (an atomic secret write).
        onCredentialsChanged: (changed) => this.vault.update(c.secretRef, changed),
      },
      c,
    )
  }

  private context(
    platform: PlatformId,
    f: typeof fetch,
    credentials: Record<string, string>,
    signal?: AbortSignal,
    baseUrl?: string,
  ): ConnectorContext {
    const tokenUrl = this.config.tokenUrl(platform)
    return {
      fetch: f,
      baseUrl: baseUrl ?? this.config.baseUrl(platform),
      apiVersion: this.config.apiVersion(platform),
      attribution: this.config.get().attribution,
      ...(tokenUrl ? { tokenUrl } : {}),
      credentials,
      ...(signal ? { signal } : {}),
      now: () => this.s.platform.clock.now(),
    }
  }

  /**
   * Validate credentials against the platform (lists the accounts), then store the secret in
   * platform.secrets and the connection and its accounts in the database. Nothing is saved when
   * validation fails.
   */
  async connect(
    workspaceId: number,
    input: CredentialsInput,
    /** Who asked, for the audit log (`principalLabel`). */
    actor: string,
    opts: { label?: string; baseUrl?: string } = {},
  ): Promise<{ connectionId: number; accounts: LocalAccount[] }> {
    this.s.workspaces.get(workspaceId)
    const parsed = CredentialsSchema.safeParse(input)
    if (!parsed.success)
      throw new AppError(
        'VALIDATION',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'credentials'}: ${i.message}`).join('; '),
      )
    const creds: Credentials = parsed.data
    const urlProblem = opts.baseUrl === undefined ? null : this.config.urlProblem(opts.baseUrl)
    if (urlProblem) throw new AppError('VALIDATION', `baseUrl: ${urlProblem}`)
    const ids = accountIdsOf(creds)
    const connector = this.connectors.for(
      creds.platform,
      this.context(creds.platform, globalThis.fetch, connectorCredentials(creds), undefined, opts.baseUrl),
    )
    let remote: RemoteAccount[]
    try {
      remote = await connector.listAccounts(ids)
    } catch (err) {
      const d = describeError(err)
      const code =
        err instanceof ConnectorError && (err.kind === 'auth' || err.kind === 'permission')
          ? 'UNAUTHORIZED'
          : 'PLATFORM_ERROR'
      throw new AppError(code, `Could not validate the ${creds.platform} credentials: ${d.message}`)
    }
    const missing = ids.filter((id) => !remote.some((r) => r.externalId === id))
    if (missing.length) throw new AppError('FORBIDDEN', `The credentials do not reach account(s) ${missing.join(', ')}`)
    const secretRef = `connection:${creds.platform}:${randomUUID()}`
    await this.vault.save(secretRef, creds)
    let connectionId = 0
    try {
      connectionId = this.repo.createConnectionWithAccounts(
        workspaceId,
        creds.platform,
        opts.label ?? `${remote.map((r) => r.name).join(', ')}`,
        secretRef,
        { accountIds: ids, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) },
        remote,
      )
    } catch (err) {
      await this.vault.remove(secretRef)
      throw err
    }
    this.repo.audit(actor, 'connection.create', 'connection', connectionId, null, {
      platform: creds.platform,
      accounts: ids,
    })
    this.s.events.emit('data:changed', { tables: ['connections', 'ad_accounts'], workspaceId })
    return { connectionId, accounts: this.repo.accounts(workspaceId).filter((a) => a.connectionId === connectionId) }
  }

  /** Delete a connection and its secret; the accounts keep their data and show as disconnected. */
  async removeConnection(connectionId: number, actor: string): Promise<void> {
    const c = this.repo.connection(connectionId)
    if (!c) throw new AppError('NOT_FOUND', `No connection ${connectionId}`)
    this.repo.deleteConnection(connectionId)
    await this.vault.remove(c.secretRef)
    this.repo.audit(actor, 'connection.remove', 'connection', connectionId, null, { platform: c.platform })
    this.s.events.emit('data:changed', { tables: ['connections', 'ad_accounts'], workspaceId: c.workspaceId })
  }

  /** Queue a sync job (or return the one already queued/running for the workspace). */
  startSync(req: SyncRequestInput): { jobId: number; alreadyRunning: boolean } {
    const parsed = SyncRequestSchema.parse(req)
    this.s.workspaces.get(parsed.workspaceId)
    const same = this.s.jobs.activeWhere(SYNC_JOB, (other) => other.workspaceId === parsed.workspaceId)
    if (same !== null) return { jobId: same, alreadyRunning: true }
    if (this.repo.accounts(parsed.workspaceId).every((a) => a.connectionId === null)) {
      throw new AppError('VALIDATION', 'This workspace has no connected accounts: connect a platform first')
    }
    return { jobId: this.s.jobs.enqueue(SYNC_JOB, parsed), alreadyRunning: false }
  }

  /** The `sync:run` job kind (cancellable, resumable from its checkpoint). */
  syncJob(onFinished: (workspaceId: number, r: SyncResult | null) => void): JobKind<typeof SYNC_JOB> {
    return {
      kind: SYNC_JOB,
      maxAttempts: 1,
      run: async (payload, ctx) => {
        try {
          const r = await this.engine.run(payload, ctx)
          onFinished(payload.workspaceId, r)
          return r
        } catch (err) {
          // A sync not resumed because its workspace is gone has nobody to tell.
          if (this.s.workspaces.list().some((w) => w.id === payload.workspaceId)) onFinished(payload.workspaceId, null)
          throw err
        }
      },
    }
  }
}
