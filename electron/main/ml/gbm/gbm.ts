import { binMatrix, computeBinEdges, MAX_BINS, type BinEdges } from './binning'

/**
 * A typed histogram gradient-boosting regressor (the engine chosen by the ML bench, docs/ml.md):
 * binned features (Uint8Array), per-node gradient histograms with the subtraction trick (build the
 * smaller child, subtract it from the parent for the larger), depth-wise growth, L2 leaf
 * regularisation, squared or quantile (pinball) loss. Both losses have a unit hessian, so a
 * histogram holds (sum of gradients, row count) per bin. Pure and synchronous: runs in a worker.
 */

export type GbmLoss = 'squared' | 'quantile'

export interface GbmParams {
  nTrees: number
  maxDepth: number
  learningRate: number
  /** Minimum rows in a leaf (sklearn's min_samples_leaf). */
  minSamplesLeaf: number
  /** L2 penalty on leaf values (sklearn's l2_regularization). */
  l2: number
  loss: GbmLoss
  /** Quantile for the pinball loss (0..1); ignored for squared loss. */
  alpha: number
  maxBins: number
}

export const DEFAULT_GBM: GbmParams = {
  nTrees: 200,
  maxDepth: 6,
  learningRate: 0.1,
  minSamplesLeaf: 20,
  l2: 0,
  loss: 'squared',
  alpha: 0.5,
  maxBins: MAX_BINS,
}

/** One tree in flat arrays; `feature[k] < 0` marks a leaf whose output is `value[k]`. */
export interface GbmTree {
  feature: number[]
  threshold: number[]
  left: number[]
  right: number[]
  value: number[]
}

/** A trained model, JSON-serialisable (stored in `models.artifact`). */
export interface GbmModel {
  kind: 'gbm'
  params: GbmParams
  nFeatures: number
  baseline: number
  trees: GbmTree[]
  /** Total split gain per feature (importance). */
  gain: number[]
}

interface NodeWork {
  id: number
  start: number
  end: number
  depth: number
  hist: Float64Array
  sumG: number
}

function quantileOf(values: Float64Array, q: number): number {
  if (values.length === 0) return 0
  const s = values.slice().sort()
  const pos = q * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(s.length - 1, lo + 1)
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo)
}

/** Histogram of one node's rows: [sum of gradients, row count] per (feature, bin) at (j << 9) | (b << 1). */
function buildHist(
  hist: Float64Array,
  bins: Uint8Array,
  f: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
): void {
  hist.fill(0)
  for (let k = start; k < end; k++) {
    const i = idx[k] as number
    const g = grad[i] as number
    const base = i * f
    for (let j = 0; j < f; j++) {
      const o = (j << 9) | ((bins[base + j] as number) << 1)
      hist[o] = (hist[o] as number) + g
      hist[o + 1] = (hist[o + 1] as number) + 1
    }
  }
}

/**
 * Root histogram: every row, so the per-bin counts never change between trees and come from
 * `rootCounts` (computed once); only gradients are accumulated, halving the writes of the biggest node.
 */
function buildRootHist(
  hist: Float64Array,
  bins: Uint8Array,
  f: number,
  n: number,
  grad: Float64Array,
  rootCounts: Float64Array,
): void {
  hist.set(rootCounts)
  for (let i = 0; i < n; i++) {
    const g = grad[i] as number
    const base = i * f
    for (let j = 0; j < f; j++) {
      const o = (j << 9) | ((bins[base + j] as number) << 1)
      hist[o] = (hist[o] as number) + g
    }
  }
}

interface Split {
  feature: number
  bin: number
  gain: number
  leftG: number
  leftC: number
}

function bestSplit(
  hist: Float64Array,
  nBins: Int32Array,
  f: number,
  sumG: number,
  count: number,
  p: GbmParams,
): Split | null {
  const parent = (sumG * sumG) / (count + p.l2)
  let best: Split | null = null
  for (let j = 0; j < f; j++) {
    const nb = nBins[j] as number
    let gl = 0
    let cl = 0
    for (let b = 0; b < nb - 1; b++) {
      const o = (j << 9) | (b << 1)
      gl += hist[o] as number
      cl += hist[o + 1] as number
      if (cl < p.minSamplesLeaf) continue
      const cr = count - cl
      if (cr < p.minSamplesLeaf) break
      const gr = sumG - gl
      const gain = (gl * gl) / (cl + p.l2) + (gr * gr) / (cr + p.l2) - parent
      if (gain > 1e-12 && (best === null || gain > best.gain)) best = { feature: j, bin: b, gain, leftG: gl, leftC: cl }
    }
  }
  return best
}

