import { join, resolve } from 'node:path'
import {
  backupNow,
  checkFile,
  createBackup,
  listBackups,
  pendingRestoreFile,
  restoreBackup,
} from '../../main/store/backups'
import type { Platform } from '../../main/platform/types'
import { rmSync, statSync } from 'node:fs'
import { CliError } from '../args'
import type { CliCommand } from '../command'

const dbPathOf = (platform: Platform): string => join(platform.paths.dataDir, 'marketing-engine.db')

export const backupCommands: CliCommand[] = [
  {
    name: 'backup',
    role: 'admin',
    usage: 'backup [--out FILE]                          Back up the store (SQLite online backup, verified, 0600)',
    async run(core, args) {
      const out = args.flags.get('out')
      if (out === true) throw new CliError('--out needs a file name', 2)
      const at = core.platform.clock.now()
      if (out !== undefined) {
        const path = resolve(out)
        await createBackup(core.store.sqlite, path)
        console.log(JSON.stringify({ path, bytes: statSync(path).size, createdAt: at.toISOString() }, null, 2))
        return
      }
      console.log(JSON.stringify(await backupNow(core.store.sqlite, core.store.path, 'manual', at), null, 2))
    },
  },
  {
    name: 'backups',
    role: 'viewer',
    usage: 'backups list                                 Backups in the data folder, newest first, each verified',
    run: () => Promise.reject(new CliError('backups runs without a core', 2)),
    async standalone(args, platform) {
      if (args.positional[1] !== 'list') throw new CliError('Usage: backups list', 2)
      const dbPath = dbPathOf(platform)
      const list = listBackups(dbPath).map((b) => ({ ...b, check: checkFile(b.path) }))
      console.log(JSON.stringify({ store: dbPath, backups: list }, null, 2))
    },
  },
  {
    name: 'restore',
    role: 'admin',
    usage:
      'restore <FILE>                               Restore a backup: verified first; the current store is moved aside, never deleted',
    run: () => Promise.reject(new CliError('restore runs without a core', 2)),
    async standalone(args, platform) {
      const file = args.positional[1]
      if (!file) throw new CliError('restore needs a backup file (see: backups list)', 2)
      const dbPath = dbPathOf(platform)
      let r: { movedAside: string | null }
      try {
        r = restoreBackup(dbPath, resolve(file), platform.clock.now())
      } catch (err) {
        throw new CliError((err as Error).message)
      }
      rmSync(pendingRestoreFile(dbPath), { force: true })
      console.log(JSON.stringify({ restored: resolve(file), store: dbPath, movedAside: r.movedAside }, null, 2))
    },
  },
]
