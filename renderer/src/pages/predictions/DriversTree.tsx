import type { JSX } from 'react'
import { formatMoney } from '../../../../shared/domain/money'
import type { DriverNode } from '../../../../shared/ipc/contracts/ml'
import { formatCount } from '../../lib/format'

/** The drivers tree as an indented list: each rule with its ad sets, spend and CPA from summed parts. */
export function DriversTree({ nodes, currency }: { nodes: DriverNode[]; currency: string }): JSX.Element {
  const children = new Map<number | null, DriverNode[]>()
  for (const n of nodes) children.set(n.parent, [...(children.get(n.parent) ?? []), n])
  const render = (parent: number | null): JSX.Element | null => {
    const kids = children.get(parent)
    if (!kids?.length) return null
    return (
      <ul className="drivers-tree" style={{ listStyle: 'none', paddingLeft: parent === null ? 0 : 18, margin: 0 }}>
        {kids.map((n) => (
          <li key={n.id} style={{ padding: '3px 0' }}>
            <span style={{ fontWeight: n.leaf ? 400 : 600 }}>{n.rule}</span>{' '}
            <span className="field__hint">
              · {formatCount(n.adSets)} ad sets · spend {formatMoney(n.spendMicros, currency, { compact: true })} · CPA{' '}
              <strong>{n.cpaMicros === null ? '—' : formatMoney(n.cpaMicros, currency)}</strong>
            </span>
            {render(n.id)}
          </li>
        ))}
      </ul>
    )
  }
  return <div data-testid="drivers-tree">{render(null)}</div>
}