/** Train a model on a row-major matrix `x` (n x f) and targets `y`. */
export function trainGbm(
  x: Float64Array,
  y: Float64Array,
  n: number,
  f: number,
  params: Partial<GbmParams> = {},
): GbmModel {
  const p: GbmParams = { ...DEFAULT_GBM, ...params }
  if (f > 4096) throw new Error('Too many features')
  const be: BinEdges = computeBinEdges(x, n, f, Math.min(p.maxBins, MAX_BINS))
  const bins = binMatrix(x, n, f, be)
  const nBins = Int32Array.from(be.edges.map((e) => e.length + 1))
  const baseline = p.loss === 'squared' ? y.reduce((a, v) => a + v, 0) / Math.max(1, n) : quantileOf(y, p.alpha)
  const pred = new Float64Array(n).fill(baseline)
  const grad = new Float64Array(n)
  const idx = new Uint32Array(n)
  const tmp = new Uint32Array(n)
  const histSize = f * 256 * 2
  const rootCounts = new Float64Array(histSize)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const o = ((j << 9) | ((bins[i * f + j] as number) << 1)) + 1
      rootCounts[o] = (rootCounts[o] as number) + 1
    }
  }
  const gainByFeature = new Array<number>(f).fill(0)
  const trees: GbmTree[] = []

  for (let t = 0; t < p.nTrees; t++) {
    if (p.loss === 'squared') for (let i = 0; i < n; i++) grad[i] = (pred[i] as number) - (y[i] as number)
    else for (let i = 0; i < n; i++) grad[i] = (y[i] as number) > (pred[i] as number) ? -p.alpha : 1 - p.alpha
    for (let i = 0; i < n; i++) idx[i] = i
    const tree: GbmTree = { feature: [], threshold: [], left: [], right: [], value: [] }
    const newNode = (): number => {
      tree.feature.push(-1)
      tree.threshold.push(0)
      tree.left.push(-1)
      tree.right.push(-1)
      tree.value.push(0)
      return tree.feature.length - 1
    }
    const rootHist = new Float64Array(histSize)
    buildRootHist(rootHist, bins, f, n, grad, rootCounts)
    let sumG = 0
    for (let i = 0; i < n; i++) sumG += grad[i] as number
    let level: NodeWork[] = [{ id: newNode(), start: 0, end: n, depth: 0, hist: rootHist, sumG }]
    const leaves: NodeWork[] = []
    while (level.length) {
      const next: NodeWork[] = []
      for (const node of level) {
        const count = node.end - node.start
        const split =
          node.depth < p.maxDepth && count >= 2 * p.minSamplesLeaf
            ? bestSplit(node.hist, nBins, f, node.sumG, count, p)
            : null
        if (!split) {
          leaves.push(node)
          continue
        }
        gainByFeature[split.feature] = (gainByFeature[split.feature] as number) + split.gain
        // Stable in-place partition of the node's rows: left (bin <= split.bin) first.
        let l = node.start
        let r = 0
        for (let k = node.start; k < node.end; k++) {
          const i = idx[k] as number
          if ((bins[i * f + split.feature] as number) <= split.bin) idx[l++] = i
          else tmp[r++] = i
        }
        idx.set(tmp.subarray(0, r), l)
        const leftId = newNode()
        const rightId = newNode()
        tree.feature[node.id] = split.feature
        tree.threshold[node.id] = (be.edges[split.feature] as Float64Array)[split.bin] as number
        tree.left[node.id] = leftId
        tree.right[node.id] = rightId
        const leftSmaller = l - node.start <= node.end - l
        const canSplit = (c: number): boolean => node.depth + 1 < p.maxDepth && c >= 2 * p.minSamplesLeaf
        if (!canSplit(l - node.start) && !canSplit(node.end - l)) {
          // Both children are leaves: their histograms would never be read.
          leaves.push({
            id: leftId,
            start: node.start,
            end: l,
            depth: node.depth + 1,
            hist: node.hist,
            sumG: split.leftG,
          })
          leaves.push({
            id: rightId,
            start: l,
            end: node.end,
            depth: node.depth + 1,
            hist: node.hist,
            sumG: node.sumG - split.leftG,
          })
          continue
        }
        const small = new Float64Array(histSize)
        if (leftSmaller) buildHist(small, bins, f, idx, node.start, l, grad)
        else buildHist(small, bins, f, idx, l, node.end, grad)
        // The parent's histogram becomes the larger child's (parent - small).
        const big = node.hist
        for (let j = 0; j < f; j++) {
          const end = (j << 9) + ((nBins[j] as number) << 1)
          for (let o = j << 9; o < end; o++) big[o] = (big[o] as number) - (small[o] as number)
        }
        const leftHist = leftSmaller ? small : big
        const rightHist = leftSmaller ? big : small
        next.push({ id: leftId, start: node.start, end: l, depth: node.depth + 1, hist: leftHist, sumG: split.leftG })
        next.push({
          id: rightId,
          start: l,
          end: node.end,
          depth: node.depth + 1,
          hist: rightHist,
          sumG: node.sumG - split.leftG,
        })
      }
      level = next
    }
    for (const leaf of leaves) {
      let v: number
      if (p.loss === 'squared') v = (-leaf.sumG / (leaf.end - leaf.start + p.l2)) * p.learningRate
      else {
        // Pinball loss: the leaf value is the alpha-quantile of its residuals (sklearn does the same).
        const res = new Float64Array(leaf.end - leaf.start)
        for (let k = leaf.start; k < leaf.end; k++) {
          const i = idx[k] as number
          res[k - leaf.start] = (y[i] as number) - (pred[i] as number)
        }
        v = quantileOf(res, p.alpha) * p.learningRate
      }
      tree.value[leaf.id] = v
      for (let k = leaf.start; k < leaf.end; k++) {
        const i = idx[k] as number
        pred[i] = (pred[i] as number) + v
      }
    }
    trees.push(tree)
  }
  return { kind: 'gbm', params: p, nFeatures: f, baseline, trees, gain: gainByFeature }
}

/** Predict one row (raw feature values; NaN goes left like bin 0). */
export function predictRow(model: GbmModel, x: ArrayLike<number>, offset = 0): number {
  let s = model.baseline
  for (const t of model.trees) {
    let k = 0
    while ((t.feature[k] as number) >= 0) {
      const v = x[offset + (t.feature[k] as number)] as number
      k = !(v > (t.threshold[k] as number)) ? (t.left[k] as number) : (t.right[k] as number)
    }
    s += t.value[k] as number
  }
  return s
}

/** Predict every row of a row-major matrix. */
export function predictGbm(model: GbmModel, x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n)
  const f = model.nFeatures
  for (let i = 0; i < n; i++) out[i] = predictRow(model, x, i * f)
  return out
}
