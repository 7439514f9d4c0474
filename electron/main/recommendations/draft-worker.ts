import { parentPort, workerData } from 'node:worker_threads'
import { ExperimentService } from '../experiments/experiment-service'
import { responseCurvesSteps } from '../ml/forecast-service'
import { connectReadOnly } from '../store/connect'
import { lowerThreadPriority } from '../thread-priority'
import { ExperimentsRepo } from '../store/repos/experiments-repo'
import { RecommendationsRepo } from '../store/repos/recommendations-repo'
import { AccountDrafter } from './account-draft'
import type { DraftRequest } from './draft-thread'

// Worker entry: a generation's second pair of hands. On its own read-only connection (each read a
// WAL snapshot, as on the core's thread) it drafts whole accounts and the A/B test suggestions with
// the same code the core's thread runs, one request at a time, unsliced (it is not the core's thread).
// Background work: on Linux at the decoders' nice, so the core's thread (IPC) gets a CPU first.
lowerThreadPriority((workerData as { nice?: number }).nice)
const sqlite = connectReadOnly((workerData as { path: string }).path)
const drafter = new AccountDrafter({
  repo: new RecommendationsRepo(sqlite),
  curveSteps: (input) => responseCurvesSteps(sqlite, input),
})
const experiments = new ExperimentService(new ExperimentsRepo(sqlite))

parentPort?.on('message', (m: { id: number; request: DraftRequest }) => {
  const r = m.request
  const work: Promise<unknown> =
    r.kind === 'account'
      ? drafter.draft(r.workspaceId, r.account, r.rate, r.vertical)
      : Promise.resolve().then(() => experiments.suggest(r.input))
  work.then(
    (value) => parentPort?.postMessage({ id: m.id, ok: true, value }),
    (err: unknown) =>
      parentPort?.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
  )
})
