/**
 * Statements that bind a list of ids bind it in chunks: SQLite refuses more than 32,766 variables
 * in one statement, and the large demo's Creatives page once asked for 127,798 ads at once ("too many
 * SQL variables"). Portable: plain `IN (?, ?, …)` lists, as PostgreSQL accepts them too.
 */
export const ID_CHUNK = 5_000

/** `?,?,…` for `n` values. */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(',')

/**
 * Run `query` once per chunk of the ids (deduplicated and sorted ascending, so results ordered by the
 * id come back in order when concatenated) and concatenate the rows.
 */
export function inChunks<T>(ids: readonly number[], query: (chunk: number[], marks: string) => T[]): T[] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b)
  if (sorted.length <= ID_CHUNK) return sorted.length ? query(sorted, marks(sorted.length)) : []
  const out: T[] = []
  for (let i = 0; i < sorted.length; i += ID_CHUNK) {
    const chunk = sorted.slice(i, i + ID_CHUNK)
    for (const row of query(chunk, marks(chunk.length))) out.push(row)
  }
  return out
}
