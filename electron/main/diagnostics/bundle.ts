import { strToU8, zipSync, type Zippable } from 'fflate'
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { AlertService } from '../alerts/alert-service'
import type { CoreServices } from '../core-services'
import { logDir, redactText } from '../logging'
import { diagnose } from './diagnostics'

/** Log bytes put in a bundle at most (newest first; an older file past it is cut to its newest part). */
export const BUNDLE_LOG_BYTES = 5 * 1024 * 1024

export interface DiagnosticsBundle {
  fileName: string
  bytes: Uint8Array
  /** Paths inside the zip. */
  files: string[]
}

const README = `Marketing Engine diagnostics

diagnostics.json  the same report as \`npm run cli -- doctor --json\` (versions, store, jobs, accounts,
                  alert channels, process, disk)
logs/             the app's JSON log files, newest first, at most 5 MB in all

Secrets are removed: every line was redacted again when the bundle was made (passwords, tokens,
webhook signing secrets, Slack webhook paths, credentials in URLs), and the alert channels' stored
secrets were searched for and replaced. Ad data (campaign names, numbers) may appear in the log.
`

/** The newest `max` bytes of a file (from a line start when cut). */
function tail(file: string, max: number): string {
  const size = statSync(file).size
  const want = Math.min(size, max)
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(want)
    readSync(fd, buf, 0, want, size - want)
    const text = buf.toString('utf8')
    return want < size ? text.slice(text.indexOf('\n') + 1) : text
  } finally {
    closeSync(fd)
  }
}

/** The log files of the data folder, newest first (the `current.log` link is the active one again). */
function logFiles(dataDir: string): { name: string; path: string }[] {
  const dir = logDir(dataDir)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => n.endsWith('.log') && n !== 'current.log')
    .map((n) => ({ name: n, path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
    .map(({ name, path }) => ({ name, path }))
}

/** The stored alert-channel secrets (SMTP passwords, Slack URLs, signing secrets), to scrub wherever they appear. */
export async function storedSecrets(core: CoreServices, alerts: AlertService): Promise<string[]> {
  const known: string[] = []
  for (const c of alerts.repo.channels()) {
    const s = c.secretRef ? await core.platform.secrets.get(c.secretRef) : null
    // Short values would blank out ordinary words; the patterns catch the usual shapes anyway.
    if (s && s.length >= 6) known.push(s)
  }
  return known
}

/**
 * "Copy diagnostics" as a zip for a bug report: the doctor's JSON and the newest logs, every line
 * redacted again and every stored alert-channel secret replaced wherever it appears.
 */
export async function diagnosticsBundle(
  core: CoreServices,
  alerts: AlertService,
  opts: { integrity?: boolean } = {},
): Promise<DiagnosticsBundle> {
  const report = await diagnose(core, alerts, { integrity: opts.integrity ?? false })
  const known = await storedSecrets(core, alerts)
  const scrub = (text: string): string => {
    let out = redactText(text)
    for (const s of known) out = out.split(s).join('[REDACTED]')
    return out
  }
  const files: Zippable = {
    'README.txt': strToU8(README),
    'diagnostics.json': strToU8(scrub(JSON.stringify(report, null, 2))),
  }
  let budget = BUNDLE_LOG_BYTES
  for (const f of logFiles(core.platform.paths.dataDir)) {
    if (budget <= 0) break
    const text = tail(f.path, budget)
    budget -= Buffer.byteLength(text)
    files[`logs/${f.name}`] = strToU8(scrub(text))
  }
  const bytes = zipSync(files, { level: 6, mtime: core.platform.clock.now() })
  return {
    fileName: `marketing-engine-diagnostics-${report.checked_at.replace(/[:.]/g, '-')}.zip`,
    bytes,
    files: Object.keys(files),
  }
}
