import { DecisionTreeRegression, type CartNode } from 'ml-cart'
import { addDays } from '../../../shared/domain/dates'
import type { DriverNode } from '../../../shared/ipc/contracts/ml'
import type { Sqlite } from '../store/db'
import { adSetAggregates, type AdSetAggregate } from '../store/repos/dataset-repo'
import { StatusRepo } from '../store/repos/status-repo'

/**
 * The "drivers" tree: what separates high-CPA from low-CPA ad sets. ml-cart (exact CART, split
 * search quadratic in rows) is fine here because the rows are aggregates: one per ad set over the
 * last `days`, at most MAX_ROWS (the biggest spenders), and the tree is kept to 3 levels so a
 * marketer can read it. Categorical columns are one-hot so every split reads as "X is Y".
 */

const MAX_ROWS = 2_000
const MIN_CONVERSIONS = 3

interface Column {
  label: string
  /** Rule text for the left (<) and right (>=) branch at a threshold. */
  rule(left: boolean, threshold: number): string
  value(r: AdSetAggregate): number
}

const oneHot = (label: string, key: keyof AdSetAggregate, v: string): Column => ({
  label: `${label} = ${v}`,
  rule: (left) => (left ? `${label} is not ${v}` : `${label} is ${v}`),
  value: (r) => (r[key] === v ? 1 : 0),
})
const numeric = (label: string, fmt: (v: number) => string, value: (r: AdSetAggregate) => number): Column => ({
  label,
  rule: (left, t) => `${label} ${left ? '<' : '≥'} ${fmt(t)}`,
  value,
})

/** Build the drivers tree for a workspace (account-local dates, money in micros of one currency). */
export function driversTree(
  sqlite: Sqlite,
  workspaceId: number,
  days: number,
): { rows: number; currency: string | null; nodes: DriverNode[] } {
  const last = new StatusRepo(sqlite).lastDataDate(workspaceId)
  if (!last) return { rows: 0, currency: null, nodes: [] }
  const all = adSetAggregates(sqlite, workspaceId, addDays(last, -(days - 1)), last, MIN_CONVERSIONS)
  // CPA is only comparable within one currency: keep the currency with the most spend.
  const byCurrency = new Map<string, number>()
  for (const r of all) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + r.spend)
  const currency = [...byCurrency.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  const rows = all.filter((r) => r.currency === currency).slice(0, MAX_ROWS)
  if (rows.length < 20) return { rows: rows.length, currency, nodes: [] }
  const distinct = (k: 'platform' | 'objective' | 'format'): string[] => [...new Set(rows.map((r) => r[k]))].sort()
  const cols: Column[] = [
    ...distinct('platform').map((v) => oneHot('Platform', 'platform', v)),
    ...distinct('objective').map((v) => oneHot('Objective', 'objective', v)),
    ...distinct('format').map((v) => oneHot('Format', 'format', v)),
    numeric(
      'Daily spend',
      (v) => (v / 1e6).toFixed(0),
      (r) => r.spend / Math.max(1, r.activeDays),
    ),
    numeric(
      'CTR',
      (v) => `${(v * 100).toFixed(2)}%`,
      (r) => (r.impressions > 0 ? r.clicks / r.impressions : 0),
    ),
    numeric(
      'CPM',
      (v) => (v / 1e6).toFixed(2),
      (r) => (r.impressions > 0 ? (r.spend / r.impressions) * 1000 : 0),
    ),
    numeric(
      'Active days',
      (v) => v.toFixed(0),
      (r) => r.activeDays,
    ),
  ]
  const x = rows.map((r) => cols.map((c) => c.value(r)))
  const y = rows.map((r) => r.spend / r.conversions / 1e6)
  const tree = new DecisionTreeRegression({ maxDepth: 3, minNumSamples: Math.max(10, Math.floor(rows.length / 20)) })
  tree.train(x, y)
  const nodes: DriverNode[] = []
  const walk = (node: CartNode, members: number[], parent: number | null, depth: number, rule: string): void => {
    const id = nodes.length
    let spend = 0
    let conv = 0
    for (const i of members) {
      spend += (rows[i] as AdSetAggregate).spend
      conv += (rows[i] as AdSetAggregate).conversions
    }
    const leaf = !node.left || !node.right || node.splitColumn === undefined || node.splitValue === undefined
    nodes.push({
      id,
      parent,
      depth,
      rule,
      adSets: members.length,
      spendMicros: spend,
      conversions: conv,
      cpaMicros: conv > 0 ? Math.round(spend / conv) : null,
      leaf,
    })
    if (leaf) return
    const col = node.splitColumn as number
    const t = node.splitValue as number
    const c = cols[col] as Column
    // ml-cart sends x < splitValue left.
    walk(
      node.left as CartNode,
      members.filter((i) => ((x[i] as number[])[col] as number) < t),
      id,
      depth + 1,
      c.rule(true, t),
    )
    walk(
      node.right as CartNode,
      members.filter((i) => ((x[i] as number[])[col] as number) >= t),
      id,
      depth + 1,
      c.rule(false, t),
    )
  }
  walk(
    tree.root,
    rows.map((_, i) => i),
    null,
    0,
    'All ad sets',
  )
  return { rows: rows.length, currency, nodes }
}
