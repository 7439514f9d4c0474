import type { Worker } from 'node:worker_threads'
import type { DateRange, Totals } from '../../shared/domain/metrics'
import type { DataTable } from '../../shared/domain/tables'
import { addDays } from '../../shared/domain/dates'
import { contract, type ChannelOutput, type ChannelParsedInput } from '../../shared/ipc/contract'
import { CREATIVES_WINDOW } from '../../shared/domain/row-window'
import { AppError, type ErrorCode } from '../../shared/ipc/result'
import { AnalyticsService, BREAKDOWN_TABLES } from './analytics/analytics-service'
import type { AnomalyService } from './analytics/anomaly-service'
import { CreativesService, orderTotals, type CreativeOrder, type CreativeWindow } from './analytics/creatives-service'
import { ExperimentService } from './experiments/experiment-service'
import { driversTree } from './ml/drivers'
import type { CoreServices } from './core-services'
import type { Sqlite } from './store/db'
import { StatusRepo } from './store/repos/status-repo'
import { AnalyticsRepo } from './store/repos/analytics-repo'
import { CreativesRepo } from './store/repos/creatives-repo'
import { ExperimentsRepo } from './store/repos/experiments-repo'
import { FxRepo } from './store/repos/fx-repo'
import { WorkspaceRepo } from './store/repos/workspace-repo'
import { startWorker, workerEntryUrl } from './worker-entry'
import { RunLaterError, throwIfAborted } from './scheduler/job-queue'

/**
 * Page reads that cost seconds of CPU at 10,000 campaigns (issue 18) and depend only on the store:
 * computed on a worker thread with its own read-only connection, kept until a `data:changed` names a
 * table they read, and computed ahead in the background (after the start and after each sync) so a
 * page opens on a kept answer. Each read is the same service code the core would run (the worker
 * builds the services on its connection), so the answers are identical.
 */
export interface PageReadServices {
  sqlite: Sqlite
  creatives: CreativesService
  experiments: ExperimentService
}

/** The services the reads use, on a connection (the worker's, or the core's for in-memory stores). */
export function pageReadServices(sqlite: Sqlite): PageReadServices {
  const repo = new AnalyticsRepo(sqlite)
  const analytics = new AnalyticsService(repo, new WorkspaceRepo(sqlite), new FxRepo(sqlite))
  return {
    sqlite,
    creatives: new CreativesService(new CreativesRepo(sqlite), repo, analytics),
    experiments: new ExperimentService(new ExperimentsRepo(sqlite)),
  }
}

/** What the entities, their rows and their rollups feed (the breakdowns' tables) plus exchange rates. */
const METRIC_READ_TABLES: readonly DataTable[] = [...new Set<DataTable>([...BREAKDOWN_TABLES, 'fx_rates', 'creatives'])]

interface ReadSpec<I, O> {
  /** A data:changed naming one of these forgets the kept answers. */
  tables: readonly DataTable[]
  run(s: PageReadServices, input: I): O
  /** Whether to keep this answer (default: yes). A read not kept is cheap, or asked once. */
  keep?(input: I): boolean
  /** At most this many answers of this read are kept (large ones: the creatives' orders). */
  maxKept?: number
}

const spec = <I, O>(s: ReadSpec<I, O>): ReadSpec<I, O> => s

