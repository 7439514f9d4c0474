import { createHash, randomBytes, scryptSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { ensurePrivateDir, writeFileAtomic } from './private-files'

/** Where the key of the encrypted secrets file (outside Electron) comes from. */
export type KeySource = 'keychain' | 'passphrase' | 'key-file'

/** How well stored credentials are protected, for doctor and the Settings page. */
export interface SecretsProtection {
  /** keychain / passphrase / key-file (Node hosts), safeStorage backends (Electron), or memory (tests). */
  backend: string
  /** True when the key is held by the OS keychain or a passphrase, not by a file anyone with the disk can read. */
  strong: boolean
  /** Where the key is kept, in words. */
  where: string
  /** What the user should know (and can do) when protection is weak; null when strong. */
  warning: string | null
  /** Secrets are not saved until the user chooses to proceed with this weak protection (Electron's basic_text). */
  needsConsent?: boolean
}

/** The piece of an OS keychain the secrets store needs: one password entry. */
export interface KeyringEntry {
  get(): string | null
  set(value: string): void
}

export type KeyringFactory = (service: string, account: string) => KeyringEntry

export const KEYRING_SERVICE = 'Marketing Engine'

/**
 * The OS keychain through `@napi-rs/keyring` (macOS Keychain, Windows Credential Manager, the
 * Secret Service on Linux), or null when the native module cannot load on this machine.
 */
export function osKeyring(): KeyringFactory | null {
  let mod: {
    Entry: new (service: string, account: string) => { getPassword(): string | null; setPassword(v: string): void }
  }
  try {
    mod = createRequire(import.meta.url)('@napi-rs/keyring') as typeof mod
  } catch {
    return null
  }
  return (service, account) => {
    const entry = new mod.Entry(service, account)
    return { get: () => entry.getPassword(), set: (v) => entry.setPassword(v) }
  }
}

/** The folder for key files kept outside the data folder (ME_SECRETS_KEY_DIR, or a per-user state folder). */
export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ME_SECRETS_KEY_DIR) return resolve(env.ME_SECRETS_KEY_DIR)
  const home = homedir()
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Marketing Engine Keys')
  if (process.platform === 'win32')
    // Local, not Roaming: the key does not travel with a roaming profile next to the data.
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Marketing Engine', 'keys')
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'marketing-engine', 'keys')
}

/** What `secrets.meta.json` records: which key source encrypted `secrets.enc` (no secret in it). */
interface KeyMeta {
  version: 1
  source: KeySource
  /** Keychain account / key-file name, unique per data folder. */
  account: string
  /** scrypt salt (base64) for the passphrase source. */
  salt?: string
  /** The key file's path for the key-file source. */
  keyFile?: string
}

export interface KeyOptions {
  dataDir: string
  env?: NodeJS.ProcessEnv
  /** The OS keychain (default `osKeyring()`); null: none. */
  keyring?: KeyringFactory | null
  keyDir?: string
}

export interface ResolvedKey {
  key: Buffer
  protection: SecretsProtection
  /** The key an older version kept beside the ciphertext (`secrets.key`), which encrypted `secrets.enc`. */
  legacyKey: Buffer | null
  /** Its file, deleted once `secrets.enc` is re-encrypted and the new source recorded. */
  legacyKeyFile: string | null
  /** Whether `secrets.enc` must be re-encrypted with `key` (first use, or a legacy key moved). */
  fresh: boolean
  /** Record the choice (after `secrets.enc` has been written with `key`). */
  commit(): void
}

const PASSPHRASE_ENV = 'ME_SECRETS_PASSPHRASE'
const DISABLE_ENV = 'ME_SECRETS_KEYRING'

export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretsKeyError'
  }
}

function deriveKey(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
}

function describe(source: KeySource, meta: KeyMeta): SecretsProtection {
  switch (source) {
    case 'keychain':
      return {
        backend: 'keychain',
        strong: true,
        where: `the OS keychain (service "${KEYRING_SERVICE}", account "${meta.account}")`,
        warning: null,
      }
    case 'passphrase':
      return {
        backend: 'passphrase',
        strong: true,
        where: `derived from the passphrase in ${PASSPHRASE_ENV} (scrypt)`,
        warning: null,
      }
    case 'key-file':
      return {
        backend: 'key-file',
        strong: false,
        where: meta.keyFile ?? '',
        warning:
          `No OS keychain was available, so the key that encrypts your saved credentials is kept in ` +
          `${meta.keyFile ?? 'a key file'} (owner-only, outside the data folder). A copy of the data folder ` +
          `alone does not reveal them, but anyone who can read your home folder can. For stronger ` +
          `protection use a keychain (on Linux, a Secret Service such as GNOME Keyring or KWallet) or ` +
          `set ${PASSPHRASE_ENV}.`,
      }
  }
}

/** The keychain entry if the keychain can store and return a value here; otherwise null and why. */
function probeKeychain(
  factory: KeyringFactory | null,
  account: string,
): { entry: KeyringEntry | null; existing: string | null; why: string } {
  if (!factory) return { entry: null, existing: null, why: 'the keychain module is not available' }
  try {
    const entry = factory(KEYRING_SERVICE, account)
    return { entry, existing: entry.get(), why: '' }
  } catch (err) {
    return { entry: null, existing: null, why: (err as Error).message }
  }
}

