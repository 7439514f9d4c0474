import type { Worker } from 'node:worker_threads'
import type { SqlStatement } from '../repos/jobs-repo'
import type { Sqlite } from '../db'
import { transferList, type DailyBatch } from '../../sync/connectors/daily-batch'
import { backgroundNice } from '../../thread-priority'
import { startWorker, workerEntryUrl } from '../../worker-entry'
import type { ChunkWrite, ChunkWriter } from './chunk-writer'
import type { EntityIds, EntityWriter } from './entity-writer'
import type { RemoteAd, RemoteAdSet, RemoteCampaign } from '../../sync/connectors/types'
import { reportError } from '../../logging'
import { yieldNow } from '../../scheduler/slices'

/** An account's structure as listed, to upsert before its chunks (see EntityWriter.upsertStructure). */
export interface StructureWrite {
  accountId: number
  campaigns: RemoteCampaign[]
  adSets: RemoteAdSet[]
  ads: RemoteAd[]
  /** The account's maps from an earlier upsert (placeholders added later). */
  parents?: EntityIds
  /** The entities' updated_at (the core's clock). */
  at: string
}

/**
 * Where a sync's chunks are written. Each write commits the chunk and `after` (the sync cursor and
 * the job's checkpoint) in one transaction, so a crash resumes from the last committed chunk.
 * Writes are applied in the order they were issued; a caller may issue the next chunk before the
 * previous one is done. Once a chunk of an account fails, the sink refuses that account's later
 * chunks (they would commit a resume point past the failed window), so an account's committed
 * chunks are always a prefix of the ones issued.
 */
export interface ChunkSink {
  /** 'thread': a writer thread with its own connection; 'inline': this thread's connection. */
  readonly mode: 'thread' | 'inline'
  /**
   * Upsert an account's structure where its chunks are written, in the order issued; resolves to
   * its id maps. On the writer thread none of it runs on the core's thread (at 10,000 campaigns it
   * held the thread 1-2.4 s per account, issue 12's `ipc_p99_ms`).
   */
  upsertStructure(s: StructureWrite): Promise<EntityIds>
  write(w: ChunkWrite, after: SqlStatement[]): Promise<number>
  close(): Promise<void>
}

/** Entities per message of a structure sent to the writer thread in pieces. */
export const STRUCTURE_PART_ENTITIES = 4096

/** Ids (the batches' id lists) per piece of a chunk sent to the writer thread (see ThreadSink.write). */
export const CHUNK_PART_IDS = 32_768

const idsOf = (b: DailyBatch): number => b.ads.length + b.adSets.length + b.campaigns.length
const idsIn = (batches: DailyBatch[]): number => batches.reduce((n, b) => n + idsOf(b), 0)

/** How many of the first batches fit within `max` ids. */
function batchesWithin(batches: DailyBatch[], max: number): number {
  let n = 0
  let k = 0
  while (k < batches.length && n + idsOf(batches[k] as DailyBatch) <= max) n += idsOf(batches[k++] as DailyBatch)
  return k
}

/** Run statements that must commit with a chunk (inside its transaction). */
export function runAll(sqlite: Sqlite, statements: SqlStatement[]): void {
  for (const st of statements) sqlite.prepare(st.sql).run(...st.params)
}

/**
 * Applies a sink's writes account by account: after an account's chunk fails, its later chunks are
 * refused without touching the store. One per sync run (per sink).
 */
export class ChunkGate {
  private readonly failed = new Map<number, string>()

  /** Run `write` for the chunk unless an earlier chunk of its account failed; throws its error. */
  apply(w: Pick<ChunkWrite, 'accountId' | 'from' | 'to'>, write: () => number): number {
    const earlier = this.failed.get(w.accountId)
    if (earlier !== undefined)
      throw new Error(`Chunk ${w.from}..${w.to} not written: an earlier chunk of this account failed (${earlier})`)
    try {
      return write()
    } catch (e) {
      this.failed.set(w.accountId, e instanceof Error ? e.message : String(e))
      throw e
    }
  }
}

/** Writes on the caller's connection (in-memory stores, or when no writer thread can start). */
export class InlineSink implements ChunkSink {
  readonly mode = 'inline'
  private readonly gate = new ChunkGate()
  constructor(
    private readonly sqlite: Sqlite,
    private readonly writer: ChunkWriter,
    private readonly entities: EntityWriter,
  ) {}

