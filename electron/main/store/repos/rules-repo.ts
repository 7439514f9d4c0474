import type { EntityLevel, EntityStatus, PlatformId } from '../../../../shared/domain/entities'
import type { RuleDecision, RuleDefinition, RuleMode, RuleRun, RunTrigger } from '../../../../shared/domain/rules'
import type { Sqlite } from '../db'
import { CreativesRepo, type AdDayRow } from './creatives-repo'
import { packedHas, packIds, unpackIds } from './id-pack'

/** A stored rule row (the definition of its current version). */
export interface RuleRow {
  id: number
  workspaceId: number
  name: string
  definition: RuleDefinition
  version: number
  createdAt: string
  updatedAt: string
  deletedAt: string | null
  lastRunAt: string | null
  nextRunAt: string | null
}

export interface RuleVersionRow {
  version: number
  definition: RuleDefinition
  createdBy: string
  createdAt: string
}

/** An account as rules need it: where its days are and which of them are settled. */
export interface RuleAccount {
  id: number
  platform: PlatformId
  name: string
  currency: string
  timeZone: string
  firstDate: string | null
  lastDate: string | null
  /** Last day not inside the restatement window (null: every day is provisional or none exists). */
  lastSettledDate: string | null
}

/** A campaign, ad set or ad in a rule's scope with what filters and metrics need. */
export interface RuleEntity {
  id: number
  level: EntityLevel
  name: string
  status: EntityStatus
  accountId: number
  campaignId: number
  adSetId: number | null
  objective: string
  dailyBudgetMicros: number | null
  /** Campaign start date, ad launch date, an ad set's first ad's launch date. */
  launchDate: string | null
  labels: string[]
}

/** A change made by a rule (for cooldowns, daily limits and "since the last change"). */
export interface RuleChangeRow {
  id: number
  entityType: EntityLevel
  entityId: number
  accountId: number
  actorKind: string
  actorId: string
  state: string
  field: string
  action: string
  beforeValue: string | null
  requestedValue: string
  createdAt: string
}

export interface NewRun {
  ruleId: number
  version: number
  workspaceId: number
  trigger: RunTrigger
  mode: RuleMode
  dryRun: boolean
  status: RuleRun['status']
  startedAt: string
  finishedAt: string
  considered: number
  matched: number
  skipped: number
  actions: number
  batchId: string | null
  message: string | null
  /** What the evaluation saw beyond the rule version and the time (see RunInputs). */
  inputs: RunInputs | null
}

/** Each account's days as a run saw them (a compact decision is recomputed with these). */
export interface RunInputs {
  accounts: { id: number; firstDate: string | null; lastDate: string | null; lastSettledDate: string | null }[]
}

/** Entities of one level a run recorded compactly with one outcome and reason. */
export interface CompactDecisionSet {
  entityType: EntityLevel
  outcome: 'not_matched' | 'skipped'
  reason: RuleDecision['reason']
  ids: number[]
}

type DecisionDbRow = Omit<RuleDecision, 'conditions' | 'actions'> & { conditions: string; actions: string }

/** A compact set's entity as a decision: outcome and reason only, no numbers (`compact: true`). */
function compactDecision(
  entityType: EntityLevel,
  entityId: number,
  entity: { name: string; accountId: number } | undefined,
  set: { outcome: RuleDecision['outcome']; reason: RuleDecision['reason'] },
): RuleDecision {
  return {
    entityType,
    entityId,
    entityName: entity?.name ?? `#${entityId}`,
    accountId: entity?.accountId ?? null,
    outcome: set.outcome,
    reason: set.reason,
    detail: null,
    conditions: [],
    actions: [],
    compact: true,
  }
}

function toDecision<T extends DecisionDbRow>(r: T): Omit<T, 'conditions' | 'actions'> & RuleDecision {
  return {
    ...r,
    conditions: JSON.parse(r.conditions) as RuleDecision['conditions'],
    actions: JSON.parse(r.actions) as RuleDecision['actions'],
  }
}

const ENTITY_TABLE: Record<EntityLevel, string> = { campaign: 'campaigns', ad_set: 'ad_sets', ad: 'ads' }

/** How many of the newest compact sets an entity's history reads at most (a few per run). */
const HISTORY_SETS_SCANNED = 2_000

interface RuleDbRow {
  id: number
  workspace_id: number
  name: string
  definition: string
  version: number
  created_at: string
  updated_at: string
  deleted_at: string | null
  last_run_at: string | null
  next_run_at: string | null
}

