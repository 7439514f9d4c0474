import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { IMPORT_FILE_MAX_BYTES } from '../../../../shared/ipc/contracts/sync'
import { AppError } from '../../../../shared/ipc/result'
import type { CoreServices } from '../../core-services'
import { ImportRepo } from '../../store/repos/import-repo'
import { yieldNow } from '../../scheduler/slices'
import type { CsvText } from './parse'

const KIND = 'import:csv'

/** Characters (or bytes) of a CSV encoded or decoded at a time (~1 ms each), so a large file is not one long step. */
const PIECE_CHARS = 1 << 20

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff

/**
 * A file's bytes as UTF-8 text in parts of `piece` bytes, decoded between turns of the event loop (as
 * `toString('utf8')`: invalid bytes become U+FFFD, a byte-order mark is kept). One `readFile(path,
 * 'utf8')` decoded a 36 MB file in one 40-170 ms step on the core's thread; joining the parts into
 * one string would be another (~60 ms), so the parse reads them as they are (`CsvText`).
 */
export async function decodeParts(bytes: Uint8Array, piece = PIECE_CHARS): Promise<string[]> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  const parts: string[] = []
  for (let at = 0; at < bytes.length; at += piece) {
    const end = Math.min(bytes.length, at + piece)
    parts.push(decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length }))
    if (end < bytes.length) await yieldNow()
  }
  return parts
}

/**
 * The data folder's import area (`<dataDir>/imports`, owner-only): an import job's CSV waits here
 * between `import:commit` and the job, so the jobs table holds a file name instead of the file.
 */
export class ImportFiles {
  readonly dir: string
  private readonly repo: ImportRepo
  constructor(private readonly services: CoreServices) {
    this.dir = join(services.platform.paths.dataDir, 'imports')
    this.repo = new ImportRepo(services.store.sqlite)
  }

  /** The CSV text of an import call: its `content`, or the file at its `path` (read off the event loop). */
  async read(input: { content?: string | undefined; path?: string | undefined }): Promise<CsvText> {
    if (input.content !== undefined) return input.content
    const path = input.path as string
    if (!isAbsolute(path)) throw new AppError('VALIDATION', `The import path must be absolute: ${path}`)
    let fh: Awaited<ReturnType<typeof open>>
    try {
      fh = await open(path, 'r')
    } catch (err) {
      throw new AppError('VALIDATION', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    try {
      const st = await fh.stat()
      if (!st.isFile()) throw new AppError('VALIDATION', `${path} is not a file`)
      if (st.size > IMPORT_FILE_MAX_BYTES)
        throw new AppError(
          'VALIDATION',
          `${path} is ${st.size.toLocaleString('en-US')} bytes; the import limit is ${IMPORT_FILE_MAX_BYTES.toLocaleString('en-US')}`,
        )
      return await decodeParts(await fh.readFile())
    } finally {
      await fh.close()
    }
  }

  /**
   * Copy CSV text into the import area (0600); returns its file name. Written `PIECE_CHARS` at a time:
   * encoding a 36 MB text in one `writeFile` held the core's thread 30-140 ms (import bench, 300,000 lines).
   */
  async store(content: CsvText): Promise<string> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const file = `${randomUUID()}.csv`
    const fh = await open(join(this.dir, file), 'wx', 0o600)
    try {
      for (const text of typeof content === 'string' ? [content] : content)
        for (let at = 0; at < text.length;) {
          let end = Math.min(text.length, at + PIECE_CHARS)
          // Never between the two halves of a surrogate pair (each half alone would be written as U+FFFD).
          if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++
          await fh.write(text.slice(at, end), null, 'utf8')
          at = end
        }
    } finally {
      await fh.close()
    }
    return file
  }

  async load(file: string): Promise<CsvText> {
    try {
      return await decodeParts(await readFile(join(this.dir, file)))
    } catch {
      throw new AppError('NOT_FOUND', `The import file ${file} is gone from ${this.dir}; import the CSV again`)
    }
  }

  remove(file: string): void {
    rmSync(join(this.dir, file), { force: true })
  }

  /** Delete files no queued or running import job refers to. */
  sweep(): void {
    let names: string[]
    try {
      names = readdirSync(this.dir)
    } catch {
      return
    }
    const keep = new Set(this.repo.pendingJobPayloads(KIND).map((p) => (JSON.parse(p) as { file?: string }).file))
    for (const n of names) if (n.endsWith('.csv') && !keep.has(n)) this.remove(n)
  }
}
