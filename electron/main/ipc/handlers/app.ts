import { statSync } from 'node:fs'
import os from 'node:os'
import { SettingsSchema } from '../../../../shared/domain/settings'
import { AppError } from '../../../../shared/ipc/result'
import type { CoreServices } from '../../core-services'
import type { Handlers } from '../router'

type AppHandlers = Pick<Handlers, 'app:getInfo' | 'store:getStatus' | 'settings:get' | 'settings:update'>

export function appHandlers(s: CoreServices): AppHandlers {
  return {
    'app:getInfo': () => ({
      name: s.platform.appName,
      version: s.platform.appVersion,
      host: s.platform.host,
      os: `${os.platform()} ${os.release()}`,
      dataDir: s.platform.paths.dataDir,
    }),
    'store:getStatus': () => {
      let dbBytes = 0
      if (s.store.path !== ':memory:') {
        for (const suffix of ['', '-wal']) {
          try {
            dbBytes += statSync(s.store.path + suffix).size
          } catch {
            // the WAL file may not exist
          }
        }
      }
      return {
        dataDir: s.platform.paths.dataDir,
        dbPath: s.store.path,
        dbBytes,
        schemaVersion: s.store.schemaVersion,
        workspaces: s.workspaces.status(),
      }
    },
    'settings:get': () => s.platform.settings.get(),
    // Shell settings (electron-store / a JSON file): no table changes, `settings:changed` tells the renderer.
    'settings:update': (patch, ctx) =>
      s.mutations.run({ action: 'settings.update', ctx, tables: [], detail: () => patch }, () => {
        const next = SettingsSchema.safeParse({ ...s.platform.settings.get(), ...patch })
        if (!next.success) throw new AppError('VALIDATION', next.error.issues[0]?.message ?? 'Invalid settings')
        s.platform.settings.set(next.data)
        s.events.emit('settings:changed', next.data)
        return next.data
      }),
  }
}
