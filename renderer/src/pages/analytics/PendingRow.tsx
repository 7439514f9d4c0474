import type { CSSProperties, JSX } from 'react'

/**
 * A windowed grid's row whose window is still loading (the explorer's, the creatives'): its place
 * and height kept, "Loading…" in the name column (`leading` empty cells before it).
 */
export function PendingRow(props: { index: number; style: CSSProperties; leading?: number }): JSX.Element {
  return (
    <div
      role="row"
      aria-rowindex={props.index + 2}
      aria-busy="true"
      className="explorer__row explorer__row--pending"
      data-index={props.index}
      style={props.style}
    >
      {Array.from({ length: props.leading ?? 0 }, (_, i) => (
        <span key={i} role="gridcell" />
      ))}
      <span role="gridcell" className="explorer__name field__hint">
        Loading…
      </span>
    </div>
  )
}
