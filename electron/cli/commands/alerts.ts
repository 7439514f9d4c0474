import { readFileSync, writeFileSync } from 'node:fs'
import {
  ALERT_SEVERITIES,
  ALERT_SOURCES,
  ALERT_STATES,
  CHANNEL_KINDS,
  formatAlertNumber,
  SEVERITY_LABELS,
  type Alert,
} from '../../../shared/domain/alerts'
import type { CallContext } from '../../../shared/domain/caller'
import type { Diagnostics } from '../../../shared/domain/diagnostics'
import type { ChannelPolicy } from '../../../shared/domain/alerts'
import type { ChannelView } from '../../../shared/ipc/contracts/alerts'
import type { Core } from '../../main/core'
import { CliError, intFlag, type ParsedArgs } from '../args'
import type { CliCommand } from '../command'

async function call<T>(core: Core, caller: CallContext, channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, caller)
  if (!env.ok) throw new CliError(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

function ids(args: ParsedArgs, what: string): number[] {
  const raw = args.positional.slice(2)
  const out = raw.map(Number)
  if (!raw.length || out.some((n) => !Number.isInteger(n) || n <= 0))
    throw new CliError(`${what} needs one or more ids (whole numbers), got ${JSON.stringify(raw.join(' '))}`, 2)
  return out
}

function listFlag<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T[] | undefined {
  const v = args.flags.get(name)
  if (v === undefined) return undefined
  if (v === true) throw new CliError(`--${name} needs one or more of ${allowed.join(', ')}`, 2)
  const items = v.split(',').map((s) => s.trim().toLowerCase())
  for (const i of items)
    if (!(allowed as readonly string[]).includes(i))
      throw new CliError(`--${name}: ${JSON.stringify(i)} is not one of ${allowed.join(', ')}`, 2)
  return items as T[]
}

function alertLine(a: Alert): string {
  const entity = a.entity ? ` · ${a.entity.name}` : ''
  const count = a.count > 1 ? ` ×${a.count}` : ''
  const numbers = a.numbers.length
    ? `\n      ${a.numbers.map((n) => `${n.label}: ${formatAlertNumber(n)}`).join('; ')}`
    : ''
  const deliveries = a.deliveries.length
    ? `\n      delivery: ${a.deliveries.map((d) => `${d.channelKind}#${d.channelId} ${d.status}${d.note ? ` (${d.note})` : ''}`).join(', ')}`
    : ''
  return `#${a.id}  ${SEVERITY_LABELS[a.severity].padEnd(8)} ${a.state.padEnd(12)} ${a.source.padEnd(10)} ${a.lastRaisedAt}${count}  ${a.title}${entity}${numbers}${deliveries}`
}

/** "2h", "30m", "1d" or an ISO instant → the end of a snooze. */
function snoozeUntil(args: ParsedArgs, now: Date): string {
  const f = args.flags.get('for')
  const u = args.flags.get('until')
  if (typeof u === 'string') {
    const t = Date.parse(u)
    if (Number.isNaN(t)) throw new CliError(`--until needs an ISO time such as 2026-12-05T09:00:00Z, got ${u}`, 2)
    return new Date(t).toISOString()
  }
  if (typeof f === 'string') {
    const m = /^(\d+)\s*(m|h|d)$/.exec(f)
    if (!m) throw new CliError(`--for needs a duration such as 30m, 4h or 2d, got ${JSON.stringify(f)}`, 2)
    const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd']
    return new Date(now.getTime() + ms).toISOString()
  }
  throw new CliError('alerts snooze needs --for 4h (or --until ISO-TIME)', 2)
}

/** A channel's secret never comes from a flag (shell history, ps): stdin (`--secret-stdin`) or ME_CHANNEL_SECRET. */
function readSecret(args: ParsedArgs): string | undefined {
  if (args.flags.has('secret'))
    throw new CliError('Pass the secret on stdin (--secret-stdin) or in ME_CHANNEL_SECRET, never as a flag', 2)
  if (args.flags.has('secret-stdin')) {
    const s = readFileSync(0, 'utf8').trim()
    if (!s) throw new CliError('--secret-stdin read nothing from stdin', 2)
    return s
  }
  const env = process.env.ME_CHANNEL_SECRET?.trim()
  return env ? env : undefined
}

function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name)
  if (v === true) throw new CliError(`--${name} needs a value`, 2)
  return v
}