function toRule(r: RuleDbRow): RuleRow {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    definition: JSON.parse(r.definition) as RuleDefinition,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
    lastRunAt: r.last_run_at,
    nextRunAt: r.next_run_at,
  }
}

const RUN_COLS = `id, rule_id AS ruleId, version, trigger, mode, dry_run AS dryRun, status, started_at AS startedAt,
  finished_at AS finishedAt, considered, matched, skipped, actions, batch_id AS batchId, message`

function toRun(r: Record<string, unknown>): RuleRun {
  return { ...(r as unknown as RuleRun), dryRun: r.dryRun === 1 }
}

/** The labels of an entity that has none (shared: nothing adds to an entity's label list in place). */
const NO_LABELS: string[] = []

const IN = (n: number): string => `(${Array.from({ length: n }, () => '?').join(',')})`

/** All of the automation SQL: rules and versions, runs and decisions, labels, and what evaluation reads. */
export class RulesRepo {
  private readonly creatives: CreativesRepo

  constructor(private readonly sqlite: Sqlite) {
    this.creatives = new CreativesRepo(sqlite)
  }

  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn).immediate()
  }

  // --- rules and versions ----------------------------------------------------------------------

  insert(def: RuleDefinition, by: string, at: string): number {
    return this.transaction(() => {
      const id = Number(
        this.sqlite
          .prepare(
            `INSERT INTO automation_rules (workspace_id, name, definition, version, created_at, updated_at)
             VALUES (?, ?, ?, 1, ?, ?)`,
          )
          .run(def.workspaceId, def.name, JSON.stringify(def), at, at).lastInsertRowid,
      )
      this.addVersion(id, 1, def, by, at)
      return id
    })
  }

  /** Save a new version; returns it. */
  update(id: number, def: RuleDefinition, by: string, at: string): number {
    return this.transaction(() => {
      const cur = this.get(id)
      if (!cur) throw new Error(`No rule ${id}`)
      const version = cur.version + 1
      this.sqlite
        .prepare('UPDATE automation_rules SET name = ?, definition = ?, version = ?, updated_at = ? WHERE id = ?')
        .run(def.name, JSON.stringify(def), version, at, id)
      this.addVersion(id, version, def, by, at)
      return version
    })
  }

  private addVersion(id: number, version: number, def: RuleDefinition, by: string, at: string): void {
    this.sqlite
      .prepare(
        'INSERT INTO rule_versions (rule_id, version, definition, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(id, version, JSON.stringify(def), by, at)
  }

  softDelete(id: number, at: string): void {
    this.sqlite.prepare('UPDATE automation_rules SET deleted_at = ?, next_run_at = NULL WHERE id = ?').run(at, id)
  }

  get(id: number): RuleRow | null {
    const r = this.sqlite.prepare('SELECT * FROM automation_rules WHERE id = ?').get(id) as RuleDbRow | undefined
    return r ? toRule(r) : null
  }

  /** Live rules of a workspace (or of every workspace), oldest first. */
  list(workspaceId?: number): RuleRow[] {
    const rows = (
      workspaceId === undefined
        ? this.sqlite.prepare('SELECT * FROM automation_rules WHERE deleted_at IS NULL ORDER BY id').all()
        : this.sqlite
            .prepare('SELECT * FROM automation_rules WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY id')
            .all(workspaceId)
    ) as RuleDbRow[]
    return rows.map(toRule)
  }

  versions(id: number): RuleVersionRow[] {
    const rows = this.sqlite
      .prepare(
        'SELECT version, definition, created_by AS createdBy, created_at AS createdAt FROM rule_versions WHERE rule_id = ? ORDER BY version',
      )
      .all(id) as (Omit<RuleVersionRow, 'definition'> & { definition: string })[]
    return rows.map((r) => ({ ...r, definition: JSON.parse(r.definition) as RuleDefinition }))
  }

  setTimes(id: number, times: { lastRunAt?: string; nextRunAt?: string | null }): void {
    if (times.lastRunAt !== undefined)
      this.sqlite.prepare('UPDATE automation_rules SET last_run_at = ? WHERE id = ?').run(times.lastRunAt, id)
    if (times.nextRunAt !== undefined)
      this.sqlite.prepare('UPDATE automation_rules SET next_run_at = ? WHERE id = ?').run(times.nextRunAt, id)
  }

  // --- runs and decisions ----------------------------------------------------------------------

  /**
   * A run, its decisions in full (matched, and skips of matched entities) and the rest as compact
   * sets (ids per outcome and reason), in one transaction.
   */
  insertRun(run: NewRun, decisions: RuleDecision[], sets: CompactDecisionSet[] = []): number {
    return this.transaction(() => {
      const id = Number(
        this.sqlite
          .prepare(
            `INSERT INTO rule_runs (rule_id, version, workspace_id, trigger, mode, dry_run, status, started_at, finished_at,
               considered, matched, skipped, actions, batch_id, message, inputs)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            run.ruleId,
            run.version,
            run.workspaceId,
            run.trigger,
            run.mode,
            run.dryRun ? 1 : 0,
            run.status,
            run.startedAt,
            run.finishedAt,
            run.considered,
            run.matched,
            run.skipped,
            run.actions,
            run.batchId,
            run.message,
            run.inputs ? JSON.stringify(run.inputs) : null,
          ).lastInsertRowid,
      )
      const ins = this.sqlite.prepare(
        `INSERT INTO rule_decisions (run_id, entity_type, entity_id, entity_name, account_id, outcome, reason, detail, conditions, actions)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      for (const d of decisions)
        ins.run(
          id,
          d.entityType,
          d.entityId,
          d.entityName,
          d.accountId,
          d.outcome,
          d.reason,
          d.detail,
          JSON.stringify(d.conditions),
          JSON.stringify(d.actions),
        )
      const set = this.sqlite.prepare(
        `INSERT INTO rule_decision_sets (run_id, entity_type, outcome, reason, count, entity_ids) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      for (const x of sets)
        if (x.ids.length) set.run(id, x.entityType, x.outcome, x.reason, x.ids.length, packIds(x.ids))
      return id
    })
  }

  /**
   * Bounded history: deletes a rule's runs that took no action (no change proposed or applied, no
   * label, no alert: dry runs, failed runs, runs where nothing matched or every match was held back)
   * once they are beyond the rule's newest `keepNewest` runs or started before `olderThan`; their
   * decisions and compact sets go with them. Runs that acted are kept. Returns how many were deleted.
   */
  pruneRuns(ruleId: number, olderThan: string, keepNewest: number): number {
    return this.transaction(
      () =>
        this.sqlite
          .prepare(
            `DELETE FROM rule_runs WHERE rule_id = ? AND actions = 0 AND (started_at < ? OR id < coalesce(
               (SELECT id FROM rule_runs WHERE rule_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?), 0))`,
          )
          .run(ruleId, olderThan, ruleId, keepNewest - 1).changes,
    )
  }

  run(id: number): (RuleRun & { workspaceId: number; inputs: RunInputs | null }) | null {
    const r = this.sqlite
      .prepare(`SELECT ${RUN_COLS}, workspace_id AS workspaceId, inputs FROM rule_runs WHERE id = ?`)
      .get(id) as Record<string, unknown> | undefined
    if (!r) return null
    const { inputs, ...rest } = r
    return {
      ...toRun(rest),
      workspaceId: r.workspaceId as number,
      inputs: typeof inputs === 'string' ? (JSON.parse(inputs) as RunInputs) : null,
    }
  }

  runs(ruleId: number, limit: number): RuleRun[] {
    return (
      this.sqlite
        .prepare(`SELECT ${RUN_COLS} FROM rule_runs WHERE rule_id = ? ORDER BY id DESC LIMIT ?`)
        .all(ruleId, limit) as Record<string, unknown>[]
    ).map(toRun)
  }

  /** The definition a rule had at a version (null: unknown). */
  versionDefinition(ruleId: number, version: number): RuleDefinition | null {
    const r = this.sqlite
      .prepare('SELECT definition FROM rule_versions WHERE rule_id = ? AND version = ?')
      .get(ruleId, version) as { definition: string } | undefined
    return r ? (JSON.parse(r.definition) as RuleDefinition) : null
  }

  /**
   * Every decision of a run: the full rows, then the compact sets' entities (names and accounts as
   * they are now; `compact: true`, no numbers).
   */
  decisions(runId: number): RuleDecision[] {
    const rows = this.sqlite
      .prepare(
        `SELECT entity_type AS entityType, entity_id AS entityId, entity_name AS entityName, account_id AS accountId,
           outcome, reason, detail, conditions, actions FROM rule_decisions WHERE run_id = ? ORDER BY id`,
      )
      .all(runId) as DecisionDbRow[]
    const out: RuleDecision[] = rows.map(toDecision)
    for (const s of this.decisionSets(runId)) {
      const names = this.entityNames(s.entityType, s.ids)
      for (const id of s.ids) {
        out.push(compactDecision(s.entityType, id, names.get(id), s))
      }
    }
    return out
  }

  /**
   * One page of a run's decisions in reading order — matched, skipped (deleted entities last), not
   * matched — optionally one outcome only, with the number the filter holds and the counts per
   * outcome. Full rows come before compact entities of the same rank; only the page's compact
   * entities are looked up (names and accounts as they are now).
   */
  decisionPage(
    runId: number,
    outcome: 'all' | RuleDecision['outcome'],
    offset: number,
    limit: number,
  ): {
    decisions: RuleDecision[]
    total: number
    counts: { all: number; matched: number; skipped: number; not_matched: number }
  } {
    const rankOf = (o: RuleDecision['outcome'], reason: RuleDecision['reason']): number =>
      o === 'matched' ? 0 : o === 'skipped' ? (reason === 'deleted' ? 3 : 1) : 2
    const full = this.sqlite
      .prepare(
        `SELECT entity_type AS entityType, entity_id AS entityId, entity_name AS entityName, account_id AS accountId,
           outcome, reason, detail, conditions, actions FROM rule_decisions WHERE run_id = ? ORDER BY id`,
      )
      .all(runId) as DecisionDbRow[]
    const sets = this.decisionSets(runId)
    const counts = { all: 0, matched: 0, skipped: 0, not_matched: 0 }
    for (const d of full) counts[d.outcome]++
    for (const s of sets) counts[s.outcome] += s.ids.length
    counts.all = counts.matched + counts.skipped + counts.not_matched
    const keep = (o: RuleDecision['outcome']): boolean => outcome === 'all' || o === outcome
    // Walk the reading order, counting, and keep the page's entries.
    const page: ({ row: DecisionDbRow } | { set: CompactDecisionSet; id: number })[] = []
    let at = 0
    for (let rank = 0; rank < 4; rank++) {
      for (const row of full) {
        if (rankOf(row.outcome, row.reason) !== rank || !keep(row.outcome)) continue
        if (at >= offset && at < offset + limit) page.push({ row })
        at++
      }
      for (const set of sets) {
        if (rankOf(set.outcome, set.reason) !== rank || !keep(set.outcome)) continue
        const n = set.ids.length
        for (let i = Math.max(0, offset - at); i < n && at + i < offset + limit; i++)
          page.push({ set, id: set.ids[i] as number })
        at += n
      }
    }
    const names = new Map<EntityLevel, Map<number, { name: string; accountId: number }>>()
    for (const level of ['campaign', 'ad_set', 'ad'] as const) {
      const ids = page.flatMap((p) => ('set' in p && p.set.entityType === level ? [p.id] : []))
      if (ids.length) names.set(level, this.entityNames(level, ids))
    }
    return {
      decisions: page.map((p) =>
        'row' in p
          ? toDecision(p.row)
          : compactDecision(p.set.entityType, p.id, names.get(p.set.entityType)?.get(p.id), p.set),
      ),
      total: at,
      counts,
    }
  }

  /** A run's compact sets, unpacked. */
  decisionSets(runId: number): CompactDecisionSet[] {
    const rows = this.sqlite
      .prepare(
        `SELECT entity_type AS entityType, outcome, reason, entity_ids AS ids FROM rule_decision_sets WHERE run_id = ? ORDER BY id`,
      )
      .all(runId) as (Omit<CompactDecisionSet, 'ids'> & { ids: Buffer })[]
    return rows.map((r) => ({ ...r, ids: unpackIds(r.ids) }))
  }

  /** One entity's full decision in a run (null: none stored in full). */
  decisionOf(runId: number, level: EntityLevel, entityId: number): RuleDecision | null {
    const r = this.sqlite
      .prepare(
        `SELECT entity_type AS entityType, entity_id AS entityId, entity_name AS entityName, account_id AS accountId,
           outcome, reason, detail, conditions, actions FROM rule_decisions
         WHERE run_id = ? AND entity_type = ? AND entity_id = ? LIMIT 1`,
      )
      .get(runId, level, entityId) as DecisionDbRow | undefined
    return r ? toDecision(r) : null
  }

  /** The compact set of a run holding an entity: its outcome and reason (null: none). */
  compactOf(
    runId: number,
    level: EntityLevel,
    entityId: number,
  ): { outcome: 'not_matched' | 'skipped'; reason: RuleDecision['reason'] } | null {
    const rows = this.sqlite
      .prepare(`SELECT outcome, reason, entity_ids AS ids FROM rule_decision_sets WHERE run_id = ? AND entity_type = ?`)
      .all(runId, level) as { outcome: 'not_matched' | 'skipped'; reason: RuleDecision['reason']; ids: Buffer }[]
    const hit = rows.find((r) => packedHas(r.ids, entityId))
    return hit ? { outcome: hit.outcome, reason: hit.reason } : null
  }

  /** Names and accounts of entities of a level (those that still exist). */
  entityNames(level: EntityLevel, ids: number[]): Map<number, { name: string; accountId: number }> {
    if (!ids.length) return new Map()
    const rows = this.sqlite
      .prepare(
        `SELECT id, name, account_id AS accountId FROM ${ENTITY_TABLE[level]} WHERE id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids)) as { id: number; name: string; accountId: number }[]
    return new Map(rows.map((r) => [r.id, { name: r.name, accountId: r.accountId }]))
  }

  /**
   * Decisions about one entity across runs (newest first), with the run's rule: full rows and
   * the compact sets that hold it (those without numbers, `compact: true`).
   */
  entityHistory(
    level: EntityLevel,
    entityId: number,
    limit: number,
  ): (RuleDecision & { runId: number; ruleId: number; version: number; at: string })[] {
    const full = (
      this.sqlite
        .prepare(
          `SELECT d.entity_type AS entityType, d.entity_id AS entityId, d.entity_name AS entityName, d.account_id AS accountId,
             d.outcome, d.reason, d.detail, d.conditions, d.actions, r.id AS runId, r.rule_id AS ruleId, r.version, r.started_at AS at
           FROM rule_decisions d JOIN rule_runs r ON r.id = d.run_id
           WHERE d.entity_type = ? AND d.entity_id = ? ORDER BY d.id DESC LIMIT ?`,
        )
        .all(level, entityId, limit) as (DecisionDbRow & {
        runId: number
        ruleId: number
        version: number
        at: string
      })[]
    ).map(toDecision)
    // Compact sets newest first, until `limit` of them hold the entity, they run out, or the newest
    // HISTORY_SETS_SCANNED sets were read (an entity that rules mostly matched is not searched for
    // through every set ever stored).
    const compact: (RuleDecision & { runId: number; ruleId: number; version: number; at: string })[] = []
    const e = this.entityNames(level, [entityId]).get(entityId)
    const sets = this.sqlite
      .prepare(
        `SELECT s.outcome, s.reason, s.entity_ids AS ids, r.id AS runId, r.rule_id AS ruleId, r.version, r.started_at AS at
         FROM rule_decision_sets s JOIN rule_runs r ON r.id = s.run_id
         WHERE s.entity_type = ? ORDER BY s.run_id DESC LIMIT ?`,
      )
      .iterate(level, HISTORY_SETS_SCANNED) as IterableIterator<{
      outcome: 'not_matched' | 'skipped'
      reason: RuleDecision['reason']
      ids: Buffer
      runId: number
      ruleId: number
      version: number
      at: string
    }>
    for (const s of sets) {
      if (!packedHas(s.ids, entityId)) continue
      compact.push({
        ...compactDecision(level, entityId, e, s),
        runId: s.runId,
        ruleId: s.ruleId,
        version: s.version,
        at: s.at,
      })
      if (compact.length >= limit) break
    }
    return [...full, ...compact].sort((a, b) => b.runId - a.runId).slice(0, limit)
  }

  /** Actions taken per day over the last `days` days (the list's sparkline). */
  actionsPerDay(ruleId: number, since: string): { day: string; actions: number }[] {
    return this.sqlite
      .prepare(
        `SELECT substr(started_at, 1, 10) AS day, sum(actions) AS actions FROM rule_runs
         WHERE rule_id = ? AND dry_run = 0 AND started_at >= ? GROUP BY day ORDER BY day`,
      )
      .all(ruleId, since) as { day: string; actions: number }[]
  }

  // --- what evaluation reads -------------------------------------------------------------------

  accounts(workspaceId: number): RuleAccount[] {
    return this.sqlite
      .prepare(
        `SELECT a.id, a.platform, a.name, a.currency, a.time_zone AS timeZone,
           (SELECT min(date) FROM account_daily d WHERE d.account_id = a.id) AS firstDate,
           (SELECT max(date) FROM account_daily d WHERE d.account_id = a.id) AS lastDate,
           (SELECT max(date) FROM account_daily d WHERE d.account_id = a.id AND d.provisional = 0) AS lastSettledDate
         FROM ad_accounts a WHERE a.workspace_id = ? ORDER BY a.id`,
      )
      .all(workspaceId) as RuleAccount[]
  }

  /**
   * Every entity of a level in the accounts (archived ones too: rules skip them with a reason), in
   * id order. With `ids`, only those with `from <= id < to`: a range of the table's rowids read in
   * id order (the account filter is not an index search there, so no sort of the account's rows),
   * which lets a caller read a level in bounded pieces (`idBounds`). `labels`: the level's labels
   * when the caller read them once for several pieces.
   */
  entities(
    level: EntityLevel,
    accountIds: number[],
    ids?: { from: number; to: number },
    labels: Map<number, string[]> = this.labelsOf(level),
  ): RuleEntity[] {
    if (!accountIds.length) return []
    const acc = IN(accountIds.length)
    const t = level === 'campaign' ? 'c' : level === 'ad_set' ? 's' : 'x'
    const where = ids ? `+${t}.account_id IN ${acc} AND ${t}.id >= ? AND ${t}.id < ?` : `${t}.account_id IN ${acc}`
    const sql =
      level === 'campaign'
        ? `SELECT c.id, c.name, c.status, c.account_id AS accountId, c.id AS campaignId, NULL AS adSetId,
             c.objective, c.daily_budget_micros AS dailyBudgetMicros, c.start_date AS launchDate
           FROM campaigns c WHERE ${where}`
        : level === 'ad_set'
          ? `SELECT s.id, s.name, s.status, s.account_id AS accountId, s.campaign_id AS campaignId, s.id AS adSetId,
               c.objective, s.daily_budget_micros AS dailyBudgetMicros,
               (SELECT min(x.launch_date) FROM ads x WHERE x.ad_set_id = s.id) AS launchDate
             FROM ad_sets s JOIN campaigns c ON c.id = s.campaign_id WHERE ${where}`
          : `SELECT x.id, x.name, x.status, x.account_id AS accountId, x.campaign_id AS campaignId, x.ad_set_id AS adSetId,
               c.objective, NULL AS dailyBudgetMicros, x.launch_date AS launchDate
             FROM ads x JOIN campaigns c ON c.id = x.campaign_id WHERE ${where}`
    const rows = this.sqlite
      .prepare(`${sql} ORDER BY 1`)
      .raw()
      .all(...accountIds, ...(ids ? [ids.from, ids.to] : [])) as [
      number,
      string,
      EntityStatus,
      number,
      number,
      number | null,
      string,
      number | null,
      string | null,
    ][]
    // Built from raw rows in one literal each (a cycle reads every entity of the workspace).
    const out: RuleEntity[] = new Array(rows.length)
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as (typeof rows)[number]
      out[i] = {
        id: r[0],
        name: r[1],
        status: r[2],
        accountId: r[3],
        campaignId: r[4],
        adSetId: r[5],
        objective: r[6],
        dailyBudgetMicros: r[7],
        launchDate: r[8],
        level,
        labels: labels.get(r[0]) ?? NO_LABELS,
      }
    }
    return out
  }

  /**
   * Impressions and the sum of daily reach per entity of a level over a range (frequency
   * conditions). Entities without rows are left out.
   */
  reach(
    level: EntityLevel,
    accountIds: number[],
    from: string,
    to: string,
  ): Map<number, { impressions: number; reach: number }> {
    if (!accountIds.length) return new Map()
    const key = level === 'campaign' ? 'campaign_id' : level === 'ad_set' ? 'ad_set_id' : 'ad_id'
    const rows = this.sqlite
      .prepare(
        `SELECT ${key} AS id, sum(impressions) AS impressions, sum(reach) AS reach FROM daily_metrics
         WHERE account_id IN ${IN(accountIds.length)} AND date BETWEEN ? AND ? GROUP BY ${key}`,
      )
      .all(...accountIds, from, to) as { id: number; impressions: number; reach: number }[]
    return new Map(rows.map((r) => [r.id, { impressions: r.impressions, reach: r.reach }]))
  }

  /** Daily impressions and clicks of ads up to `to`, by ad and date (creative fatigue). */
  adDays(ids: number[], to: string): AdDayRow[] {
    return this.creatives.adDays(ids, to)
  }

  /**
   * Changes made by a rule (any version) since `since` (and before `before`, when given), newest
   * first; failed and rejected ones left out.
   */
  ruleChanges(ruleId: number, since: string, before?: string): RuleChangeRow[] {
    return this.sqlite
      .prepare(
        `SELECT id, entity_type AS entityType, entity_id AS entityId, account_id AS accountId, actor_kind AS actorKind,
           actor_id AS actorId, state, field, action, before_value AS beforeValue, requested_value AS requestedValue,
           created_at AS createdAt
         FROM changes WHERE actor_kind = 'rule' AND actor_id LIKE ? AND created_at >= ? AND created_at < ?
           AND state NOT IN ('failed', 'rejected') ORDER BY id DESC`,
      )
      .all(`${ruleId}@%`, since, before ?? '9999') as RuleChangeRow[]
  }

  /** The last change a rule made to each entity of a level (before `before`, when given; for "since the last change"). */
  lastRuleChange(ruleId: number, level: EntityLevel, before?: string): Map<number, string> {
    const rows = this.sqlite
      .prepare(
        `SELECT entity_id AS id, max(created_at) AS at FROM changes
         WHERE actor_kind = 'rule' AND actor_id LIKE ? AND entity_type = ? AND state IN ('applied', 'applying', 'approved')
           AND created_at < ?
         GROUP BY entity_id`,
      )
      .all(`${ruleId}@%`, level, before ?? '9999') as { id: number; at: string }[]
    return new Map(rows.map((r) => [r.id, r.at]))
  }

  /** Open changes (proposed, approved, applying) by other rules on these entities (conflicts). */
  openChangesByOtherRules(ruleId: number, level: EntityLevel, workspaceId: number): RuleChangeRow[] {
    return this.sqlite
      .prepare(
        `SELECT id, entity_type AS entityType, entity_id AS entityId, account_id AS accountId, actor_kind AS actorKind,
           actor_id AS actorId, state, field, action, before_value AS beforeValue, requested_value AS requestedValue,
           created_at AS createdAt
         FROM changes WHERE workspace_id = ? AND entity_type = ? AND actor_kind = 'rule' AND actor_id NOT LIKE ?
           AND state IN ('proposed', 'approved', 'applying')`,
      )
      .all(workspaceId, level, `${ruleId}@%`) as RuleChangeRow[]
  }

  // --- labels ----------------------------------------------------------------------------------

  /** The smallest and largest id of a level's table (all workspaces), null when it is empty. */
  idBounds(level: EntityLevel): { min: number; max: number } | null {
    const table = level === 'campaign' ? 'campaigns' : level === 'ad_set' ? 'ad_sets' : 'ads'
    // Two subqueries: SQLite's min/max shortcut (one seek each) applies only to a lone min() or max().
    const r = this.sqlite
      .prepare(`SELECT (SELECT min(id) FROM ${table}) AS min, (SELECT max(id) FROM ${table}) AS max`)
      .get() as {
      min: number | null
      max: number | null
    }
    return r.min === null || r.max === null ? null : { min: r.min, max: r.max }
  }

  labelsOf(level: EntityLevel): Map<number, string[]> {
    const rows = this.sqlite
      .prepare('SELECT entity_id AS id, label FROM entity_labels WHERE entity_type = ? ORDER BY label')
      .all(level) as { id: number; label: string }[]
    const out = new Map<number, string[]>()
    for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), r.label])
    return out
  }

  /** Add a label; false when the entity already had it. */
  addLabel(workspaceId: number, level: EntityLevel, entityId: number, label: string, by: string, at: string): boolean {
    return (
      this.sqlite
        .prepare(
          `INSERT INTO entity_labels (workspace_id, entity_type, entity_id, label, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(workspaceId, level, entityId, label, by, at).changes > 0
    )
  }

  removeLabel(level: EntityLevel, entityId: number, label: string): boolean {
    return (
      this.sqlite
        .prepare('DELETE FROM entity_labels WHERE entity_type = ? AND entity_id = ? AND label = ?')
        .run(level, entityId, label).changes > 0
    )
  }
}
