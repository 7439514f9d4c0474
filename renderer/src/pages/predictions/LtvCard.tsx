import { useState, type JSX } from 'react'
import { formatMoney } from '../../../../shared/domain/money'
import type { Ltv, ValuePerConversion } from '../../../../shared/ipc/contracts/ml'
import { ApiError, getClient } from '../../api/client'
import { LoadState } from '../../components/LoadState'
import { Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatCount } from '../../lib/format'
import { METRIC_DATA, usePageData } from '../../lib/page-data'

type View = { kind: 'ltv'; ltv: Ltv } | { kind: 'value'; value: ValuePerConversion }

/**
 * Customer value: BG/NBD + Gamma-Gamma LTV by acquisition channel when orders are imported,
 * otherwise revenue per conversion from ad data, with an orders CSV import.
 */
export function LtvCard({ workspaceId }: { workspaceId: number }): JSX.Element {
  const [notice, setNotice] = useState<string | null>(null)
  const state = usePageData({
    key: String(workspaceId),
    load: async (): Promise<View> => {
      const client = getClient()
      try {
        return { kind: 'ltv', ltv: await client.invoke('ml:getLtv', { workspaceId, horizonWeeks: 52 }) }
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'NOT_FOUND')) throw err
        return { kind: 'value', value: await client.invoke('ml:getValuePerConversion', { workspaceId, days: 182 }) }
      }
    },
    // Orders feed the LTV model; without them the value per conversion comes from the metric rows.
    tables: [...METRIC_DATA, 'orders'],
    workspaceId,
  })
  const view = state.data
  const { reload } = state

  const importFile = async (file: File): Promise<void> => {
    setNotice(null)
    try {
      const r = await getClient().invoke('ml:importOrders', { workspaceId, csv: await file.text(), replace: true })
      setNotice(
        `Imported ${formatCount(r.imported)} orders of ${formatCount(r.customers)} customers (${r.from} → ${r.to}).`,
      )
      reload()
    } catch (err) {
      setNotice(errorMessage(err))
    }
  }

  return (
    <div className="card" data-testid="ltv-card">
      <div className="card__header">
        {view?.kind === 'ltv'
          ? `Customer lifetime value, next ${view.ltv.horizonWeeks} weeks (BG/NBD + Gamma-Gamma)`
          : 'Value per conversion (no order data yet)'}
      </div>
      <div className="card__body">
        {!view ? (
          <LoadState state={state} what="customer value" loading={<Skeleton height={80} />}>
            {() => null}
          </LoadState>
        ) : null}
        {view?.kind === 'ltv' ? (
          <table className="table">
            <thead>
              <tr>
                <th>First-order channel</th>
                <th>Customers</th>
                <th>Spent so far</th>
                <th>Expected purchases</th>
                <th>Expected value</th>
              </tr>
            </thead>
            <tbody>
              {view.ltv.byChannel.map((g) => (
                <tr key={g.key}>
                  <td>{g.key}</td>
                  <td>{formatCount(g.customers)}</td>
                  <td>{formatMoney(g.historicMicros, view.ltv.currency)}</td>
                  <td>{g.expectedPurchases.toFixed(2)}</td>
                  <td>
                    <strong>{formatMoney(g.ltvMicros, view.ltv.currency)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {view?.kind === 'value' ? (
          <table className="table">
            <thead>
              <tr>
                <th>
                  Platform ({view.value.from} → {view.value.to})
                </th>
                <th>Conversions</th>
                <th>Revenue per conversion</th>
              </tr>
            </thead>
            <tbody>
              {view.value.byPlatform.map((p) => (
                <tr key={`${p.key}-${p.currency}`}>
                  <td>{p.key}</td>
                  <td>{formatCount(Math.round(p.conversions))}</td>
                  <td>
                    {p.revenuePerConversionMicros === null
                      ? '—'
                      : formatMoney(p.revenuePerConversionMicros, p.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <label className="field" style={{ marginTop: 12 }}>
          <span className="field__label">
            Import orders CSV (customer_id, date, revenue; optional utm_source, campaign_id)
          </span>
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="orders-file"
            onChange={(e) => {
              const f = e.target.files?.[0]
              if (f) void importFile(f)
            }}
          />
        </label>
        {notice ? <p className="field__hint">{notice}</p> : null}
      </div>
    </div>
  )
}
