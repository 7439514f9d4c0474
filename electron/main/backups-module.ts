import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/ipc/result'
import type { CoreServices } from './core-services'
import type { CoreModule, ModuleParts } from './module'
import {
  backupNow,
  checkFile,
  listBackups,
  pendingRestoreFile,
  pruneBackups,
  type BackupInfo,
  type Retention,
} from './store/backups'

type Channel = 'backups:list' | 'backups:create' | 'backups:restore'

/** How often the schedule looks whether today's automatic backup is due. */
const CHECK_EVERY_MS = 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Retention set by ME_BACKUP_KEEP_DAILY / ME_BACKUP_KEEP_WEEKLY (each falls back to `settings` when unset or
 * invalid), or null when neither is set: then Settings › Backups decides.
 */
export function retentionFromEnv(settings: Retention, env: NodeJS.ProcessEnv = process.env): Retention | null {
  if (env.ME_BACKUP_KEEP_DAILY === undefined && env.ME_BACKUP_KEEP_WEEKLY === undefined) return null
  const n = (v: string | undefined, d: number): number => {
    const x = v === undefined ? d : Number(v)
    return Number.isInteger(x) && x >= 0 && x <= 1000 ? x : d
  }
  return { daily: n(env.ME_BACKUP_KEEP_DAILY, settings.daily), weekly: n(env.ME_BACKUP_KEEP_WEEKLY, settings.weekly) }
}

/** What the backups module offers other modules, the CLI and tests. */
export interface Backups {
  /** Backups in the data folder, newest first. */
  list(): BackupInfo[]
  /** Take a verified manual backup now (CONFLICT for an in-memory store). */
  create(): Promise<BackupInfo>
  /** Take the daily backup when the newest one is a day old or more (and prune); null when not due. */
  dailyIfDue(): Promise<string | null>
}

/**
 * Backups: take, list and restore them (IPC and the CLI), and the automatic daily backup of the
 * long-running hosts (the desktop app and the browser preview) with its retention.
 */
export function backupsModule(env: NodeJS.ProcessEnv = process.env): CoreModule<'backups', never, Channel> {
  return { name: 'backups', provides: ['backups'], requires: [], create: (s) => createBackupsModule(s, env) }
}

function createBackupsModule(s: CoreServices, env: NodeJS.ProcessEnv): ModuleParts<'backups', Channel> {
  const dbPath = s.store.path
  /** The retention in force: read at each use, so a change in Settings applies at the next prune. */
  const retention = (): { keep: Retention; keepFromEnv: boolean } => {
    const st = s.platform.settings.get()
    const fromSettings = { daily: st.backupKeepDaily, weekly: st.backupKeepWeekly }
    const fromEnv = retentionFromEnv(fromSettings, env)
    return { keep: fromEnv ?? fromSettings, keepFromEnv: fromEnv !== null }
  }
  const now = (): Date => s.platform.clock.now()
  const requireFile = (): void => {
    if (dbPath === ':memory:') throw new AppError('CONFLICT', 'This store lives in memory: there is no file to back up')
  }
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const r = running.then(fn, fn)
    running = r.catch(() => undefined)
    return r
  }

  const dailyIfDue = async (): Promise<string | null> => {
    if (dbPath === ':memory:') return null
    const last = listBackups(dbPath).find((b) => b.kind === 'daily')
    if (last && now().getTime() - Date.parse(last.createdAt) < DAY_MS) return null
    return serial(async () => {
      const b = await backupNow(s.store.sqlite, dbPath, 'daily', now())
      pruneBackups(dbPath, retention().keep)
      return b.path
    })
  }

  const create = async (): Promise<BackupInfo> => {
    requireFile()
    return serial(() => backupNow(s.store.sqlite, dbPath, 'manual', now()))
  }

  return {
    services: { backups: { list: () => listBackups(dbPath), create, dailyIfDue } },
    handlers: {
      'backups:list': () => ({
        dir: join(s.platform.paths.dataDir, 'backups'),
        backups: listBackups(dbPath),
        ...retention(),
      }),
      'backups:create': () => create(),
      'backups:restore': async ({ file }) => {
        requireFile()
        const target = listBackups(dbPath).find((b) => b.file === file)
        if (!target) throw new AppError('NOT_FOUND', `No backup ${file} in the backups folder`)
        const check = checkFile(target.path)
        if (check !== 'ok') throw new AppError('VALIDATION', `${file} is not a good backup: ${check}`)
        // The current data is kept twice: a verified pre-restore backup, and the file moved aside at restart.
        const pre = await serial(() => backupNow(s.store.sqlite, dbPath, 'pre-restore', now()))
        writeFileSync(pendingRestoreFile(dbPath), target.path, { mode: 0o600 })
        s.events.emit('backups:restoreScheduled', { file })
        return {
          restartRequired: true as const,
          preRestoreBackup: pre.path,
          message: `${file} will be restored when the app restarts; the current data is kept in ${pre.file}.`,
        }
      },
    },
    start() {
      if (s.platform.host !== 'electron' && s.platform.host !== 'web') return
      const tick = (): void => {
        dailyIfDue().catch((err: unknown) => console.error('[backups] daily backup failed:', err))
      }
      tick()
      timer = setInterval(tick, CHECK_EVERY_MS)
      timer.unref()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = null
      await running
    },
  }
}
