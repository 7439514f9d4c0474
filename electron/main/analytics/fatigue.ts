import type { z } from 'zod'
import type { FatigueSummarySchema } from '../../../shared/ipc/contracts/analytics-insights'
import { weightedLine } from './stats'

type FatigueSummary = z.infer<typeof FatigueSummarySchema>

/** One ad-day since launch. */
export interface AdDay {
  date: string
  impressions: number
  clicks: number
}

/** CTR relative to launch below which an ad counts as fatigued. */
export const FATIGUE_LINE = 0.7
const MIN_DAYS = 7
const MIN_IMPRESSIONS = 20_000

/**
 * Fit log(CTR) = a + b * cumulative impressions (millions, before the day), weighted by each day's
 * impressions, i.e. an exponential decay of CTR with exposure. State from the fitted CTR now
 * relative to launch; days until fatigue from the recent 7-day delivery pace.
 */
export function fitFatigue(days: AdDay[]): FatigueSummary & { cum: number[]; fitted: number[] | null } {
  let cum = 0
  const cums: number[] = []
  const xs: number[] = []
  const ys: number[] = []
  const ws: number[] = []
  for (const d of days) {
    cums.push(cum)
    if (d.impressions >= 200 && d.clicks > 0) {
      xs.push(cum / 1e6)
      ys.push(Math.log(d.clicks / d.impressions))
      ws.push(d.impressions)
    }
    cum += d.impressions
  }
  const recent = days.slice(-7)
  const recentImpr = recent.reduce((a, d) => a + d.impressions, 0)
  const currentCtr = recentImpr > 0 ? recent.reduce((a, d) => a + d.clicks, 0) / recentImpr : null
  const base = { currentCtr, cum: cums }
  const fit = xs.length >= MIN_DAYS && cum >= MIN_IMPRESSIONS ? weightedLine(xs, ys, ws) : null
  if (!fit) {
    return {
      ...base,
      state: 'insufficient_data',
      initialCtr: null,
      decayPerMillion: null,
      daysUntilFatigue: null,
      explanation: `Not enough delivery yet to fit a decay (needs ${MIN_DAYS} days and ${MIN_IMPRESSIONS.toLocaleString('en-US')} impressions).`,
      fitted: null,
    }
  }
  const initialCtr = Math.exp(fit.a)
  const nowM = cum / 1e6
  const relNow = Math.exp(fit.b * nowM)
  const decayPerMillion = 1 - Math.exp(fit.b)
  const fitted = cums.map((c) => Math.exp(fit.a + (fit.b * c) / 1e6))
  const dailyPace = recentImpr / Math.max(1, recent.length)
  let daysUntil: number | null = null
  if (fit.b < 0) {
    const fatigueAtM = Math.log(FATIGUE_LINE) / fit.b
    // Not yet at the line means at least one more day, however close.
    daysUntil =
      relNow <= FATIGUE_LINE
        ? 0
        : dailyPace > 0
          ? Math.max(1, Math.ceil(((fatigueAtM - nowM) * 1e6) / dailyPace))
          : null
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`
  let state: FatigueSummary['state']
  let explanation: string
  if (fit.b < 0 && relNow <= FATIGUE_LINE) {
    state = 'fatigued'
    explanation = `CTR has decayed to ${Math.round(relNow * 100)}% of its launch level (${pct(initialCtr)} → ${pct(initialCtr * relNow)}) after ${Math.round(cum).toLocaleString('en-US')} impressions: refresh the creative.`
  } else if (fit.b < 0 && relNow < 0.9) {
    state = 'declining'
    explanation = `CTR is ${Math.round((1 - relNow) * 100)}% below launch and falling ${Math.round(decayPerMillion * 100)}% per million impressions${daysUntil !== null ? `; about ${daysUntil} days to the fatigue line at the current pace` : ''}.`
  } else if (days.length < 14) {
    state = 'fresh'
    explanation = `Launched ${days.length} days ago; CTR ${pct(initialCtr)} and holding.`
  } else {
    state = 'stable'
    explanation = `No meaningful CTR decay with exposure (${pct(initialCtr * relNow)} now).`
  }
  return { ...base, state, initialCtr, decayPerMillion, daysUntilFatigue: daysUntil, explanation, fitted }
}
