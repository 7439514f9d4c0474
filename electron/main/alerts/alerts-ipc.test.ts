import { afterEach, describe, expect, it } from 'vitest'
import { userContext } from '../../../shared/domain/caller'
import { DiagnosticsSchema } from '../../../shared/domain/diagnostics'
import { startTestSmtpServer, TEST_CA_PEM, type TestSmtpServer } from '../email/testing/smtp-server'
import { createTestCore, TEST_CALLER } from '../test-support'
import { closedPort, startHttpReceiver, type HttpReceiver } from './testing/receivers'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore | null = null
let receiver: HttpReceiver | null = null
let smtp: TestSmtpServer | null = null
afterEach(async () => {
  await core?.close()
  await receiver?.close()
  await smtp?.close()
  core = receiver = smtp = null
})

const viewer = userContext('test', { id: 'v', name: 'Viewer', role: 'viewer' })

async function ok<T>(c: TestCore, channel: string, input: unknown, ctx = TEST_CALLER): Promise<T> {
  const env = await c.dispatch(channel, input, ctx)
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

describe('alerts over IPC', () => {
  it('role marks: viewers read, admins change channels; secrets never come back', async () => {
    core = createTestCore()
    const c = core
    expect(await c.dispatch('channels:add', { name: 'x', settings: { kind: 'desktop' } }, viewer)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    receiver = await startHttpReceiver((_r, res) => res.writeHead(200).end('ok'))
    await ok(c, 'channels:add', {
      name: 'Slack',
      settings: { kind: 'slack' },
      secret: `${receiver.url}/services/T/B/xyz`,
    })
    const listed = await ok<unknown[]>(c, 'channels:list', {}, viewer)
    expect(JSON.stringify(listed)).not.toContain('/services/T/B/xyz')
    expect(listed[0]).toMatchObject({ kind: 'slack', hasSecret: true })
    expect(await c.dispatch('alerts:snooze', { ids: [1], until: 'tomorrow' }, TEST_CALLER)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })
    expect(await c.dispatch('alerts:acknowledge', { ids: [1] }, viewer)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const d = DiagnosticsSchema.parse(await ok(c, 'diagnostics:get', { integrity: true }, viewer))
    expect(d).toMatchObject({ integrity: 'ok', healthy: true, schema_version: d.schema_latest })
    expect(d.channels).toEqual([expect.objectContaining({ name: 'Slack', kind: 'slack', healthy: true })])
  })

  it('"send a test" says exactly what is wrong: unreachable SMTP host, wrong password, Slack 404; a good one delivers', async () => {
    core = createTestCore()
    const c = core
    const email = (port: number, security: 'starttls' | 'none', username?: string) => ({
      kind: 'email',
      smtp: {
        host: 'localhost',
        port,
        security,
        ...(username ? { username } : {}),
        from: 'alerts@example.com',
        ...(security === 'starttls' ? { caPem: TEST_CA_PEM } : {}),
      },
      to: ['team@example.com'],
    })
    const add = async (name: string, settings: unknown, secret?: string): Promise<number> =>
      (
        await ok<{ channel: { id: number } }>(c, 'channels:add', {
          name,
          settings,
          ...(secret ? { secret } : {}),
        })
      ).channel.id
    const test = (id: number) =>
      ok<{ ok: boolean; error: string | null; statusCode: number | null }>(c, 'channels:test', { id })

    const unreachable = await add('Nowhere', email(await closedPort(), 'none'))
    const r1 = await test(unreachable)
    expect(r1.ok).toBe(false)
    expect(r1.error).toMatch(/could not connect|refused|reach/i)
    expect(r1.error).toContain('localhost')

    smtp = await startTestSmtpServer({ security: 'starttls', login: { user: 'me', pass: 'right' } })
    const wrong = await add('Wrong password', email(smtp.port, 'starttls', 'me'), 'wrong')
    const r2 = await test(wrong)
    expect(r2).toMatchObject({ ok: false, statusCode: 535 })
    expect(r2.error).toMatch(/password|login|authentication/i)
    expect(r2.error).not.toContain('wrong')

    const good = await add('Team', email(smtp.port, 'starttls', 'me'), 'right')
    expect(await test(good)).toMatchObject({ ok: true })
    expect((await smtp.next()).subject).toContain('Test alert for "Team"')

    receiver = await startHttpReceiver((_r, res) => res.writeHead(404).end('no_service'))
    const slack = await add('Slack', { kind: 'slack' }, `${receiver.url}/services/T/B/gone`)
    const r3 = await test(slack)
    expect(r3).toMatchObject({ ok: false, statusCode: 404 })
    expect(r3.error).toMatch(/no_service|removed|disabled|not found/i)

    const bad = await c.dispatch(
      'channels:add',
      { name: 'Hook', settings: { kind: 'webhook', url: 'file:///etc/passwd' } },
      TEST_CALLER,
    )
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(!bad.ok && bad.error.message).toMatch(/^url: .*https/)
  })
})

describe('errors a window reports', () => {
  it('are logged and raised as ERROR alerts (redacted, deduped, at most 10 a minute); bad payloads are refused', async () => {
    let now = new Date('2026-12-04T10:00:00Z')
    core = createTestCore({ now: () => now })
    const c = core
    c.store.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('Shop')").run()
    const report = (message: string, extra: object = {}) =>
      ok<{ alertId: number | null; limited: boolean }>(
        c,
        'diagnostics:reportError',
        { kind: 'error', message, route: '/alerts', ...extra },
        viewer,
      )
    const first = await report('Cannot read properties of undefined (token=abc123secretvalue)', {
      stack: 'TypeError: x\n    at render (app.js:1:2)',
      source: 'app.js:1:2',
    })
    expect(first.limited).toBe(false)
    const alert = c.services.alerts.get(first.alertId!)
    expect(alert).toMatchObject({ source: 'system', severity: 'error', link: '/diagnostics', count: 1 })
    expect(alert.title).toMatch(/^The window hit an error: Cannot read properties of undefined/)
    expect(alert.body).toContain('it was on /alerts')
    expect(JSON.stringify(alert)).not.toContain('abc123secretvalue')
    // The same error again is the same alert, counted.
    const again = await report('Cannot read properties of undefined (token=abc123secretvalue)')
    expect(again.alertId).toBe(first.alertId)
    expect(c.services.alerts.get(first.alertId!).count).toBe(2)
    // A storm of different errors: 10 alerts a minute (2 used above), the rest only logged.
    const storm = []
    for (let i = 0; i < 12; i++) storm.push(await report(`Error number ${i}`))
    expect(storm.filter((r) => !r.limited)).toHaveLength(8)
    expect(storm.filter((r) => r.limited)).toHaveLength(4)
    now = new Date(now.getTime() + 61_000)
    const after = await report('After the storm', { kind: 'render' })
    expect(after.limited).toBe(false)
    const a = c.services.alerts.get(after.alertId!)
    expect(a.title).toBe('A page failed to draw: After the storm')
    expect(a.body).toContain('4 more errors were only logged in the minute before')
    // Bounded, strict payloads.
    for (const bad of [
      { kind: 'error', message: '' },
      { kind: 'fatal', message: 'x' },
      { kind: 'error', message: 'x'.repeat(2001) },
      { kind: 'error', message: 'x', extra: 1 },
    ])
      expect(await c.dispatch('diagnostics:reportError', bad, viewer)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      })
  })
})
