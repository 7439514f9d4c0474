import { parentPort } from 'node:worker_threads'
import { transferList } from './daily-batch'
import { decodePage } from './decoders'
import type { DecodeOutcome, DecodeRequest } from './page-decode'

// Decode pool worker entry (see decode-pool.ts): page bytes in, a DailyBatch (buffers transferred)
// or an error signal out. Nothing here touches the store, the network or electron.
parentPort?.on('message', (m: { id: number; req: DecodeRequest }) => {
  const outcome: DecodeOutcome = decodePage(m.req)
  parentPort?.postMessage({ id: m.id, outcome }, outcome.ok ? transferList(outcome.batch) : [])
})
