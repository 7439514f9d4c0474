import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { Alert } from '../../../../shared/domain/alerts'

/** Loopback receivers and sample alerts for channel tests; tests await `next()`, never sleep. */

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface HttpReceiver {
  url: string
  next(): Promise<ReceivedRequest>
  count: number
  close(): Promise<void>
}

/** An HTTP server on 127.0.0.1:0; `answer` writes the response for each request. */
export async function startHttpReceiver(
  answer: (req: ReceivedRequest, res: ServerResponse, index: number) => void = (_r, res) => res.end('ok'),
): Promise<HttpReceiver> {
  const queue: ReceivedRequest[] = []
  const waiters: Array<(r: ReceivedRequest) => void> = []
  let count = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      answer(r, res, count++)
      const w = waiters.shift()
      if (w) w(r)
      else queue.push(r)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return count
    },
    next() {
      const r = queue.shift()
      return r ? Promise.resolve(r) : new Promise((resolve) => waiters.push(resolve))
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A stored alert for tests, with a hostile campaign name unless told otherwise. */
export function sampleAlert(over: Partial<Alert> = {}): Alert {
  return {
    id: 42,
    source: 'anomaly',
    severity: 'warning',
    workspaceId: 1,
    entity: { level: 'campaign', id: 7, name: '<script>alert("x")</script> Spring & Sale <!channel>', accountId: 3 },
    title: 'CPA of Spring Sale doubled overnight',
    body: 'Cost per acquisition rose from $24.10 to $48.20 while spend stayed flat.\nCheck the landing page and tracking.',
    numbers: [
      {
        label: 'CPA',
        value: 48_200_000,
        unit: 'money_micros',
        currency: 'USD',
        previous: 24_100_000,
        previousLabel: 'yesterday',
      },
      { label: 'Conversions', value: 12, unit: 'count', previous: 25 },
      { label: 'CTR', value: 0.0125, unit: 'percent' },
    ],
    dedupeKey: 'anomaly:campaign:7:cpa',
    link: '/campaigns?workspace=1&id=7',
    state: 'open',
    count: 1,
    raisedAt: '2026-12-04T06:00:00.000Z',
    lastRaisedAt: '2026-12-04T06:00:00.000Z',
    acknowledgedAt: null,
    snoozedUntil: null,
    resolvedAt: null,
    deliveries: [],
    ...over,
  }
}

/** A loopback port nothing listens on (bound, read, released). */
export async function closedPort(): Promise<number> {
  const s = createTcpServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}
