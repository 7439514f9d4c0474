import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../../shared/domain/settings'
import { createNodePlatform, defaultDataDir, EncryptedFileSecretStore, JsonFileSettingsStore } from './node'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'me-plat-'))
  dirs.push(d)
  return d
}

describe('node platform', () => {
  it('honours ME_DATA_DIR and otherwise uses the OS app-data folder', () => {
    expect(defaultDataDir({ ME_DATA_DIR: '/tmp/x' })).toBe('/tmp/x')
    expect(defaultDataDir({})).toMatch(/Marketing Engine$/)
  })

  it('stores secrets encrypted in owner-only files and reads them back', async () => {
    const dir = tmp()
    const s = new EncryptedFileSecretStore(dir)
    await s.set('meta:1', 'EAAB-super-secret-token')
    expect(await new EncryptedFileSecretStore(dir).get('meta:1')).toBe('EAAB-super-secret-token')
    const raw = readFileSync(join(dir, 'secrets.enc'))
    expect(raw.toString('latin1')).not.toContain('super-secret')
    expect(statSync(join(dir, 'secrets.enc')).mode & 0o777).toBe(0o600)
    // The key is not beside the ciphertext (see secrets-key.test.ts for where it is).
    expect(existsSync(join(dir, 'secrets.key'))).toBe(false)
    await s.delete('meta:1')
    expect(await s.get('meta:1')).toBeNull()
  })

  it('refuses a tampered secrets file instead of returning garbage', async () => {
    const dir = tmp()
    const s = new EncryptedFileSecretStore(dir)
    await s.set('a', 'b')
    const buf = readFileSync(join(dir, 'secrets.enc'))
    buf[buf.length - 1] = (buf[buf.length - 1] as number) ^ 0xff
    writeFileSync(join(dir, 'secrets.enc'), buf)
    await expect(s.get('a')).rejects.toThrow()
  })

  it('persists settings, and sets an invalid settings file aside with defaults', () => {
    const dir = tmp()
    const file = join(dir, 'settings.json')
    const s = new JsonFileSettingsStore(file)
    expect(s.get()).toEqual(DEFAULT_SETTINGS)
    s.set({ ...DEFAULT_SETTINGS, theme: 'dark' })
    expect(new JsonFileSettingsStore(file).get().theme).toBe('dark')
    writeFileSync(file, '{"syncIntervalHours": "often"}')
    expect(new JsonFileSettingsStore(file).get()).toEqual(DEFAULT_SETTINGS)
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.invalid-'))).toBe(true)
    expect(() => s.set({ ...DEFAULT_SETTINGS, reportingCurrency: 'dollars' })).toThrow()
  })

  it('records notifications, badge and resume events for hosts without a desktop', () => {
    const p = createNodePlatform({ host: 'test', ephemeral: true, dataDir: '/nonexistent' })
    p.notify({ title: 't', body: 'b' })
    p.setBadge(3, 'Last sync 5 min ago')
    let resumed = 0
    const off = p.onResume(() => resumed++)
    p.emitResume()
    off()
    p.emitResume()
    expect(p.notifications).toEqual([{ title: 't', body: 'b' }])
    expect(p.badge).toEqual({ count: 3, tooltip: 'Last sync 5 min ago' })
    expect(resumed).toBe(1)
    expect(existsSync('/nonexistent')).toBe(false)
  })
})
