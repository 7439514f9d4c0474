import {
  canTransition,
  type Change,
  type ChangeAction,
  type ChangeField,
  type ChangeState,
  type ChangeValue,
} from '../../../../shared/domain/changes'
import type { EntityLevel, EntityStatus, PlatformId } from '../../../../shared/domain/entities'
import type { Sqlite } from '../db'

export type ChangeLevel = EntityLevel

const TABLE: Record<ChangeLevel, string> = { campaign: 'campaigns', ad_set: 'ad_sets', ad: 'ads' }

/** A change's target as the store knows it, with its account and connection. */
export interface ChangeTarget {
  level: ChangeLevel
  id: number
  externalId: string
  name: string
  status: EntityStatus
  dailyBudgetMicros: number | null
  accountId: number
  accountExternalId: string
  accountName: string
  currency: string
  timeZone: string
  workspaceId: number
  platform: PlatformId
  connectionId: number | null
}

/** A new outbox row. */
export interface NewChange {
  workspaceId: number
  accountId: number
  entityType: ChangeLevel
  entityId: number
  externalId: string
  action: ChangeAction
  field: ChangeField
  before: ChangeValue
  requested: ChangeValue
  state: 'proposed' | 'approved'
  actor: { kind: string; id: string; label: string }
  reason: string | null
  metrics: Record<string, unknown>
  idempotencyKey: string
  batchId: string
  undoOf: number | null
  decidedBy: string | null
  at: string
}

/** Columns the pipeline updates along with a transition. */
export interface ChangePatch {
  platformBefore?: ChangeValue
  applied?: ChangeValue
  attempts?: number
  writes?: number
  error?: string | null
  warnings?: string[]
  decidedBy?: string | null
  appliedAt?: string | null
  nextAttemptAt?: string | null
  undoneBy?: number | null
}

export interface ChangeFilter {
  workspaceId?: number
  states?: ChangeState[]
  batchId?: string
  entity?: { type: ChangeLevel; id: number }
  limit: number
  offset: number
}

interface Row {
  id: number
  workspace_id: number
  account_id: number
  entity_type: ChangeLevel
  entity_id: number
  external_id: string
  action: string
  field: ChangeField
  before_value: string | null
  requested_value: string
  platform_before: string | null
  applied_value: string | null
  state: ChangeState
  actor_kind: string
  actor_id: string
  actor_label: string
  reason: string | null
  metrics: string
  idempotency_key: string
  batch_id: string
  undo_of: number | null
  undone_by: number | null
  attempts: number
  writes: number
  error: string | null
  warnings: string
  decided_by: string | null
  created_at: string
  updated_at: string
  applied_at: string | null
  next_attempt_at: string | null
  platform: string
  entity_name: string | null
}

/** Values are stored as text: a status word or integer micros; SQL NULL for "none". */
export function encodeValue(v: ChangeValue): string | null {
  return v === null ? null : String(v)
}

export function decodeValue(field: ChangeField, s: string | null): ChangeValue {
  if (s === null) return null
  return field === 'status' ? (s as EntityStatus) : Number(s)
}

const COLUMNS: Record<keyof ChangePatch, string> = {
  platformBefore: 'platform_before',
  applied: 'applied_value',
  attempts: 'attempts',
  writes: 'writes',
  error: 'error',
  warnings: 'warnings',
  decidedBy: 'decided_by',
  appliedAt: 'applied_at',
  nextAttemptAt: 'next_attempt_at',
  undoneBy: 'undone_by',
}

const SELECT = `SELECT c.*, a.platform AS platform,
  CASE c.entity_type
    WHEN 'campaign' THEN (SELECT name FROM campaigns WHERE id = c.entity_id)
    WHEN 'ad_set' THEN (SELECT name FROM ad_sets WHERE id = c.entity_id)
    ELSE (SELECT name FROM ads WHERE id = c.entity_id) END AS entity_name
  FROM changes c JOIN ad_accounts a ON a.id = c.account_id`

