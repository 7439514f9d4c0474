import { parentPort, workerData } from 'node:worker_threads'
import { lowerThreadPriority } from '../../thread-priority'
import { transferList } from './daily-batch'
import { decodePage } from './decoders'
import { decodeList, type ListDecodeRequest } from './list-decode'
import type { DecodeOutcome, DecodeRequest } from './page-decode'

// Decode pool worker entry (see decode-pool.ts): page bytes in, a DailyBatch (buffers transferred)
// or an error signal out. Nothing here touches the store, the network or electron.
// Below the core thread's priority (thread-priority.ts): the core's thread answers the UI first.
lowerThreadPriority((workerData as { nice?: number } | undefined)?.nice)
parentPort?.on('message', (m: { id: number; req: DecodeRequest } | { id: number; list: ListDecodeRequest }) => {
  if ('list' in m) {
    // An entity list (list-decode.ts): zod's output as text, its pieces' bytes transferred; the
    // body's buffer goes back as a page's.
    const body = m.list.body
    const outcome = decodeList(m.list)
    parentPort?.postMessage(
      { id: m.id, outcome, body },
      outcome.ok ? [outcome.bytes.buffer as ArrayBuffer, outcome.ends.buffer as ArrayBuffer, body] : [body],
    )
    return
  }
  const outcome: DecodeOutcome = decodePage(m.req)
  // The body's buffer goes back too: the pool copies a later page into it (body-buffers.ts).
  const body = m.req.body
  parentPort?.postMessage({ id: m.id, outcome, body }, [...(outcome.ok ? transferList(outcome.batch) : []), body])
})
