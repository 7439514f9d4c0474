import { addDays, addMonths, localDateIn } from '../../../../shared/domain/dates'

/** What one account has to pull in a run (account-local dates, inclusive). */
export interface AccountPlan {
  accountId: number
  from: string
  to: string
  /** First provisional day: the restatement window is [provisionalFrom, to]. */
  provisionalFrom: string
  /** Last date of the last committed chunk of this run (resume point), or null. */
  through: string | null
  done: boolean
}

export interface PlanInput {
  accountId: number
  timeZone: string
  mode: 'incremental' | 'full'
  /** Explicit start (CLI --since / IPC since). */
  since?: string
  restatementDays: number
  backfillMonths: number
  /** Where the account's data reaches (sync cursor, or the last stored day). */
  syncedThrough: string | null
  /** Where an earlier backfill started (a full re-sync starts there again). */
  backfillFrom: string | null
  /** The platform has no data before this date (null = unknown). */
  earliest?: string | null
  now: Date
}

/**
 * The account's "today" is its own local date; a sync pulls complete days only, through
 * yesterday in the account's time zone (today's partial numbers would read as a drop). The
 * restatement window is the last `restatementDays` complete days and is always re-pulled.
 */
export function planAccount(p: PlanInput): AccountPlan {
  const today = localDateIn(p.timeZone, p.now)
  const to = addDays(today, -1)
  const provisionalFrom = addDays(to, -(p.restatementDays - 1))
  const backfillStart = addMonths(today, -p.backfillMonths)
  let from: string
  if (p.since) from = p.since
  else if (p.mode === 'full') from = p.backfillFrom && p.backfillFrom < backfillStart ? p.backfillFrom : backfillStart
  else if (p.syncedThrough) {
    const next = addDays(p.syncedThrough, 1)
    from = next < provisionalFrom ? next : provisionalFrom
  } else from = backfillStart
  if (p.earliest && from < p.earliest) from = p.earliest
  return { accountId: p.accountId, from, to, provisionalFrom, through: null, done: from > to }
}

/**
 * Days in an account's first chunk when its range needs several chunks (a backfill). The writer
 * cannot start before a chunk is complete, so a short first chunk gets rows into the store (and
 * the pipeline of fetching, decoding and writing going) after a few days' pages instead of a full
 * window's; the windows after it are full size.
 */
export const LEAD_CHUNK_DAYS = 4

/**
 * Split [from, to] into windows of at most `days` days, oldest first. When the range needs more
 * than one window, the first is at most `lead` days (LEAD_CHUNK_DAYS).
 */
export function chunkWindows(
  from: string,
  to: string,
  days: number,
  lead = LEAD_CHUNK_DAYS,
): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = []
  const size = Math.max(1, Math.floor(days))
  let start = from
  const first = Math.max(1, Math.min(size, Math.floor(lead)))
  if (start <= to && first < size && addDays(start, size - 1) < to) {
    const end = addDays(start, first - 1)
    out.push({ from: start, to: end })
    start = addDays(end, 1)
  }
  for (; start <= to; start = addDays(start, size)) {
    const end = addDays(start, size - 1)
    out.push({ from: start, to: end < to ? end : to })
  }
  return out
}
