import { parentPort, workerData } from 'node:worker_threads'
import { lowerThreadPriority } from '../../thread-priority'
import { connectStore, setWalAutoCheckpoint } from '../connect'
import { ChunkGate, runAll, type StructureWrite, type WriteMessage, type WriteReply } from './chunk-sink'
import { ChunkWriter, type ChunkWrite } from './chunk-writer'
import { EntityWriter } from './entity-writer'
import type { DailyBatch } from '../../sync/connectors/daily-batch'

// Writer thread entry (see chunk-sink.ts ThreadSink): its own connection to the store file, a large
// page cache for the run, one transaction per chunk with the statements that must commit with it.
const { path, nice } = workerData as { path: string; nice?: number }
// Below the core thread's priority (thread-priority.ts): the core's thread answers the UI first.
lowerThreadPriority(nice)
const sqlite = connectStore(path)
sqlite.pragma('cache_size = -262144')
// A background thread may wait longer than the main thread for the write lock (the main thread's
// own writes are short; waiting never blocks the UI here).
sqlite.pragma('busy_timeout = 60000')
// Checkpoints (copying the WAL into the database file) run here too, after a chunk's reply is sent
// (PASSIVE: never waits for readers): never on the main thread, whose time is the UI's (the ingest
// bench's ipc_p99_ms; the engine turns the main connection's auto-checkpoint off while a writer
// thread runs). SQLite's own auto-checkpoint (inside a commit) is off so the reply never waits for
// one. Once per CHECKPOINT_ROWS rows, not per chunk: a checkpoint waits for the disk (fsync) and
// rewrites pages the next chunks touch again (the running totals' rows, the B-trees' inner pages);
// per chunk it was the writer's largest single cost after the inserts (3.6 s of 9.5 s for 390
// chunks of 2,800 rows, 0.4 s once per 30 chunks).
setWalAutoCheckpoint(sqlite, 0)
/** Rows written between two checkpoints (about 15-25 MB of WAL). */
const CHECKPOINT_ROWS = 100_000
let rowsSinceCheckpoint = 0

function checkpoint(): void {
  rowsSinceCheckpoint = 0
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // A busy or failing checkpoint is retried later (and by SQLite after the run).
  }
}
// Foreign keys stay on here as on every connection (connectStore): every row's account is checked
// as it is written (issue 12: one guarantee for every write, at about a parent lookup per row).
const writer = new ChunkWriter(sqlite)
// Every structure message carries its updated_at (the core's clock): this clock is never read.
const entities = new EntityWriter(sqlite, () => {
  throw new Error('A structure reached the writer thread without its time')
})
// Chunks arrive in the order the engine issued them, possibly several ahead of this one.
const gate = new ChunkGate()

// An account's structure sent in pieces (ThreadSink.upsertStructure), until the structure itself.
const partsByAccount = new Map<number, Pick<StructureWrite, 'campaigns' | 'adSets' | 'ads'>>()

// A chunk's batches sent in pieces ahead of it (ThreadSink.write), by the chunk's message id.
const partsByChunk = new Map<number, { batches: DailyBatch[]; pieces: number }>()

// Each account's id maps: from its structure upsert here, or with its first chunk (see ThreadSink.write).
const idsByAccount = new Map<number, ChunkWrite['ids']>()

function handle(m: WriteMessage): WriteReply | null {
  if ('checkpoint' in m) {
    checkpoint()
    return { id: m.id, ok: true, rows: 0 }
  }
  if ('structurePart' in m) {
    const p = m.structurePart
    const parts = partsByAccount.get(p.accountId) ?? { campaigns: [], adSets: [], ads: [] }
    partsByAccount.set(p.accountId, parts)
    for (const e of p.campaigns) parts.campaigns.push(e)
    for (const e of p.adSets) parts.adSets.push(e)
    for (const e of p.ads) parts.ads.push(e)
    return { id: m.id, ok: true, rows: 0 }
  }
  if ('chunkPart' in m) {
    // No reply: the chunk's own message, which follows, answers for its pieces.
    const parts = partsByChunk.get(m.chunkPart.forId) ?? { batches: [], pieces: 0 }
    partsByChunk.set(m.chunkPart.forId, parts)
    for (const b of m.chunkPart.batches) parts.batches.push(b)
    parts.pieces++
    return null
  }
  if ('structure' in m) {
    // The pieces sent ahead come first, in the order sent.
    const parts = partsByAccount.get(m.structure.accountId)
    partsByAccount.delete(m.structure.accountId)
    const s = parts
      ? {
          ...m.structure,
          campaigns: [...parts.campaigns, ...m.structure.campaigns],
          adSets: [...parts.adSets, ...m.structure.adSets],
          ads: [...parts.ads, ...m.structure.ads],
        }
      : m.structure
    const parents = m.structure.parentsKept ? idsByAccount.get(s.accountId) : s.parents
    if (m.structure.parentsKept && !parents) throw new Error(`No id maps kept for account ${s.accountId}`)
    const ids = entities.upsertStructure(s.accountId, s.campaigns, s.adSets, s.ads, parents, s.at)
    idsByAccount.set(s.accountId, ids)
    return { id: m.id, ok: true, ids }
  }
  // The pieces sent ahead come first, in the order sent.
  const parts = partsByChunk.get(m.id)
  partsByChunk.delete(m.id)
  if ((parts?.pieces ?? 0) !== (m.partsSent ?? 0))
    throw new Error(
      `Chunk ${m.w.from}..${m.w.to}: ${parts?.pieces ?? 0} of its ${m.partsSent ?? 0} pieces reached the writer`,
    )
  if (m.w.ids) idsByAccount.set(m.w.accountId, m.w.ids)
  const ids = m.w.ids ?? idsByAccount.get(m.w.accountId)
  if (!ids) throw new Error(`No id maps for account ${m.w.accountId}: its first chunk never reached the writer`)
  const w: ChunkWrite = { ...m.w, ids, batches: parts ? [...parts.batches, ...m.w.batches] : m.w.batches }
  const rows = gate.apply(w, () => writer.write(w, () => runAll(sqlite, m.after)))
  rowsSinceCheckpoint += rows
  return { id: m.id, ok: true, rows }
}

parentPort?.on('message', (m: WriteMessage) => {
  try {
    const reply = handle(m)
    if (reply) parentPort?.postMessage(reply)
  } catch (e) {
    parentPort?.postMessage({ id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) })
  }
  if (rowsSinceCheckpoint >= CHECKPOINT_ROWS) checkpoint()
})
