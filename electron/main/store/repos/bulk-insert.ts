import type { Sqlite } from '../db'

type Value = number | string | null
type Stmt = ReturnType<Sqlite['prepare']>

/**
 * Multi-row INSERT with one prepared statement of `batch` rows (`VALUES (...), (...), ...`): the
 * per-statement cost (step, reset, the call into the driver) is paid once per batch instead of
 * once per row, ~1.3x faster than a prepared single-row insert for bulk writes. The caller fills
 * `args` at the offset `slot()` returns (`width` values per row, in column order) and calls
 * `flush()` at the end; run it inside a transaction.
 */
export class BulkInsert {
  readonly args: Value[]
  private k = 0
  private readonly many: Stmt
  private readonly one: Stmt
  private readonly oneArgs: Value[]

  constructor(
    sqlite: Sqlite,
    /** `INSERT INTO t (a, b, c)` */
    head: string,
    private readonly width: number,
    /** SQL literals ending every row after the bound values (constant columns), e.g. `'sync'`. */
    constants = '',
    /** e.g. `ON CONFLICT (...) DO UPDATE SET ...` */
    tail = '',
    private readonly batch = 32,
  ) {
    const row = `(${new Array(width).fill('?').join(', ')}${constants ? `, ${constants}` : ''})`
    this.many = sqlite.prepare(`${head} VALUES ${new Array(batch).fill(row).join(', ')} ${tail}`)
    this.one = sqlite.prepare(`${head} VALUES ${row} ${tail}`)
    this.args = new Array<Value>(width * batch).fill(null)
    this.oneArgs = new Array<Value>(width).fill(null)
  }

  /** Offset in `args` where the next row's values go (runs the full batch first when needed). */
  slot(): number {
    if (this.k === this.batch) {
      this.many.run(this.args)
      this.k = 0
    }
    return this.k++ * this.width
  }

  /** Write the rows still buffered. */
  flush(): void {
    if (this.k === this.batch) {
      this.many.run(this.args)
      this.k = 0
      return
    }
    const w = this.width
    for (let r = 0; r < this.k; r++) {
      for (let c = 0; c < w; c++) this.oneArgs[c] = this.args[r * w + c] as Value
      this.one.run(this.oneArgs)
    }
    this.k = 0
  }
}
