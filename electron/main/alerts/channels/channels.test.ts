import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import { WebhookPayloadSchema } from '../../../../shared/domain/alerts'
import { startTestSmtpServer, TEST_CA_PEM, type TestSmtpServer } from '../../email/testing/smtp-server'
import { createNodePlatform } from '../../platform/node'
import { closedPort, startHttpReceiver, sampleAlert, type HttpReceiver } from '../testing/receivers'
import { messageIdFor, type AlertMessage, type RenderOptions } from '../types'
import { createDesktopChannel } from './desktop'
import { createEmailChannel } from './email'
import { createSlackChannel, slackPayload } from './slack'
import { createWebhookChannel, generateWebhookSecret } from './webhook'

const render: RenderOptions = {
  appUrl: 'http://127.0.0.1:5199/',
  appName: 'Marketing Engine',
  timeZone: 'Europe/Berlin',
}
const signal = new AbortController().signal
const http = { fetch: globalThis.fetch, now: (): Date => new Date() }

function single(over = {}): AlertMessage {
  const a = sampleAlert(over)
  return { id: messageIdFor([a], 1, false), alerts: [a], digest: false }
}

let smtp: TestSmtpServer | null = null
let receiver: HttpReceiver | null = null
afterEach(async () => {
  await smtp?.close()
  await receiver?.close()
  smtp = null
  receiver = null
})

describe('email channel (real SMTP server on loopback, parsed with mailparser)', () => {
  it('subject, the numbers in both bodies, a hostile campaign name escaped in the HTML', async () => {
    smtp = await startTestSmtpServer({ security: 'starttls', login: { user: 'me', pass: 'pw' } })
    const channel = createEmailChannel(render)
    const result = await channel.send(
      single(),
      {
        smtp: {
          host: 'localhost',
          port: smtp.port,
          security: 'starttls',
          username: 'me',
          password: 'pw',
          from: 'alerts@example.com',
          caPem: TEST_CA_PEM,
        },
        to: ['marketer@example.com'],
      },
      signal,
    )
    expect(result).toMatchObject({ ok: true, statusCode: 250 })
    const mail = await smtp.next()
    expect(mail.subject).toBe('[WARNING] CPA of Spring Sale doubled overnight')
    expect(mail.headers.get('x-marketing-engine-message-id')).toBe('alert-42')
    expect(mail.text).toContain('CPA: $48.20 (was $24.10 yesterday, +100%)')
    expect(mail.text).toContain('Conversions: 12 (was 25, −52%)')
    expect(mail.text).toContain('CTR: 1.3%')
    expect(mail.text).toContain('Campaign: <script>alert("x")</script> Spring & Sale <!channel>')
    expect(mail.text).toContain('Raised 2026-12-04 07:00 CET')
    expect(mail.text).toContain('Open in Marketing Engine: http://127.0.0.1:5199/#/campaigns?workspace=1&id=7')
    const html = mail.html as string
    expect(html).toContain('$48.20 (was $24.10 yesterday, +100%)')
    expect(html).toContain(
      'Campaign: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Spring &amp; Sale &lt;!channel&gt;',
    )
    expect(html).not.toContain('<script>')
    expect(html).toContain('href="http://127.0.0.1:5199/#/campaigns?workspace=1&amp;id=7"')
  })

  it('a digest is one mail with every alert, most severe first', async () => {
    smtp = await startTestSmtpServer({ security: 'none' })
    const alerts = [
      sampleAlert({ id: 1, title: 'Pacing under plan', severity: 'info' }),
      sampleAlert({ id: 2, title: 'Token expired', severity: 'critical', source: 'sync' }),
      sampleAlert({ id: 3, title: 'CPA up', severity: 'warning' }),
    ]
    const res = await createEmailChannel(render).send(
      { id: messageIdFor(alerts, 5, true), alerts, digest: true },
      { smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'a@example.com' }, to: ['m@example.com'] },
      signal,
    )
    expect(res.ok).toBe(true)
    const mail = await smtp.next()
    expect(mail.subject).toBe('[CRITICAL] Marketing Engine: 3 alerts (1 CRITICAL, 1 WARNING, 1 INFO)')
    const text = mail.text as string
    expect(text.indexOf('Token expired')).toBeLessThan(text.indexOf('CPA up'))
    expect(text.indexOf('CPA up')).toBeLessThan(text.indexOf('Pacing under plan'))
    expect(mail.headers.get('x-marketing-engine-message-id')).toBe('digest-5-1-3-3')
  })
})

