import { addDays, endOfMonth, startOfMonth, toEpochDay, fromEpochDay } from '../../../shared/domain/dates'
import { EMPTY_TOTALS, type Totals } from '../../../shared/domain/metrics'
import type { AnalyticsRepo } from '../store/repos/analytics-repo'

/** What the ad-window read needs of a resolved scope: each account's currency and the converter. */
export interface AdWindowScope {
  byId: Map<number, { currency: string }>
  convert: (micros: number, currency: string, month: string) => number
}

/** Ad and ad-set totals of one range. */
export interface AdWindowTotals {
  ad: Map<number, Totals>
  ad_set: Map<number, Totals>
}

/** Values per bucket and per slot: spend, impressions, clicks, conversions, revenue, video views. */
const V = 6
/** Values per summing slot: the six sums, then the conversions' compensation. */
const SLOT = 8
/** Ads folded into totals between two steps (2,048 were 40-60 ms steps at 10,000 campaigns). */
const ADS_PER_STEP = 512
/** Ad rows of one account-day one step reads (a day of the largest account at 10,000 campaigns is ~2,500). */
const DAY_ROWS_PER_STEP = 1024

/**
 * Converted totals per ad and per ad set for several ranges, each over some accounts (automation
 * evaluates many windows per cycle), as steps a caller can pause between. Months a range covers
 * whole (every day of the month the account has rows on) come from the per-ad monthly sums
 * (`ad_month`), the other days from the account's ad-day rows, each day read once for every range
 * that holds it. The totals equal a grouped read of each range alone (`adAndAdSetTotals`): the
 * same buckets per ad, ad set and month, added in the same order, converted per month.
 *
 * Each step reads one month of `ad_month` or one day of rows of one account. An account's steps
 * are on separate snapshots of the store: if the account's metrics were written between its first
 * and last step (its data mark moved, `accountDataMark`), its sums are dropped and it is read again
 * in one step, so month sums and day rows always come from one state of the account's data; writes
 * elsewhere (a job's progress, another account's sync) leave the slicing alone. Buckets live in typed arrays, not objects.
 */
export function* adWindowTotalsSteps(
  repo: AnalyticsRepo,
  scope: AdWindowScope,
  ranges: { from: string; to: string; accountIds: number[] }[],
  /** Ad rows per step of a day (tests make it small). */
  dayRows = DAY_ROWS_PER_STEP,
): Generator<void, AdWindowTotals[]> {
  const months = new MonthIndex()
  const out = ranges.map(() => new RangeBuckets())
  const byAccount = new Map<number, number[]>()
  ranges.forEach((r, i) => {
    for (const a of r.accountIds) {
      let l = byAccount.get(a)
      if (!l) byAccount.set(a, (l = []))
      l.push(i)
    }
  })
  for (const [accountId, idx] of byAccount) {
    yield
    const currency = scope.byId.get(accountId)?.currency
    if (currency === undefined) continue
    const cur = months.currency(currency)
    let mark = 0
    let plan: AccountPlan | null = null
    repo.snapshot(() => {
      mark = repo.dataMark(accountId)
      plan = planAccount(repo, accountId, ranges, idx)
    })
    if (!plan) continue
    let acc = new AccountSums(plan as AccountPlan, months, cur, dayRows)
    let same = true
    for (const step of (plan as AccountPlan).steps) {
      // A day's rows may take several steps (DAY_ROWS_PER_STEP each), a month one.
      let after: number | null = -1
      do {
        yield
        const from: number = after
        same = repo.snapshot(() => {
          if (repo.dataMark(accountId) !== mark) return false
          after = acc.read(repo, accountId, step, from)
          return true
        })
      } while (same && after !== null)
      if (!same) break
    }
    if (!same) {
      // Something was written between this account's steps: read it again on one snapshot.
      const whole = repo.snapshot(() => {
        const p = planAccount(repo, accountId, ranges, idx)
        if (!p) return null
        const a = new AccountSums(p, months, cur, dayRows)
        for (const step of p.steps)
          for (let at: number | null = -1; at !== null;) at = a.read(repo, accountId, step, at)
        return a
      })
      if (!whole) continue
      acc = whole
    }
    acc.emit(out)
  }
  const totals: AdWindowTotals[] = []
  for (const r of out) totals.push(yield* r.totalsSteps(scope, months))
  return totals
}

