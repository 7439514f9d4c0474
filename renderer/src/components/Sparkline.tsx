import type { JSX } from 'react'

interface SparklineProps {
  values: (number | null)[]
  /** Accessible summary, e.g. "Spend by day, Oct 27 to Nov 25". */
  label: string
  height?: number
}

const WIDTH = 120

/**
 * A tiny inline-SVG trend line (no chart library: eight of these render with the tiles). Gaps
 * (days with no value) break the line; the last day is marked with a dot.
 */
export function Sparkline({ values, label, height = 28 }: SparklineProps): JSX.Element | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v))
  if (finite.length < 2) return null
  const min = Math.min(...finite)
  const max = Math.max(...finite)
  const span = max - min || 1
  const pad = 2
  const x = (i: number): number => (values.length === 1 ? WIDTH / 2 : (i / (values.length - 1)) * WIDTH)
  const y = (v: number): number => pad + (1 - (v - min) / span) * (height - 2 * pad)
  let d = ''
  let pen = false
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false
      return
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`
    pen = true
  })
  const lastIndex = values.length - 1 - [...values].reverse().findIndex((v) => v !== null && Number.isFinite(v))
  const last = values[lastIndex] as number
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${WIDTH} ${height}`}
      preserveAspectRatio="none"
      width="100%"
      height={height}
      role="img"
      aria-label={label}
      data-testid="sparkline"
    >
      <path d={d} fill="none" stroke="currentColor" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
      <circle cx={x(lastIndex)} cy={y(last)} r={2} fill="currentColor" />
    </svg>
  )
}
