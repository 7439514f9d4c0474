import type { ML_INVOKE_CHANNELS } from '../../../shared/ipc/channels/ml'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts } from '../module'
import type { MlTrainPayload } from '../scheduler/job-kinds'
import type { JobKind, JobQueue } from '../scheduler/job-queue'
import { FORECAST_MODEL, ForecastService } from './forecast-service'
import { LtvService } from './ltv-service'
import { ModelRegistry } from '../store/repos/model-registry'
import { OrdersRepo } from '../store/repos/orders-repo'
import type { TrainMode } from './train-runner'
import { valuePerConversion } from './value-per-conversion'
import { listModelEntities } from '../store/repos/dataset-repo'
import { StatusRepo } from '../store/repos/status-repo'

type Channel = (typeof ML_INVOKE_CHANNELS)[number]

/** Retrain when the newest version is older than this. */
const RETRAIN_AFTER_MS = 7 * 24 * 3600 * 1000
/** How often the weekly schedule looks for stale models (and first look after start). */
const SCHEDULE_CHECK_MS = 6 * 3600 * 1000
const FIRST_CHECK_MS = 5 * 60 * 1000

/**
 * The training job: runs in a worker thread, one attempt (a failed fit is reported, not retried). It
 * gives way to the jobs that write the data it reads (a sync or CSV import of its workspace, a demo
 * build): it waits while one runs or is queued, and one that starts meanwhile stops it and queues it
 * again (job-queue.ts: at most MAX_GIVE_WAY stops, held at most MAX_HOLD_MS). A training
 * beside a sync would fit data about to change, and the two together would compete for the cores and
 * hold both their memory at once (issue 18: at 10,000 campaigns that made the app's peak).
 */
export function mlTrainJob(forecasts: ForecastService): JobKind<'ml:train'> {
  return {
    kind: 'ml:train',
    maxAttempts: 1,
    yieldsTo: {
      kinds: ['sync:run', 'import:csv', 'demo:build'],
      message: 'Waiting for the sync, import or demo build to finish, to train on the new data',
      // Only to the same workspace's data jobs (a demo build names none: it may rebuild any).
      same: (mine, other) => {
        const w = (other.payload as { workspaceId?: unknown } | null)?.workspaceId
        return typeof w !== 'number' || w === mine.workspaceId
      },
    },
    run: (p, ctx) =>
      forecasts.train(
        p.workspaceId,
        ctx,
        p.trees ? { nTrees: p.trees, quantileTrees: Math.max(10, Math.round(p.trees / 2)) } : {},
      ),
  }
}

/**
 * Queue a training of a workspace's model unless one is already queued or running for it: then
 * that job's id comes back (`existing`), so a second click or CLI `train` never trains twice.
 */
export function queueTraining(jobs: JobQueue, payload: MlTrainPayload): { id: number; existing: boolean } {
  return jobs.enqueueOnce(
    'ml:train',
    payload,
    (o) => o.workspaceId === payload.workspaceId && o.model === payload.model,
  )
}

type Provides = 'forecasts' | 'ltv'

/** The ml domain: forecasts, response curves, drivers and LTV. `ME_ML_TRAIN_MODE=inline` skips the worker. */
export const mlModule: CoreModule<Provides, never, Channel> = {
  name: 'ml',
  provides: ['forecasts', 'ltv'],
  requires: [],
  create: createMlModule,
}

function createMlModule(services: CoreServices): ModuleParts<Provides, Channel> {
  const { store, events, jobs, platform } = services
  const registry = new ModelRegistry(store.sqlite)
  const status = new StatusRepo(store.sqlite)
  const mode: TrainMode = process.env.ME_ML_TRAIN_MODE === 'inline' ? 'inline' : 'worker'
  const forecasts = new ForecastService(store.sqlite, registry, events, () => platform.clock.now(), mode)
  const ltv = new LtvService(new OrdersRepo(store.sqlite), events)
  let timer: NodeJS.Timeout | null = null
  let offDataJobs: (() => void) | null = null

  /** Weekly schedule: queue a retrain for every workspace with data whose newest model is a week old. */
  const checkSchedule = (): void => {
    // Another process owns the store and runs its trainings.
    if (!services.ownership.isOwner) return
    const now = platform.clock.now().getTime()
    for (const w of services.workspaces.list()) {
      if (!status.hasData(w.id)) continue
      const last = registry.lastTrainedAt(w.id, FORECAST_MODEL)
      if (last && now - Date.parse(last) < RETRAIN_AFTER_MS) continue
      // One training at a time: the schedule waits while any is queued or running.
      if (jobs.active('ml:train').length === 0) jobs.enqueue('ml:train', { workspaceId: w.id, model: 'forecast' })
    }
  }

  return {
    services: { forecasts, ltv },
    handlers: {
      'ml:listModels': ({ workspaceId }) => registry.list(workspaceId),
      'ml:train': ({ workspaceId, model }) => ({ jobId: queueTraining(jobs, { workspaceId, model }).id }),
      'ml:getForecast': (input) => forecasts.forecast(input),
      'ml:getResponseCurve': (input) => forecasts.responseCurve(input),
      // Seconds of CPU at 10,000 campaigns (aggregates + CART): on the page-reads worker, kept per data change.
      'ml:getDrivers': ({ workspaceId, days }) => services.pageReads.get('ml:getDrivers', { workspaceId, days }),
      'ml:listEntityForecasts': ({ workspaceId, entityType, ids }) =>
        forecasts.entityForecasts(workspaceId, entityType, ids),
      'ml:listEntities': ({ workspaceId, search, limit, include }) =>
        listModelEntities(store.sqlite, workspaceId, { search, limit, include }) as {
          entityType: 'campaign' | 'ad_set'
          entityId: number
          name: string
          campaignId: number
          platform: string
        }[],
      'ml:importOrders': (input) => ltv.importOrders(input),
      'ml:getLtv': ({ workspaceId, horizonWeeks }) => ltv.ltv(workspaceId, horizonWeeks),
      'ml:getValuePerConversion': ({ workspaceId, days }) => valuePerConversion(store.sqlite, workspaceId, days),
    },
    start() {
      jobs.register(mlTrainJob(forecasts))
      const tick = (): void => {
        try {
          checkSchedule()
        } catch (err) {
          console.error('[ml] schedule check failed', err)
        }
        timer = setTimeout(tick, SCHEDULE_CHECK_MS)
        timer.unref()
      }
      timer = setTimeout(tick, FIRST_CHECK_MS)
      timer.unref()
      // A fresh demo or a first sync should not wait for the schedule: train once data lands.
      // (Tests drive training explicitly, so the test host skips this.)
      if (platform.host !== 'test') {
        offDataJobs = services.events.on('job:finished', (f) => {
          if (f.status === 'succeeded' && (f.kind === 'demo:build' || f.kind.startsWith('sync'))) tick()
        })
      }
    },
    stop() {
      offDataJobs?.()
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}
