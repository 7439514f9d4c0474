import type { z } from 'zod'
import { attributionOf } from '../../../shared/domain/attribution'
import { apiVersionNotice, PLATFORM_APIS, type ApiVersionNotice } from '../../../shared/domain/api-versions'
import { principalLabel } from '../../../shared/domain/caller'
import { PLATFORMS, type PlatformId } from '../../../shared/domain/entities'
import { METRIC_TABLES } from '../../../shared/domain/tables'
import type { SYNC_INVOKE_CHANNELS } from '../../../shared/ipc/channels/sync'
import type { SyncConfigViewSchema } from '../../../shared/ipc/contracts/sync'
import { AppError } from '../../../shared/ipc/result'
import type { CoreServices } from '../core-services'
import type { Handler } from '../ipc/router'
import type { CoreModule, ModuleParts, ServiceRegistry } from '../module'
import type { JobKindName } from '../scheduler/job-kinds'
import { CsvImporter, type ImportPlan } from './csv-import/importer'
import { ImportFiles } from './csv-import/import-files'
import { ensureDemoConnections } from './demo-connections'
import { googleLoopbackOAuth } from './google-oauth'
import { SyncScheduler } from './scheduler'
import { SimulatedPlatformsThread } from './sim-thread'
import { SyncConfigSchema, type SyncConfig } from './sync-config'
import { SyncService } from './sync-service'

/** The sync channels; pause/enable/budget belong to the change pipeline (changes/module.ts). */
type Channel = Exclude<(typeof SYNC_INVOKE_CHANNELS)[number], 'entities:setStatus' | 'entities:setBudget'>

const noticeView = (n: ApiVersionNotice | null): { level: 'warning' | 'error'; message: string } | null =>
  n ? { level: n.level, message: n.message } : null

export const IMPORT_JOB = 'import:csv' satisfies JobKindName

type Provides = 'sync' | 'syncScheduler' | 'importer'

/** The sync domain: connections, syncs, write-back and CSV imports over the core's connectors. */
export const syncModule: CoreModule<Provides, 'connectors', Channel> = {
  name: 'sync',
  provides: ['sync', 'syncScheduler', 'importer'],
  requires: ['connectors'],
  create: createSyncModule,
}

