import { PLATFORM_LABELS } from '../../../../shared/domain/entities'
import { isSeasonalPeak } from '../../analytics/anomaly-detector'
import type { Calendar } from './calendar'
import type { AccountModel } from './model'
import type { Rng } from './rng'
import type { AnomalyKind, InjectedAnomaly, SimCampaign } from './types'

interface AnomalySpec {
  kind: AnomalyKind
  accountKey: string
  length: readonly [number, number]
  metric: InjectedAnomaly['metric']
  spend?: number
  ctr?: number
  cvr?: number
  /**
   * Still going on the last days of data (no clean days after it): what an alert is for. Placed
   * after the others, so the rest of the world draws the same dates as before.
   */
  current?: boolean
  story: (target: string, when: string) => string
}

/** One anomaly per demo account, so detectors must cope with every platform's noise profile. */
const SPECS: readonly AnomalySpec[] = [
  {
    kind: 'tracking_outage',
    accountKey: 'meta-1',
    length: [2, 3],
    metric: 'conversions',
    story: (t, w) =>
      `Tracking outage on ${t}: the purchase pixel stopped firing after a website release, so almost no conversions were recorded ${w} while spend and clicks stayed normal.`,
  },
  {
    kind: 'spend_spike',
    accountKey: 'google-2',
    length: [1, 2],
    metric: 'spend',
    spend: 3,
    current: true,
    story: (t, w) =>
      `Spend spike on ${t}: a budget edit with an extra zero let the campaign spend about 3x its usual daily amount ${w}; conversions did not keep pace, so CPA rose too.`,
  },
  {
    kind: 'cpa_jump',
    accountKey: 'meta-2',
    length: [5, 7],
    metric: 'cpa',
    cvr: 0.42,
    story: (t, w) =>
      `CPA jump on ${t}: a checkout bug after a shop update cut the conversion rate by more than half ${w}, so cost per purchase roughly doubled while clicks held steady.`,
  },
  {
    kind: 'ctr_drop',
    accountKey: 'tiktok-1',
    length: [4, 6],
    metric: 'ctr',
    ctr: 0.45,
    story: (t, w) =>
      `CTR drop on ${t}: the best-performing videos were rejected in a policy review and weaker replacements ran ${w}, cutting click-through rate by about half.`,
  },
  {
    kind: 'cpa_jump',
    accountKey: 'google-1',
    length: [4, 6],
    metric: 'cpa',
    cvr: 0.5,
    story: (t, w) =>
      `CPA jump on ${t}: the landing page slowed to over 6 seconds after a CMS update ${w}, so the conversion rate halved and cost per conversion doubled.`,
  },
  {
    kind: 'ctr_drop',
    accountKey: 'snapchat-1',
    length: [4, 6],
    metric: 'ctr',
    ctr: 0.5,
    story: (t, w) =>
      `CTR drop on ${t}: a creative refresh shipped with a blank first frame ${w}, so click-through rate fell by about half until it was fixed.`,
  },
]

/** Baseline days kept clean before/after an anomaly, so detectors have something to compare to. */
const BEFORE = 21
const AFTER = 10
/** Anomalies stay inside the last year of the window. */
const RECENT_DAYS = 365
const ATTEMPTS = 400
/** A current anomaly ends this many days before the last day of data at most (1 = on the day before it). */
const CURRENT_END_WITHIN = 3

/**
 * Picks dates and targets with the world RNG (after all entities are drawn, so adding anomalies
 * never reshuffles the world) and writes the effects into the account/campaign models.
 */
export function placeAnomalies(
  rng: Rng,
  cal: Calendar,
  accounts: ReadonlyMap<string, AccountModel>,
  campaignsById: ReadonlyMap<string, SimCampaign>,
): InjectedAnomaly[] {
  const out: InjectedAnomaly[] = []
  const reserved: (readonly [number, number])[] = []
  const regionLo = Math.max(BEFORE, cal.days - RECENT_DAYS)

  for (const spec of [...SPECS.filter((s) => !s.current), ...SPECS.filter((s) => s.current)]) {
    const acc = accounts.get(spec.accountKey)
    if (acc === undefined) continue
    const ranked = acc.campaigns
      .filter((c) => c.salesLike && c.anomaly === null)
      .sort((a, b) => b.budgetMicros - a.budgetMicros)
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      // Biggest campaigns first so the effect clears the Poisson noise; widen the pool on failure.
      const target = ranked[rng.int(0, Math.min(ranked.length, 1 + Math.floor(attempt / 40)) - 1)]
      if (target === undefined) break
      const len = rng.int(spec.length[0], spec.length[1])
      const last = Math.min(cal.days - 1, target.lastDay)
      // A current anomaly needs a campaign still running, and ends within the last few days.
      if (spec.current && last < cal.days - 1) continue
      const hi = spec.current ? last - len : last - AFTER - len + 1
      const lo = spec.current
        ? Math.max(regionLo, target.firstDay + BEFORE, hi - CURRENT_END_WITHIN + 1)
        : Math.max(regionLo, target.firstDay + BEFORE)
      if (hi < lo) continue
      const from = rng.int(lo, hi)
      const to = from + len - 1
      if (spec.current) {
        // Outside the retail peaks, where the detector (rightly) expects big moves; a demo built
        // in cyber week or at Christmas has no current anomaly.
        if (cal.dates.slice(from, to + 1).some(isSeasonalPeak)) continue
      } else if (touchesHoliday(cal, from - BEFORE, to + AFTER)) continue
      // Clean days around each anomaly; a current one (another account) only keeps off the others' days.
      const clash = spec.current
        ? reserved.some(([a, b]) => from <= b && to >= a)
        : reserved.some(([a, b]) => from - BEFORE <= b && to + AFTER >= a)
      if (clash) continue

      const when = from === to ? `on ${cal.dates[from]}` : `from ${cal.dates[from]} to ${cal.dates[to]}`
      const platform = PLATFORM_LABELS[acc.account.platform]
      let campaignExternalId: string | null = null
      let label = `${acc.account.name} (${platform})`
      if (spec.kind === 'tracking_outage') {
        acc.outageFrom = from
        acc.outageTo = to
      } else {
        target.anomaly = { from, to, spend: spec.spend ?? 1, ctr: spec.ctr ?? 1, cvr: spec.cvr ?? 1 }
        campaignExternalId = target.id
        const name = campaignsById.get(target.id)?.name ?? target.id
        label = `"${name}" (${platform}, ${acc.account.name})`
      }
      reserved.push([from, to])
      out.push({
        kind: spec.kind,
        accountKey: acc.account.key,
        campaignExternalId,
        startDate: cal.dates[from] ?? '',
        endDate: cal.dates[to] ?? '',
        metric: spec.metric,
        description: spec.story(label, when),
      })
      break
    }
  }
  return out.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0))
}

function touchesHoliday(cal: Calendar, from: number, to: number): boolean {
  for (let i = Math.max(0, from); i <= Math.min(cal.days - 1, to); i++) if (cal.holiday[i] === 1) return true
  return false
}
