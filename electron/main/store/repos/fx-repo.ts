import { AppError } from '../../../../shared/ipc/result'
import type { Sqlite } from '../db'

export interface FxRate {
  currency: string
  /** `YYYY-MM` */
  month: string
  /** Units of the reporting currency per unit of `currency`. */
  rate: number
}

/** Monthly exchange rates per workspace. */
export class FxRepo {
  constructor(private readonly sqlite: Sqlite) {}

  list(workspaceId: number): FxRate[] {
    return this.sqlite
      .prepare('SELECT currency, month, rate FROM fx_rates WHERE workspace_id = ? ORDER BY currency, month')
      .all(workspaceId) as FxRate[]
  }

  upsertMany(workspaceId: number, rates: FxRate[]): void {
    const stmt = this.sqlite.prepare(
      `INSERT INTO fx_rates (workspace_id, currency, month, rate) VALUES (?, ?, ?, ?)
       ON CONFLICT (workspace_id, currency, month) DO UPDATE SET rate = excluded.rate`,
    )
    this.sqlite
      .transaction(() => {
        for (const r of rates) stmt.run(workspaceId, r.currency, r.month, r.rate)
      })
      .immediate()
  }

  /**
   * A converter into the reporting currency: the month's rate, else the nearest earlier month,
   * else the nearest later one. Throws a specific error when a currency has no rate at all.
   */
  converter(
    workspaceId: number,
    reportingCurrency: string,
  ): (micros: number, currency: string, month: string) => number {
    const byCurrency = new Map<string, FxRate[]>()
    for (const r of this.list(workspaceId)) {
      const list = byCurrency.get(r.currency) ?? []
      list.push(r)
      byCurrency.set(r.currency, list)
    }
    return (micros, currency, month) => {
      if (currency === reportingCurrency || micros === 0) return micros
      const list = byCurrency.get(currency)
      if (!list || list.length === 0) {
        throw new AppError(
          'CONFLICT',
          `No exchange rate from ${currency} to ${reportingCurrency}: add one under Settings → Exchange rates`,
        )
      }
      let pick = list[0] as FxRate
      for (const r of list) if (r.month <= month) pick = r
      return Math.round(micros * pick.rate)
    }
  }

  /** (currency, month) pairs with data in a currency other than `reporting`. */
  foreignMonths(workspaceId: number, reporting: string): { currency: string; month: string }[] {
    return this.sqlite
      .prepare(
        `SELECT DISTINCT a.currency AS currency, substr(d.date, 1, 7) AS month
         FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE a.workspace_id = ? AND a.currency != ? ORDER BY 1, 2`,
      )
      .all(workspaceId, reporting) as { currency: string; month: string }[]
  }

  /** Account currencies of the workspace other than `reporting`. */
  foreignCurrencies(workspaceId: number, reporting: string): string[] {
    return (
      this.sqlite
        .prepare('SELECT DISTINCT currency FROM ad_accounts WHERE workspace_id = ? AND currency != ? ORDER BY 1')
        .all(workspaceId, reporting) as { currency: string }[]
    ).map((r) => r.currency)
  }

  /** How many accounts of the workspace are not in `currency`. */
  accountsNotIn(workspaceId: number, currency: string): number {
    return (
      this.sqlite
        .prepare('SELECT count(*) AS n FROM ad_accounts WHERE workspace_id = ? AND currency != ?')
        .get(workspaceId, currency) as { n: number }
    ).n
  }

  /** Remove some rates and upsert others in one transaction. */
  update(workspaceId: number, remove: { currency: string; month: string }[], upsert: FxRate[]): void {
    const del = this.sqlite.prepare('DELETE FROM fx_rates WHERE workspace_id = ? AND currency = ? AND month = ?')
    this.sqlite
      .transaction(() => {
        for (const r of remove) del.run(workspaceId, r.currency, r.month)
        this.upsertMany(workspaceId, upsert)
      })
      .immediate()
  }

  /** Replace every rate and the reporting currency of a workspace in one transaction. */
  rebase(workspaceId: number, reportingCurrency: string, rates: FxRate[]): void {
    this.sqlite
      .transaction(() => {
        this.sqlite.prepare('DELETE FROM fx_rates WHERE workspace_id = ?').run(workspaceId)
        this.upsertMany(workspaceId, rates)
        this.sqlite
          .prepare('UPDATE workspaces SET reporting_currency = ? WHERE id = ?')
          .run(reportingCurrency, workspaceId)
      })
      .immediate()
  }
}
