import type { Sqlite } from '../db'

/** Core-owned key/value state in the `settings` table (JSON values). */
export class KvRepo {
  constructor(private readonly sqlite: Sqlite) {}

  get<T>(key: string, fallback: T): T {
    const r = this.sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
    return r ? (JSON.parse(r.value) as T) : fallback
  }

  set(key: string, value: unknown): void {
    this.sqlite
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value))
  }
}