/** The reads by name: each an IPC channel's answer, or a part of one (the creatives' order and rows). */
export const PAGE_READS = {
  'ml:getDrivers': spec({
    tables: METRIC_READ_TABLES,
    run: (s, i: { workspaceId: number; days: number }) => driversTree(s.sqlite, i.workspaceId, i.days),
  }),
  /** The Creatives page's list without a window: the `limit` ads of highest spend (reports). */
  'analytics:listCreatives': spec({
    tables: METRIC_READ_TABLES,
    run: (s, i: { workspaceId: number; range: DateRange; limit: number }): ChannelOutput<'analytics:listCreatives'> =>
      s.creatives.list(i.workspaceId, i.range, i.limit),
  }),
  /** Every ad of a range filtered and sorted with its totals: the creatives list's windows are cut from it. */
  'creatives:order': spec({
    tables: METRIC_READ_TABLES,
    run: (
      s,
      i: { workspaceId: number; range: DateRange; sort: CreativeWindow['sort']; dir: 'asc' | 'desc'; search: string },
    ): CreativeOrder => s.creatives.order(i.workspaceId, i.range, i),
    // Each up to ~3 MB at 54,000 ads (ids and six totals as float64).
    maxKept: 4,
  }),
  /**
   * A window's rows (names, creative, fatigue) for ads whose totals the order holds. The page's
   * windows are kept (the last few: scrolling back, or a grid asking a window again, costs nothing);
   * an export's windows of 500 are read once.
   */
  'creatives:rows': spec({
    tables: METRIC_READ_TABLES,
    run: (s, i: { ids: number[]; totals: Totals[]; to: string; page: boolean }) =>
      s.creatives.rowsOf(i.ids, i.totals, i.to),
    keep: (i) => i.page,
    // Each ~100 kB (100 rows with their fatigue); a window read cold costs ~0.2-0.3 s of the worker's CPU.
    maxKept: 8,
  }),
  'analytics:compareFormats': spec({
    tables: METRIC_READ_TABLES,
    run: (s, i: { workspaceId: number; range: DateRange }): ChannelOutput<'analytics:compareFormats'> =>
      s.creatives.formats(i.workspaceId, i.range),
  }),
  'experiments:suggest': spec({
    tables: METRIC_READ_TABLES,
    run: (s, i: ChannelParsedInput<'experiments:suggest'>): ChannelOutput<'experiments:suggest'> =>
      s.experiments.suggest(i),
  }),
  'experiments:listEntities': spec({
    tables: METRIC_READ_TABLES,
    run: (s, i: ChannelParsedInput<'experiments:listEntities'>): ChannelOutput<'experiments:listEntities'> =>
      s.experiments.listEntities(i),
  }),
}
export type PageReadName = keyof typeof PAGE_READS
type InputOf<N extends PageReadName> = Parameters<(typeof PAGE_READS)[N]['run']>[1]
type OutputOf<N extends PageReadName> = ReturnType<(typeof PAGE_READS)[N]['run']>

/** Answers kept at most (each a page's answer: at most a few hundred kB). */
const MAX_KEPT = 24
/**
 * The worker stops this long after its last answer when nothing else is asked (its heap, ~100 MB after
 * the large demo's reads, goes back). A page's reads and the start-up computation arrive together, so
 * one worker serves them; a later read starts a new one, a small cost beside the seconds the read takes.
 */
const WORKER_IDLE_MS = 1_000

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; code?: ErrorCode; message: string }

/** The core's side: kept answers, the worker, the background computations. */
export class PageReads {
  private readonly kept = new Map<string, { name: PageReadName; answer: Promise<unknown> }>()
  private worker: Worker | null = null
  /** Resolves when the current worker has exited. */
  private exited: Promise<void> = Promise.resolve()
  /** Requests sent and not answered, with the worker they were sent to. */
  private readonly waiting = new Map<
    number,
    { worker: Worker; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >()
  private nextId = 1
  private idleTimer: NodeJS.Timeout | null = null
  private inline: PageReadServices | null = null
  private closed = false
  private forgotten = 0
  /** Changes of the data the reads read so far (the creatives windows say which one they were cut from). */
  private generation = 0

  constructor(
    private readonly sqlite: Sqlite,
    /** The store file ('' or ':memory:' compute inline on the core's connection). */
    private readonly path: string,
    /** How long the worker stays after its last answer (tests keep it longer to reach one worker twice). */
    private readonly workerIdleMs = WORKER_IDLE_MS,
  ) {}

  /** The read's answer: kept, being computed, or computed now on the worker. */
  get<N extends PageReadName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
    const key = `${name}|${JSON.stringify(input)}`
    const hit = this.kept.get(key)
    if (hit) return hit.answer as Promise<OutputOf<N>>
    const spec = PAGE_READS[name] as ReadSpec<InputOf<N>, OutputOf<N>>
    const answer = this.compute(name, input)
    if (spec.keep?.(input) === false) return answer
    this.keep(key, name, answer)
    return answer as Promise<OutputOf<N>>
  }