/** Month strings and currencies by index (for the typed buckets). */
class MonthIndex {
  private readonly byMonth = new Map<string, number>()
  readonly months: string[] = []
  private readonly byCurrency = new Map<string, number>()
  readonly currencies: string[] = []

  month(m: string): number {
    let i = this.byMonth.get(m)
    if (i === undefined) {
      i = this.months.length
      this.byMonth.set(m, i)
      this.months.push(m)
    }
    return i
  }

  currency(c: string): number {
    let i = this.byCurrency.get(c)
    if (i === undefined) {
      i = this.currencies.length
      if (i >= 64) throw new Error('adWindowTotalsSteps: more than 64 currencies in one read')
      this.byCurrency.set(c, i)
      this.currencies.push(c)
    }
    return i
  }
}

/** A piece of one range inside one month whose days are read from the rows. */
interface Part {
  i: number
  from: string
  to: string
}

/** What one account's read does: whole months per range, the parts, and the steps (a month or a day each). */
interface AccountPlan {
  /** Ranges per whole month. */
  whole: Map<string, number[]>
  parts: Part[]
  /** Parts per day. */
  byDay: Map<string, number[]>
  steps: ({ month: string } | { day: string })[]
}

function planAccount(
  repo: AnalyticsRepo,
  accountId: number,
  ranges: { from: string; to: string }[],
  idx: number[],
): AccountPlan | null {
  const span = repo.dataSpans([accountId]).get(accountId)
  if (!span) return null
  const whole = new Map<string, number[]>()
  const parts: Part[] = []
  for (const i of idx) {
    const r = ranges[i] as { from: string; to: string }
    const from = r.from > span.first ? r.from : span.first
    const to = r.to < span.last ? r.to : span.last
    if (from > to) continue
    for (let ms = startOfMonth(from); ms <= to; ms = addDays(endOfMonth(ms), 1)) {
      const me = endOfMonth(ms)
      const pFrom = ms < from ? from : ms
      const pTo = me > to ? to : me
      // The month's days with rows: whole when the piece covers them all.
      const first = ms > span.first ? ms : span.first
      const last = me < span.last ? me : span.last
      if (pFrom <= first && pTo >= last) {
        const month = ms.slice(0, 7)
        let l = whole.get(month)
        if (!l) whole.set(month, (l = []))
        l.push(i)
      } else parts.push({ i, from: pFrom, to: pTo })
    }
  }
  const byDay = new Map<string, number[]>()
  parts.forEach((p, k) => {
    for (let d = toEpochDay(p.from), e = toEpochDay(p.to); d <= e; d++) {
      const day = fromEpochDay(d)
      const l = byDay.get(day)
      if (l) l.push(k)
      else byDay.set(day, [k])
    }
  })
  const steps: AccountPlan['steps'] = []
  for (const month of [...whole.keys()].sort()) steps.push({ month })
  for (const day of [...byDay.keys()].sort()) steps.push({ day })
  return { whole, parts, byDay, steps }
}

/** Grows a typed array to at least `n` elements (doubling). */
function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  if (n <= a.length) return a
  let len = a.length * 2
  while (len < n) len *= 2
  const b = new (a.constructor as new (n: number) => T)(len)
  b.set(a)
  return b
}

/**
 * One account's sums while it is read: its whole-month rows as they come, and per (ad, part) a
 * slot summing the ad's day rows (conversions summed as SQLite's sum() sums REAL values,
 * Kahan-Babuska-Neumaier, so a part's sums equal a grouped SQL read of its days).
 */
class AccountSums {
  // Whole-month rows: ad, ad set, month index, the six values.
  private nRows = 0
  private rowAd = new Float64Array(256)
  private rowAdSet = new Float64Array(256)
  private rowMonth = new Int32Array(256)
  private rowV = new Float64Array(256 * V)
  private rowRanges: number[][] = []
  // Day rows: ads by dense index (their first ad set), slotOf[ad * np + part] = slot + 1.
  private readonly dense = new Map<number, number>()
  private readonly adIds: number[] = []
  private readonly adSets: number[] = []
  private slotOf: Int32Array
  private values = new Float64Array(1024 * SLOT)
  private used = 0
  private readonly slotPart: number[] = []
  private readonly slotAd: number[] = []
  /** Rows of an ad under another ad set than its first (rare: an ad moved), by part|ad|ad set. */
  private readonly moved = new Map<string, { ad: number; adSet: number; at: number }>()
  private readonly np: number

