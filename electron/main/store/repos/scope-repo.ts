import type { Sqlite } from '../db'

/** Things an IPC input can name by id whose workspace the caller's scope must include. */
export type OwnedKind = 'workspace' | 'account' | 'connection' | 'campaign' | 'ad_set' | 'ad'

const OWNER_SQL: Record<Exclude<OwnedKind, 'workspace'>, string> = {
  account: 'SELECT workspace_id AS w FROM ad_accounts WHERE id = ?',
  connection: 'SELECT workspace_id AS w FROM connections WHERE id = ?',
  campaign: 'SELECT a.workspace_id AS w FROM campaigns x JOIN ad_accounts a ON a.id = x.account_id WHERE x.id = ?',
  ad_set: 'SELECT a.workspace_id AS w FROM ad_sets x JOIN ad_accounts a ON a.id = x.account_id WHERE x.id = ?',
  ad: 'SELECT a.workspace_id AS w FROM ads x JOIN ad_accounts a ON a.id = x.account_id WHERE x.id = ?',
}

/** Which workspace an account, connection, campaign, ad set or ad belongs to (the router's scope check). */
export class ScopeRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** The owning workspace, or null when there is no such row. */
  workspaceOf(kind: OwnedKind, id: number): number | null {
    if (kind === 'workspace') return id
    const r = this.sqlite.prepare(OWNER_SQL[kind]).get(id) as { w: number } | undefined
    return r?.w ?? null
  }
}