  /**
   * An answer another part of the core computes anyway, from the same data with the same code (the
   * recommendations generation's A/B test suggestions): kept as this read's answer unless one is kept
   * or being computed, so the page and the warm-up after a sync wait for it instead of computing it
   * again. If it fails, the read is computed here as usual.
   */
  share<N extends PageReadName>(name: N, input: InputOf<N>, answer: Promise<OutputOf<N>>): void {
    const key = `${name}|${JSON.stringify(input)}`
    if (this.kept.has(key) || this.closed) return
    this.keep(
      key,
      name,
      answer.catch(() => this.compute(name, input)),
    )
  }

  private keep(key: string, name: PageReadName, answer: Promise<unknown>): void {
    const spec = PAGE_READS[name]
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string)
    if (spec.maxKept !== undefined) {
      const same = [...this.kept].filter(([, k]) => k.name === name)
      for (const [k] of same.slice(0, Math.max(0, same.length - spec.maxKept + 1))) this.kept.delete(k)
    }
    this.kept.set(key, { name, answer })
    // A failure is not kept: the next ask tries again.
    answer.catch(() => {
      if (this.kept.get(key)?.answer === answer) this.kept.delete(key)
    })
  }

  /**
   * A window of the Creatives page's list: cut from the kept order of every ad (sums, names and sort
   * computed once per data change and sort), then only the window's rows read and fitted.
   */
  async creativesWindow(input: {
    workspaceId: number
    range: DateRange
    window: CreativeWindow
  }): Promise<ChannelOutput<'analytics:listCreatives'>> {
    const { workspaceId, range, window: w } = input
    // The order is kept until the data changes, so one asked now is of this generation or later.
    const generation = this.generation
    const o = await this.get('creatives:order', {
      workspaceId,
      range,
      sort: w.sort,
      dir: w.dir,
      search: w.search.trim().toLowerCase(),
    })
    const end = Math.min(w.offset + w.limit, o.ids.length)
    const from = Math.min(w.offset, end)
    const rows = await this.get('creatives:rows', {
      ids: Array.from(o.ids.subarray(from, end)),
      totals: orderTotals(o, from, end),
      to: range.to,
      // The page's windows are kept (not an export's windows of 500 rows).
      page: w.limit === CREATIVES_WINDOW,
    })
    return {
      currency: o.currency,
      convertedFrom: o.convertedFrom,
      rows,
      total: o.ids.length,
      offset: w.offset,
      generation,
    }
  }

  /** Whether an answer for this read is kept (or being computed). */
  has<N extends PageReadName>(name: N, input: InputOf<N>): boolean {
    return this.kept.has(`${name}|${JSON.stringify(input)}`)
  }

  /**
   * The data changed: forget the answers that read any of `tables` (all of them without a list), and
   * what the services computing them keep (the creatives' sums and orders), on the worker too.
   */
  invalidate(tables?: readonly DataTable[]): void {
    for (const [key, k] of this.kept)
      if (!tables || PAGE_READS[k.name].tables.some((t) => tables.includes(t))) {
        this.kept.delete(key)
        this.forgotten++
      }
    // The creatives' per-ad sums, kept by the services between reads (on the worker, or inline).
    if (!tables || tables.some((t) => METRIC_READ_TABLES.includes(t))) {
      this.generation++
      this.inline?.creatives.invalidate()
      this.worker?.postMessage({ invalidate: true })
    }
  }

  /** How many kept answers (done or being computed) the data's changes have made the reads forget so far. */
  get forgottenCount(): number {
    return this.forgotten
  }

  /** Whether a worker thread is running (it stops once idle). */
  get running(): boolean {
    return this.worker !== null
  }

  /** Resolves once the worker (if any) has stopped: after its idle delay, or at close (tests, benches). */
  stopped(): Promise<void> {
    return this.exited
  }

  /** Resolves once every kept answer being computed is done (tests, benches). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.kept.values()].map((k) => k.answer))
  }

  close(): Promise<void> {
    this.closed = true
    this.kept.clear()
    return this.stopWorker()
  }

  private compute<N extends PageReadName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
    if (this.closed) return Promise.reject(new AppError('CONFLICT', 'The app is closing'))
    const url =
      this.path === '' || this.path === ':memory:' ? null : workerEntryUrl(import.meta.url, 'page-reads-worker')
    if (!url)
      return Promise.resolve().then(() => {
        this.inline ??= pageReadServices(this.sqlite)
        const run = PAGE_READS[name].run as (s: PageReadServices, i: InputOf<N>) => OutputOf<N>
        return run(this.inline, input)
      })
    const w = this.workerOn(url)
    const id = this.nextId++
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    return new Promise<OutputOf<N>>((resolve, reject) => {
      this.waiting.set(id, { worker: w, resolve: resolve as (v: unknown) => void, reject })
      w.postMessage({ id, name, input })
    })
  }

  private workerOn(url: URL): Worker {
    if (this.worker) return this.worker
    const w = startWorker(url, { path: this.path })
    // Only this worker's requests fail with it (a worker stopped when idle may exit after a new one started).
    const failAll = (err: Error): void => {
      for (const [id, p] of this.waiting)
        if (p.worker === w) {
          this.waiting.delete(id)
          p.reject(err)
        }
      if (this.worker === w) this.worker = null
    }
    w.on('message', (m: Reply) => {
      const p = this.waiting.get(m.id)
      if (!p) return
      this.waiting.delete(m.id)
      if (m.ok) p.resolve(m.value)
      else p.reject(m.code ? new AppError(m.code, m.message) : new Error(m.message))
      if (this.worker === w && !this.busy(w)) {
        if (this.idleTimer) clearTimeout(this.idleTimer)
        this.idleTimer = setTimeout(() => {
          if (this.worker === w && !this.busy(w)) void this.stopWorker()
        }, this.workerIdleMs)
        this.idleTimer.unref()
      }
    })
    w.on('error', (err) => failAll(err))
    this.exited = new Promise((resolve) => w.once('exit', () => resolve()))
    w.on('exit', (code) => failAll(new Error(`The page computation stopped (worker exit ${code})`)))
    this.worker = w
    return w
  }

  private busy(w: Worker): boolean {
    for (const x of this.waiting.values()) if (x.worker === w) return true
    return false
  }

  private async stopWorker(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    const w = this.worker
    this.worker = null
    if (w) await w.terminate()
  }
}

/** The first background computation waits this long after the start (the first pages come first). */
export const PAGE_READS_WARM_DELAY_MS = 5_000

