import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { dsnProblem } from '../../../shared/domain/error-reporting'
import { createTestCore, TEST_CALLER } from '../test-support'
import { scrubEvent } from './error-reporting'

/** A Sentry-shaped receiver on loopback: every envelope POSTed to /api/<project>/envelope/, in order. */
async function sentryReceiver(): Promise<{
  port: number
  envelopes: string[]
  next(): Promise<string>
  close(): Promise<void>
}> {
  const envelopes: string[] = []
  const waiting: Array<(s: string) => void> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let body = Buffer.concat(chunks)
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      if (req.method !== 'POST' || !/^\/api\/42\/envelope\/?(\?|$)/.test(req.url ?? '')) return
      const text = body.toString('utf8')
      envelopes.push(text)
      waiting.shift()?.(text)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  let seen = 0
  return {
    port: (server.address() as AddressInfo).port,
    envelopes,
    next: () =>
      seen < envelopes.length
        ? Promise.resolve(envelopes[seen++] as string)
        : new Promise((r) => waiting.push((s) => (seen++, r(s)))),
    close: () => new Promise((r) => server.close(() => r())),
  }
}

/** The event of an envelope (header line, item header line, event line). */
function eventOf(envelope: string): Record<string, unknown> & {
  exception: { values: { type: string; value: string }[] }
  tags: Record<string, string>
} {
  const lines = envelope.split('\n').filter(Boolean)
  const item = lines.findIndex((l) => (JSON.parse(l) as { type?: string }).type === 'event')
  return JSON.parse(lines[item + 1] as string)
}

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore | null = null
let receiver: Awaited<ReturnType<typeof sentryReceiver>> | null = null
afterEach(async () => {
  await core?.close()
  await receiver?.close()
  core = null
  receiver = null
})

describe('optional error reporting to Sentry (DSN opt-in)', () => {
  it('sends nothing without a DSN; with one, a scrubbed envelope reaches the receiver; removing it stops sending', async () => {
    receiver = await sentryReceiver()
    core = createTestCore()
    const c = core
    const call = async (channel: string, input: unknown): Promise<unknown> => {
      const env = await c.dispatch(channel, input, TEST_CALLER)
      if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
      return env.value
    }
    const report = (message: string, stack?: string): Promise<unknown> =>
      call('diagnostics:reportError', { kind: 'error', message, ...(stack ? { stack } : {}), route: '/alerts' })
    // A stored secret that matches no pattern (an SMTP password): scrubbed because it is stored.
    const smtpPassword = 'Tr0ub4dor&3-horse'
    await call('channels:add', {
      name: 'Mail',
      settings: {
        kind: 'email',
        smtp: { host: '127.0.0.1', port: 2525, security: 'none', username: 'me', from: 'me@example.com' },
        to: ['team@example.com'],
      },
      secret: smtpPassword,
    })
    expect(c.platform.settings.get().errorReportingDsn).toBeNull()

    await report('boom before any DSN')
    const dsn = `http://0123456789abcdef@127.0.0.1:${receiver.port}/42`
    await call('settings:update', { errorReportingDsn: dsn })
    await report(
      `Sync failed: Authorization: Bearer EAABsecrettoken123 for https://ana:pa55word@api.example.com/v1?access_token=tok_abcdef123456 (SMTP login ${smtpPassword})`,
      `Error: Sync failed\n    at post (${process.env.HOME ?? '/home/ana'}/app/sync.js:10:5)\n    whsec_c2VjcmV0c2VjcmV0c2VjcmV0`,
    )
    const envelope = await receiver.next()
    // The first report (before the DSN) was never sent: this is the only envelope.
    expect(receiver.envelopes).toHaveLength(1)
    const event = eventOf(envelope)
    expect(event.exception.values[0]?.type).toBe('The window hit an error')
    expect(event.exception.values[0]?.value).toMatch(/^Sync failed: Authorization: Bearer \[REDACTED\] for https:\/\//)
    expect(event.tags).toMatchObject({ origin: 'renderer', host: 'test', route: '/alerts' })
    expect(event).not.toHaveProperty('server_name')
    expect(event).not.toHaveProperty('user')
    for (const secret of [
      'EAABsecrettoken123',
      'pa55word',
      'tok_abcdef123456',
      smtpPassword,
      'whsec_c2Vj',
      'boom before',
    ])
      expect(envelope, secret).not.toContain(secret)
    if (process.env.HOME) expect(envelope).not.toContain(`${process.env.HOME}/app`)

    // Off again: an error reported now is never sent (a new DSN later does not pick it up).
    await call('settings:update', { errorReportingDsn: null })
    await report('after turning it off')
    await call('settings:update', { errorReportingDsn: dsn })
    await report('marker after turning it on again')
    const again = await receiver.next()
    expect(eventOf(again).exception.values[0]?.value).toBe('marker after turning it on again')
    expect(receiver.envelopes.join('\n')).not.toContain('after turning it off')
    expect(receiver.envelopes).toHaveLength(2)
  })

  it('a bad DSN is refused with a specific message and nothing is stored', async () => {
    core = createTestCore()
    const c = core
    for (const [dsn, message] of [
      ['not a dsn', /A Sentry DSN looks like https:\/\/<key>@o123\.ingest\.sentry\.io\/456/],
      ['https://key:secret@o1.ingest.sentry.io/42', /carries a secret key/],
      ['http://abc@sentry.example.com/42', /must use https \(plain http only to this computer\)/],
      ['https://abc@sentry.example.com/not-a-project', /A Sentry DSN looks like/],
    ] as const) {
      const env = await c.dispatch('settings:update', { errorReportingDsn: dsn }, TEST_CALLER)
      expect(env.ok, dsn).toBe(false)
      if (!env.ok) {
        expect(env.error.code).toBe('VALIDATION')
        expect(env.error.message, dsn).toMatch(message)
      }
    }
    expect(c.platform.settings.get().errorReportingDsn).toBeNull()
    expect(dsnProblem('https://0123abc@o450.ingest.us.sentry.io/4507')).toBeNull()
    expect(dsnProblem('https://0123abc@sentry.example.com:9000/sub/path/17')).toBeNull()
  })

  it('scrubEvent drops who and where, and replaces secrets in every string and key', () => {
    const out = scrubEvent(
      {
        server_name: 'anas-macbook.local',
        user: { ip_address: '10.0.0.7' },
        request: { headers: { Authorization: 'Bearer abc', 'User-Agent': 'x' }, cookies: { s: '1' } },
        breadcrumbs: [{ message: 'POST https://hooks.slack.com/services/T000/B000/XXXX failed' }],
        extra: { 'password=hunter2': 'stored-secret-value here' },
      },
      ['stored-secret-value'],
      '/home/ana',
    )
    expect(out).toEqual({
      request: { headers: { 'User-Agent': 'x' } },
      breadcrumbs: [{ message: 'POST https://hooks.slack.com/services/[REDACTED] failed' }],
      extra: { 'password=[REDACTED]': '[REDACTED] here' },
    })
  })
})
