import { closedPort } from '../alerts/testing/receivers'
import { afterEach, describe, expect, it } from 'vitest'
import { createSmtpTransport, smtpConfigProblem, type SmtpConfig, type SmtpTransport } from './smtp-transport'
import { startTestSmtpServer, TEST_CA_PEM, type TestSmtpServer } from './testing/smtp-server'

let server: TestSmtpServer | null = null
let transport: SmtpTransport | null = null
afterEach(async () => {
  transport?.close()
  transport = null
  await server?.close()
  server = null
})

const LOGIN = { user: 'alerts@example.com', pass: 'correct horse' }

function config(port: number, over: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: 'localhost',
    port,
    security: 'starttls',
    username: LOGIN.user,
    password: LOGIN.pass,
    from: 'Marketing Engine <alerts@example.com>',
    caPem: TEST_CA_PEM,
    ...over,
  }
}

describe('SMTP transport (real SMTP server on loopback)', () => {
  it('sends text, HTML and a PDF attachment over STARTTLS with a login; the attachment arrives intact', async () => {
    server = await startTestSmtpServer({ security: 'starttls', login: LOGIN })
    transport = createSmtpTransport(config(server.port))
    const pdf = new Uint8Array(4096)
    for (let i = 0; i < pdf.length; i++) pdf[i] = (i * 31 + 7) & 0xff
    pdf.set(new TextEncoder().encode('%PDF-1.7\n'))
    const result = await transport.send({
      to: ['boss@example.com', 'client@example.org'],
      subject: 'Weekly report — Café €',
      text: 'Spend $1,234.50',
      html: '<p>Spend <b>$1,234.50</b></p>',
      attachments: [{ filename: 'weekly.pdf', content: pdf, contentType: 'application/pdf' }],
      headers: { 'X-Marketing-Engine-Alert': '42' },
    })
    expect(result).toMatchObject({ ok: true, statusCode: 250 })
    const mail = await server.next()
    expect(mail.subject).toBe('Weekly report — Café €')
    expect(mail.text?.trim()).toBe('Spend $1,234.50')
    expect(mail.html).toContain('<b>$1,234.50</b>')
    expect(mail.envelopeTo).toEqual(['boss@example.com', 'client@example.org'])
    expect(mail.headers.get('x-marketing-engine-alert')).toBe('42')
    expect(mail.attachments).toHaveLength(1)
    expect(mail.attachments[0]?.filename).toBe('weekly.pdf')
    expect(mail.attachments[0]?.contentType).toBe('application/pdf')
    expect(new Uint8Array(mail.attachments[0]!.content)).toEqual(pdf)
  })

  it('sends over implicit TLS', async () => {
    server = await startTestSmtpServer({ security: 'tls', login: LOGIN })
    transport = createSmtpTransport(config(server.port, { security: 'tls' }))
    expect(await transport.verify()).toMatchObject({ ok: true })
    expect((await transport.send({ to: ['a@example.com'], subject: 's', text: 't' })).ok).toBe(true)
    expect((await server.next()).subject).toBe('s')
  })

  it('a wrong password is a permanent error that says so', async () => {
    server = await startTestSmtpServer({ security: 'starttls', login: LOGIN })
    transport = createSmtpTransport(config(server.port, { password: 'wrong' }))
    const result = await transport.send({ to: ['a@example.com'], subject: 's', text: 't' })
    expect(result).toMatchObject({ ok: false, errorKind: 'permanent', statusCode: 535 })
    if (!result.ok) expect(result.error).toMatch(/refused the login for "alerts@example.com".*user name and password/)
    expect(server.received).toBe(0)
  })

  it('a refused connection is transient and names the host and port', async () => {
    const port = await closedPort()
    transport = createSmtpTransport(config(port, { host: '127.0.0.1' }))
    const result = await transport.send({ to: ['a@example.com'], subject: 's', text: 't' })
    expect(result).toMatchObject({ ok: false, errorKind: 'transient' })
    if (!result.ok)
      expect(result.error).toBe(
        `Could not connect to the SMTP server 127.0.0.1:${port}: connection refused (is the host and port right, is the server up?)`,
      )
  })

  it('STARTTLS required but not offered: permanent, nothing sent in the clear', async () => {
    server = await startTestSmtpServer({ security: 'starttls', login: LOGIN, noStartTls: true })
    transport = createSmtpTransport(config(server.port))
    const result = await transport.send({ to: ['a@example.com'], subject: 's', text: 't' })
    expect(result).toMatchObject({ ok: false, errorKind: 'permanent' })
    if (!result.ok) expect(result.error).toMatch(/Could not secure the connection/)
    expect(server.received).toBe(0)
  })

  it('an untrusted certificate is refused (permanent) unless its CA is given', async () => {
    server = await startTestSmtpServer({ security: 'tls', login: LOGIN })
    transport = createSmtpTransport(config(server.port, { security: 'tls', caPem: undefined }))
    const result = await transport.send({ to: ['a@example.com'], subject: 's', text: 't' })
    expect(result).toMatchObject({ ok: false, errorKind: 'permanent' })
    if (!result.ok) expect(result.error).toMatch(/TLS certificate of localhost:\d+ was refused/)
  })

  it('SMTP replies: 5xx for a recipient is permanent, 4xx after DATA is transient', async () => {
    server = await startTestSmtpServer({ security: 'starttls', login: LOGIN, rcptReply: 550 })
    transport = createSmtpTransport(config(server.port))
    const refused = await transport.send({ to: ['gone@example.com'], subject: 's', text: 't' })
    expect(refused).toMatchObject({ ok: false, errorKind: 'permanent', statusCode: 550 })
    if (!refused.ok) expect(refused.error).toMatch(/refused the sender or a recipient.*gone@example.com/)
    transport.close()
    await server.close()

    server = await startTestSmtpServer({ security: 'starttls', login: LOGIN, dataReply: 451 })
    transport = createSmtpTransport(config(server.port))
    expect(await transport.send({ to: ['a@example.com'], subject: 's', text: 't' })).toMatchObject({
      ok: false,
      errorKind: 'transient',
      statusCode: 451,
    })
  })

  it('no TLS only to this machine; settings problems are caught before connecting', async () => {
    server = await startTestSmtpServer({ security: 'none' })
    transport = createSmtpTransport(config(server.port, { security: 'none', username: undefined, password: null }))
    expect((await transport.send({ to: ['a@example.com'], subject: 'plain', text: 't' })).ok).toBe(true)
    expect((await server.next()).subject).toBe('plain')

    expect(smtpConfigProblem(config(25, { host: 'smtp.example.com', security: 'none' }))).toBe(
      'SMTP settings: security: An SMTP server outside this machine needs TLS or STARTTLS',
    )
    expect(smtpConfigProblem(config(587, { password: '' }))).toBe(
      'SMTP settings: a password is needed for user "alerts@example.com"',
    )
    const bad = createSmtpTransport(config(25, { host: 'smtp.example.com', security: 'none' }))
    expect(await bad.send({ to: ['a@example.com'], subject: 's', text: 't' })).toMatchObject({
      ok: false,
      errorKind: 'permanent',
      latencyMs: 0,
    })
  })
})
