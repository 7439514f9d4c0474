/** Held-out accuracy of a forecast: window totals, naive = the last 28 days' daily average x horizon. */
export interface MetricSummary {
  n: number
  mae: number
  /** Mean absolute percentage error over rows with a non-zero actual (fraction, 0.12 = 12%). */
  mape: number
  r2: number
  /** Share of held-out rows inside the interval. */
  coverage: number
  naiveMae: number
}

/** Summarise predictions against actuals (all arrays aligned). */
export function metricSummary(
  actual: ArrayLike<number>,
  pred: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  naive: ArrayLike<number>,
): MetricSummary {
  const n = actual.length
  let ae = 0
  let nae = 0
  let ape = 0
  let nApe = 0
  let cover = 0
  let mean = 0
  for (let i = 0; i < n; i++) mean += (actual[i] as number) / Math.max(1, n)
  let ssRes = 0
  let ssTot = 0
  for (let i = 0; i < n; i++) {
    const a = actual[i] as number
    const p = pred[i] as number
    ae += Math.abs(a - p)
    nae += Math.abs(a - (naive[i] as number))
    if (a > 0) {
      ape += Math.abs(a - p) / a
      nApe++
    }
    if (a >= (lo[i] as number) - 1e-9 && a <= (hi[i] as number) + 1e-9) cover++
    ssRes += (a - p) ** 2
    ssTot += (a - mean) ** 2
  }
  const r = (v: number): number => Math.round(v * 10_000) / 10_000
  return {
    n,
    mae: r(ae / Math.max(1, n)),
    mape: r(nApe ? ape / nApe : 0),
    r2: r(ssTot > 0 ? 1 - ssRes / ssTot : 0),
    coverage: r(n ? cover / n : 0),
    naiveMae: r(nae / Math.max(1, n)),
  }
}

/** R² of predictions (used by the bench). */
export function r2Score(actual: ArrayLike<number>, pred: ArrayLike<number>): number {
  const n = actual.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += (actual[i] as number) / n
  let ssRes = 0
  let ssTot = 0
  for (let i = 0; i < n; i++) {
    ssRes += ((actual[i] as number) - (pred[i] as number)) ** 2
    ssTot += ((actual[i] as number) - mean) ** 2
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : 0
}