/** The reads each page asks first, for one workspace (Predictions' 90-day drivers, Creatives' first window over the last 30 days, Experiments). */
function firstReads(core: CoreServices, workspaceId: number, range: DateRange): Promise<unknown>[] {
  return [
    core.pageReads.get('ml:getDrivers', { workspaceId, days: 90 }),
    core.pageReads.creativesWindow(
      contract['analytics:listCreatives'].input.parse({
        workspaceId,
        range,
        window: { offset: 0, limit: CREATIVES_WINDOW },
      }) as {
        workspaceId: number
        range: DateRange
        window: CreativeWindow
      },
    ),
    core.pageReads.get('analytics:compareFormats', { workspaceId, range }),
    core.pageReads.get('experiments:suggest', contract['experiments:suggest'].input.parse({ workspaceId })),
    core.pageReads.get(
      'experiments:listEntities',
      contract['experiments:listEntities'].input.parse({ workspaceId, level: 'ad_set' }),
    ),
  ]
}

/** What a `pages:prepare` job did. */
export interface PreparePagesResult {
  workspaces: number
  /** Reads that failed (the page's own ask shows the error and tries again). */
  failed: number
  /** False where this process does not prepare pages (the CLI): the job had nothing to do. */
  prepared: boolean
  /** Rounds over the workspaces (more than one when the data changed during a round). */
  rounds: number
}