  upsertStructure(s: StructureWrite): Promise<EntityIds> {
    try {
      return Promise.resolve(this.entities.upsertStructure(s.accountId, s.campaigns, s.adSets, s.ads, s.parents, s.at))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  write(w: ChunkWrite, after: SqlStatement[]): Promise<number> {
    try {
      return Promise.resolve(this.gate.apply(w, () => this.writer.write(w, () => runAll(this.sqlite, after))))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  async close(): Promise<void> {}
}

/**
 * A chunk for the writer thread (`ids` null when the account's maps were sent before or came from
 * the thread's own structure upsert), or an account's structure to upsert.
 */
export type WriteMessage =
  | {
      id: number
      w: Omit<ChunkWrite, 'ids'> & { ids: ChunkWrite['ids'] | null }
      after: SqlStatement[]
      /** How many `chunkPart` messages of this chunk came first (its batches sent ahead). */
      partsSent?: number
    }
  /** Batches of chunk `forId`, sent ahead of it in pieces (see ThreadSink.write); no reply. */
  | { id: number; chunkPart: { forId: number; batches: DailyBatch[] } }
  | { id: number; structure: StructureWrite & { parentsKept?: true } }
  /** Entities of an account's next structure, sent ahead of it in pieces (see ThreadSink.upsertStructure). */
  | { id: number; structurePart: Pick<StructureWrite, 'accountId' | 'campaigns' | 'adSets' | 'ads'> }
  | { id: number; checkpoint: true }

/** The thread's answer: rows written for a chunk, id maps for a structure. */
export type WriteReply =
  | { id: number; ok: true; rows: number; ids?: undefined }
  | { id: number; ok: true; ids: EntityIds; rows?: undefined }
  | { id: number; ok: false; message: string }

/**
 * Writes on a worker thread with its own connection to the store file: the main thread (IPC, the
 * UI's queries, fetching and handing pages to the decoders) is never blocked by a chunk's inserts,
 * and the writes overlap the next windows' fetching and decoding. The batches' buffers are
 * transferred, not copied.
 */
export class ThreadSink implements ChunkSink {
  readonly mode = 'thread'
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (r: Extract<WriteReply, { ok: true }>) => void; reject: (e: Error) => void }
  >()
  private failure: Error | null = null
  private readonly sentIds = new Map<number, ChunkWrite['ids']>()
  /** The last chunk's sending (its pieces and its message): the next chunk's starts after it. */
  private sending: Promise<unknown> = Promise.resolve()

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WriteReply) => {
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      if (m.ok) p.resolve(m)
      else p.reject(new Error(m.message))
    })
    const fail = (e: Error): void => {
      this.failure = e
      for (const p of this.pending.values()) p.reject(e)
      this.pending.clear()
    }
    worker.on('error', (e) => {
      reportError("The sync's writer thread crashed", e)
      fail(e instanceof Error ? e : new Error(String(e)))
    })
    worker.on('exit', (code) => fail(new Error(`The sync's writer thread stopped (exit code ${code})`)))
  }

  /** A writer thread on the store file, or null when none can run here (no worker entry). */
  static start(sqlite: Sqlite): ThreadSink | null {
    const url = workerEntryUrl(import.meta.url, 'sync-writer')
    if (!url) return null
    // The writer thread also checkpoints the WAL (after each chunk): this thread's time is the UI's.
    // Run-of-the-mill auto-checkpoints take over after the run.
    return new ThreadSink(startWorker(url, { path: sqlite.name, nice: backgroundNice() }))
  }

