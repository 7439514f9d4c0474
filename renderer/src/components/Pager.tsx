import type { JSX } from 'react'

/**
 * Previous / "101–200 of 1,597" / Next under a list the core answers a page at a time. Test ids:
 * `<testId>-pager`, `-prev`, `-range`, `-next`.
 */
export function Pager({
  label,
  testId,
  offset,
  shown,
  total,
  size,
  onOffset,
}: {
  label: string
  testId: string
  offset: number
  /** Rows on this page. */
  shown: number
  total: number
  /** Rows per page. */
  size: number
  onOffset: (offset: number) => void
}): JSX.Element {
  const n = (v: number): string => v.toLocaleString('en-US')
  return (
    <nav className="pager" aria-label={label} data-testid={`${testId}-pager`}>
      <button
        type="button"
        className="btn btn--sm"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - size))}
        data-testid={`${testId}-prev`}
      >
        Previous
      </button>
      <span className="field__hint tabular" data-testid={`${testId}-range`}>
        {n(offset + 1)}–{n(Math.min(offset + shown, total))} of {n(total)}
      </span>
      <button
        type="button"
        className="btn btn--sm"
        disabled={offset + size >= total}
        onClick={() => onOffset(offset + size)}
        data-testid={`${testId}-next`}
      >
        Next
      </button>
    </nav>
  )
}
