import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { open, readFile, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { IMPORT_FILE_MAX_BYTES } from '../../../../shared/ipc/contracts/sync'
import { AppError } from '../../../../shared/ipc/result'
import type { CoreServices } from '../../core-services'
import { ImportRepo } from '../../store/repos/import-repo'

const KIND = 'import:csv'

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
  async read(input: { content?: string | undefined; path?: string | undefined }): Promise<string> {
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
      return await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  }

  /** Copy CSV text into the import area (0600); returns its file name. */
  async store(content: string): Promise<string> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const file = `${randomUUID()}.csv`
    await writeFile(join(this.dir, file), content, { mode: 0o600, flag: 'wx' })
    return file
  }

  async load(file: string): Promise<string> {
    try {
      return await readFile(join(this.dir, file), 'utf8')
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
