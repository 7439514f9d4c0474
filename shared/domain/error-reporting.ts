/**
 * Optional error reporting to Sentry (issue 14): off unless the user enters a DSN. A DSN is
 * `https://<public key>@<host>[:port]/[path/]<project id>` (Project settings → Client Keys); plain
 * http only to this computer (a local relay or a test receiver). The old format with a secret key
 * (`https://key:secret@…`) is refused: a secret has no business in a desktop app.
 */

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

export interface ParsedDsn {
  protocol: 'https' | 'http'
  publicKey: string
  host: string
  port: string
  path: string
  projectId: string
}

/** The parts of a DSN, or a sentence saying what is wrong with it. */
export function parseDsn(dsn: string): ParsedDsn | string {
  const m = /^(https?):\/\/([^@/\s]+)@([^/\s:]+|\[[0-9a-f:]+\])(?::(\d{1,5}))?(\/(?:[^\s?#]*\/)?)(\d+)\/?$/i.exec(
    dsn.trim(),
  )
  if (!m)
    return 'A Sentry DSN looks like https://<key>@o123.ingest.sentry.io/456 (copy it from Project settings → Client Keys)'
  const [, protocol, userinfo, host, port, path, projectId] = m as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
    string,
    string,
  ]
  if (userinfo.includes(':'))
    return 'This DSN carries a secret key (the old key:secret@ form): use the DSN without the secret, from Project settings → Client Keys'
  if (!/^[A-Za-z0-9]+$/.test(userinfo)) return 'The DSN’s public key (before the @) should be letters and digits'
  const proto = protocol.toLowerCase() as 'https' | 'http'
  if (proto === 'http' && !LOOPBACK.test(host)) return 'A Sentry DSN must use https (plain http only to this computer)'
  return { protocol: proto, publicKey: userinfo, host, port: port ?? '', path, projectId }
}

/** Null when `dsn` is a usable DSN, else what is wrong. */
export function dsnProblem(dsn: string): string | null {
  const p = parseDsn(dsn)
  return typeof p === 'string' ? p : null
}

/** Where reports go, for the UI and doctor ("o123.ingest.sentry.io, project 456"); never the key. */
export function dsnDestination(dsn: string): string | null {
  const p = parseDsn(dsn)
  return typeof p === 'string' ? null : `${p.host}${p.port ? `:${p.port}` : ''}, project ${p.projectId}`
}