/**
 * The key for `secrets.enc`, from the source recorded for this data folder; on first use the best
 * one available: a passphrase (ME_SECRETS_PASSPHRASE), else the OS keychain, else a key file
 * outside the data folder (with a warning). A key file an older version kept beside the
 * ciphertext is moved into the chosen source.
 */
export function resolveSecretsKey(o: KeyOptions): ResolvedKey {
  const env = o.env ?? process.env
  const metaFile = join(o.dataDir, 'secrets.meta.json')
  const legacyFile = join(o.dataDir, 'secrets.key')
  const keyring = env[DISABLE_ENV] === 'off' ? null : o.keyring === undefined ? osKeyring() : o.keyring
  const keyDir = o.keyDir ?? defaultKeyDir(env)

  if (existsSync(metaFile)) {
    let meta: KeyMeta
    try {
      meta = JSON.parse(readFileSync(metaFile, 'utf8')) as KeyMeta
    } catch {
      throw new SecretsKeyError(`${metaFile} is damaged: it should say where the secrets key is kept`)
    }
    const key = loadKey(meta, env, keyring)
    return {
      key,
      protection: describe(meta.source, meta),
      legacyKey: null,
      legacyKeyFile: null,
      fresh: false,
      commit: () => {},
    }
  }

  const account = `secrets-key-${createHash('sha256').update(resolve(o.dataDir)).digest('hex').slice(0, 16)}`
  const legacy = existsSync(legacyFile) ? readFileSync(legacyFile) : null
  if (legacy && legacy.length !== 32) throw new SecretsKeyError(`${legacyFile} is damaged (expected 32 bytes)`)
  const meta: KeyMeta = { version: 1, source: 'key-file', account }
  let key: Buffer
  let store: () => void
  const passphrase = env[PASSPHRASE_ENV]
  const probe = passphrase ? null : probeKeychain(keyring, account)
  if (passphrase) {
    const salt = randomBytes(16)
    meta.source = 'passphrase'
    meta.salt = salt.toString('base64')
    key = deriveKey(passphrase, salt)
    store = () => {}
  } else if (probe?.entry && probe.existing && Buffer.from(probe.existing, 'base64').length === 32) {
    // A key this data folder stored before its meta file was written (a crash in between).
    meta.source = 'keychain'
    key = Buffer.from(probe.existing, 'base64')
    store = () => {}
  } else {
    key = legacy ?? randomBytes(32)
    const entry = probe?.entry ?? null
    let stored = false
    if (entry) {
      try {
        entry.set(key.toString('base64'))
        stored = entry.get() === key.toString('base64')
      } catch {
        stored = false
      }
    }
    if (stored) {
      meta.source = 'keychain'
      store = () => {}
    } else {
      meta.source = 'key-file'
      meta.keyFile = join(keyDir, `${account}.key`)
      const file = meta.keyFile
      store = () => {
        ensurePrivateDir(keyDir)
        writeFileAtomic(file, key)
      }
    }
  }
  return {
    key,
    protection: describe(meta.source, meta),
    legacyKey: legacy,
    legacyKeyFile: legacy ? legacyFile : null,
    fresh: true,
    commit: () => {
      store()
      writeFileAtomic(metaFile, JSON.stringify(meta, null, 2))
    },
  }
}

function loadKey(meta: KeyMeta, env: NodeJS.ProcessEnv, keyring: KeyringFactory | null): Buffer {
  switch (meta.source) {
    case 'passphrase': {
      const passphrase = env[PASSPHRASE_ENV]
      if (!passphrase)
        throw new SecretsKeyError(
          `Your saved credentials are encrypted with a passphrase: set ${PASSPHRASE_ENV} to the passphrase used when they were saved`,
        )
      return deriveKey(passphrase, Buffer.from(meta.salt ?? '', 'base64'))
    }
    case 'keychain': {
      const probe = probeKeychain(keyring, meta.account)
      const v = probe.existing
      if (!v || Buffer.from(v, 'base64').length !== 32)
        throw new SecretsKeyError(
          `The key of your saved credentials is kept in the OS keychain (service "${KEYRING_SERVICE}", account ` +
            `"${meta.account}") but it could not be read${probe.why ? `: ${probe.why}` : ''}. Unlock the keychain, ` +
            `or reconnect your platforms after moving secrets.enc and secrets.meta.json aside.`,
        )
      return Buffer.from(v, 'base64')
    }
    case 'key-file': {
      const file = meta.keyFile ?? ''
      let key: Buffer
      try {
        key = readFileSync(file)
      } catch {
        throw new SecretsKeyError(
          `The key of your saved credentials (${file}) is missing: restore it, or reconnect your platforms ` +
            `after moving secrets.enc and secrets.meta.json aside`,
        )
      }
      if (key.length !== 32) throw new SecretsKeyError(`The secrets key file ${file} is damaged (expected 32 bytes)`)
      return key
    }
  }
}