  constructor(
    private readonly plan: AccountPlan,
    private readonly months: MonthIndex,
    private readonly cur: number,
    private readonly dayRows: number,
  ) {
    this.np = plan.parts.length
    this.slotOf = new Int32Array(Math.max(1, 1024 * this.np))
  }

  /**
   * Reads a month, or a day's rows after ad `after` (at most `dayRows`); returns the last
   * ad read when the day has more rows, else null.
   */
  read(
    repo: AnalyticsRepo,
    accountId: number,
    step: { month: string } | { day: string },
    after: number,
  ): number | null {
    if ('month' in step) {
      this.readMonth(repo, accountId, step.month)
      return null
    }
    return this.readDay(repo, accountId, step.day, after)
  }

  private readMonth(repo: AnalyticsRepo, accountId: number, month: string): void {
    const list = this.plan.whole.get(month) as number[]
    const mi = this.months.month(month)
    for (const row of repo.adMonthRows(accountId, month, month)) {
      const n = this.nRows++
      if (n >= this.rowAd.length) {
        this.rowAd = grow(this.rowAd, n + 1)
        this.rowAdSet = grow(this.rowAdSet, n + 1)
        this.rowMonth = grow(this.rowMonth, n + 1)
        this.rowV = grow(this.rowV, (n + 1) * V)
      }
      this.rowAd[n] = row[1] as number
      this.rowAdSet[n] = row[2] as number
      this.rowMonth[n] = mi
      const o = n * V
      const v = this.rowV
      v[o] = row[3] as number
      v[o + 1] = row[4] as number
      v[o + 2] = row[5] as number
      v[o + 3] = row[6] as number
      v[o + 4] = row[7] as number
      v[o + 5] = row[8] as number
      this.rowRanges.push(list)
    }
  }

  private newSlot(part: number, d: number): number {
    if ((this.used + 1) * SLOT > this.values.length) this.values = grow(this.values, (this.used + 1) * SLOT)
    this.slotPart.push(part)
    this.slotAd.push(d)
    return this.used++
  }

  private readDay(repo: AnalyticsRepo, accountId: number, day: string, after: number): number | null {
    const targets = this.plan.byDay.get(day) as number[]
    const np = this.np
    const dense = this.dense
    const rows = repo.adRowsOn(accountId, day, after, this.dayRows)
    for (const r of rows) {
      const ad = r[0] as number
      const adSet = r[1] as number
      let d = dense.get(ad)
      if (d === undefined) {
        d = this.adIds.length
        dense.set(ad, d)
        this.adIds.push(ad)
        this.adSets.push(adSet)
        if ((d + 1) * np > this.slotOf.length) this.slotOf = grow(this.slotOf, (d + 1) * np)
      }
      const other = this.adSets[d] !== adSet
      const c = r[5] as number
      for (const p of targets) {
        let at: number
        if (other) {
          const k = `${p}|${ad}|${adSet}`
          let m = this.moved.get(k)
          if (!m) this.moved.set(k, (m = { ad, adSet, at: this.newSlot(p, -1) }))
          at = m.at
        } else {
          const si = d * np + p
          at = (this.slotOf[si] as number) - 1
          if (at < 0) {
            at = this.newSlot(p, d)
            this.slotOf[si] = at + 1
          }
        }
        const values = this.values
        const o = at * SLOT
        values[o] = (values[o] as number) + (r[2] as number)
        values[o + 1] = (values[o + 1] as number) + (r[3] as number)
        values[o + 2] = (values[o + 2] as number) + (r[4] as number)
        const acc = values[o + 3] as number
        const t = acc + c
        values[o + 7] = (values[o + 7] as number) + (Math.abs(acc) > Math.abs(c) ? acc - t + c : c - t + acc)
        values[o + 3] = t
        values[o + 4] = (values[o + 4] as number) + (r[6] as number)
        values[o + 5] = (values[o + 5] as number) + (r[7] as number)
      }
    }
    return rows.length === this.dayRows ? ((rows[rows.length - 1] as number[])[0] as number) : null
  }

