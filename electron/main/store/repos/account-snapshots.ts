import { runSteps } from '../../scheduler/slices'
import type { Sqlite } from '../db'
import { accountDataMark } from './ad-month-rollup'

/**
 * Runs `make()`'s steps each on a read snapshot, after comparing the account's data mark with the one
 * taken at the first step: if its metrics were written in between, the steps so far are dropped
 * (`abandoned` ends them) and all of them run again on one snapshot, in that step. So reads spread
 * over several steps (a month's sums, the days taken off it) always come from one state of the data.
 */
export function* onAccountSnapshots<T>(
  sqlite: Sqlite,
  accountId: number,
  make: () => Generator<void, T>,
  abandoned: T,
  /** Told the data mark of the state the result comes from, read inside that state's snapshot. */
  seen?: (mark: number) => void,
): Generator<void, T> {
  const snapshot = <R>(fn: () => R): R => sqlite.transaction(fn).deferred()
  const it = make()
  let mark = 0
  const first = snapshot(() => {
    mark = accountDataMark(sqlite, accountId)
    return it.next()
  })
  if (first.done) {
    seen?.(mark)
    return first.value
  }
  for (;;) {
    yield
    const r = snapshot(() => (accountDataMark(sqlite, accountId) === mark ? it.next() : null))
    if (r === null) {
      it.return(abandoned)
      return snapshot(() => {
        seen?.(accountDataMark(sqlite, accountId))
        return runSteps(make())
      })
    }
    if (r.done) {
      seen?.(mark)
      return r.value
    }
  }
}
