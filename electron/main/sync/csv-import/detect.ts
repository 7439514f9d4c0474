import type { CsvMappingDto } from '../../../../shared/ipc/contracts/sync'

export type CsvMapping = CsvMappingDto

const norm = (h: string): string => h.trim().toLowerCase()

function find(headers: string[], ...names: (string | RegExp)[]): string | undefined {
  for (const n of names) {
    const hit = headers.find((h) => (typeof n === 'string' ? norm(h) === n : n.test(h.trim())))
    if (hit !== undefined) return hit
  }
  return undefined
}

/** Meta Ads Manager export: "Campaign name", "Day" / "Reporting starts", "Amount spent (USD)". */
export function detectMeta(headers: string[]): CsvMapping | null {
  const campaign = find(headers, 'campaign name')
  const spend = headers.find((h) => /^Amount spent \(([A-Z]{3})\)$/.test(h.trim()))
  const date = find(headers, 'day', 'reporting starts')
  if (!campaign || !spend || !date) return null
  const currency = /\(([A-Z]{3})\)/.exec(spend)?.[1] ?? 'USD'
  const adSet = find(headers, 'ad set name')
  const ad = find(headers, 'ad name')
  const opt = <K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> =>
    v ? ({ [k]: v } as Record<K, string>) : {}
  return {
    kind: 'meta',
    platform: 'meta',
    columns: {
      date,
      campaign,
      ...opt('adSet', adSet),
      ...opt('ad', ad),
      ...opt('campaignId', find(headers, 'campaign id')),
      ...opt('adSetId', find(headers, 'ad set id')),
      ...opt('adId', find(headers, 'ad id')),
      spend,
      ...opt('impressions', find(headers, 'impressions')),
      // The API's `clicks` is all clicks; link clicks are a subset.
      ...opt('clicks', find(headers, 'clicks (all)', 'link clicks')),
      ...opt('reach', find(headers, 'reach')),
      ...opt('conversions', find(headers, 'purchases', 'website purchases')),
      ...opt('conversionValue', find(headers, 'purchases conversion value', 'website purchases conversion value')),
      ...opt('videoViews', find(headers, 'thruplays', '3-second video plays')),
    },
    dateFormat: 'YYYY-MM-DD',
    currency,
    level: ad ? 'ad' : adSet ? 'ad_set' : 'campaign',
    moneyUnit: 'units',
  }
}

/** Google Ads report export: "Day", "Campaign", "Cost", "Impr." (optionally "Ad group", "Currency code"). */
export function detectGoogle(headers: string[]): CsvMapping | null {
  const campaign = find(headers, 'campaign')
  const date = find(headers, 'day', 'date')
  const cost = find(headers, 'cost')
  const impressions = find(headers, 'impr.', 'impressions')
  if (!campaign || !date || !cost || !impressions) return null
  const adSet = find(headers, 'ad group')
  const ad = find(headers, 'ad id', 'ad')
  const opt = <K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> =>
    v ? ({ [k]: v } as Record<K, string>) : {}
  return {
    kind: 'google',
    platform: 'google_ads',
    columns: {
      date,
      campaign,
      ...opt('adSet', adSet),
      ...opt('ad', ad),
      ...opt('campaignId', find(headers, 'campaign id')),
      ...opt('adSetId', find(headers, 'ad group id')),
      ...opt('adId', find(headers, 'ad id')),
      spend: cost,
      impressions,
      ...opt('clicks', find(headers, 'clicks')),
      ...opt('conversions', find(headers, 'conversions')),
      ...opt('conversionValue', find(headers, 'conv. value', 'conversion value', 'all conv. value')),
      ...opt('videoViews', find(headers, 'views', 'video views')),
      ...opt('currency', find(headers, 'currency code', 'currency')),
    },
    dateFormat: 'YYYY-MM-DD',
    currency: 'USD',
    level: ad ? 'ad' : adSet ? 'ad_set' : 'campaign',
    moneyUnit: 'units',
  }
}

/** Detect a known export by its headers (`auto`), or force one. */
export function detectMapping(headers: string[], want: 'auto' | 'meta' | 'google'): CsvMapping | null {
  if (want === 'meta') return detectMeta(headers)
  if (want === 'google') return detectGoogle(headers)
  return detectMeta(headers) ?? detectGoogle(headers)
}
