import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statfsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { AlertService } from '../alerts/alert-service'
import type { CoreServices } from '../core-services'
import { logDir, redactText } from '../logging'
import { StatusRepo } from '../store/repos/status-repo'
import type { Diagnostics } from '../../../shared/domain/diagnostics'
import { dsnDestination } from '../../../shared/domain/error-reporting'

const MB = 1024 * 1024
const round1 = (n: number): number => Math.round(n * 10) / 10
const sizeMb = (path: string): number => {
  try {
    return round1(statSync(path).size / MB)
  } catch {
    return 0
  }
}
/** Below this much free disk in the data folder, syncs and backups are at risk. */
const LOW_DISK_MB = 500

/**
 * The doctor: app and schema versions, store and WAL size, integrity (on demand), the job queue,
 * per-account sync health, alert delivery health per channel, process memory and CPU, free disk.
 * `healthy` is false when something needs the user: a damaged store, a schema behind, an account
 * that needs reconnecting or keeps failing, a channel turned off after failures, failed jobs in the
 * last day, or a nearly full disk.
 */
export async function diagnose(
  core: CoreServices,
  alerts: AlertService,
  opts: { integrity: boolean },
): Promise<Diagnostics> {
  const status = new StatusRepo(core.store.sqlite)
  const now = core.platform.clock.now()
  const problems: Diagnostics['problems'] = []
  const dbPath = core.store.path
  const memory = dbPath === ':memory:'

  const journal = join(core.platform.paths.resourcesDir, 'migrations', 'meta', '_journal.json')
  let latest = core.store.schemaVersion
  try {
    latest = (JSON.parse(readFileSync(journal, 'utf8')) as { entries: unknown[] }).entries.length
  } catch {
    problems.push({ level: 'warning', message: `The migrations list ${journal} could not be read` })
  }
  if (core.store.schemaVersion < latest)
    problems.push({
      level: 'error',
      message: `The store is at schema ${core.store.schemaVersion} but this version ships ${latest}: restart the app to migrate`,
    })

  const integrity = opts.integrity ? status.integrityCheck() : 'not checked'
  if (opts.integrity && integrity !== 'ok')
    problems.push({
      level: 'error',
      message: `The store failed its integrity check (${integrity}): restore the newest backup (npm run cli -- backups list)`,
    })

  const jobs = status.jobHealth(new Date(now.getTime() - 24 * 3600_000).toISOString())
  if (jobs.failed.length)
    problems.push({
      level: 'warning',
      message: `${jobs.failed.length} job(s) failed in the last 24 h; newest: ${jobs.failed[0]!.kind}: ${jobs.failed[0]!.error}`,
    })

  const accounts = status
    .accountHealth()
    .filter((a) => a.connected)
    .map((a) => {
      const healthy = a.status === 'active'
      if (!healthy)
        problems.push({
          level: 'error',
          message:
            a.status === 'needs_reconnect'
              ? `${a.name} (${a.platform}) needs reconnecting on the Connections page`
              : `${a.name} (${a.platform}) is in state ${a.status}${a.last_error ? `: ${a.last_error}` : ''}`,
        })
      return {
        id: a.id,
        workspace_id: a.workspace_id,
        name: a.name,
        platform: a.platform,
        status: a.status,
        last_success_at: a.last_success_at,
        last_error: a.last_error,
        healthy,
      }
    })

  const health = new Map(alerts.repo.deliveryHealth().map((h) => [h.channelId, h]))
  const channels = (await alerts.channels()).map((c) => {
    const h = health.get(c.id)
    const turnedOff = !c.enabled && c.disabledReason !== null
    const missingSecret = c.enabled && (c.kind === 'slack' || c.kind === 'webhook') && !c.hasSecret
    if (turnedOff)
      problems.push({ level: 'error', message: `Alert channel "${c.name}" was turned off: ${c.disabledReason}` })
    if (missingSecret)
      problems.push({
        level: 'error',
        message: `Alert channel "${c.name}" has no secret in the secret store: enter it again in the channel's settings`,
      })
    const healthy = !turnedOff && !missingSecret
    return {
      id: c.id,
      name: c.name,
      kind: c.kind,
      enabled: c.enabled,
      disabled_reason: c.disabledReason,
      delivered: h?.counts.delivered ?? 0,
      failed: h?.counts.failed ?? 0,
      pending: (h?.counts.pending ?? 0) + (h?.counts.held ?? 0),
      last_delivered_at: h?.lastDeliveredAt ?? null,
      healthy,
    }
  })

  let diskFree: number | null = null
  try {
    const fs = statfsSync(core.platform.paths.dataDir)
    diskFree = Math.round((fs.bavail * fs.bsize) / MB)
    if (diskFree < LOW_DISK_MB)
      problems.push({ level: 'error', message: `Only ${diskFree} MB free in the data folder's disk` })
  } catch {
    diskFree = null
  }

  const mem = process.memoryUsage()
  const cpu = process.cpuUsage()
  const logFile = currentLogFile(core.platform.paths.dataDir)
  const dsn = core.platform.settings.get().errorReportingDsn
  return {
    healthy: problems.every((p) => p.level !== 'error') && jobs.failed.length === 0,
    problems,
    checked_at: now.toISOString(),
    version: core.platform.appVersion,
    host: core.platform.host,
    schema_version: core.store.schemaVersion,
    schema_latest: latest,
    data_dir: core.platform.paths.dataDir,
    db_mb: memory ? 0 : sizeMb(dbPath),
    wal_mb: memory ? 0 : sizeMb(`${dbPath}-wal`),
    integrity,
    jobs: { queued: jobs.queued, running: jobs.running, failed_24h: jobs.failed.length, failed: jobs.failed },
    accounts,
    channels,
    alerts: {
      unread_warning_plus: status.unreadAlertCount(now),
      pending_deliveries: alerts.repo.pendingCount(),
    },
    process: {
      rss_mb: round1(mem.rss / MB),
      heap_used_mb: round1(mem.heapUsed / MB),
      cpu_user_s: round1(cpu.user / 1e6),
      cpu_system_s: round1(cpu.system / 1e6),
      uptime_s: Math.round(process.uptime()),
      node: process.version,
    },
    disk_free_mb: diskFree,
    log_file: logFile,
    error_reporting: { enabled: dsn !== null, destination: dsn ? dsnDestination(dsn) : null },
  }
}

/** The active log file (pino-roll's `current.log` points at it), or null when the host writes none. */
export function currentLogFile(dataDir: string): string | null {
  const link = join(logDir(dataDir), 'current.log')
  try {
    return existsSync(link) ? realpathSync(link) : null
  } catch {
    return null
  }
}

/** The last `n` lines of the active log, each redacted again (the file is already redacted when written). */
export function recentLogLines(dataDir: string, n: number): { file: string | null; lines: string[] } {
  const file = currentLogFile(dataDir)
  if (!file) return { file: null, lines: [] }
  const size = statSync(file).size
  const want = Math.min(size, 256 * 1024)
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(want)
    readSync(fd, buf, 0, want, size - want)
    const all = buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
    // The first line may be cut when the read started inside it.
    if (want < size) all.shift()
    return { file, lines: all.slice(-n).map((l) => redactText(l)) }
  } finally {
    closeSync(fd)
  }
}
