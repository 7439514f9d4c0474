import type { JSX } from 'react'
import { formatMoney } from '../../../shared/domain/money'
import type { EntityForecast } from '../../../shared/ipc/contracts/ml'
import { formatCount } from '../lib/format'

/**
 * Compact forecast badge for tables (Campaigns explorer): next-14-day conversions at current spend
 * with the 80% interval in the tooltip. Feed it one row of `ml:listEntityForecasts`.
 */
export function PredictionBadge({ forecast }: { forecast: EntityForecast | undefined }): JSX.Element | null {
  if (!forecast) return null
  const c = forecast.conversions
  const r = forecast.revenueMicros
  const title =
    `Forecast, next ${forecast.horizonDays} days at ${formatMoney(forecast.dailySpendMicros, forecast.currency)}/day: ` +
    `${formatCount(Math.round(c.point))} conversions (80%: ${formatCount(Math.round(c.lower))}–${formatCount(Math.round(c.upper))}), ` +
    `revenue ${formatMoney(r.point, forecast.currency, { compact: true })} (${formatMoney(r.lower, forecast.currency, { compact: true })}–${formatMoney(r.upper, forecast.currency, { compact: true })})`
  return (
    <span className="badge badge--info" title={title} aria-label={title} data-testid="prediction-badge">
      {forecast.horizonDays}d ≈ {formatCount(Math.round(c.point))} conv
    </span>
  )
}
