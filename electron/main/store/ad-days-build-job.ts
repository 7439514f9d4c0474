import type { JobContext } from '../scheduler/job-queue'
import { runStepsSliced, sliceBudget } from '../scheduler/slices'
import { backgroundNice } from '../thread-priority'
import { startWorker, workerEntryUrl } from '../worker-entry'
import type { Sqlite } from './db'
import { AdMonthDaysBuild, type AdMonthDaysBuildResult } from './repos/ad-month-days-build'

/** What the build's worker tells the job. */
export type AdDaysMessage =
  | { kind: 'progress'; index: number; accounts: number; month: string | null }
  | { kind: 'done'; result: AdMonthDaysBuildResult }
  | { kind: 'failed'; message: string }

/**
 * The `store:upgrade` job's build of the pending accounts' packed ad days: on a worker thread with
 * its own connection to the store file (a piece per transaction: the core's thread only relays its
 * progress), or, for an in-memory store or where no worker entry exists, sliced on the calling thread
 * with a turn of the event loop after every piece. Cancelling stops the worker (its piece under way is
 * a transaction: nothing of it stays).
 */
export function runAdMonthDaysBuild(
  store: { path: string; sqlite: Sqlite },
  ctx: Pick<JobContext, 'signal' | 'progress'>,
): Promise<AdMonthDaysBuildResult & { ranIn: 'worker' | 'inline' }> {
  const progress = (index: number, accounts: number, month: string | null): void =>
    ctx.progress(
      "Ads' daily history",
      index,
      accounts,
      `Account ${index + 1} of ${accounts} in progress${month ? `, ${month}` : ''}`,
    )
  const url = store.path === ':memory:' ? null : workerEntryUrl(import.meta.url, 'ad-days-worker')
  if (!url)
    return runStepsSliced(
      new AdMonthDaysBuild(store.sqlite).steps((i, n, p) => progress(i, n, p.month)),
      // A turn of the event loop after every piece (each ~20 ms; two in a 20 ms slice held it ~45 ms).
      sliceBudget(0, ctx.signal),
    ).then((r) => ({ ...r, ranIn: 'inline' as const }))
  return new Promise((resolve, reject) => {
    const w = startWorker(url, { path: store.path, nice: backgroundNice() })
    let settled = false
    const settle = (f: () => void): void => {
      if (settled) return
      settled = true
      ctx.signal.removeEventListener('abort', onAbort)
      f()
    }
    // Settled once the thread is gone (the piece under way rolled back), so the job that asked it to
    // give way starts after it.
    const onAbort = (): void => {
      void w
        .terminate()
        .finally(() => settle(() => reject(new Error("The update of the ads' daily history was stopped"))))
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true })
    w.on('message', (m: AdDaysMessage) => {
      if (m.kind === 'progress') {
        if (!settled) progress(m.index, m.accounts, m.month)
      } else if (m.kind === 'done') settle(() => resolve({ ...m.result, ranIn: 'worker' }))
      else settle(() => reject(new Error(m.message)))
    })
    w.once('error', (e) => settle(() => reject(e)))
    w.once('exit', (code) =>
      settle(() =>
        reject(new Error(`The update of the ads' daily history stopped unexpectedly (worker exit ${code})`)),
      ),
    )
  })
}
