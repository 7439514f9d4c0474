import { SeededRandom } from '../shared/experiments/random'
import { SequentialProportionTest, twoProportionZTest } from '../shared/experiments/stats'
import { median, type Bench } from './types'

/** Simulated tests, each looked at daily: users per variant per day, base conversion rate, days. */
const TESTS = 1000
const DAYS = 28
const USERS_PER_DAY = 1200
const BASE_RATE = 0.05
const LIFT = 0.1
const ALPHA = 0.05

interface Run {
  /** Naive: the fixed-horizon z-test checked every day; stop at the first p < α. */
  naiveDay: number | null
  /** Sequential: stop the first day the always-valid p-value is below α. */
  sequentialDay: number | null
  /** The z-test once, at the planned end (day 28). */
  fixedAtEnd: boolean
}

function simulate(rnd: SeededRandom, rateB: number): Run {
  const seq = new SequentialProportionTest(ALPHA, LIFT)
  const a = { conversions: 0, n: 0 }
  const b = { conversions: 0, n: 0 }
  let naiveDay: number | null = null
  let sequentialDay: number | null = null
  let fixedAtEnd = false
  for (let day = 1; day <= DAYS; day++) {
    a.n += USERS_PER_DAY
    b.n += USERS_PER_DAY
    a.conversions += rnd.binomial(USERS_PER_DAY, BASE_RATE)
    b.conversions += rnd.binomial(USERS_PER_DAY, rateB)
    const p = twoProportionZTest(a, b).pValue
    if (naiveDay === null && p < ALPHA) naiveDay = day
    if (day === DAYS) fixedAtEnd = p < ALPHA
    if (sequentialDay === null && seq.look(a, b).pValue < ALPHA) sequentialDay = day
  }
  return { naiveDay, sequentialDay, fixedAtEnd }
}

const round = (x: number): number => Math.round(x * 10000) / 10000

/**
 * The experiments bench (issue 16): 1,000 simulated A/A tests looked at daily for 28 days — the
 * naive daily z-test's false-positive rate against the mSPRT's always-valid one (target ≤ 0.05) —
 * and 1,000 A/B tests with a real 10% lift for the sequential method's power.
 */
export const experimentsBench: Bench = {
  name: 'experiments',
  description: `A/B test statistics: ${TESTS} A/A tests peeked daily for ${DAYS} days (false positives) and ${TESTS} A/B tests with a real ${LIFT * 100}% lift (power)`,
  async run({ log }) {
    const t0 = performance.now()
    const rnd = new SeededRandom(20261204)
    const aa = Array.from({ length: TESTS }, () => simulate(rnd, BASE_RATE))
    log(`A/A done in ${Math.round(performance.now() - t0)} ms`)
    const ab = Array.from({ length: TESTS }, () => simulate(rnd, BASE_RATE * (1 + LIFT)))
    const share = (runs: Run[], pick: (r: Run) => boolean): number => round(runs.filter(pick).length / runs.length)
    const stops = ab.map((r) => r.sequentialDay).filter((d): d is number => d !== null)
    const sequentialFpr = share(aa, (r) => r.sequentialDay !== null)
    return {
      aa_tests: TESTS,
      naive_fpr: share(aa, (r) => r.naiveDay !== null),
      sequential_fpr: sequentialFpr,
      power: share(ab, (r) => r.sequentialDay !== null),
      // Context: the same tests read once at day 28 (what the naive test's α is valid for).
      fixed_horizon_fpr: share(aa, (r) => r.fixedAtEnd),
      fixed_horizon_power: share(ab, (r) => r.fixedAtEnd),
      naive_power: share(ab, (r) => r.naiveDay !== null),
      sequential_median_stop_day: stops.length ? median(stops) : null,
      sequential_fpr_target_met: sequentialFpr <= ALPHA,
      days: DAYS,
      users_per_variant_per_day: USERS_PER_DAY,
      base_rate: BASE_RATE,
      lift: LIFT,
      alpha: ALPHA,
      seconds: round((performance.now() - t0) / 1000),
    }
  },
}