  private post(message: WriteMessage, transfer: ArrayBuffer[] = []): Promise<Extract<WriteReply, { ok: true }>> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject })
      this.worker.postMessage(message, transfer)
    })
  }

  async upsertStructure(s: StructureWrite): Promise<EntityIds> {
    // Copying a message to the thread runs on this thread: an account's 32,000 ads at 10,000
    // campaigns took 160-230 ms in one postMessage. The entities go in pieces of
    // STRUCTURE_PART_ENTITIES with a turn of the event loop between them; the thread puts them
    // back together, in order, when the structure itself arrives.
    let last: StructureWrite & { parentsKept?: true } = s
    // Parents the thread already holds for the account (the maps it answered, or sent with a
    // chunk): named, not copied again (the placeholder path passes the account's whole maps).
    if (s.parents && this.sentIds.get(s.accountId) === s.parents) last = { ...s, parents: undefined, parentsKept: true }
    if (s.campaigns.length + s.adSets.length + s.ads.length > STRUCTURE_PART_ENTITIES) {
      const sent: Promise<unknown>[] = []
      let partFailed: unknown = null
      for (const kind of ['campaigns', 'adSets', 'ads'] as const)
        for (let i = 0; i < s[kind].length; i += STRUCTURE_PART_ENTITIES) {
          const part = {
            accountId: s.accountId,
            campaigns: [],
            adSets: [],
            ads: [],
            [kind]: s[kind].slice(i, i + STRUCTURE_PART_ENTITIES),
          }
          sent.push(
            this.post({ id: this.nextId++, structurePart: part }).catch((e: unknown) => {
              partFailed ??= e
            }),
          )
          await yieldNow()
        }
      // Every piece arrived before the structure is written (none is written without all of them).
      await Promise.all(sent)
      if (partFailed) throw partFailed
      last = { ...last, campaigns: [], adSets: [], ads: [] }
    }
    const { ids } = await this.post({ id: this.nextId++, structure: last })
    if (!ids) throw new Error("The sync's writer thread answered a structure without id maps")
    // The thread keeps these maps for the account: its chunks need not carry them.
    this.sentIds.set(s.accountId, ids)
    return ids
  }

  async write(w: ChunkWrite, after: SqlStatement[]): Promise<number> {
    // An account's id maps go to the thread with its first chunk only (thousands of entries per
    // chunk otherwise); the thread keeps them per account. `sentIds` is set now although the maps
    // go out after the previous chunk's pieces: no structure upsert is sent meanwhile (the engine
    // waits for the chunks in flight before a placeholder upsert, and accounts run one at a time).
    const idsKnown = this.sentIds.get(w.accountId) === w.ids
    this.sentIds.set(w.accountId, w.ids)
    const id = this.nextId++
    // Copying a batch's id lists runs on this thread: at 10,000 campaigns one chunk of 350,972 rows
    // names as many ids, and copying them took 263 ms in one postMessage (load 4). Large chunks go
    // in pieces of CHUNK_PART_IDS ids with a turn of the event loop between them, then the chunk's
    // own message, which says how many pieces came first (the thread refuses the chunk unless it
    // holds all of them). Chunks are sent one at a time, so one chunk's pieces never interleave
    // another's. A piece that cannot be sent fails the write before the chunk's message is sent.
    const sent = this.sending.then(async () => {
      let batches = w.batches
      let left = idsIn(batches)
      let pieces = 0
      while (batches.length > 1 && left > CHUNK_PART_IDS) {
        const k = Math.max(1, batchesWithin(batches, CHUNK_PART_IDS))
        const part = batches.slice(0, k)
        batches = batches.slice(k)
        left -= idsIn(part)
        // Pieces get no reply: the chunk's reply answers for them.
        if (this.failure) throw this.failure
        this.worker.postMessage(
          { id: this.nextId++, chunkPart: { forId: id, batches: part } } satisfies WriteMessage,
          part.flatMap(transferList),
        )
        pieces++
        await yieldNow()
      }
      return this.post(
        { id, w: { ...w, ids: idsKnown ? null : w.ids, batches }, after, ...(pieces ? { partsSent: pieces } : {}) },
        batches.flatMap(transferList),
      )
    })
    this.sending = sent.then(
      () => undefined,
      () => undefined,
    )
    const { rows } = await await sent
    return rows ?? 0
  }

  async close(): Promise<void> {
    // The thread checkpoints what the run left in the WAL (it checkpoints once per many rows), so
    // no later commit on the core's thread does it.
    await this.post({ id: this.nextId++, checkpoint: true }).catch(() => undefined)
    this.worker.removeAllListeners('exit')
    await this.worker.terminate()
  }
}

/**
 * The sink for a sync run: a writer thread for a store file (unless `mode` is 'inline'), else this
 * thread's connection.
 */
export function openChunkSink(
  sqlite: Sqlite,
  writer: ChunkWriter,
  entities: EntityWriter,
  mode: 'thread' | 'inline',
): ChunkSink {
  const thread = mode === 'thread' && !sqlite.memory ? ThreadSink.start(sqlite) : null
  return thread ?? new InlineSink(sqlite, writer, entities)
}