function channelSettings(args: ParsedArgs, kind: string): unknown {
  switch (kind) {
    case 'desktop':
    case 'slack':
      return { kind }
    case 'webhook':
      return { kind, url: str(args, 'url') }
    case 'email': {
      const username = str(args, 'username')
      return {
        kind,
        smtp: {
          host: str(args, 'host'),
          port: intFlag(args, 'port', 587),
          security: str(args, 'security') ?? 'starttls',
          ...(username ? { username } : {}),
          from: str(args, 'from'),
        },
        to: (str(args, 'to') ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      }
    }
    default:
      throw new CliError(`--kind needs one of ${CHANNEL_KINDS.join(', ')}, got ${JSON.stringify(kind)}`, 2)
  }
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/** A time zone flag: an IANA name Intl knows, or this computer's zone when absent. */
function zoneFlag(args: ParsedArgs): string {
  const tz = str(args, 'tz')
  if (tz === undefined) return Intl.DateTimeFormat().resolvedOptions().timeZone
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
  } catch {
    throw new CliError(`--tz needs a time zone such as Europe/Berlin or America/New_York, got ${JSON.stringify(tz)}`, 2)
  }
  return tz
}

/**
 * The delivery policy flags of `channels add|update`, merged into `current` (the stored policy on
 * update): `--digest HH:MM|off` (email: one digest mail a day at that local time; CRITICAL still at
 * once unless `--digest-critical`), `--quiet-hours HH:MM-HH:MM|off` (CRITICAL breaks through unless
 * `--quiet-critical`), both in `--tz` (default: this computer's zone), `--rate-limit N/MINUTES|off`.
 * Undefined when no policy flag is given (the policy stays as it is).
 */
export function policyFlags(args: ParsedArgs, current: ChannelPolicy | null): ChannelPolicy | undefined {
  const digest = str(args, 'digest')
  const quiet = str(args, 'quiet-hours')
  const rate = str(args, 'rate-limit')
  for (const f of ['digest-critical', 'quiet-critical'] as const)
    if (args.flags.get(f) !== undefined && args.flags.get(f) !== true)
      throw new CliError(`--${f} is a switch and takes no value`, 2)
  if (digest === undefined && args.flags.has('digest-critical'))
    throw new CliError('--digest-critical goes with --digest HH:MM', 2)
  if (quiet === undefined && args.flags.has('quiet-critical'))
    throw new CliError('--quiet-critical goes with --quiet-hours HH:MM-HH:MM', 2)
  if (digest === undefined && quiet === undefined && rate === undefined) {
    if (args.flags.has('tz')) throw new CliError('--tz goes with --digest or --quiet-hours', 2)
    return undefined
  }
  const policy: ChannelPolicy = { quietHours: null, rateLimit: null, ...current }
  if (digest !== undefined) {
    if (digest === 'off') policy.dailyDigest = null
    else if (!HHMM.test(digest))
      throw new CliError(`--digest needs a local time as HH:MM (e.g. 08:00) or off, got ${JSON.stringify(digest)}`, 2)
    else
      policy.dailyDigest = { at: digest, timeZone: zoneFlag(args), criticalAtOnce: !args.flags.has('digest-critical') }
  }
  if (quiet !== undefined) {
    const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(quiet)
    if (quiet === 'off') policy.quietHours = null
    else if (!m || !HHMM.test(m[1] as string) || !HHMM.test(m[2] as string))
      throw new CliError(`--quiet-hours needs HH:MM-HH:MM (e.g. 22:00-07:00) or off, got ${JSON.stringify(quiet)}`, 2)
    else
      policy.quietHours = {
        start: m[1] as string,
        end: m[2] as string,
        timeZone: zoneFlag(args),
        criticalBreaksThrough: !args.flags.has('quiet-critical'),
      }
  }
  if (rate !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(rate)
    if (rate === 'off') policy.rateLimit = null
    else if (!m)
      throw new CliError(`--rate-limit needs MESSAGES/MINUTES (e.g. 5/60) or off, got ${JSON.stringify(rate)}`, 2)
    else policy.rateLimit = { max: Number(m[1]), perMinutes: Number(m[2]) }
  }
  return policy
}

function policyText(p: ChannelPolicy): string {
  const parts: string[] = []
  if (p.dailyDigest)
    parts.push(
      `daily digest at ${p.dailyDigest.at} ${p.dailyDigest.timeZone}${p.dailyDigest.criticalAtOnce ? ' (CRITICAL at once)' : ' (CRITICAL too)'}`,
    )
  if (p.quietHours)
    parts.push(
      `quiet ${p.quietHours.start}-${p.quietHours.end} ${p.quietHours.timeZone}${p.quietHours.criticalBreaksThrough ? ' (CRITICAL breaks through)' : ''}`,
    )
  if (p.rateLimit) parts.push(`at most ${p.rateLimit.max} per ${p.rateLimit.perMinutes} min`)
  return parts.length ? `\n      ${parts.join('; ')}` : ''
}

function channelLine(c: ChannelView): string {
  const s = c.settings
  const where =
    s.kind === 'email'
      ? `${s.smtp.host}:${s.smtp.port} (${s.smtp.security}) → ${s.to.join(', ')}`
      : s.kind === 'webhook'
        ? s.url
        : s.kind === 'slack'
          ? 'incoming webhook (URL in the secret store)'
          : 'desktop notifications'
  const state = c.enabled ? 'on' : `off${c.disabledReason ? ` — ${c.disabledReason}` : ''}`
  const secret = c.kind === 'desktop' ? '' : c.hasSecret ? '  secret: stored' : '  secret: none'
  return `#${c.id}  ${c.kind.padEnd(8)} ${c.name}  [${state}]  ${where}${secret}${policyText(c.policy)}`
}

function doctorText(d: Diagnostics): string {
  const ok = (b: boolean): string => (b ? 'ok ' : 'BAD')
  const lines = [
    `Marketing Engine ${d.version} (${d.host}) — ${d.healthy ? 'healthy' : 'NOT HEALTHY'}`,
    `  data folder   ${d.data_dir}`,
    `  schema        ${d.schema_version} of ${d.schema_latest}`,
    `  database      ${d.db_mb} MB, WAL ${d.wal_mb} MB, integrity: ${d.integrity}`,
    `  jobs          ${d.jobs.queued} queued, ${d.jobs.running} running, ${d.jobs.failed_24h} failed in 24 h`,
    ...d.jobs.failed.slice(0, 5).map((j) => `      #${j.id} ${j.kind}: ${j.error}`),
    `  accounts      ${d.accounts.length} connected`,
    ...d.accounts.map(
      (a) =>
        `    ${ok(a.healthy)} ${a.name} (${a.platform}) ${a.status}, last success ${a.last_success_at ?? 'never'}${a.last_error && !a.healthy ? ` — ${a.last_error}` : ''}`,
    ),
    `  channels      ${d.channels.length}`,
    ...d.channels.map(
      (c) =>
        `    ${ok(c.healthy)} ${c.name} (${c.kind}) ${c.enabled ? 'on' : 'off'}: ${c.delivered} delivered, ${c.failed} failed, ${c.pending} waiting${c.disabled_reason ? ` — ${c.disabled_reason}` : ''}`,
    ),
    `  alerts        ${d.alerts.unread_warning_plus} unread WARNING+, ${d.alerts.pending_deliveries} deliveries waiting`,
    `  process       ${d.process.rss_mb} MB RSS, heap ${d.process.heap_used_mb} MB, CPU ${d.process.cpu_user_s}s user, node ${d.process.node}`,
    `  disk free     ${d.disk_free_mb ?? '?'} MB`,
    `  log file      ${d.log_file ?? 'none yet (the app and preview write logs)'}`,
    `  error reports ${d.error_reporting.enabled ? `on → ${d.error_reporting.destination ?? 'Sentry'}` : 'off (no Sentry DSN: nothing leaves this computer)'}`,
  ]
  if (d.problems.length) lines.push('Problems:', ...d.problems.map((p) => `  ${p.level.toUpperCase()}: ${p.message}`))
  return lines.join('\n')
}

/** `alerts`, `channels` and `doctor`: the alert centre, delivery channels and the health check. */
export const alertCommands: CliCommand[] = [
  {
    name: 'alerts',
    role: 'viewer',
    usage: [
      'alerts list [--workspace ID] [--severity S,..] [--source S,..] [--state S,..] [--limit N] [--json]   Alerts, newest first',
      'alerts ack <id...>   Acknowledge alerts (they stop counting as unread)',
      'alerts snooze <id...> --for 4h | --until ISO-TIME   Snooze alerts',
      'alerts resolve <id...>   Resolve alerts',
    ].join('\n  '),
    async run(core, args, caller) {
      const sub = args.positional[1]
      switch (sub) {
        case 'list': {
          const ws = intFlag(args, 'workspace')
          const severity = listFlag(args, 'severity', ALERT_SEVERITIES)
          const source = listFlag(args, 'source', ALERT_SOURCES)
          const state = listFlag(args, 'state', ALERT_STATES)
          const list = await call<Alert[]>(core, caller, 'alerts:list', {
            ...(ws !== undefined ? { workspaceId: ws } : {}),
            ...(severity ? { severity } : {}),
            ...(source ? { source } : {}),
            ...(state ? { state } : {}),
            limit: intFlag(args, 'limit', 50),
          })
          if (args.flags.has('json')) console.log(JSON.stringify(list, null, 2))
          else if (!list.length) console.log('No alerts.')
          else for (const a of list) console.log(alertLine(a))
          return
        }
        case 'ack':
        case 'acknowledge': {
          const changed = await call<number[]>(core, caller, 'alerts:acknowledge', { ids: ids(args, 'alerts ack') })
          console.log(changed.length ? `Acknowledged ${changed.map((i) => `#${i}`).join(', ')}` : 'Nothing changed')
          return
        }
        case 'snooze': {
          const until = snoozeUntil(args, core.platform.clock.now())
          const changed = await call<number[]>(core, caller, 'alerts:snooze', {
            ids: ids(args, 'alerts snooze'),
            until,
          })
          console.log(
            changed.length ? `Snoozed ${changed.map((i) => `#${i}`).join(', ')} until ${until}` : 'Nothing changed',
          )
          return
        }
        case 'resolve': {
          const changed = await call<number[]>(core, caller, 'alerts:resolve', { ids: ids(args, 'alerts resolve') })
          console.log(changed.length ? `Resolved ${changed.map((i) => `#${i}`).join(', ')}` : 'Nothing changed')
          return
        }
        default:
          throw new CliError(`alerts needs list, ack, snooze or resolve, got ${JSON.stringify(sub ?? '')}`, 2)
      }
    },
  },
  {
    name: 'channels',
    role: 'viewer',
    usage: [
      'channels list [--json]   Alert delivery channels (secrets are never shown)',
      'channels add --kind email --name N --host H [--port 587] [--security starttls|tls|none] [--username U] --from ADDR --to A,B',
      'channels add --kind webhook --name N --url URL   (a signing secret is created and printed once)',
      'channels add --kind slack --name N   (the Slack webhook URL on stdin with --secret-stdin, or in ME_CHANNEL_SECRET)',
      '    delivery policy on add or update: [--digest HH:MM|off [--digest-critical]] (email: one digest mail a day at that',
      '    local time; CRITICAL still at once unless --digest-critical) [--quiet-hours HH:MM-HH:MM|off [--quiet-critical]]',
      "    (CRITICAL breaks through unless --quiet-critical) [--tz ZONE] (default: this computer's) [--rate-limit N/MINUTES|off]",
      'channels update <id> [--name N] [--enable|--disable] [policy flags]   Change a channel (e.g. --digest 08:00 --tz Europe/Berlin)',
      'channels test <id>   Send a test now; a failure says what is wrong and exits 1',
      'channels remove <id>   Remove a channel and its secret',
    ].join('\n  '),
    async run(core, args, caller) {
      const sub = args.positional[1]
      switch (sub) {
        case 'list': {
          const list = await call<ChannelView[]>(core, caller, 'channels:list', {})
          if (args.flags.has('json')) console.log(JSON.stringify(list, null, 2))
          else if (!list.length) console.log('No channels. Add one with `channels add`.')
          else for (const c of list) console.log(channelLine(c))
          return
        }
        case 'add': {
          const kind = str(args, 'kind')
          const name = str(args, 'name')
          if (!kind || !name) throw new CliError('channels add needs --kind and --name', 2)
          const secret = readSecret(args)
          const policy = policyFlags(args, null)
          const r = await call<{ channel: ChannelView; createdSecret: string | null }>(core, caller, 'channels:add', {
            name,
            settings: channelSettings(args, kind),
            ...(policy ? { policy } : {}),
            ...(secret !== undefined ? { secret } : {}),
          })
          console.log(`Added ${channelLine(r.channel)}`)
          if (r.createdSecret)
            console.log(
              `Signing secret (shown once; give it to the receiver to verify webhook-signature): ${r.createdSecret}`,
            )
          return
        }
        case 'update': {
          const [id] = ids(args, 'channels update')
          const current = (await call<ChannelView[]>(core, caller, 'channels:list', {})).find((c) => c.id === id)
          if (!current) throw new CliError(`NOT_FOUND: No alert channel ${id}`)
          if (args.flags.has('enable') && args.flags.has('disable'))
            throw new CliError('channels update takes --enable or --disable, not both', 2)
          const policy = policyFlags(args, current.policy)
          const name = str(args, 'name')
          const enabled = args.flags.has('enable') ? true : args.flags.has('disable') ? false : undefined
          if (policy === undefined && name === undefined && enabled === undefined)
            throw new CliError(
              'channels update needs something to change: --name, --enable/--disable, --digest, --quiet-hours or --rate-limit',
              2,
            )
          const secret = readSecret(args)
          const c = await call<ChannelView>(core, caller, 'channels:update', {
            id,
            ...(name !== undefined ? { name } : {}),
            ...(policy ? { policy } : {}),
            ...(enabled !== undefined ? { enabled } : {}),
            ...(secret !== undefined ? { secret } : {}),
          })
          console.log(`Updated ${channelLine(c)}`)
          return
        }
        case 'test': {
          const [id] = ids(args, 'channels test')
          const r = await call<{
            ok: boolean
            latencyMs: number
            statusCode: number | null
            detail: string | null
            error: string | null
          }>(core, caller, 'channels:test', { id })
          if (!r.ok) throw new CliError(`Test failed: ${r.error ?? 'unknown error'}`)
          console.log(
            `Test delivered in ${r.latencyMs} ms${r.statusCode ? ` (${r.statusCode})` : ''}${r.detail ? `: ${r.detail}` : ''}`,
          )
          return
        }
        case 'remove': {
          const [id] = ids(args, 'channels remove')
          const r = await call<{ removed: boolean }>(core, caller, 'channels:remove', { id })
          console.log(r.removed ? `Removed channel #${id}` : `Channel #${id} was already gone`)
          return
        }
        default:
          throw new CliError(`channels needs list, add, update, test or remove, got ${JSON.stringify(sub ?? '')}`, 2)
      }
    },
  },
  {
    name: 'doctor',
    role: 'viewer',
    usage:
      'doctor [--json] [--quick] [--zip FILE]   Health check: versions, store size and integrity, jobs, accounts, channels; exit 1 when unhealthy. --zip also writes the diagnostics bundle (the JSON and the redacted logs) for a bug report',
    coreOptions: { claimStore: false, startJobs: false },
    async run(core, args, caller) {
      const d = await call<Diagnostics>(core, caller, 'diagnostics:get', { integrity: !args.flags.has('quick') })
      const zip = args.flags.get('zip')
      if (zip !== undefined) {
        if (zip === true) throw new CliError('--zip needs a file name: doctor --zip diagnostics.zip', 2)
        const b = await call<{ base64: string; files: string[] }>(core, caller, 'diagnostics:bundle', {})
        writeFileSync(zip, Buffer.from(b.base64, 'base64'), { mode: 0o600 })
        console.error(`Wrote ${zip} (${b.files.length} files: ${b.files.join(', ')})`)
      }
      console.log(args.flags.has('json') ? JSON.stringify(d, null, 2) : doctorText(d))
      if (!d.healthy) throw new CliError('Unhealthy: see the problems above', 1)
    },
  },
]
