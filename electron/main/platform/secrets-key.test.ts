import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createCipheriv, randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore } from '../store/db'
import { createNodePlatform, EncryptedFileSecretStore } from './node'
import { looseDataFiles, tightenDataDir, writeFileAtomic } from './private-files'
import { decideSafeStorage, readWeakAcceptance, recordWeakAcceptance, weakStoragePrompt } from './safe-storage-policy'
import { osKeyring, type KeyringFactory } from './secrets-key'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'me-sec-'))
  dirs.push(d)
  return d
}
const mode = (p: string): number => statSync(p).mode & 0o777
const migrationsFolder = join(import.meta.dirname, '../../../resources/migrations')

/** An in-memory keychain with the same contract as @napi-rs/keyring's Entry. */
function fakeKeychain(): { factory: KeyringFactory; entries: Map<string, string> } {
  const entries = new Map<string, string>()
  return {
    entries,
    factory: (service, account) => ({
      get: () => entries.get(`${service}/${account}`) ?? null,
      set: (v) => void entries.set(`${service}/${account}`, v),
    }),
  }
}
/** A keychain that answers reads with nothing and refuses writes, like a Linux box without a Secret Service. */
const noSecretService: KeyringFactory = () => ({
  get: () => null,
  set: () => {
    throw new Error("Couldn't access platform storage: AccessDenied")
  },
})
const env = {} as NodeJS.ProcessEnv

describe('the secrets key never sits beside the ciphertext', () => {
  it('keeps the key in the OS keychain when one works, and reads secrets back with it', async () => {
    const dir = tmp()
    const kc = fakeKeychain()
    const s = new EncryptedFileSecretStore(dir, { env, keyring: kc.factory, keyDir: join(tmp(), 'keys') })
    await s.set('meta:1', 'EAAB-token')
    expect(kc.entries.size).toBe(1)
    expect(readdirSync(dir).sort()).toEqual(['secrets.enc', 'secrets.meta.json'])
    expect(s.protection()).toMatchObject({ backend: 'keychain', strong: true, warning: null })
    const again = new EncryptedFileSecretStore(dir, { env, keyring: kc.factory })
    expect(await again.get('meta:1')).toBe('EAAB-token')
    // Without the keychain entry the secrets cannot be read, and the error says where the key was.
    kc.entries.clear()
    await expect(new EncryptedFileSecretStore(dir, { env, keyring: kc.factory }).get('meta:1')).rejects.toThrow(
      /OS keychain .*could not be read/,
    )
  })

  it('falls back to an owner-only key file outside the data folder, with a warning, when the keychain refuses', async () => {
    const dir = tmp()
    const keyDir = join(tmp(), 'keys')
    const s = new EncryptedFileSecretStore(dir, { env, keyring: noSecretService, keyDir })
    const p = s.protection()
    expect(p).toMatchObject({ backend: 'key-file', strong: false })
    expect(p.warning).toMatch(/No OS keychain was available/)
    expect(p.warning).toContain(keyDir)
    await s.set('a', 'b')
    expect(readdirSync(dir).sort()).toEqual(['secrets.enc', 'secrets.meta.json'])
    const [keyFile] = readdirSync(keyDir)
    expect(statSync(join(keyDir, keyFile as string)).size).toBe(32)
    expect(mode(join(keyDir, keyFile as string))).toBe(0o600)
    expect(mode(keyDir)).toBe(0o700)
    expect(await new EncryptedFileSecretStore(dir, { env, keyring: noSecretService, keyDir }).get('a')).toBe('b')
  })

  it('on this machine the real @napi-rs/keyring loads and fails gracefully (no Secret Service): key file', async () => {
    const factory = osKeyring()
    expect(factory).not.toBeNull()
    const dir = tmp()
    const s = new EncryptedFileSecretStore(dir, { env, keyring: factory, keyDir: join(tmp(), 'keys') })
    await s.set('x', 'y')
    expect(await s.get('x')).toBe('y')
    // Whatever the machine offers, the key is not in the data folder.
    expect(readdirSync(dir).filter((f) => f.endsWith('.key'))).toEqual([])
    expect(['keychain', 'key-file']).toContain(s.protection().backend)
  })

  it('derives the key from ME_SECRETS_PASSPHRASE and needs it again to read', async () => {
    const dir = tmp()
    const withPass = { ME_SECRETS_PASSPHRASE: 'correct horse battery staple' } as NodeJS.ProcessEnv
    const s = new EncryptedFileSecretStore(dir, { env: withPass, keyring: null })
    await s.set('a', 'b')
    expect(s.protection()).toMatchObject({ backend: 'passphrase', strong: true })
    expect(await new EncryptedFileSecretStore(dir, { env: withPass, keyring: null }).get('a')).toBe('b')
    await expect(new EncryptedFileSecretStore(dir, { env, keyring: null }).get('a')).rejects.toThrow(
      /set ME_SECRETS_PASSPHRASE/,
    )
    const wrong = { ME_SECRETS_PASSPHRASE: 'wrong' } as NodeJS.ProcessEnv
    await expect(new EncryptedFileSecretStore(dir, { env: wrong, keyring: null }).get('a')).rejects.toThrow(
      /could not be decrypted/,
    )
  })

  it('moves the key an older version kept beside the ciphertext out of the data folder', async () => {
    const dir = tmp()
    const legacy = randomBytes(32)
    writeFileSync(join(dir, 'secrets.key'), legacy, { mode: 0o600 })
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', legacy, iv)
    const body = Buffer.concat([c.update(JSON.stringify({ 'meta:1': 'old-token' }), 'utf8'), c.final()])
    writeFileSync(join(dir, 'secrets.enc'), Buffer.concat([iv, c.getAuthTag(), body]), { mode: 0o600 })

    const kc = fakeKeychain()
    const s = new EncryptedFileSecretStore(dir, { env, keyring: kc.factory })
    expect(await s.get('meta:1')).toBe('old-token')
    await s.set('meta:2', 'new-token')
    expect(existsSync(join(dir, 'secrets.key'))).toBe(false)
    expect(kc.entries.size).toBe(1)
    const again = new EncryptedFileSecretStore(dir, { env, keyring: kc.factory })
    expect(await again.get('meta:1')).toBe('old-token')
    expect(await again.get('meta:2')).toBe('new-token')
  })
})

