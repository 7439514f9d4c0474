import type { z } from 'zod'
import type { FxTableSchema, SetFxRatesInputSchema } from '../../../shared/ipc/contracts/analytics-schemas'
import { AppError } from '../../../shared/ipc/result'
import type { Sqlite } from '../store/db'
import type { FxRepo } from '../store/repos/fx-repo'
import type { WorkspaceRepo } from '../store/repos/workspace-repo'

type FxTable = z.infer<typeof FxTableSchema>
type SetInput = z.output<typeof SetFxRatesInputSchema>

/** The workspace exchange-rate table and its reporting currency. */
export class FxService {
  constructor(
    private readonly sqlite: Sqlite,
    private readonly workspaces: WorkspaceRepo,
    private readonly fx: FxRepo,
  ) {}

  /** Rates plus which account currencies and months with data lack a rate of their own. */
  table(workspaceId: number): FxTable {
    const ws = this.workspaces.get(workspaceId)
    const rates = this.fx.list(workspaceId)
    const months = this.sqlite
      .prepare(
        `SELECT DISTINCT a.currency AS currency, substr(d.date, 1, 7) AS month
         FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE a.workspace_id = ? AND a.currency != ? ORDER BY 1, 2`,
      )
      .all(workspaceId, ws.reportingCurrency) as { currency: string; month: string }[]
    const have = new Set(rates.map((r) => `${r.currency}|${r.month}`))
    const currencies = (
      this.sqlite
        .prepare('SELECT DISTINCT currency FROM ad_accounts WHERE workspace_id = ? AND currency != ? ORDER BY 1')
        .all(workspaceId, ws.reportingCurrency) as { currency: string }[]
    ).map((r) => r.currency)
    return {
      reportingCurrency: ws.reportingCurrency,
      currencies,
      rates: rates.filter((r) => r.currency !== ws.reportingCurrency),
      missing: months.filter((m) => !have.has(`${m.currency}|${m.month}`)),
    }
  }

  /** Upsert and delete rates in one transaction; rates of the reporting currency itself are refused. */
  set(input: SetInput): FxTable {
    const ws = this.workspaces.get(input.workspaceId)
    const self = input.upsert.find((r) => r.currency === ws.reportingCurrency)
    if (self) throw new AppError('VALIDATION', `${self.currency} is the reporting currency: its rate is always 1`)
    const del = this.sqlite.prepare('DELETE FROM fx_rates WHERE workspace_id = ? AND currency = ? AND month = ?')
    this.sqlite.transaction(() => {
      for (const r of input.remove) del.run(input.workspaceId, r.currency, r.month)
      this.fx.upsertMany(input.workspaceId, input.upsert)
    })()
    return this.table(input.workspaceId)
  }

  /**
   * Switch the reporting currency to `currency`, re-basing every stored rate onto it (rate(c) /
   * rate(new) per month; the old reporting currency gets 1 / rate(new)). Refused when a month with
   * rates has no rate for the new currency, so no total silently changes meaning.
   */
  setReportingCurrency(workspaceId: number, currency: string): FxTable {
    const ws = this.workspaces.get(workspaceId)
    if (currency === ws.reportingCurrency) return this.table(workspaceId)
    const rates = this.fx.list(workspaceId)
    const months = [...new Set(rates.map((r) => r.month))].sort()
    const pivot = new Map(rates.filter((r) => r.currency === currency).map((r) => [r.month, r.rate]))
    const lacking = months.filter((m) => !pivot.has(m))
    if (rates.length > 0 && lacking.length > 0) {
      throw new AppError(
        'CONFLICT',
        `Cannot switch to ${currency}: no ${currency} rate for ${lacking.slice(0, 6).join(', ')}${lacking.length > 6 ? '…' : ''}. Add those rates first.`,
      )
    }
    const accountsInNew = this.sqlite
      .prepare('SELECT count(*) AS n FROM ad_accounts WHERE workspace_id = ? AND currency != ?')
      .get(workspaceId, currency) as { n: number }
    if (rates.length === 0 && accountsInNew.n > 0) {
      throw new AppError('CONFLICT', `Cannot switch to ${currency}: add monthly rates for ${currency} first`)
    }
    const rebased = rates
      .filter((r) => r.currency !== currency)
      .map((r) => ({ currency: r.currency, month: r.month, rate: r.rate / (pivot.get(r.month) as number) }))
    for (const m of months)
      rebased.push({ currency: ws.reportingCurrency, month: m, rate: 1 / (pivot.get(m) as number) })
    this.sqlite.transaction(() => {
      this.sqlite.prepare('DELETE FROM fx_rates WHERE workspace_id = ?').run(workspaceId)
      this.fx.upsertMany(workspaceId, rebased)
      this.sqlite.prepare('UPDATE workspaces SET reporting_currency = ? WHERE id = ?').run(currency, workspaceId)
    })()
    return this.table(workspaceId)
  }
}