/** Jobs whose end changes the data the pages read: each queues `pages:prepare` again. */
const DATA_JOBS = ['demo:build', 'sync:run', 'import:csv'] as const
/** At most this many rounds per job when the data keeps changing under it. */
const MAX_ROUNDS = 3

/**
 * The `pages:prepare` job (jobs panel: "Preparing pages"): the slow page reads and the dashboard's
 * anomaly scan computed ahead, workspace by workspace, so a page opens on a kept answer. Queued at
 * the start (it waits `startDelayMs` so the window's first pages come first) and after each sync,
 * CSV import or demo build, in the background lane (a sync asked for meanwhile does not wait behind
 * it). The reads run on the page-reads worker and the scan in slices, so the core's thread stays
 * free. When a change of the data made the reads forget answers during a round, it goes round
 * again (at most MAX_ROUNDS), unless a sync, import or demo build is queued or running (its end,
 * whatever its outcome, queues the job anew). Where `enabled` is false (the CLI) it has nothing to do. Returns the function that
 * stops queueing it.
 */
export function registerPreparePages(
  core: CoreServices,
  options: { enabled: boolean; anomalies?: AnomalyService; startDelayMs?: number },
): () => void {
  const status = new StatusRepo(core.store.sqlite)
  const readyAt = core.platform.clock.now().getTime() + (options.startDelayMs ?? PAGE_READS_WARM_DELAY_MS)
  const dataJobRunning = (): boolean => DATA_JOBS.some((k) => core.jobs.active(k).length > 0)
  core.jobs.register({
    kind: 'pages:prepare',
    maxAttempts: 1,
    background: true,
    run: async (_payload, ctx): Promise<PreparePagesResult> => {
      if (!options.enabled) return { workspaces: 0, failed: 0, prepared: false, rounds: 0 }
      if (core.platform.clock.now().getTime() < readyAt)
        throw new RunLaterError(new Date(readyAt), 'Waits until the first pages are shown')
      let failed = 0
      let workspaces = 0
      let rounds = 0
      while (rounds < MAX_ROUNDS) {
        rounds++
        const seen = core.pageReads.forgottenCount
        const ready = core.workspaces.list().filter((w) => status.lastDataDate(w.id) !== null)
        workspaces = ready.length
        failed = 0
        const today = core.platform.clock.now().toISOString().slice(0, 10)
        const range = { from: addDays(today, -30), to: addDays(today, -1) }
        for (const [i, w] of ready.entries()) {
          throwIfAborted(ctx.signal)
          ctx.progress('preparing', i, ready.length, `Preparing the pages of ${w.name}`)
          options.anomalies?.warm(w.id, range)
          const done = await Promise.allSettled([...firstReads(core, w.id, range), options.anomalies?.idle()])
          failed += done.filter((d) => d.status === 'rejected').length
        }
        ctx.progress('preparing', ready.length, ready.length, 'Pages ready')
        if (core.pageReads.forgottenCount === seen || dataJobRunning()) break
      }
      return { workspaces, failed, prepared: true, rounds }
    },
  })
  if (!options.enabled) return () => undefined
  const queue = (): void => {
    if (core.ownership.isOwner && core.store.sqlite.open) core.jobs.enqueueOnce('pages:prepare', {})
  }
  queue()
  return core.events.on('job:finished', (f) => {
    if (!(DATA_JOBS as readonly string[]).includes(f.kind)) return
    // A failed or cancelled one may have written part of its data (its data:changed events made the
    // reads forget what it touched), and a round may have stopped early waiting for its end.
    if (f.status === 'succeeded') core.pageReads.invalidate()
    queue()
  })
}
