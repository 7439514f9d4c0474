import type { z } from 'zod'
import type { FxTableSchema, SetFxRatesInputSchema } from '../../../shared/ipc/contracts/analytics-schemas'
import { AppError } from '../../../shared/ipc/result'
import type { FxRepo } from '../store/repos/fx-repo'
import type { WorkspaceRepo } from '../store/repos/workspace-repo'

type FxTable = z.infer<typeof FxTableSchema>
type SetInput = z.output<typeof SetFxRatesInputSchema>

/** The workspace exchange-rate table and its reporting currency. */
export class FxService {
  constructor(
    private readonly workspaces: WorkspaceRepo,
    private readonly fx: FxRepo,
  ) {}

  /** Rates plus which account currencies and months with data lack a rate of their own. */
  table(workspaceId: number): FxTable {
    const ws = this.workspaces.get(workspaceId)
    const rates = this.fx.list(workspaceId)
    const months = this.fx.foreignMonths(workspaceId, ws.reportingCurrency)
    const have = new Set(rates.map((r) => `${r.currency}|${r.month}`))
    const currencies = this.fx.foreignCurrencies(workspaceId, ws.reportingCurrency)
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
    this.fx.update(input.workspaceId, input.remove, input.upsert)
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
    if (rates.length === 0 && this.fx.accountsNotIn(workspaceId, currency) > 0) {
      throw new AppError('CONFLICT', `Cannot switch to ${currency}: add monthly rates for ${currency} first`)
    }
    const rebased = rates
      .filter((r) => r.currency !== currency)
      .map((r) => ({ currency: r.currency, month: r.month, rate: r.rate / (pivot.get(r.month) as number) }))
    for (const m of months)
      rebased.push({ currency: ws.reportingCurrency, month: m, rate: 1 / (pivot.get(m) as number) })
    this.fx.rebase(workspaceId, currency, rebased)
    return this.table(workspaceId)
  }
}
