import type { JSX, ReactNode } from 'react'
import { errorMessage } from '../lib/errors'
import type { PageData } from '../lib/page-data'
import { ErrorState, Skeleton } from './States'

interface LoadStateProps<T> {
  state: PageData<T>
  /** Names what failed, in the error's title: "Could not load {what}". */
  what: string
  /** Shown until the first answer (default: one skeleton block). */
  loading?: ReactNode
  isEmpty?: (data: T) => boolean
  /** Shown when `isEmpty` says so (an `EmptyState`). */
  empty?: ReactNode
  children: (data: T) => ReactNode
}

/** The same loading, error (with Retry) and empty states on every page. */
export function LoadState<T>({ state, what, loading, isEmpty, empty, children }: LoadStateProps<T>): JSX.Element {
  if (state.status === 'error') {
    return (
      <div className="card">
        <ErrorState title={`Could not load ${what}`} message={errorMessage(state.error)} onRetry={state.reload} />
      </div>
    )
  }
  if (state.status === 'loading' || state.data === undefined) {
    return (
      <div aria-busy="true" aria-label={`Loading ${what}`} data-state="loading">
        {loading ?? <Skeleton height={300} />}
      </div>
    )
  }
  if (isEmpty?.(state.data) && empty) return <>{empty}</>
  return <>{children(state.data)}</>
}
