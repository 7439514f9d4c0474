import { AppError } from '../../../../shared/ipc/result'
import type { Account, StoreStatus, Workspace } from '../../../../shared/ipc/contract'
import type { AccountStatus, PlatformId } from '../../../../shared/domain/entities'
import type { Sqlite } from '../db'

interface WorkspaceRow {
  id: number
  name: string
  reporting_currency: string
  is_demo: number
  created_at: string
  account_count: number
}

interface AccountRow {
  id: number
  workspace_id: number
  platform: PlatformId
  external_id: string
  name: string
  currency: string
  time_zone: string
  status: AccountStatus
  status_message: string | null
  last_synced_at: string | null
  campaign_count: number
  first_date: string | null
  last_date: string | null
}

function toWorkspace(r: WorkspaceRow): Workspace {
  return {
    id: r.id,
    name: r.name,
    reportingCurrency: r.reporting_currency,
    isDemo: r.is_demo === 1,
    accountCount: r.account_count,
    createdAt: r.created_at,
  }
}

/** Workspaces and ad accounts: all their SQL lives here. */
export class WorkspaceRepo {
  constructor(private readonly sqlite: Sqlite) {}

  list(): Workspace[] {
    const rows = this.sqlite
      .prepare(
        `SELECT w.*, (SELECT count(*) FROM ad_accounts a WHERE a.workspace_id = w.id) AS account_count
         FROM workspaces w ORDER BY w.is_demo DESC, w.name`,
      )
      .all() as WorkspaceRow[]
    return rows.map(toWorkspace)
  }

  /** One workspace by id (on every dashboard query, so one row, not the whole list). */
  get(id: number): Workspace {
    const r = this.sqlite
      .prepare(
        `SELECT w.*, (SELECT count(*) FROM ad_accounts a WHERE a.workspace_id = w.id) AS account_count
         FROM workspaces w WHERE w.id = ?`,
      )
      .get(id) as WorkspaceRow | undefined
    if (!r) throw new AppError('NOT_FOUND', `No workspace with id ${id}`)
    return toWorkspace(r)
  }

  findByName(name: string): Workspace | null {
    return this.list().find((w) => w.name === name) ?? null
  }

  create(name: string, reportingCurrency: string, isDemo = false): number {
    const info = this.sqlite
      .prepare('INSERT INTO workspaces (name, reporting_currency, is_demo) VALUES (?, ?, ?)')
      .run(name, reportingCurrency, isDemo ? 1 : 0)
    return Number(info.lastInsertRowid)
  }

  accounts(workspaceId: number): Account[] {
    const rows = this.sqlite
      .prepare(
        `SELECT a.*,
           (SELECT count(*) FROM campaigns c WHERE c.account_id = a.id) AS campaign_count,
           (SELECT min(date) FROM account_daily d WHERE d.account_id = a.id) AS first_date,
           (SELECT max(date) FROM account_daily d WHERE d.account_id = a.id) AS last_date
         FROM ad_accounts a WHERE a.workspace_id = ? ORDER BY a.platform, a.name`,
      )
      .all(workspaceId) as AccountRow[]
    return rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      platform: r.platform,
      externalId: r.external_id,
      name: r.name,
      currency: r.currency,
      timeZone: r.time_zone,
      status: r.status,
      statusMessage: r.status_message,
      lastSyncedAt: r.last_synced_at,
      campaignCount: r.campaign_count,
      firstDate: r.first_date,
      lastDate: r.last_date,
    }))
  }

  /** Per-workspace entity and row counts with the date span. */
  status(): StoreStatus['workspaces'] {
    const q = this.sqlite.prepare(
      `SELECT w.id, w.name, w.is_demo,
        (SELECT count(*) FROM ad_accounts a WHERE a.workspace_id = w.id) AS accounts,
        (SELECT count(*) FROM campaigns c JOIN ad_accounts a ON a.id = c.account_id WHERE a.workspace_id = w.id) AS campaigns,
        (SELECT count(*) FROM ad_sets s JOIN ad_accounts a ON a.id = s.account_id WHERE a.workspace_id = w.id) AS ad_sets,
        (SELECT count(*) FROM ads x JOIN ad_accounts a ON a.id = x.account_id WHERE a.workspace_id = w.id) AS ads,
        (SELECT min(d.date) FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = w.id) AS first_date,
        (SELECT max(d.date) FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = w.id) AS last_date
       FROM workspaces w ORDER BY w.is_demo DESC, w.name`,
    )
    const rowsQ = this.sqlite.prepare(
      // The maintained per-account-day counter: ~365 rows per account instead of every ad-day row.
      `SELECT coalesce(sum(d.ad_rows), 0) AS n FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
       WHERE a.workspace_id = ?`,
    )
    return (q.all() as Record<string, unknown>[]).map((r) => ({
      id: r.id as number,
      name: r.name as string,
      isDemo: r.is_demo === 1,
      accounts: r.accounts as number,
      campaigns: r.campaigns as number,
      adSets: r.ad_sets as number,
      ads: r.ads as number,
      dailyRows: (rowsQ.get(r.id) as { n: number }).n,
      firstDate: (r.first_date as string | null) ?? null,
      lastDate: (r.last_date as string | null) ?? null,
    }))
  }
}
