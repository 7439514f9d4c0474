import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'

/** Owner-only modes of the data folder (0700) and everything in it (0600). */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** Windows has no POSIX modes (its ACLs already keep a profile's AppData to its owner). */
const posix = process.platform !== 'win32'

/** Create a folder owner-only (0700), and make an existing one owner-only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (posix) chmodSync(dir, PRIVATE_DIR_MODE)
}

/** Make a file owner-only (0600) if it exists. */
export function makePrivate(path: string): void {
  if (!posix) return
  try {
    chmodSync(path, PRIVATE_FILE_MODE)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/**
 * What the app keeps in its data folder: the store and its WAL/SHM (and files set aside next to
 * it), settings, secrets, backups, logs, imports. Only these are touched, so an `ME_DATA_DIR`
 * naming a folder with other files in it never has those changed.
 */
const OWN_ENTRY = /^(marketing-engine\.db.*|settings\.json.*|secrets\..*|secret-storage\.json|backups|logs|imports)$/

function walkOwn(dir: string, visit: (path: string, isDir: boolean, mode: number) => void): void {
  if (!posix || !existsSync(dir)) return
  const walk = (path: string, depth: number): void => {
    const st = lstatSync(path)
    if (st.isSymbolicLink()) return
    visit(path, st.isDirectory(), st.mode & 0o777)
    if (st.isDirectory() && depth < 3) for (const name of readdirSync(path)) walk(join(path, name), depth + 1)
  }
  visit(dir, true, lstatSync(dir).mode & 0o777)
  for (const name of readdirSync(dir)) if (OWN_ENTRY.test(name)) walk(join(dir, name), 1)
}

/**
 * Make the data folder and the app's files in it owner-only: folders 0700, files 0600. Symbolic
 * links are left alone (never followed out of the folder). Run when a host starts, so a folder
 * made by an older version (or copied in with loose modes) is tightened too. Returns the paths
 * whose mode it changed.
 */
export function tightenDataDir(dir: string): string[] {
  const changed: string[] = []
  walkOwn(dir, (path, isDir, mode) => {
    const want = isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE
    if (mode !== want) {
      chmodSync(path, want)
      changed.push(path)
    }
  })
  return changed
}

/** The app's paths in the data folder that anyone but the owner can read or write (for doctor). */
export function looseDataFiles(dir: string): string[] {
  const loose: string[] = []
  walkOwn(dir, (path, _isDir, mode) => {
    if ((mode & 0o077) !== 0) loose.push(path)
  })
  return loose
}

/**
 * Replace a file atomically and durably: write a temporary file beside it (owner-only), fsync it,
 * rename it over the target, then fsync the folder so the rename itself survives a power cut. A
 * reader sees the old content or the new, never a half-written file.
 */
export function writeFileAtomic(path: string, data: string | Buffer, mode = PRIVATE_FILE_MODE): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let fd = openSync(tmp, 'w', mode)
  try {
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw err
  }
  closeSync(fd)
  if (posix) chmodSync(tmp, mode)
  renameSync(tmp, path)
  if (!posix) return
  // The folder entry: without this fsync the rename may be lost in a crash.
  fd = openSync(dirname(path), 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
