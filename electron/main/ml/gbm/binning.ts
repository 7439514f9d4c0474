/**
 * Feature binning for the histogram GBM: each feature is cut into at most 255 bins at quantiles of
 * its values (or between distinct values when there are fewer), so split search scans bins
 * instead of sorted rows. NaN falls into bin 0 (the lowest), both here and at prediction.
 */

export const MAX_BINS = 255

/** Upper edges per feature: value x goes to the first bin b with x <= edges[b] (last bin: beyond). */
export interface BinEdges {
  edges: Float64Array[]
}

/** Compute bin edges from a row-major matrix (n rows x f features), sampling at most `sample` rows. */
export function computeBinEdges(x: Float64Array, n: number, f: number, maxBins = MAX_BINS, sample = 200_000): BinEdges {
  const step = n > sample ? n / sample : 1
  const m = Math.min(n, sample)
  const edges: Float64Array[] = []
  const col = new Float64Array(m)
  for (let j = 0; j < f; j++) {
    let k = 0
    for (let s = 0; s < m; s++) {
      const v = x[Math.floor(s * step) * f + j] as number
      if (!Number.isNaN(v)) col[k++] = v
    }
    const vals = col.subarray(0, k).slice().sort()
    const distinct: number[] = []
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i] as number
      if (i === 0 || v !== vals[i - 1]) distinct.push(v)
    }
    const e: number[] = []
    if (distinct.length <= maxBins) {
      for (let i = 0; i + 1 < distinct.length; i++) e.push(((distinct[i] as number) + (distinct[i + 1] as number)) / 2)
    } else {
      // Quantile cuts; midpoints between neighbouring values so equal values never straddle a cut.
      for (let b = 1; b < maxBins; b++) {
        const idx = Math.floor((b * vals.length) / maxBins)
        const lo = vals[idx - 1] as number
        const hi = vals[idx] as number
        const cut = (lo + hi) / 2
        if (lo !== hi && (e.length === 0 || cut > (e[e.length - 1] as number))) e.push(cut)
      }
    }
    edges.push(Float64Array.from(e))
  }
  return { edges }
}

/** Bin index of one value (binary search over the feature's edges). */
export function binOf(edges: Float64Array, v: number): number {
  if (Number.isNaN(v)) return 0
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (v <= (edges[mid] as number)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Bin a row-major matrix into a row-major Uint8Array. */
export function binMatrix(x: Float64Array, n: number, f: number, be: BinEdges): Uint8Array {
  const out = new Uint8Array(n * f)
  for (let j = 0; j < f; j++) {
    const e = be.edges[j] as Float64Array
    for (let i = 0; i < n; i++) out[i * f + j] = binOf(e, x[i * f + j] as number)
  }
  return out
}