describe('Slack channel (loopback receiver shaped like Slack)', () => {
  it('posts a Block Kit message with severity colour, title, numbers and a button back to the app', async () => {
    receiver = await startHttpReceiver()
    const res = await createSlackChannel(render, http).send(
      single({ severity: 'error' }),
      { url: `${receiver.url}/services/T/B/X` },
      signal,
    )
    expect(res).toMatchObject({ ok: true, statusCode: 200 })
    const req = await receiver.next()
    expect(req.path).toBe('/services/T/B/X')
    expect(req.headers['content-type']).toBe('application/json')
    const body = JSON.parse(req.body) as ReturnType<typeof slackPayload> & {
      attachments: Array<{ color: string; blocks: Array<Record<string, unknown>> }>
    }
    expect(body.text).toBe('[ERROR] CPA of Spring Sale doubled overnight')
    const [att] = body.attachments
    expect(att?.color).toBe('#dc2626')
    const blocks = att!.blocks
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'CPA of Spring Sale doubled overnight' },
    })
    const json = JSON.stringify(blocks)
    expect(json).toContain(
      '*ERROR* · Anomaly · Campaign: &lt;script&gt;alert(\\"x\\")&lt;/script&gt; Spring &amp; Sale &lt;!channel&gt;',
    )
    expect(json).not.toContain('<!channel>')
    const fields = blocks.find((b) => 'fields' in b) as { fields: Array<{ text: string }> }
    expect(fields.fields.map((f) => f.text)).toEqual([
      '*CPA*\n$48.20 (was $24.10 yesterday, +100%)',
      '*Conversions*\n12 (was 25, −52%)',
      '*CTR*\n1.3%',
    ])
    expect(blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ type: 'button', url: 'http://127.0.0.1:5199/#/campaigns?workspace=1&id=7', style: 'danger' }],
    })
  })

  it('429 with Retry-After is transient with the delay; 404 no_service and 400 are permanent; 5xx transient', async () => {
    const answers: Array<[number, string, Record<string, string>]> = [
      [429, 'rate_limited', { 'retry-after': '30' }],
      [404, 'no_service', {}],
      [400, 'invalid_blocks', {}],
      [503, 'down', {}],
    ]
    receiver = await startHttpReceiver((_r, res, i) => {
      const [status, body, headers] = answers[i]!
      res.writeHead(status, headers).end(body)
    })
    const slack = createSlackChannel(render, http)
    const url = `${receiver.url}/services/T/B/X`
    expect(await slack.send(single(), { url }, signal)).toMatchObject({
      ok: false,
      errorKind: 'transient',
      statusCode: 429,
      retryAfterMs: 30_000,
      error: `Slack: Slack (${receiver.url}) asked to slow down (429), retry after 30 s`,
    })
    expect(await slack.send(single(), { url }, signal)).toMatchObject({
      ok: false,
      errorKind: 'permanent',
      statusCode: 404,
      error:
        'Slack answered 404 no_service: this Slack webhook no longer exists: create a new incoming webhook and paste its URL',
    })
    expect(await slack.send(single(), { url }, signal)).toMatchObject({
      ok: false,
      errorKind: 'permanent',
      statusCode: 400,
    })
    expect(await slack.send(single(), { url }, signal)).toMatchObject({
      ok: false,
      errorKind: 'transient',
      statusCode: 503,
    })
  })

  it('refuses plain http to another host and non-http URLs before connecting', async () => {
    const slack = createSlackChannel(render, http)
    expect(await slack.send(single(), { url: 'http://hooks.slack.com/services/x' }, signal)).toMatchObject({
      ok: false,
      errorKind: 'permanent',
      error: 'Slack webhook URL: Use https: plain http is only allowed to this machine (got http://hooks.slack.com)',
    })
    expect(await slack.send(single(), { url: 'ftp://example.com/x' }, signal)).toMatchObject({
      ok: false,
      errorKind: 'permanent',
      error: 'Slack webhook URL: Only https URLs are allowed (got ftp)',
    })
  })

  it('a digest fits Slack limits and counts what it could not show', () => {
    const alerts = Array.from({ length: 30 }, (_, i) => sampleAlert({ id: i + 1, title: `Alert ${i + 1}` }))
    const payload = slackPayload({ id: 'd', alerts, digest: true }, render) as {
      attachments: Array<{ blocks: unknown[] }>
    }
    const blocks = payload.attachments[0]!.blocks
    expect(blocks.length).toBeLessThanOrEqual(50)
    expect(JSON.stringify(blocks.at(-1))).toMatch(/…and \d+ more in Marketing Engine/)
  })
})

