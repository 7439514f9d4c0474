import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'

/**
 * A real SMTP server on loopback for tests (alerts and reports): TLS or STARTTLS with the test-only
 * certificate in `fixtures/`, optional login, every message parsed with mailparser. Tests await
 * `next()` instead of sleeping.
 */

const fixtures = join(import.meta.dirname, 'fixtures')
/** The test CA (the self-signed certificate itself), for `SmtpConfig.caPem`. */
export const TEST_CA_PEM = readFileSync(join(fixtures, 'localhost.cert.pem'), 'utf8')

export interface TestSmtpServer {
  port: number
  /** The next message received (already received ones first). */
  next(): Promise<ParsedMail & { envelopeTo: string[] }>
  received: number
  close(): Promise<void>
}

export interface TestSmtpOptions {
  /** `tls`: TLS from the first byte; `starttls`: offered on a plain start; `none`: no TLS at all. */
  security: 'tls' | 'starttls' | 'none'
  /** Accept only this login (none: no login needed). */
  login?: { user: string; pass: string }
  /** Start plain and refuse STARTTLS (a server without TLS). */
  noStartTls?: boolean
  /** Answer RCPT TO with this SMTP reply code for every recipient. */
  rcptReply?: number
  /** Answer the end of DATA with this reply code. */
  dataReply?: number
  /** Decide per message: a reply code of 400+ refuses it (benches inject random failures). */
  dataReplyFor?: (raw: Buffer) => number | null
}

export async function startTestSmtpServer(opts: TestSmtpOptions): Promise<TestSmtpServer> {
  const messages: Array<ParsedMail & { envelopeTo: string[] }> = []
  const waiters: Array<(m: ParsedMail & { envelopeTo: string[] }) => void> = []
  let received = 0
  const replyError = (code: number, text: string): Error & { responseCode: number } =>
    Object.assign(new Error(text), { responseCode: code })
  const options: SMTPServerOptions = {
    secure: opts.security === 'tls',
    key: readFileSync(join(fixtures, 'localhost.key.pem')),
    cert: readFileSync(join(fixtures, 'localhost.cert.pem')),
    logger: false,
    disableReverseLookup: true,
    authOptional: !opts.login,
    disabledCommands: [
      ...(opts.security === 'none' || opts.noStartTls ? ['STARTTLS'] : []),
      ...(opts.login ? [] : ['AUTH']),
    ],
    onAuth(auth, _session, cb) {
      if (opts.login && auth.username === opts.login.user && auth.password === opts.login.pass)
        return cb(null, { user: auth.username })
      return cb(replyError(535, '5.7.8 Authentication credentials invalid'))
    },
    onRcptTo(address, _session, cb) {
      if (opts.rcptReply && opts.rcptReply >= 400)
        return cb(replyError(opts.rcptReply, `Mailbox ${address.address} unavailable`))
      cb()
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (opts.dataReply && opts.dataReply >= 400) return cb(replyError(opts.dataReply, 'Try again later'))
        const forced = opts.dataReplyFor?.(Buffer.concat(chunks)) ?? null
        if (forced !== null && forced >= 400) return cb(replyError(forced, 'Try again later'))
        received++
        const envelopeTo = session.envelope.rcptTo.map((r) => r.address)
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          const m = Object.assign(mail, { envelopeTo })
          const w = waiters.shift()
          if (w) w(m)
          else messages.push(m)
        })
        cb()
      })
    },
  }
  const server = new SMTPServer(options)
  server.on('error', () => {
    // Client disconnects and refused handshakes are part of the tests.
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return {
    port,
    get received() {
      return received
    },
    next() {
      const m = messages.shift()
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push(resolve))
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
