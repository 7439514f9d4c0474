import { daysBetween, endOfMonth, startOfMonth } from '../../../shared/domain/dates'
import type { z } from 'zod'
import type { PacingRowSchema } from '../../../shared/ipc/contracts/analytics-schemas'
import type { AnalyticsRepo } from '../store/repos/analytics-repo'

type PacingRow = z.infer<typeof PacingRowSchema>

/** Projected spend within +/-10% of the budget counts as on track. */
const TOLERANCE = 0.1

/**
 * Month-to-date pacing per account, in the account's own currency (budgets are set there). The
 * month is the one of the account's last synced day (the month of `now`, UTC, for an account
 * without data yet); the projection is linear on the run rate.
 */
export function pacing(repo: AnalyticsRepo, workspaceId: number, now: Date): { rows: PacingRow[] } {
  const rows: PacingRow[] = []
  for (const a of repo.accounts(workspaceId)) {
    const asOf = a.lastDate
    const month = (asOf ?? now.toISOString().slice(0, 10)).slice(0, 7)
    const daysInMonth = daysBetween(`${month}-01`, endOfMonth(`${month}-01`)) + 1
    const daysElapsed = asOf ? daysBetween(startOfMonth(asOf), asOf) + 1 : 0
    const spent = asOf ? repo.accountSpend(a.id, startOfMonth(asOf), asOf) : 0
    let budget: number | null = a.monthlyBudgetMicros
    let source: PacingRow['budgetSource'] = budget !== null ? 'account' : 'none'
    if (budget === null) {
      const daily = repo.activeDailyBudget(a.id)
      if (daily !== null && daily > 0) {
        budget = daily * daysInMonth
        source = 'campaigns'
      }
    }
    const projected = daysElapsed > 0 ? Math.round((spent / daysElapsed) * daysInMonth) : 0
    const pace = budget ? projected / budget : null
    const status: PacingRow['status'] =
      pace === null ? 'no_budget' : pace > 1 + TOLERANCE ? 'over' : pace < 1 - TOLERANCE ? 'under' : 'on_track'
    rows.push({
      accountId: a.id,
      name: a.name,
      platform: a.platform,
      currency: a.currency,
      month,
      asOf,
      daysElapsed,
      daysInMonth,
      spentMicros: spent,
      budgetMicros: budget,
      budgetSource: source,
      projectedMicros: projected,
      pace,
      status,
    })
  }
  return { rows }
}