describe('owner-only data folder', () => {
  it('creates the data folder 0700 and its files 0600, and tightens a loose folder at start', async () => {
    const dir = join(tmp(), 'data')
    mkdirSync(dir, { mode: 0o755 })
    writeFileSync(join(dir, 'settings.json'), '{}', { mode: 0o644 })
    mkdirSync(join(dir, 'backups'), { mode: 0o755 })
    writeFileSync(join(dir, 'backups', 'old.db'), 'x', { mode: 0o644 })
    writeFileSync(join(dir, 'notes-of-the-user.txt'), 'x', { mode: 0o644 })
    chmodSync(dir, 0o755)
    expect(looseDataFiles(dir).length).toBe(4)

    const platform = createNodePlatform({ host: 'cli', dataDir: dir })
    const store = openStore({ path: join(dir, 'marketing-engine.db'), migrationsFolder })
    platform.settings.set({ ...platform.settings.get(), theme: 'dark' })
    await platform.secrets.set('k', 'v')
    for (const f of ['marketing-engine.db', 'marketing-engine.db-wal', 'marketing-engine.db-shm'])
      expect(mode(join(dir, f)), f).toBe(0o600)
    store.close()
    expect(mode(dir)).toBe(0o700)
    for (const f of ['settings.json', 'secrets.enc', 'secrets.meta.json', 'backups/old.db'])
      expect(mode(join(dir, f)), f).toBe(0o600)
    expect(mode(join(dir, 'backups'))).toBe(0o700)
    // A file that is not the app's is left as it was.
    expect(mode(join(dir, 'notes-of-the-user.txt'))).toBe(0o644)
    expect(looseDataFiles(dir)).toEqual([])
    expect(tightenDataDir(dir)).toEqual([])
  })

  it('replaces files atomically: no temporary file is left and the content is whole', () => {
    const dir = tmp()
    const f = join(dir, 'secrets.enc')
    writeFileAtomic(f, 'one')
    writeFileAtomic(f, Buffer.alloc(100_000, 7))
    expect(readFileSync(f).length).toBe(100_000)
    expect(readdirSync(dir)).toEqual(['secrets.enc'])
    expect(mode(f)).toBe(0o600)
  })
})

describe("Electron safeStorage: basic_text is weak and needs the user's consent", () => {
  it('decides from what safeStorage reports', () => {
    const linux = { os: 'linux' as const, encryptionAvailable: true, acceptedWeak: false }
    const strong = decideSafeStorage({ ...linux, backend: 'gnome_libsecret' })
    expect(strong).toMatchObject({ allowWrites: true, ask: false, protection: { strong: true, warning: null } })
    const weak = decideSafeStorage({ ...linux, backend: 'basic_text' })
    expect(weak).toMatchObject({ allowWrites: false, ask: true, protection: { strong: false, needsConsent: true } })
    expect(weak.protection.warning).toMatch(/basic_text.*not saved until you choose to proceed/s)
    const accepted = decideSafeStorage({ ...linux, backend: 'basic_text', acceptedWeak: true })
    expect(accepted).toMatchObject({
      allowWrites: true,
      ask: false,
      protection: { strong: false, needsConsent: false },
    })
    expect(decideSafeStorage({ ...linux, backend: 'unknown' }).allowWrites).toBe(false)
    expect(decideSafeStorage({ ...linux, backend: 'kwallet6' }).protection.strong).toBe(true)
    expect(
      decideSafeStorage({ os: 'darwin', encryptionAvailable: true, backend: null, acceptedWeak: false }),
    ).toMatchObject({ allowWrites: true, protection: { strong: true, where: expect.stringMatching(/Keychain/) } })
    expect(decideSafeStorage({ ...linux, encryptionAvailable: false, backend: 'basic_text' })).toMatchObject({
      allowWrites: false,
      ask: false,
      protection: { backend: 'unavailable' },
    })
    expect(weakStoragePrompt().buttons[0]).toMatch(/Proceed/)
  })

  it("records the user's choice per backend, owner-only", () => {
    const dir = tmp()
    expect(readWeakAcceptance(dir, 'basic_text')).toBe(false)
    recordWeakAcceptance(dir, 'basic_text', new Date('2026-12-04T12:00:00Z'))
    expect(readWeakAcceptance(dir, 'basic_text')).toBe(true)
    expect(readWeakAcceptance(dir, 'unknown')).toBe(false)
    expect(mode(join(dir, 'secret-storage.json'))).toBe(0o600)
  })
})