  /** Adds this account's buckets to each range: the whole-month rows in order, then the slots. */
  emit(out: RangeBuckets[]): void {
    const v = this.rowV
    for (let n = 0; n < this.nRows; n++)
      for (const i of this.rowRanges[n] as number[]) {
        const o = n * V
        ;(out[i] as RangeBuckets).add(
          this.rowAd[n] as number,
          this.rowAdSet[n] as number,
          this.rowMonth[n] as number,
          this.cur,
          v[o] as number,
          v[o + 1] as number,
          v[o + 2] as number,
          v[o + 3] as number,
          v[o + 4] as number,
          v[o + 5] as number,
        )
      }
    const movedBySlot = new Map<number, { ad: number; adSet: number }>()
    for (const m of this.moved.values()) movedBySlot.set(m.at, m)
    const partMonth = this.plan.parts.map((p) => this.months.month(p.from.slice(0, 7)))
    const values = this.values
    for (let at = 0; at < this.used; at++) {
      const pk = this.slotPart[at] as number
      const d = this.slotAd[at] as number
      const m = d < 0 ? (movedBySlot.get(at) as { ad: number; adSet: number }) : null
      const o = at * SLOT
      ;(out[(this.plan.parts[pk] as Part).i] as RangeBuckets).add(
        m ? m.ad : (this.adIds[d] as number),
        m ? m.adSet : (this.adSets[d] as number),
        partMonth[pk] as number,
        this.cur,
        values[o] as number,
        values[o + 1] as number,
        values[o + 2] as number,
        (values[o + 3] as number) + (values[o + 7] as number),
        values[o + 4] as number,
        values[o + 5] as number,
      )
    }
  }
}

/**
 * One range's buckets (ad, ad set, month, currency and the six sums) in typed arrays, chained
 * per ad in the order they were added.
 */
class RangeBuckets {
  private n = 0
  private adSet = new Float64Array(1024)
  private month = new Int32Array(1024)
  private cur = new Int32Array(1024)
  private v = new Float64Array(1024 * V)
  private next = new Int32Array(1024)
  /** Per ad: its first and last bucket (+1). */
  private readonly chain = new Map<number, { head: number; tail: number }>()

  add(
    ad: number,
    adSet: number,
    month: number,
    cur: number,
    spend: number,
    impressions: number,
    clicks: number,
    conversions: number,
    revenue: number,
    videoViews: number,
  ): void {
    const k = this.n++
    if (k >= this.month.length) {
      this.adSet = grow(this.adSet, k + 1)
      this.month = grow(this.month, k + 1)
      this.cur = grow(this.cur, k + 1)
      this.next = grow(this.next, k + 1)
      this.v = grow(this.v, (k + 1) * V)
    }
    this.adSet[k] = adSet
    this.month[k] = month
    this.cur[k] = cur
    this.next[k] = 0
    const o = k * V
    const v = this.v
    v[o] = spend
    v[o + 1] = impressions
    v[o + 2] = clicks
    v[o + 3] = conversions
    v[o + 4] = revenue
    v[o + 5] = videoViews
    const c = this.chain.get(ad)
    if (c) {
      this.next[c.tail - 1] = k + 1
      c.tail = k + 1
    } else this.chain.set(ad, { head: k + 1, tail: k + 1 })
  }

