import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../../shared/ipc/result'
import { PAGE_READS, pageReadServices, type PageReadName, type PageReadServices } from './page-reads'
import { connectReadOnly } from './store/connect'

// Worker entry: the page reads of page-reads.ts on the worker's own read-only connection (each
// statement a WAL snapshot), one request at a time, so seconds of aggregation never block the core's thread.
const services: PageReadServices = pageReadServices(connectReadOnly((workerData as { path: string }).path))

parentPort?.on('message', (m: { id: number; name: PageReadName; input: unknown } | { invalidate: true }) => {
  // The data changed: what the services keep between reads (the creatives' sums and orders) goes.
  if ('invalidate' in m) return services.creatives.invalidate()
  try {
    const run = PAGE_READS[m.name].run as (s: PageReadServices, i: unknown) => unknown
    parentPort?.postMessage({ id: m.id, ok: true, value: run(services, m.input) })
  } catch (err) {
    parentPort?.postMessage({
      id: m.id,
      ok: false,
      ...(err instanceof AppError ? { code: err.code } : {}),
      message: err instanceof Error ? err.message : String(err),
    })
  }
})
