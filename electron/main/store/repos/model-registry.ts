import type { ModelMetrics, ModelVersion } from '../../../../shared/ipc/contracts/ml'
import { inChunks } from '../id-lists'
import type { Sqlite } from '../db'

interface ModelRow {
  id: number
  name: string
  version: number
  features: string
  data_from: string | null
  data_to: string | null
  metrics: string
  artifact: string
  active: number
  trained_at: string
}

/** A version's columns without its artifact (JSON of the trained trees, megabytes at 10,000 campaigns). */
const VERSION_COLUMNS = 'id, name, version, features, data_from, data_to, metrics, active, trained_at'

function toVersion(r: Omit<ModelRow, 'artifact'>): ModelVersion {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    active: r.active === 1,
    features: JSON.parse(r.features) as string[],
    dataFrom: r.data_from,
    dataTo: r.data_to,
    metrics: JSON.parse(r.metrics) as ModelMetrics,
    trainedAt: r.trained_at,
  }
}

/** SQL over the `models` registry (one row per trained version) and the `predictions` cache. */
export class ModelRegistry {
  constructor(private readonly sqlite: Sqlite) {}

  /** Versions of a workspace, newest first. */
  list(workspaceId: number): ModelVersion[] {
    const rows = this.sqlite
      .prepare(`SELECT ${VERSION_COLUMNS} FROM models WHERE workspace_id = ? ORDER BY name, version DESC`)
      .all(workspaceId) as Omit<ModelRow, 'artifact'>[]
    return rows.map(toVersion)
  }

  /** The active version of `name` with its artifact JSON, or null. */
  active(workspaceId: number, name: string): { version: ModelVersion; artifact: string } | null {
    const r = this.sqlite
      .prepare('SELECT * FROM models WHERE workspace_id = ? AND name = ? AND active = 1 ORDER BY version DESC LIMIT 1')
      .get(workspaceId, name) as ModelRow | undefined
    return r ? { version: toVersion(r), artifact: r.artifact } : null
  }

  /** Insert a new version (next number) and, when `activate`, make it the only active one. Atomic. */
  add(
    workspaceId: number,
    name: string,
    v: {
      features: string[]
      dataFrom: string
      dataTo: string
      metrics: ModelMetrics
      artifact: string
      trainedAt: string
    },
    activate: boolean,
  ): ModelVersion {
    const tx = this.sqlite.transaction((): number => {
      const next =
        ((
          this.sqlite
            .prepare('SELECT max(version) AS v FROM models WHERE workspace_id = ? AND name = ?')
            .get(workspaceId, name) as {
            v: number | null
          }
        ).v ?? 0) + 1
      if (activate)
        this.sqlite.prepare('UPDATE models SET active = 0 WHERE workspace_id = ? AND name = ?').run(workspaceId, name)
      const info = this.sqlite
        .prepare(
          `INSERT INTO models (name, version, workspace_id, features, data_from, data_to, metrics, artifact, active, trained_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          name,
          next,
          workspaceId,
          JSON.stringify(v.features),
          v.dataFrom,
          v.dataTo,
          JSON.stringify(v.metrics),
          v.artifact,
          activate ? 1 : 0,
          v.trainedAt,
        )
      return Number(info.lastInsertRowid)
    })
    const id = tx.immediate()
    return toVersion(
      this.sqlite.prepare(`SELECT ${VERSION_COLUMNS} FROM models WHERE id = ?`).get(id) as Omit<ModelRow, 'artifact'>,
    )
  }

  /**
   * Adds stored predictions (badges) of a model, in one transaction. A new version's badges are
   * written a slice at a time while it is still inactive (`activate` then makes it the one read), so
   * the core's thread is never held by all of them at once (tens of thousands of rows at 10,000
   * campaigns).
   */
  addPredictions(
    modelId: number,
    rows: readonly { entityType: string; entityId: number; horizonDays: number; valueJson: string }[],
    createdAt: string,
  ): void {
    const ins = this.sqlite.prepare(
      'INSERT INTO predictions (model_id, entity_type, entity_id, horizon_days, value, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.sqlite
      .transaction(() => {
        for (const r of rows) ins.run(modelId, r.entityType, r.entityId, r.horizonDays, r.valueJson, createdAt)
      })
      .immediate()
  }

  /** Deletes a model version and its stored predictions (a training that did not finish writing it). */
  remove(id: number): void {
    this.sqlite
      .transaction(() => {
        this.sqlite.prepare('DELETE FROM models WHERE id = ?').run(id)
      })
      .immediate()
  }

  /** Makes version `id` the workspace's active one of its model (the others inactive), in one transaction. */
  activate(workspaceId: number, name: string, id: number): void {
    this.sqlite
      .transaction(() => {
        this.sqlite
          .prepare('UPDATE models SET active = CASE WHEN id = ? THEN 1 ELSE 0 END WHERE workspace_id = ? AND name = ?')
          .run(id, workspaceId, name)
      })
      .immediate()
  }

  /** Stored predictions of a model for one entity type. */
  /** A model's stored predictions of one entity type; of the entities `ids` only when given. */
  predictions(
    modelId: number,
    entityType: string,
    ids?: readonly number[],
  ): { entityId: number; horizonDays: number; value: string; createdAt: string }[] {
    type Row = { entityId: number; horizonDays: number; value: string; createdAt: string }
    const sql =
      'SELECT entity_id AS entityId, horizon_days AS horizonDays, value, created_at AS createdAt FROM predictions WHERE model_id = ? AND entity_type = ?'
    if (!ids) return this.sqlite.prepare(sql).all(modelId, entityType) as Row[]
    return inChunks(
      ids,
      (chunk, marks) =>
        this.sqlite.prepare(`${sql} AND entity_id IN (${marks})`).all(modelId, entityType, ...chunk) as Row[],
    )
  }

  /** Age of the active model in days (null when none), for the weekly schedule. */
  lastTrainedAt(workspaceId: number, name: string): string | null {
    const r = this.sqlite
      .prepare('SELECT max(trained_at) AS t FROM models WHERE workspace_id = ? AND name = ?')
      .get(workspaceId, name) as {
      t: string | null
    }
    return r.t
  }
}
