import type { Sqlite } from '../db'

/** One audit row: who (a principal label such as `user:ana (cli)` or `rule:7@3`) did what, when. */
export interface AuditEntry {
  at: string
  actor: string
  action: string
  entityType?: string | null
  entityId?: number | null
  accountId?: number | null
  detail: unknown
}

export interface AuditRow {
  id: number
  at: string
  actor: string
  action: string
  entityType: string | null
  entityId: number | null
  accountId: number | null
  detail: unknown
}

/** The audit log's SQL (change pipeline transitions and local mutations write here). */
export class AuditRepo {
  constructor(private readonly sqlite: Sqlite) {}

  record(e: AuditEntry): number {
    return Number(
      this.sqlite
        .prepare(
          'INSERT INTO audit_log (at, actor, action, entity_type, entity_id, account_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          e.at,
          e.actor,
          e.action,
          e.entityType ?? null,
          e.entityId ?? null,
          e.accountId ?? null,
          JSON.stringify(e.detail),
        ).lastInsertRowid,
    )
  }

  /** Rows whose action starts with `prefix` (e.g. 'change.'), oldest first; optionally of one change. */
  list(prefix: string, changeId?: number): AuditRow[] {
    const rows = this.sqlite
      .prepare(
        `SELECT * FROM audit_log WHERE action LIKE ? ${changeId !== undefined ? "AND json_extract(detail, '$.changeId') = ?" : ''} ORDER BY id`,
      )
      .all(...(changeId !== undefined ? [`${prefix}%`, changeId] : [`${prefix}%`])) as Record<string, unknown>[]
    return rows.map((r) => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      entityType: (r.entity_type as string | null) ?? null,
      entityId: (r.entity_id as number | null) ?? null,
      accountId: (r.account_id as number | null) ?? null,
      detail: JSON.parse(r.detail as string) as unknown,
    }))
  }
}