describe('signed webhooks (Standard Webhooks, verified with the standardwebhooks package)', () => {
  it('the receiver verifies the signature; a tampered body fails; the id is the idempotency key', async () => {
    receiver = await startHttpReceiver((_r, res) => res.writeHead(204).end())
    const secret = generateWebhookSecret()
    const hook = createWebhookChannel(render, http)
    const message = single()
    expect(await hook.send(message, { url: `${receiver.url}/hooks/me`, secret }, signal)).toMatchObject({
      ok: true,
      statusCode: 204,
    })
    const req = await receiver.next()
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    }
    expect(headers['webhook-id']).toBe('alert-42')
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    const verified = new Webhook(secret).verify(req.body, headers)
    const payload = WebhookPayloadSchema.parse(verified)
    expect(payload.type).toBe('alert.raised')
    expect(payload.data.alerts[0]).toMatchObject({
      id: 42,
      severity: 'warning',
      url: 'http://127.0.0.1:5199/#/campaigns?workspace=1&id=7',
      entity: { name: '<script>alert("x")</script> Spring & Sale <!channel>' },
    })
    expect(payload.data.alerts[0]!.numbers[0]).toEqual({
      label: 'CPA',
      value: 48_200_000,
      unit: 'money_micros',
      currency: 'USD',
      previous: 24_100_000,
      text: '$48.20 (was $24.10 yesterday, +100%)',
    })
    const tampered = req.body.replace('doubled', 'tripled')
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(/signature/i)
    expect(() => new Webhook(generateWebhookSecret()).verify(req.body, headers)).toThrow(/signature/i)

    // A retry of the same message carries the same webhook-id, so the receiver can drop it.
    await hook.send(message, { url: `${receiver.url}/hooks/me`, secret }, signal)
    expect((await receiver.next()).headers['webhook-id']).toBe('alert-42')
  })

  it('https required except loopback; 410 Gone is permanent; no receiver is transient; redirects are not followed', async () => {
    const hook = createWebhookChannel(render, http)
    const secret = generateWebhookSecret()
    expect(await hook.send(single(), { url: 'http://example.com/hook', secret }, signal)).toMatchObject({
      errorKind: 'permanent',
      error: 'Webhook URL: Use https: plain http is only allowed to this machine (got http://example.com)',
    })
    expect(await hook.send(single(), { url: 'file:///etc/passwd', secret }, signal)).toMatchObject({
      errorKind: 'permanent',
      error: 'Webhook URL: Only https URLs are allowed (got file)',
    })
    expect(await hook.send(single(), { url: 'https://example.com/hook', secret: 'not base64!' }, signal)).toMatchObject(
      {
        errorKind: 'permanent',
        error: 'The signing secret must be base64, optionally prefixed with whsec_',
      },
    )
    receiver = await startHttpReceiver((_r, res, i) =>
      i === 0 ? res.writeHead(410).end() : res.writeHead(302, { location: 'https://elsewhere.example/' }).end(),
    )
    expect(await hook.send(single(), { url: receiver.url, secret }, signal)).toMatchObject({
      errorKind: 'permanent',
      statusCode: 410,
    })
    expect(await hook.send(single(), { url: receiver.url, secret }, signal)).toMatchObject({
      errorKind: 'permanent',
      statusCode: 302,
    })
    const gone = `http://127.0.0.1:${await closedPort()}`
    const down = await hook.send(single(), { url: gone, secret }, signal)
    expect(down).toMatchObject({ ok: false, errorKind: 'transient', statusCode: null })
    if (!down.ok) expect(down.error).toBe(`Webhook: could not reach ${gone} (connection refused)`)
  })
})

describe('desktop channel (through the Platform)', () => {
  it('shows a notification with the numbers and the page to open; nothing when turned off in Settings', async () => {
    const platform = createNodePlatform({ host: 'test', ephemeral: true })
    const desktop = createDesktopChannel(platform, render)
    expect(await desktop.send(single(), null, signal)).toMatchObject({ ok: true })
    expect(platform.notifications).toEqual([
      {
        title: 'WARNING: CPA of Spring Sale doubled overnight',
        body: 'CPA $48.20 (was $24.10 yesterday, +100%) · Conversions 12 (was 25, −52%) — Cost per acquisition rose from $24.10 to $48.20 while spend stayed flat. Check the landing page and tracking.',
        link: '/campaigns?workspace=1&id=7',
      },
    ])
    platform.settings.set({ ...platform.settings.get(), notifications: false })
    expect(await desktop.send(single(), null, signal)).toMatchObject({ ok: true, skipped: true })
    expect(platform.notifications).toHaveLength(1)
  })
})