function createSyncModule(
  services: CoreServices,
  { connectors }: Pick<ServiceRegistry, 'connectors'>,
): ModuleParts<Provides, Channel> {
  const sync = new SyncService(services, connectors)
  // The demo's simulated platforms answer on their own thread (closed with the core).
  const simulated = new SimulatedPlatformsThread(services.platform.paths.dataDir)
  sync.useSimulatedFetch(simulated.factory, () => simulated.stats())
  const importer = new CsvImporter(services.store.sqlite, () => services.platform.clock.now())
  const files = new ImportFiles(services)
  /** Plans validated by `import:commit`, reused by its job when it runs in this process. */
  const planned = new Map<string, ImportPlan>()
  const scheduler = new SyncScheduler(services, (ws) => sync.startSync({ workspaceId: ws }))
  const offs: (() => void)[] = []
  /** The Google sign-in waiting for the browser, if any. */
  let pendingGoogleSignIn: AbortController | null = null

  const configView = (c: SyncConfig): z.infer<typeof SyncConfigViewSchema> => ({
    ...c,
    effective: {
      restatementDays: Object.fromEntries(PLATFORMS.map((p) => [p, sync.config.restatementDays(p)])) as Record<
        (typeof PLATFORMS)[number],
        number
      >,
      baseUrls: Object.fromEntries(PLATFORMS.map((p) => [p, sync.config.baseUrl(p)])),
      apiVersions: Object.fromEntries(PLATFORMS.map((p) => [p, sync.config.apiVersion(p)])),
      attribution: Object.fromEntries(
        PLATFORMS.map((p) => {
          const a = attributionOf(p, c.attribution)
          return [p, { code: a.code, label: a.label }]
        }),
      ),
    },
    apiVersionChoices: Object.fromEntries(
      PLATFORMS.map((p) => [
        p,
        PLATFORM_APIS[p].versions.map((v) => ({
          version: v.version,
          sunset: v.sunset,
          current: v.version === PLATFORM_APIS[p].current,
        })),
      ]),
    ),
  })

  const connectionsView = (workspaceId: number): ReturnType<Handler<'connections:list'>> => {
    services.workspaces.get(workspaceId)
    const accounts = sync.repo.accounts(workspaceId)
    const next = scheduler.nextSyncAt(workspaceId)
    return sync.repo.connections(workspaceId).map((c) => ({
      id: c.id,
      workspaceId: c.workspaceId,
      platform: c.platform,
      label: c.label,
      status: c.status,
      lastError: c.lastError,
      simulated: !!c.config.simulated,
      baseUrl: c.config.baseUrl ?? sync.config.baseUrl(c.platform),
      apiVersion: sync.config.apiVersion(c.platform),
      apiNotice: noticeView(
        apiVersionNotice(c.platform, sync.config.apiVersion(c.platform), services.platform.clock.now()),
      ),
      createdAt: c.createdAt,
      accounts: accounts
        .filter((a) => a.connectionId === c.id)
        .map((a) => {
          const st = sync.repo.state(a.id)
          const full = services.workspaces.accounts(workspaceId).find((x) => x.id === a.id)
          const days = sync.config.restatementDays(a.platform, st?.restatementDays ?? null)
          const through = st?.syncedThrough ?? full?.lastDate ?? null
          return {
            id: a.id,
            platform: a.platform,
            externalId: a.externalId,
            name: a.name,
            currency: a.currency,
            timeZone: a.timeZone,
            status: a.status,
            statusMessage: full?.statusMessage ?? null,
            lastSyncedAt: full?.lastSyncedAt ?? null,
            nextSyncAt: st?.nextSyncAt ?? next,
            syncedThrough: through,
            provisionalFrom: through ? provisionalFrom(through, days) : null,
            restatementDays: days,
            rows: sync.repo.rowCount(a.id),
          }
        }),
    }))
  }

  return {
    services: { sync, syncScheduler: scheduler, importer },
    handlers: {
      'connections:list': ({ workspaceId }) => connectionsView(workspaceId),
      'connections:connect': async ({ workspaceId, credentials, label, baseUrl }, ctx) => {
        const r = await sync.connect(workspaceId, credentials, principalLabel(ctx.principal), {
          ...(label ? { label } : {}),
          ...(baseUrl ? { baseUrl } : {}),
        })
        return {
          connectionId: r.connectionId,
          accounts: r.accounts.map((a) => ({ id: a.id, name: a.name, externalId: a.externalId })),
        }
      },
      'connections:connectGoogle': async (
        { workspaceId, developerToken, clientId, clientSecret, loginCustomerId, customerIds },
        ctx,
      ) => {
        services.workspaces.get(workspaceId)
        // One sign-in at a time: a new one (the user clicked Connect again) closes the previous
        // one's loopback listener at once instead of leaving it open for its 5-minute timeout.
        pendingGoogleSignIn?.abort()
        const signIn = new AbortController()
        pendingGoogleSignIn = signIn
        let refreshToken: string
        try {
          ;({ refreshToken } = await googleLoopbackOAuth({
            clientId,
            clientSecret,
            tokenUrl: sync.config.tokenUrl('google_ads') ?? 'https://oauth2.googleapis.com/token',
            openExternal: (url) => services.platform.openExternal(url),
            signal: signIn.signal,
          }))
        } catch (err) {
          throw new AppError('UNAUTHORIZED', (err as Error).message)
        } finally {
          if (pendingGoogleSignIn === signIn) pendingGoogleSignIn = null
        }
        const creds = {
          platform: 'google_ads' as const,
          developerToken,
          clientId,
          clientSecret,
          refreshToken,
          customerIds,
          ...(loginCustomerId ? { loginCustomerId } : {}),
        }
        const r = await sync.connect(workspaceId, creds, principalLabel(ctx.principal))
        return {
          connectionId: r.connectionId,
          accounts: r.accounts.map((a) => ({ id: a.id, name: a.name, externalId: a.externalId })),
        }
      },
      'connections:remove': async ({ connectionId }, ctx) => {
        await sync.removeConnection(connectionId, principalLabel(ctx.principal))
        return { removed: true }
      },
      'sync:start': (input) => sync.startSync(input),
      'sync:getStatus': ({ workspaceId }) => {
        services.workspaces.get(workspaceId)
        const job = services.jobs
          .list(50)
          .find(
            (j) =>
              j.kind === 'sync:run' &&
              (j.status === 'running' || j.status === 'queued') &&
              workspaceOfJob(services, j.id) === workspaceId,
          )
        return {
          running: job
            ? { jobId: job.id, step: job.step, current: job.current, total: job.total, message: job.message }
            : null,
          lastRun: sync.repo.runs(workspaceId, 1)[0] ?? null,
          nextSyncAt: scheduler.nextSyncAt(workspaceId),
          intervalHours: services.platform.settings.get().syncIntervalHours,
        }
      },
      'sync:listRuns': ({ workspaceId, limit }) => sync.repo.runs(workspaceId, limit),
      'sync:getConfig': () => configView(sync.config.get()),
      'sync:updateConfig': (patch, ctx) =>
        services.mutations.run({ action: 'sync_config.update', ctx, tables: ['settings'], detail: () => patch }, () => {
          const cur = sync.config.get()
          const overrides = (
            base: Partial<Record<PlatformId, string>>,
            p: Partial<Record<PlatformId, string | null>> | undefined,
          ): Partial<Record<PlatformId, string>> => {
            const out = { ...base }
            for (const [k, v] of Object.entries(p ?? {}) as [PlatformId, string | null | undefined][])
              if (v === null) delete out[k]
              else if (v !== undefined) out[k] = v
            return out
          }
          // Each pinned platform: a window replaces the pin, null removes it, absent leaves it.
          const pins = (
            base: SyncConfig['attribution'],
            change: NonNullable<typeof patch.attribution>,
          ): SyncConfig['attribution'] => {
            const out: Record<string, unknown> = { ...base }
            for (const [k, v] of Object.entries(change))
              if (v === null) delete out[k]
              else if (v !== undefined) out[k] = v
            return out as SyncConfig['attribution']
          }
          const next: SyncConfig = {
            ...cur,
            ...(patch.backfillMonths !== undefined ? { backfillMonths: patch.backfillMonths } : {}),
            ...(patch.restatementDays ? { restatementDays: { ...cur.restatementDays, ...patch.restatementDays } } : {}),
            ...(patch.apiVersions ? { apiVersions: { ...cur.apiVersions, ...patch.apiVersions } } : {}),
            ...(patch.attribution ? { attribution: pins(cur.attribution, patch.attribution) } : {}),
            baseUrls: overrides(cur.baseUrls, patch.baseUrls),
            tokenUrls: overrides(cur.tokenUrls, patch.tokenUrls),
            ...(patch.developerLoopbackApis !== undefined
              ? { developerLoopbackApis: patch.developerLoopbackApis }
              : {}),
          }
          const parsed = SyncConfigSchema.safeParse(next)
          if (!parsed.success)
            throw new AppError('VALIDATION', parsed.error.issues[0]?.message ?? 'Invalid sync settings')
          // Credentials stay with their platform: every new override must pass the URL policy ...
          const changes = sync.config.hostChanges(next)
          for (const c of changes) {
            const problem = c.to === undefined ? null : sync.config.urlProblem(c.to, next.developerLoopbackApis)
            if (problem)
              throw new AppError(
                'VALIDATION',
                `${c.kind === 'baseUrl' ? 'baseUrls' : 'tokenUrls'}.${c.platform}: ${problem}`,
              )
          }
          // ... and moving saved credentials to another host needs an explicit confirmation.
          const saved = sync.repo.connections().filter((c) => !c.config.simulated)
          const risky = changes.filter((c) => saved.some((s) => s.platform === c.platform && !s.config.baseUrl))
          if (risky.length > 0 && patch.confirmCredentialHostChange !== true) {
            const list = risky.map((c) => `${c.platform} ${c.kind} → ${c.to ?? 'the official address'}`).join(', ')
            throw new AppError(
              'CONFLICT',
              `Saved credentials would be sent to a new address (${list}). Confirm with confirmCredentialHostChange: true.`,
              { changes: risky },
            )
          }
          const updated = sync.config.update(next)
          const actor = principalLabel(ctx.principal)
          for (const c of changes)
            sync.repo.audit(actor, 'sync.api_address', 'platform', null, null, {
              ...c,
              savedCredentials: risky.includes(c),
            })
          if (cur.developerLoopbackApis !== updated.developerLoopbackApis)
            sync.repo.audit(actor, 'sync.developer_loopback_apis', null, null, null, {
              on: updated.developerLoopbackApis,
            })
          return configView(updated)
        }),
      'import:preview': async (input) => {
        services.workspaces.get(input.workspaceId)
        const { writes: _w, ...plan } = await importer.plan(input.workspaceId, await files.read(input), input.mapping)
        return plan
      },
      'import:commit': async (input) => {
        const { workspaceId, fileName, mapping } = input
        services.workspaces.get(workspaceId)
        const content = await files.read(input)
        const plan = await importer.plan(workspaceId, content, mapping)
        if (plan.errors.length || !plan.mapping) {
          throw new AppError(
            'VALIDATION',
            `The file has ${plan.errors.length} error(s); nothing was imported. First: line ${plan.errors[0]?.row}: ${plan.errors[0]?.message}`,
            {
              errors: plan.errors.slice(0, 100),
            },
          )
        }
        const file = await files.store(content)
        planned.set(file, plan)
        try {
          return { jobId: services.jobs.enqueue(IMPORT_JOB, { workspaceId, fileName, file, mapping }) }
        } catch (err) {
          planned.delete(file)
          files.remove(file)
          throw err
        }
      },
    },
    start() {
      services.jobs.register(
        sync.syncJob((workspaceId, r) => {
          services.events.emit('data:changed', {
            tables: [...METRIC_TABLES, 'sync_runs'],
            workspaceId,
          })
          services.events.emit('sync:finished', {
            workspaceId,
            runId: r?.runId ?? null,
            status: r?.status ?? 'failed',
            rowsWritten: r?.rowsWritten ?? 0,
          })
        }),
      )
      services.jobs.register({
        kind: IMPORT_JOB,
        maxAttempts: 1,
        run: async (p, ctx) => {
          const pacing = {
            signal: ctx.signal,
            progress: (step: string, current: number, total: number) => ctx.progress(step, current, total, p.fileName),
          }
          try {
            const plan =
              planned.get(p.file) ?? (await importer.plan(p.workspaceId, await files.load(p.file), p.mapping, pacing))
            planned.delete(p.file)
            const runId = sync.repo.startRun(p.workspaceId, ctx.jobId, 'import')
            try {
              const r = await importer.commit(p.workspaceId, plan, pacing)
              sync.repo.finishRun(runId, 'succeeded', [], r.rows, null)
              services.events.emit('data:changed', {
                tables: [...METRIC_TABLES, 'sync_runs'],
                workspaceId: p.workspaceId,
              })
              ctx.progress('Done', plan.adDays, plan.adDays, `${r.rows} ad-days`)
              return {
                runId,
                rows: r.rows,
                skippedSynced: plan.skippedSynced,
                accounts: r.accounts,
                from: plan.from,
                to: plan.to,
                totals: plan.totals,
              }
            } catch (err) {
              sync.repo.finishRun(runId, 'failed', [], 0, (err as Error).message)
              throw err
            }
          } finally {
            // A crash skips this: the job runs again at restart and still finds its file.
            files.remove(p.file)
          }
        },
      })
      // Files of import jobs that were cancelled before they ran, or finished while this process was down.
      files.sweep()
      offs.push(
        services.events.on('job:finished', (f) => {
          if (f.kind === IMPORT_JOB) files.sweep()
        }),
      )
      ensureDemoConnections(services.store.sqlite, sync.repo)
      offs.push(
        services.events.on('job:finished', (f) => {
          if (f.kind === 'demo:build' && f.status === 'succeeded')
            ensureDemoConnections(services.store.sqlite, sync.repo)
        }),
      )
      // Automatic syncs belong to the long-running hosts; the CLI and tests sync on request.
      if (services.platform.host === 'electron' || services.platform.host === 'web') scheduler.start()
    },
    stop() {
      pendingGoogleSignIn?.abort()
      scheduler.stop()
      for (const off of offs.splice(0)) off()
    },
    close: () => simulated.close(),
  }
}

function provisionalFrom(through: string, days: number): string {
  const d = new Date(`${through}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - (days - 1))
  return d.toISOString().slice(0, 10)
}

function workspaceOfJob(s: CoreServices, jobId: number): number | null {
  return s.jobs.payload<{ workspaceId?: number }>(jobId)?.workspaceId ?? null
}
