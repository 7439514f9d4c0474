import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from './private-files'
import type { SecretsProtection } from './secrets-key'

/**
 * What Electron's safeStorage reports on this machine. `backend` is
 * `safeStorage.getSelectedStorageBackend()` (Linux only: 'basic_text', 'gnome_libsecret',
 * 'kwallet', 'kwallet5', 'kwallet6', or 'unknown' before the app is ready); null elsewhere.
 */
export interface SafeStorageFacts {
  os: NodeJS.Platform
  encryptionAvailable: boolean
  backend: string | null
  /** The user chose to go on with weakly protected secrets (recorded in `secret-storage.json`). */
  acceptedWeak: boolean
}

export interface SafeStorageDecision {
  /** Whether secrets may be written now. */
  allowWrites: boolean
  /** Ask the user whether to proceed with weak protection (at start, and in Settings). */
  ask: boolean
  protection: SecretsProtection
}

/** Linux backends that keep the key in a real keyring. */
const KEYRING_BACKENDS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'])

export const WEAK_STORAGE_WARNING =
  'No OS keyring (Secret Service / KWallet) is available, so Electron protects saved credentials with a ' +
  'fixed built-in key ("basic_text"): anyone who copies the data folder can read them. Install and unlock ' +
  'a keyring (GNOME Keyring or KWallet) and restart for real protection, or proceed knowing this.'

/**
 * Decide how safeStorage may be used. On Linux, Chromium silently falls back to `basic_text`
 * (a hardcoded key) when no keyring answers: that is reported as weak, and secrets are written
 * only after the user chose to proceed. Without any encryption nothing is written.
 */
export function decideSafeStorage(f: SafeStorageFacts): SafeStorageDecision {
  if (!f.encryptionAvailable)
    return {
      allowWrites: false,
      ask: false,
      protection: {
        backend: 'unavailable',
        strong: false,
        where: 'nowhere: safeStorage cannot encrypt on this system',
        warning:
          'The OS cannot encrypt credentials for Marketing Engine (safeStorage is unavailable), so none can be ' +
          'saved. On Linux install and unlock a keyring (GNOME Keyring or KWallet) and restart.',
      },
    }
  if (f.os === 'linux' && !(f.backend !== null && KEYRING_BACKENDS.has(f.backend)))
    return {
      allowWrites: f.acceptedWeak,
      ask: !f.acceptedWeak,
      protection: {
        backend: `safeStorage:${f.backend ?? 'unknown'}`,
        strong: false,
        where: `Electron safeStorage with its ${f.backend ?? 'unknown'} backend`,
        warning: f.acceptedWeak
          ? `${WEAK_STORAGE_WARNING} You chose to proceed.`
          : `${WEAK_STORAGE_WARNING} Credentials are not saved until you choose to proceed.`,
        needsConsent: !f.acceptedWeak,
      },
    }
  const where =
    f.os === 'darwin'
      ? 'the macOS Keychain (Electron safeStorage)'
      : f.os === 'win32'
        ? 'Windows DPAPI (Electron safeStorage)'
        : `the ${f.backend ?? ''} keyring (Electron safeStorage)`
  return {
    allowWrites: true,
    ask: false,
    protection: { backend: `safeStorage:${f.backend ?? f.os}`, strong: true, where, warning: null },
  }
}

/** The question asked at start when secrets would be weakly protected (a message box's options). */
export function weakStoragePrompt(): { title: string; message: string; detail: string; buttons: string[] } {
  return {
    title: 'Saved credentials would be weakly protected',
    message: 'No keyring is available to protect your ad-platform credentials.',
    detail: WEAK_STORAGE_WARNING,
    // 0: proceed, 1: do not save credentials for now (the app runs; connecting asks again).
    buttons: ['Proceed with weak protection', 'Not now'],
  }
}

const ACCEPT_FILE = 'secret-storage.json'

/** Whether the user already chose to proceed with this weak backend. */
export function readWeakAcceptance(dataDir: string, backend: string | null): boolean {
  const file = join(dataDir, ACCEPT_FILE)
  if (!existsSync(file)) return false
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { acceptedWeakBackend?: unknown }
    return v.acceptedWeakBackend === (backend ?? 'unknown')
  } catch {
    return false
  }
}

/** Record the user's choice to proceed with a weak backend (owner-only, atomic). */
export function recordWeakAcceptance(dataDir: string, backend: string | null, at: Date): void {
  writeFileAtomic(
    join(dataDir, ACCEPT_FILE),
    JSON.stringify({ acceptedWeakBackend: backend ?? 'unknown', acceptedAt: at.toISOString() }, null, 2),
  )
}