/** All SQL of the change pipeline's outbox (`changes`) and of the entities it writes. */
export class ChangeRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** Run `fn` in one transaction (a transition and its audit row commit together). */
  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn).immediate()
  }

  target(level: ChangeLevel, id: number): ChangeTarget | null {
    const r = this.sqlite
      .prepare(
        `SELECT e.id, e.external_id, e.name, e.status, ${level === 'ad' ? 'NULL' : 'e.daily_budget_micros'} AS budget,
                a.id AS account_id, a.external_id AS account_external_id, a.name AS account_name, a.currency,
                a.time_zone, a.workspace_id, a.platform, a.connection_id
         FROM ${TABLE[level]} e JOIN ad_accounts a ON a.id = e.account_id WHERE e.id = ?`,
      )
      .get(id) as Record<string, unknown> | undefined
    if (!r) return null
    return {
      level,
      id: r.id as number,
      externalId: r.external_id as string,
      name: r.name as string,
      status: r.status as EntityStatus,
      dailyBudgetMicros: (r.budget as number | null) ?? null,
      accountId: r.account_id as number,
      accountExternalId: r.account_external_id as string,
      accountName: r.account_name as string,
      currency: r.currency as string,
      timeZone: r.time_zone as string,
      workspaceId: r.workspace_id as number,
      platform: r.platform as PlatformId,
      connectionId: (r.connection_id as number | null) ?? null,
    }
  }

  /** Store a value the platform confirmed on the local entity row. */
  setLocalValue(level: ChangeLevel, id: number, field: ChangeField, value: ChangeValue, at: string): void {
    if (field === 'status') {
      this.sqlite.prepare(`UPDATE ${TABLE[level]} SET status = ? WHERE id = ?`).run(value, id)
      if (level === 'campaign') this.sqlite.prepare('UPDATE campaigns SET updated_at = ? WHERE id = ?').run(at, id)
    } else if (level !== 'ad') {
      this.sqlite.prepare(`UPDATE ${TABLE[level]} SET daily_budget_micros = ? WHERE id = ?`).run(value, id)
    }
  }

  insert(c: NewChange): number {
    const info = this.sqlite
      .prepare(
        `INSERT INTO changes (workspace_id, account_id, entity_type, entity_id, external_id, action, field, before_value,
           requested_value, state, actor_kind, actor_id, actor_label, reason, metrics, idempotency_key, batch_id, undo_of,
           decided_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.workspaceId,
        c.accountId,
        c.entityType,
        c.entityId,
        c.externalId,
        JSON.stringify(c.action),
        c.field,
        encodeValue(c.before),
        encodeValue(c.requested),
        c.state,
        c.actor.kind,
        c.actor.id,
        c.actor.label,
        c.reason,
        JSON.stringify(c.metrics),
        c.idempotencyKey,
        c.batchId,
        c.undoOf,
        c.decidedBy,
        c.at,
        c.at,
      )
    return Number(info.lastInsertRowid)
  }

  get(id: number): Change | null {
    const r = this.sqlite.prepare(`${SELECT} WHERE c.id = ?`).get(id) as Row | undefined
    return r ? toChange(r) : null
  }

  byKey(key: string): Change | null {
    const r = this.sqlite.prepare(`${SELECT} WHERE c.idempotency_key = ?`).get(key) as Row | undefined
    return r ? toChange(r) : null
  }

  list(f: ChangeFilter): { items: Change[]; total: number } {
    const where: string[] = []
    const params: (string | number)[] = []
    if (f.workspaceId !== undefined) {
      where.push('c.workspace_id = ?')
      params.push(f.workspaceId)
    }
    if (f.states?.length) {
      where.push(`c.state IN (${f.states.map(() => '?').join(', ')})`)
      params.push(...f.states)
    }
    if (f.batchId !== undefined) {
      where.push('c.batch_id = ?')
      params.push(f.batchId)
    }
    if (f.entity) {
      where.push('c.entity_type = ? AND c.entity_id = ?')
      params.push(f.entity.type, f.entity.id)
    }
    const w = where.length ? ` WHERE ${where.join(' AND ')}` : ''
    const total = (this.sqlite.prepare(`SELECT count(*) AS n FROM changes c${w}`).get(...params) as { n: number }).n
    const rows = this.sqlite
      .prepare(`${SELECT}${w} ORDER BY c.id DESC LIMIT ? OFFSET ?`)
      .all(...params, f.limit, f.offset) as Row[]
    return { items: rows.map(toChange), total }
  }

  /** Changes the worker owns (approved or applying), oldest first. */
  pending(): Change[] {
    return (
      this.sqlite.prepare(`${SELECT} WHERE c.state IN ('approved', 'applying') ORDER BY c.id`).all() as Row[]
    ).map(toChange)
  }

  /** Undo changes already made for `id` (each undo attempt gets its own idempotency key). */
  undoCount(id: number): number {
    return (this.sqlite.prepare('SELECT count(*) AS n FROM changes WHERE undo_of = ?').get(id) as { n: number }).n
  }

  /**
   * Move a change from one of `from` to `to` with the patch; false when its state is not in `from`
   * (someone else moved it first). Throws on a transition the state machine does not allow.
   */
  transition(id: number, from: readonly ChangeState[], to: ChangeState, patch: ChangePatch, at: string): boolean {
    for (const f of from) if (!canTransition(f, to)) throw new Error(`Illegal change transition ${f} → ${to}`)
    const { sets, params } = patchSql(patch)
    const info = this.sqlite
      .prepare(
        `UPDATE changes SET state = ?, updated_at = ?${sets} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`,
      )
      .run(to, at, ...params, id, ...from)
    return info.changes === 1
  }

  /** Update columns without a state change (only while the change is in `state`). */
  patch(id: number, state: ChangeState, patch: ChangePatch, at: string): boolean {
    const { sets, params } = patchSql(patch)
    return (
      this.sqlite
        .prepare(`UPDATE changes SET updated_at = ?${sets} WHERE id = ? AND state = ?`)
        .run(at, ...params, id, state).changes === 1
    )
  }
}

function patchSql(patch: ChangePatch): { sets: string; params: (string | number | null)[] } {
  let sets = ''
  const params: (string | number | null)[] = []
  for (const [k, v] of Object.entries(patch) as [keyof ChangePatch, unknown][]) {
    if (v === undefined) continue
    sets += `, ${COLUMNS[k]} = ?`
    if (k === 'platformBefore' || k === 'applied') params.push(encodeValue(v as ChangeValue))
    else if (k === 'warnings') params.push(JSON.stringify(v))
    else params.push(v as string | number | null)
  }
  return { sets, params }
}

function toChange(r: Row): Change {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    accountId: r.account_id,
    platform: r.platform,
    entityType: r.entity_type,
    entityId: r.entity_id,
    externalId: r.external_id,
    entityName: r.entity_name,
    action: JSON.parse(r.action) as ChangeAction,
    field: r.field,
    before: decodeValue(r.field, r.before_value),
    requested: decodeValue(r.field, r.requested_value),
    ...(r.platform_before !== null ? { platformBefore: decodeValue(r.field, r.platform_before) } : {}),
    ...(r.applied_value !== null ? { applied: decodeValue(r.field, r.applied_value) } : {}),
    state: r.state,
    actor: { kind: r.actor_kind as Change['actor']['kind'], id: r.actor_id, label: r.actor_label },
    reason: r.reason,
    metrics: JSON.parse(r.metrics) as Change['metrics'],
    idempotencyKey: r.idempotency_key,
    batchId: r.batch_id,
    undoOf: r.undo_of,
    undoneBy: r.undone_by,
    attempts: r.attempts,
    writes: r.writes,
    error: r.error,
    warnings: JSON.parse(r.warnings) as string[],
    decidedBy: r.decided_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    appliedAt: r.applied_at,
    nextAttemptAt: r.next_attempt_at,
  }
}
