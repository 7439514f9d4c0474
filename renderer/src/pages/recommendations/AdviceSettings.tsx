import { useEffect, useState, type JSX } from 'react'
import { formatMoney } from '../../../../shared/domain/money'
import {
  VERTICAL_LABELS,
  VERTICALS,
  type RecommendationSettings,
  type Vertical,
} from '../../../../shared/domain/recommendations'
import { getClient } from '../../api/client'
import { errorMessage } from '../../lib/errors'

/** Units typed by a person → micros, or null for an empty field; undefined when it is not a positive amount. */
function parsePlan(text: string): number | null | undefined {
  const t = text.trim().replace(/,/g, '')
  if (!t) return null
  const x = Number(t)
  return Number.isFinite(x) && x > 0 ? Math.round(x * 100) * 10_000 : undefined
}

const planText = (micros: number | null): string => (micros === null ? '' : String(micros / 1e6))

/**
 * Advice settings of a workspace: the vertical (which public benchmark the CTR/CPM tip compares
 * with; "not set" gives no such tip) and each account's monthly spend plan (the pacing tip's plan;
 * empty: the account's daily budgets stand in). Saved through recommendations:setSettings.
 */
export function AdviceSettings({ workspaceId, onSaved }: { workspaceId: number; onSaved: () => void }): JSX.Element {
  const [loaded, setLoaded] = useState<RecommendationSettings | null>(null)
  const [vertical, setVertical] = useState<Vertical>('unknown')
  const [plans, setPlans] = useState<Record<number, string>>({})
  const [error, setError] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    getClient()
      .invoke('recommendations:getSettings', { workspaceId })
      .then((s) => {
        if (!live) return
        setLoaded(s)
        setVertical(s.vertical)
        setPlans(Object.fromEntries(s.plans.map((p) => [p.accountId, planText(p.monthlyPlanMicros)])))
      })
      .catch((e: unknown) => live && setError(errorMessage(e)))
    return () => {
      live = false
    }
  }, [workspaceId])

  const save = async (): Promise<void> => {
    if (!loaded) return
    setError(null)
    setNote(null)
    const changed: { accountId: number; monthlyPlanMicros: number | null }[] = []
    for (const p of loaded.plans) {
      const v = parsePlan(plans[p.accountId] ?? '')
      if (v === undefined) {
        setError(`Monthly plan of ${p.name}: enter a positive amount in ${p.currency}, or leave it empty`)
        return
      }
      if (v !== p.monthlyPlanMicros) changed.push({ accountId: p.accountId, monthlyPlanMicros: v })
    }
    setBusy(true)
    try {
      const s = await getClient().invoke('recommendations:setSettings', {
        workspaceId,
        vertical,
        ...(changed.length ? { plans: changed } : {}),
      })
      setLoaded(s)
      setNote('Saved; recommendations are being refreshed with them.')
      onSaved()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <details className="card rec-settings" data-testid="advice-settings">
      <summary className="card__header">Advice settings: vertical and monthly plans</summary>
      <div className="card__body">
        {!loaded && !error ? <p className="field__hint">Loading…</p> : null}
        {loaded ? (
          <>
            <label className="field">
              <span className="field__label">Vertical (industry) of this workspace</span>
              <select
                className="select"
                value={vertical}
                onChange={(e) => setVertical(e.target.value as Vertical)}
                data-testid="advice-vertical"
              >
                {VERTICALS.map((v) => (
                  <option key={v} value={v}>
                    {VERTICAL_LABELS[v]}
                  </option>
                ))}
              </select>
              <span className="field__hint">
                Meta accounts&apos; CTR and CPM are compared with this vertical&apos;s averages from WordStream&apos;s
                public Facebook benchmarks (2017). Not set: no such tip.
              </span>
            </label>
            <table className="table rec-plans">
              <caption className="field__label">
                Monthly spend plan per account (for the pacing tip; not set: the active daily budgets × days in the
                month stand in)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Plan per month</th>
                </tr>
              </thead>
              <tbody>
                {loaded.plans.map((p) => (
                  <tr key={p.accountId}>
                    <td>{p.name}</td>
                    <td>
                      <input
                        className="input"
                        inputMode="decimal"
                        aria-label={`Monthly plan of ${p.name} in ${p.currency}`}
                        placeholder={`not set (${p.currency})`}
                        value={plans[p.accountId] ?? ''}
                        onChange={(e) => setPlans({ ...plans, [p.accountId]: e.target.value })}
                      />
                      {p.monthlyPlanMicros !== null ? (
                        <span className="field__hint"> {formatMoney(p.monthlyPlanMicros, p.currency)}</span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" className="btn btn--primary btn--sm" disabled={busy} onClick={() => void save()}>
              {busy ? 'Saving…' : 'Save settings'}
            </button>
          </>
        ) : null}
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
        {note ? <p className="field__hint">{note}</p> : null}
      </div>
    </details>
  )
}
