import { useCallback, useEffect, useState, type JSX } from 'react'
import type { z } from 'zod'
import type { FxTableSchema } from '../../../../shared/ipc/contracts/analytics-schemas'
import { getClient } from '../../api/client'
import { ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './analytics.css'

type FxTable = z.infer<typeof FxTableSchema>

/**
 * The workspace's monthly exchange rates and reporting currency. Cross-currency totals convert
 * each month at its own rate; edits apply to every page at once.
 */
export function ExchangeRates(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const loadWorkspaces = useWorkspaceStore((s) => s.loadWorkspaces)
  const [table, setTable] = useState<FxTable | null>(null)
  const [edits, setEdits] = useState<Record<string, string>>({})
  const [currency, setCurrency] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)

  const load = useCallback(async () => {
    if (workspaceId === null) return
    try {
      const t = await getClient().invoke('analytics:listFxRates', { workspaceId })
      setTable(t)
      setCurrency(t.reportingCurrency)
      setEdits({})
      setError(null)
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [workspaceId])
  useEffect(() => {
    void load()
  }, [load])

  if (workspaceId === null) return <p className="field__hint">No workspace selected.</p>
  if (error && !table) return <ErrorState message={error} onRetry={() => void load()} />
  if (!table) return <Skeleton height={120} />

  const save = async (): Promise<void> => {
    const upsert = Object.entries(edits).map(([k, v]) => {
      const [cur, month] = k.split('|') as [string, string]
      return { currency: cur, month, rate: Number(v) }
    })
    const bad = upsert.find((r) => !Number.isFinite(r.rate) || r.rate <= 0)
    if (bad) {
      setError(`The ${bad.currency} rate for ${bad.month} must be a positive number`)
      return
    }
    try {
      setTable(await getClient().invoke('analytics:setFxRates', { workspaceId, upsert }))
      setEdits({})
      setError(null)
      setSaved(`Saved ${upsert.length} rate${upsert.length === 1 ? '' : 's'}.`)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  const switchCurrency = async (): Promise<void> => {
    try {
      setTable(
        await getClient().invoke('analytics:setReportingCurrency', { workspaceId, currency: currency.toUpperCase() }),
      )
      setError(null)
      setSaved(`Reporting currency is now ${currency.toUpperCase()}; rates were re-based onto it.`)
      void loadWorkspaces()
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <div data-testid="exchange-rates">
      <div className="toolbar">
        <label className="field__label" htmlFor="fx-reporting">
          Reporting currency
        </label>
        <input
          id="fx-reporting"
          className="input input--code"
          value={currency}
          maxLength={3}
          onChange={(e) => setCurrency(e.target.value.toUpperCase())}
          style={{ width: 80 }}
        />
        <button
          type="button"
          className="btn btn--sm"
          disabled={currency === table.reportingCurrency || currency.length !== 3}
          onClick={() => void switchCurrency()}
        >
          Change
        </button>
        <span className="field__hint">
          Rates are units of {table.reportingCurrency} per unit of each account currency, one per month.
        </span>
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {saved ? <p className="field__hint">{saved}</p> : null}
      {table.missing.length ? (
        <p className="note note--warning">
          {table.missing.length} month{table.missing.length === 1 ? '' : 's'} with data have no rate of their own (the
          nearest month is used):{' '}
          {table.missing
            .slice(0, 6)
            .map((m) => `${m.currency} ${m.month}`)
            .join(', ')}
        </p>
      ) : null}
      {table.rates.length === 0 ? (
        <p className="field__hint">
          {table.currencies.length
            ? `Add rates for ${table.currencies.join(', ')}.`
            : 'Every account uses the reporting currency: no rates needed.'}
        </p>
      ) : (
        <div className="table-wrap" style={{ maxHeight: 320, overflow: 'auto' }}>
          <table className="table">
            <thead>
              <tr>
                <th>Currency</th>
                <th>Month</th>
                <th className="num">Rate to {table.reportingCurrency}</th>
              </tr>
            </thead>
            <tbody>
              {table.rates.map((r) => {
                const k = `${r.currency}|${r.month}`
                return (
                  <tr key={k}>
                    <td>{r.currency}</td>
                    <td>{r.month}</td>
                    <td className="num">
                      <input
                        className="input"
                        aria-label={`${r.currency} rate for ${r.month}`}
                        inputMode="decimal"
                        value={edits[k] ?? String(r.rate)}
                        onChange={(e) => setEdits((x) => ({ ...x, [k]: e.target.value }))}
                        style={{ width: 110, textAlign: 'right' }}
                      />
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="toolbar" style={{ marginTop: 12 }}>
        <button
          type="button"
          className="btn btn--primary btn--sm"
          disabled={Object.keys(edits).length === 0}
          onClick={() => void save()}
        >
          Save rates
        </button>
      </div>
    </div>
  )
}
