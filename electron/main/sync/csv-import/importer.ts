import { PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import { microsToDecimalString } from '../../../../shared/domain/money'
import { AppError } from '../../../../shared/ipc/result'
import type { Sqlite } from '../../store/db'
import { MetricsRepo, type DailyMetricInput } from '../../store/repos/metrics-repo'
import { EntityWriter } from '../../store/sync-writer/entity-writer'
import type { CsvMapping } from './detect'
import { parseCsv, type CsvRow, type RowError } from './parse'

export interface ImportPlan {
  headers: string[]
  mapping: CsvMapping | null
  rowCount: number
  adDays: number
  skippedSynced: number
  sample: Record<string, string>[]
  errors: RowError[]
  totals: {
    spend: string
    impressions: number
    clicks: number
    conversions: number
    conversionValue: string
    currency: string
  } | null
  from: string | null
  to: string | null
  /** Aggregated ad-days to write (only when there are no errors). */
  writes: ImportWrite[]
}

interface ImportWrite {
  /** A synced ad this row belongs to, or null for the workspace's import account. */
  adId: number | null
  currency: string
  path: [CsvRow['campaign'], CsvRow['adSet'], CsvRow['ad']]
  date: string
  sums: Omit<CsvRow, 'line' | 'date' | 'currency' | 'campaign' | 'adSet' | 'ad'>
}

interface SyncedAd {
  adId: number
  accountId: number
  campaignId: number
  adSetId: number
  key: string
}

const key = (...parts: string[]): string => parts.join('\u0001')

/**
 * CSV import, all or nothing. The rule that keeps imported rows from double-counting synced
 * ones (tested in importer.test.ts):
 *  - A CSV line that identifies an ad already synced into the workspace (by ad id, or by the
 *    exact campaign / ad set / ad names) is keyed to that ad's (ad_id, date). If the platform
 *    already delivered that day, the synced row wins and the CSV line is skipped; otherwise it is
 *    written with source='import', and the next sync of that window replaces it.
 *  - Campaign- or ad-set-level lines for a campaign that is synced are refused (they would add
 *    to the synced ad rows): import those into a workspace of their own.
 *  - Everything else goes to the workspace's import account for (platform, currency), keyed by
 *    ids or names, so re-importing the same file overwrites instead of adding.
 * Breakdown lines of one ad-day (age, gender, ...) are summed before writing.
 */
export class CsvImporter {
  private readonly metrics: MetricsRepo
  private readonly entities: EntityWriter
  constructor(
    private readonly sqlite: Sqlite,
    now: () => Date,
  ) {
    this.metrics = new MetricsRepo(sqlite)
    this.entities = new EntityWriter(sqlite, now)
  }

  private syncedAds(
    workspaceId: number,
    platform: PlatformId,
  ): { byId: Map<string, SyncedAd>; byName: Map<string, SyncedAd>; campaigns: Set<string> } {
    const rows = this.sqlite
      .prepare(
        `SELECT x.id AS ad_id, x.account_id, x.campaign_id, x.ad_set_id, x.external_id, x.name AS ad_name,
           s.name AS set_name, c.name AS campaign_name, c.external_id AS campaign_ext
         FROM ads x JOIN ad_sets s ON s.id = x.ad_set_id JOIN campaigns c ON c.id = x.campaign_id
         JOIN ad_accounts a ON a.id = x.account_id
         WHERE a.workspace_id = ? AND a.platform = ? AND a.connection_id IS NOT NULL`,
      )
      .all(workspaceId, platform) as Record<string, string | number>[]
    const byId = new Map<string, SyncedAd>()
    const byName = new Map<string, SyncedAd>()
    const campaigns = new Set<string>()
    for (const r of rows) {
      const ad: SyncedAd = {
        adId: r.ad_id as number,
        accountId: r.account_id as number,
        campaignId: r.campaign_id as number,
        adSetId: r.ad_set_id as number,
        key: '',
      }
      byId.set(String(r.external_id), ad)
      byName.set(key(String(r.campaign_name), String(r.set_name), String(r.ad_name)), ad)
      campaigns.add(String(r.campaign_name))
      campaigns.add(`id:${String(r.campaign_ext)}`)
    }
    return { byId, byName, campaigns }
  }

  /** Parse, validate and plan an import without writing anything. */
  plan(workspaceId: number, content: string, want: 'auto' | 'meta' | 'google' | CsvMapping): ImportPlan {
    const parsed = parseCsv(content, want)
    const base = {
      headers: parsed.headers,
      mapping: parsed.mapping,
      rowCount: parsed.rows.length,
      sample: parsed.sample,
    }
    const errors = [...parsed.errors]
    if (!parsed.mapping)
      return { ...base, adDays: 0, skippedSynced: 0, errors, totals: null, from: null, to: null, writes: [] }
    const mapping = parsed.mapping
    const synced = this.syncedAds(workspaceId, mapping.platform)
    const existsSynced = this.sqlite.prepare(
      `SELECT 1 FROM daily_metrics WHERE account_id = ? AND date = ? AND ad_id = ? AND source != 'import'`,
    )
    const agg = new Map<string, ImportWrite>()
    let skippedSynced = 0
    for (const r of parsed.rows) {
      let adId: number | null = null
      let adAccountId = 0
      if (mapping.level === 'ad') {
        const hit =
          (r.ad.id ? synced.byId.get(r.ad.id) : undefined) ??
          synced.byName.get(key(r.campaign.name, r.adSet.name, r.ad.name))
        if (hit) {
          adId = hit.adId
          adAccountId = hit.accountId
        }
      } else if (
        synced.campaigns.has(r.campaign.name) ||
        (r.campaign.id && synced.campaigns.has(`id:${r.campaign.id}`))
      ) {
        errors.push({
          row: r.line,
          column: mapping.columns.campaign,
          message: `Campaign "${r.campaign.name}" is synced at ad level in this workspace; import ${mapping.level}-level rows into a separate workspace`,
        })
        continue
      }
      if (adId !== null && existsSynced.get(adAccountId, r.date, adId)) {
        skippedSynced++
        continue
      }
      const k =
        adId !== null
          ? key('ad', String(adId), r.date)
          : key(r.currency, r.campaign.id ?? r.campaign.name, r.adSet.id ?? r.adSet.name, r.ad.id ?? r.ad.name, r.date)
      const w = agg.get(k)
      if (!w) {
        agg.set(k, {
          adId,
          currency: r.currency,
          path: [r.campaign, r.adSet, r.ad],
          date: r.date,
          sums: {
            spendMicros: r.spendMicros,
            impressions: r.impressions,
            clicks: r.clicks,
            reach: r.reach,
            conversions: r.conversions,
            conversionValueMicros: r.conversionValueMicros,
            videoViews: r.videoViews,
          },
        })
      } else {
        const s = w.sums
        s.spendMicros += r.spendMicros
        s.impressions += r.impressions
        s.clicks += r.clicks
        s.reach += r.reach
        s.conversions += r.conversions
        s.conversionValueMicros += r.conversionValueMicros
        s.videoViews += r.videoViews
      }
    }
    const writes = [...agg.values()]
    const currencies = new Set(writes.map((w) => w.currency))
    const t = writes.reduce(
      (a, w) => ({
        spend: a.spend + w.sums.spendMicros,
        imp: a.imp + w.sums.impressions,
        clicks: a.clicks + w.sums.clicks,
        conv: a.conv + w.sums.conversions,
        value: a.value + w.sums.conversionValueMicros,
      }),
      { spend: 0, imp: 0, clicks: 0, conv: 0, value: 0 },
    )
    const dates = writes.map((w) => w.date).sort()
    return {
      ...base,
      adDays: writes.length,
      skippedSynced,
      errors,
      totals:
        currencies.size === 1
          ? {
              spend: microsToDecimalString(t.spend),
              impressions: t.imp,
              clicks: t.clicks,
              conversions: Math.round(t.conv * 1e6) / 1e6,
              conversionValue: microsToDecimalString(t.value),
              currency: [...currencies][0] as string,
            }
          : null,
      from: dates[0] ?? null,
      to: dates.at(-1) ?? null,
      writes,
    }
  }

  /** Write a plan in one transaction (refused when it has errors); returns ad-days written. */
  commit(workspaceId: number, plan: ImportPlan): { rows: number; accounts: number[] } {
    if (!plan.mapping) throw new AppError('VALIDATION', 'No column mapping: nothing was imported')
    if (plan.errors.length) {
      const first = plan.errors.slice(0, 3).map((e) => `line ${e.row}${e.column ? ` (${e.column})` : ''}: ${e.message}`)
      throw new AppError(
        'VALIDATION',
        `The file has ${plan.errors.length} error(s); nothing was imported. ${first.join('; ')}`,
        { errors: plan.errors.slice(0, 100) },
      )
    }
    const mapping = plan.mapping
    const touched = new Map<number, { from: string; to: string }>()
    const note = (accountId: number, date: string): void => {
      const t = touched.get(accountId)
      if (!t) touched.set(accountId, { from: date, to: date })
      else {
        if (date < t.from) t.from = date
        if (date > t.to) t.to = date
      }
    }
    let rows = 0
    this.sqlite.transaction(() => {
      const inputs: DailyMetricInput[] = []
      const adRow = this.sqlite.prepare('SELECT account_id, campaign_id, ad_set_id FROM ads WHERE id = ?')
      const byCurrency = new Map<string, ImportWrite[]>()
      for (const w of plan.writes) {
        if (w.adId !== null) {
          const a = adRow.get(w.adId) as { account_id: number; campaign_id: number; ad_set_id: number }
          inputs.push({
            adId: w.adId,
            date: w.date,
            accountId: a.account_id,
            campaignId: a.campaign_id,
            adSetId: a.ad_set_id,
            ...w.sums,
            provisional: false,
            source: 'import',
          })
          note(a.account_id, w.date)
        } else byCurrency.set(w.currency, [...(byCurrency.get(w.currency) ?? []), w])
      }
      for (const [currency, ws] of byCurrency) {
        const accountId = this.entities.upsertAccount(workspaceId, mapping.platform, null, {
          externalId: `csv:${mapping.platform}:${currency}`,
          name: `${PLATFORM_LABELS[mapping.platform]} import (${currency})`,
          currency,
          // CSV dates are already the ad account's local dates; they are stored as written.
          timeZone: 'UTC',
          status: 'active',
        })
        const ext = (p: { id: string | null; name: string }, prefix: string): string =>
          `csv:${prefix}:${p.id ?? p.name}`
        const camps = new Map<string, { externalId: string; name: string }>()
        const sets = new Map<string, { externalId: string; campaignExternalId: string; name: string }>()
        const ads = new Map<
          string,
          { externalId: string; adSetExternalId: string; campaignExternalId: string; name: string }
        >()
        for (const w of ws) {
          const [c, s, a] = w.path
          const cx = ext(c, 'c')
          const sx = `${cx}/${ext(s, 's')}`
          const ax = `${sx}/${ext(a, 'a')}`
          camps.set(cx, { externalId: cx, name: c.name })
          sets.set(sx, { externalId: sx, campaignExternalId: cx, name: s.name })
          ads.set(ax, { externalId: ax, adSetExternalId: sx, campaignExternalId: cx, name: a.name })
        }
        const ids = this.entities.upsertStructure(
          accountId,
          [...camps.values()].map((c) => ({
            ...c,
            objective: 'sales',
            status: 'active',
            dailyBudgetMicros: null,
            startDate: null,
            endDate: null,
          })),
          [...sets.values()].map((s) => ({ ...s, status: 'active', dailyBudgetMicros: null })),
          [...ads.values()].map((a) => ({
            ...a,
            status: 'active',
            launchDate: null,
            creative: { externalId: `${a.externalId}#creative`, format: 'image', headline: null, thumbnailUrl: null },
          })),
        )
        for (const w of ws) {
          const [c, s, a] = w.path
          const cx = ext(c, 'c')
          const sx = `${cx}/${ext(s, 's')}`
          const ax = `${sx}/${ext(a, 'a')}`
          inputs.push({
            adId: ids.ads.get(ax) as number,
            date: w.date,
            accountId,
            campaignId: ids.campaigns.get(cx) as number,
            adSetId: ids.adSets.get(sx) as number,
            ...w.sums,
            provisional: false,
            source: 'import',
          })
          note(accountId, w.date)
        }
      }
      rows = this.metrics.upsert(inputs)
      for (const [accountId, span] of touched) this.metrics.refreshRollups(accountId, span.from, span.to)
    })()
    return { rows, accounts: [...touched.keys()] }
  }
}
