import type { Worker } from 'node:worker_threads'
import type { Vertical } from '../../../shared/domain/recommendations'
import type { ChannelParsedInput } from '../../../shared/ipc/contract'
import type { TestSuggestion } from '../../../shared/ipc/contracts/experiments'
import type { RecAccount } from '../store/repos/recommendations-repo'
import { backgroundNice } from '../thread-priority'
import { startWorker, workerEntryUrl } from '../worker-entry'
import type { AccountDrafts } from './account-draft'

/** What the draft worker is asked: one account's drafts, or the A/B test suggestions of a workspace. */
export type DraftRequest =
  | { kind: 'account'; workspaceId: number; account: RecAccount; rate: number; vertical: Vertical }
  | { kind: 'suggest'; input: ChannelParsedInput<'experiments:suggest'> }

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string }

/**
 * A draft worker for one generation (`draft-worker.ts`): started when a generation starts, so the
 * second core drafts accounts while the core's thread drafts others, and stopped when it ends (its
 * heap and page cache are not kept between generations, hours apart after syncs). Null for a store
 * without a file (in-memory: a worker cannot open it) or where the entry is not built.
 */
export class DraftThread {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private failed: Error | null = null

  private constructor(private readonly worker: Worker) {
    const failAll = (err: Error): void => {
      this.failed ??= err
      for (const p of this.waiting.values()) p.reject(err)
      this.waiting.clear()
    }
    worker.on('message', (m: Reply) => {
      const p = this.waiting.get(m.id)
      if (!p) return
      this.waiting.delete(m.id)
      if (m.ok) p.resolve(m.value)
      else p.reject(new Error(m.message))
    })
    worker.on('error', failAll)
    worker.on('exit', (code) => failAll(new Error(`The draft worker stopped (exit ${code})`)))
  }

  static start(path: string): DraftThread | null {
    if (path === '' || path === ':memory:') return null
    const url = workerEntryUrl(import.meta.url, 'draft-worker')
    if (!url) return null
    // Read outside the try: a wrong ME_BACKGROUND_NICE is a specific error, not a silent one-thread draft.
    const nice = backgroundNice()
    try {
      // Under tsx (bench, CLI) its CommonJS hook: the worker answers ~0.4 s sooner (worker-entry.ts).
      return new DraftThread(startWorker(url, { path, nice }, { loader: 'require' }))
    } catch {
      return null
    }
  }

  account(request: Extract<DraftRequest, { kind: 'account' }>): Promise<AccountDrafts | null> {
    return this.run(request) as Promise<AccountDrafts | null>
  }

  suggest(input: ChannelParsedInput<'experiments:suggest'>): Promise<TestSuggestion[]> {
    return this.run({ kind: 'suggest', input }) as Promise<TestSuggestion[]>
  }

  private run(request: DraftRequest): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.worker.postMessage({ id, request })
    })
  }

  /** Stop the worker (a request still running is rejected). */
  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
