import { useEffect, useState, type JSX } from 'react'
import type { z } from 'zod'
import type { DateRange } from '../../../../shared/domain/metrics'
import type { BenchmarkPositionSchema } from '../../../../shared/ipc/contracts/analytics-insights'
import { getClient } from '../../api/client'
import { Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatMetric } from './format'

type Position = z.infer<typeof BenchmarkPositionSchema>

/** Where one campaign stands against the shipped industry benchmarks, each with its source. */
export function BenchmarkPanel({
  workspaceId,
  campaignId,
  range,
}: {
  workspaceId: number
  campaignId: number
  range: DateRange
}): JSX.Element {
  const [pos, setPos] = useState<Position | null | undefined>(undefined)
  const [currency, setCurrency] = useState('USD')
  const [costs, setCosts] = useState(true)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    getClient()
      .invoke('analytics:getBenchmarkPositions', { workspaceId, range })
      .then(
        (r) => {
          setPos(r.rows.find((x) => x.campaignId === campaignId) ?? null)
          setCurrency(r.currency)
          setCosts(r.costsCompared)
        },
        (e: unknown) => setError(errorMessage(e)),
      )
  }, [workspaceId, campaignId, range])
  if (error) return <p className="field__error">{error}</p>
  if (pos === undefined) return <Skeleton height={80} />
  const withBenchmark = pos?.metrics.filter((m) => m.benchmark !== null) ?? []
  if (!pos || withBenchmark.length === 0) {
    return (
      <p className="field__hint" data-testid="benchmark-none">
        No published benchmark with a nameable source for {pos ? `${pos.platform} ${pos.objective}` : 'this campaign'}{' '}
        campaigns
        {costs ? '' : ` (cost benchmarks are in USD and the workspace reports in ${currency})`}.
      </p>
    )
  }
  const sources = [...new Map(withBenchmark.map((m) => [m.source?.title, m.source])).values()]
  return (
    <div data-testid="benchmark-panel">
      <table className="table">
        <thead>
          <tr>
            <th>Metric</th>
            <th className="num">This campaign</th>
            <th className="num">Benchmark</th>
            <th className="num">Difference</th>
          </tr>
        </thead>
        <tbody>
          {withBenchmark.map((m) => (
            <tr key={m.metric}>
              <td>{m.metric.toUpperCase()}</td>
              <td className="num tabular">{formatMetric(m.metric, m.value, currency)}</td>
              <td className="num tabular">{formatMetric(m.metric, m.benchmark, 'USD')}</td>
              <td className={`num tabular ${m.better ? 'explorer__delta is-up' : 'explorer__delta is-down'}`}>
                {m.diff === null ? '—' : `${m.diff >= 0 ? '+' : ''}${Math.round(m.diff * 100)}%`}{' '}
                {m.better === null ? '' : m.better ? 'better' : 'worse'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="field__hint">
        Source: {sources.map((s) => (s ? `${s.publisher}, “${s.title}” (${s.year})` : '')).join('; ')}. Industry
        averages, all industries.
      </p>
    </div>
  )
}