  /**
   * The totals, as `adTotalsOf` adds them: ads in id order, each ad's buckets ordered by (ad set,
   * month); per ad and per ad set the raw sums per (month, currency) in order of first appearance,
   * each converted at its month and added to the entity's totals (conversions rounded to 1e-6 at
   * each addition).
   */
  *totalsSteps(scope: AdWindowScope, idx: MonthIndex): Generator<void, AdWindowTotals> {
    const ad = new Map<number, Totals>()
    const adSetTotals = new Map<number, Totals>()
    // Raw sums per (ad set, month, currency) in order of first appearance, chained per ad set.
    const setChain = new Map<number, { head: number; tail: number }>()
    let sn = 0
    let sKey = new Int32Array(1024)
    let sNext = new Int32Array(1024)
    let sV = new Float64Array(1024 * V)
    const setOrder: number[] = []
    const ids = Float64Array.from(this.chain.keys()).sort()
    const order: number[] = []
    // The ad's raw sums per (month, currency): a few at a time.
    const aKey: number[] = []
    const aV: number[] = []
    let done = 0
    for (const id of ids) {
      if (++done % ADS_PER_STEP === 0) yield
      // The ad's buckets, stably ordered by (ad set, month).
      order.length = 0
      for (let k = (this.chain.get(id) as { head: number }).head; k > 0; k = this.next[k - 1] as number) {
        const b = k - 1
        let j = order.length
        while (j > 0) {
          const p = order[j - 1] as number
          const ps = this.adSet[p] as number
          const bs = this.adSet[b] as number
          if (
            ps < bs ||
            (ps === bs &&
              (idx.months[this.month[p] as number] as string) <= (idx.months[this.month[b] as number] as string))
          )
            break
          order[j] = p
          j--
        }
        order[j] = b
      }
      aKey.length = 0
      aV.length = 0
      for (const b of order) {
        const key = (this.month[b] as number) * 64 + (this.cur[b] as number)
        const o = b * V
        // Per ad.
        let a = aKey.indexOf(key)
        if (a < 0) {
          a = aKey.length
          aKey.push(key)
          for (let x = 0; x < V; x++) aV.push(this.v[o + x] as number)
        } else for (let x = 0; x < V; x++) aV[a * V + x] = (aV[a * V + x] as number) + (this.v[o + x] as number)
        // Per ad set.
        const set = this.adSet[b] as number
        let c = setChain.get(set)
        let s = -1
        if (c)
          for (let k = c.head; k > 0; k = sNext[k - 1] as number)
            if (sKey[k - 1] === key) {
              s = k - 1
              break
            }
        if (s < 0) {
          s = sn++
          if (s >= sKey.length) {
            sKey = grow(sKey, s + 1)
            sNext = grow(sNext, s + 1)
            sV = grow(sV, (s + 1) * V)
          }
          sKey[s] = key
          sNext[s] = 0
          for (let x = 0; x < V; x++) sV[s * V + x] = this.v[o + x] as number
          if (c) {
            sNext[c.tail - 1] = s + 1
            c.tail = s + 1
          } else {
            setChain.set(set, (c = { head: s + 1, tail: s + 1 }))
            setOrder.push(set)
          }
        } else for (let x = 0; x < V; x++) sV[s * V + x] = (sV[s * V + x] as number) + (this.v[o + x] as number)
      }
      const t: Totals = { ...EMPTY_TOTALS }
      for (let a = 0; a < aKey.length; a++) addRaw(t, aV, a * V, aKey[a] as number, scope, idx)
      ad.set(id, t)
    }
    yield
    done = 0
    for (const set of setOrder) {
      if (++done % ADS_PER_STEP === 0) yield
      const t: Totals = { ...EMPTY_TOTALS }
      for (let k = (setChain.get(set) as { head: number }).head; k > 0; k = sNext[k - 1] as number)
        addRaw(t, sV, (k - 1) * V, sKey[k - 1] as number, scope, idx)
      adSetTotals.set(set, t)
    }
    return { ad, ad_set: adSetTotals }
  }
}

/** Adds one (month, currency) raw sum into totals, converted at its month (as `addBucket`). */
function addRaw(t: Totals, v: ArrayLike<number>, o: number, key: number, scope: AdWindowScope, idx: MonthIndex): void {
  const month = idx.months[Math.floor(key / 64)] as string
  const currency = idx.currencies[key % 64] as string
  t.spendMicros += scope.convert(v[o] as number, currency, month)
  t.revenueMicros += scope.convert(v[o + 4] as number, currency, month)
  t.impressions += v[o + 1] as number
  t.clicks += v[o + 2] as number
  t.conversions = Math.round((t.conversions + (v[o + 3] as number)) * 1e6) / 1e6
  t.videoViews += v[o + 5] as number
}
