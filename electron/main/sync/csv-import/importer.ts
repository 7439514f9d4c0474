import { PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import { microsToDecimalString } from '../../../../shared/domain/money'
import { AppError } from '../../../../shared/ipc/result'
import type { Sqlite } from '../../store/db'
import { ImportRepo, type MetricKey } from '../../store/repos/import-repo'
import { CampaignDays, monthSplits } from '../../store/repos/cumulative-rollup'
import { MetricsRepo, type DailyMetricInput } from '../../store/repos/metrics-repo'
import { addDays, daysBetween } from '../../../../shared/domain/dates'
import { EntityWriter } from '../../store/sync-writer/entity-writer'
import type { CsvMapping } from './detect'
import { parseCsv, type CsvRow, type RowError } from './parse'
import { yieldNow } from '../../scheduler/slices'

/** Ad-days written per transaction (each is a few milliseconds; the event loop runs in between). */
export const IMPORT_SLICE_ROWS = 1_000
/**
 * Ads whose month (`ad_month`, `ad_month_days`) an import rebuilds per transaction at its end: at
 * most ~31,000 rows of a month, found by key. On the large demo's biggest account (September, under a
 * CI run, load 3.5): the whole month in one transaction 1,517 ms; 33 pieces of 1,000 ads 854 ms in all,
 * the longest 73 ms (2,000 ads: 122 ms).
 */
export const IMPORT_REFRESH_ADS = 1_000
/** Lines planned between pauses. */
const PLAN_SLICE_LINES = 1_000

/** How an import lets other work run and reports progress. */
export interface ImportPacing {
  /** Await between slices (default: one turn of the event loop). */
  pause?: () => Promise<void>
  signal?: AbortSignal
  progress?: (step: string, current: number, total: number) => void
}

// One turn of the event loop, taking turns with the thread's other sliced work (scheduler/slices.ts).
const nextTurn = yieldNow

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
 *
 * Scale and atomicity: parsing, planning and writing are linear and run in slices with a turn of
 * the event loop between them (`ImportPacing`), so the core keeps answering during a large import.
 * Writes go in transactions of `IMPORT_SLICE_ROWS` ad-days; before a slice overwrites rows it
 * copies them into an undo journal, so an import that fails or is cancelled part-way puts every
 * row back and removes the entities it created: the user sees all of it or none of it (a crash
 * part-way is completed instead: the job runs again from its file at restart).
 */
export class CsvImporter {
  private readonly metrics: MetricsRepo
  private readonly entities: EntityWriter
  private readonly repo: ImportRepo
  /** Imports write one at a time (the undo journal and `removeCreated` rely on it). */
  private queue: Promise<unknown> = Promise.resolve()
  constructor(
    private readonly sqlite: Sqlite,
    now: () => Date,
  ) {
    this.metrics = new MetricsRepo(sqlite)
    this.entities = new EntityWriter(sqlite, now)
    this.repo = new ImportRepo(sqlite)
  }

  private syncedAds(
    workspaceId: number,
    platform: PlatformId,
  ): { byId: Map<string, SyncedAd>; byName: Map<string, SyncedAd>; campaigns: Set<string> } {
    const byId = new Map<string, SyncedAd>()
    const byName = new Map<string, SyncedAd>()
    const campaigns = new Set<string>()
    for (const r of this.repo.syncedAds(workspaceId, platform)) {
      const ad: SyncedAd = {
        adId: r.adId,
        accountId: r.accountId,
        campaignId: r.campaignId,
        adSetId: r.adSetId,
        key: '',
      }
      byId.set(String(r.externalId), ad)
      byName.set(key(String(r.campaignName), String(r.setName), String(r.adName)), ad)
      campaigns.add(String(r.campaignName))
      campaigns.add(`id:${String(r.campaignExternalId)}`)
    }
    return { byId, byName, campaigns }
  }

  /** Parse, validate and plan an import without writing anything. */
  async plan(
    workspaceId: number,
    content: string,
    want: 'auto' | 'meta' | 'google' | CsvMapping,
    pacing: ImportPacing = {},
  ): Promise<ImportPlan> {
    const pause = pacing.pause ?? nextTurn
    const parsed = await parseCsv(content, want, {
      pause: async (done, total) => {
        pacing.progress?.('Validating', done, total)
        await pause()
      },
    })
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
    await pause()
    const existsSynced = this.repo.syncedRowExists()
    const agg = new Map<string, ImportWrite>()
    let skippedSynced = 0
    let n = 0
    for (const r of parsed.rows) {
      if (++n % PLAN_SLICE_LINES === 0) await pause()
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
      if (adId !== null && existsSynced(adAccountId, r.date, adId)) {
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
    await pause()
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
    let from: string | null = null
    let to: string | null = null
    for (const w of writes) {
      if (from === null || w.date < from) from = w.date
      if (to === null || w.date > to) to = w.date
    }
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
      from,
      to,
      writes,
    }
  }

  /** Run `fn` after every import already writing has finished (imports write one at a time). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * Write a plan (refused when it has errors) in bounded transactions; returns ad-days written.
   * All or nothing: on an error or cancellation part-way every written slice is undone.
   */
  commit(
    workspaceId: number,
    plan: ImportPlan,
    pacing: ImportPacing = {},
  ): Promise<{ rows: number; accounts: number[] }> {
    if (!plan.mapping) throw new AppError('VALIDATION', 'No column mapping: nothing was imported')
    if (plan.errors.length) {
      const first = plan.errors.slice(0, 3).map((e) => `line ${e.row}${e.column ? ` (${e.column})` : ''}: ${e.message}`)
      throw new AppError(
        'VALIDATION',
        `The file has ${plan.errors.length} error(s); nothing was imported. ${first.join('; ')}`,
        { errors: plan.errors.slice(0, 100) },
      )
    }
    return this.serial(() => this.write(workspaceId, plan, plan.mapping as CsvMapping, pacing))
  }

  private async write(
    workspaceId: number,
    plan: ImportPlan,
    mapping: CsvMapping,
    pacing: ImportPacing,
  ): Promise<{ rows: number; accounts: number[] }> {
    const pause = pacing.pause ?? nextTurn
    const check = (): void => {
      if (pacing.signal?.aborted) throw new AppError('CONFLICT', 'The import was cancelled; nothing was imported')
    }
    const touched = new Map<number, { from: string; to: string }>()
    const note = (accountId: number, date: string): void => {
      const t = touched.get(accountId)
      if (!t) touched.set(accountId, { from: date, to: date })
      else {
        if (date < t.from) t.from = date
        if (date > t.to) t.to = date
      }
    }
    const since = this.repo.highestIds()
    this.repo.beginJournal()
    const written: MetricKey[] = []
    const total = plan.writes.length
    try {
      // 1. Resolve every write to its ad (creating the import accounts' structure, bounded per slice).
      const inputs: DailyMetricInput[] = []
      const parents = this.repo.adParents()
      const byCurrency = new Map<string, ImportWrite[]>()
      let n = 0
      for (const w of plan.writes) {
        if (++n % PLAN_SLICE_LINES === 0) await pause()
        if (w.adId !== null) {
          const a = parents(w.adId)
          inputs.push({ adId: w.adId, date: w.date, ...a, ...w.sums, provisional: false, source: 'import' })
        } else {
          let list = byCurrency.get(w.currency)
          if (!list) byCurrency.set(w.currency, (list = []))
          list.push(w)
        }
      }
      for (const [currency, ws] of byCurrency) {
        check()
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
        // The structure, grouped by campaign so each upsert names only its own parents.
        const byCampaign = new Map<
          string,
          {
            campaign: { externalId: string; name: string }
            sets: Map<string, { externalId: string; campaignExternalId: string; name: string }>
            ads: Map<string, { externalId: string; adSetExternalId: string; campaignExternalId: string; name: string }>
          }
        >()
        const paths: { w: ImportWrite; cx: string; sx: string; ax: string }[] = []
        let m = 0
        for (const w of ws) {
          if (++m % PLAN_SLICE_LINES === 0) await pause()
          const [c, s, a] = w.path
          const cx = ext(c, 'c')
          const sx = `${cx}/${ext(s, 's')}`
          const ax = `${sx}/${ext(a, 'a')}`
          let g = byCampaign.get(cx)
          if (!g)
            byCampaign.set(cx, (g = { campaign: { externalId: cx, name: c.name }, sets: new Map(), ads: new Map() }))
          g.sets.set(sx, { externalId: sx, campaignExternalId: cx, name: s.name })
          g.ads.set(ax, { externalId: ax, adSetExternalId: sx, campaignExternalId: cx, name: a.name })
          paths.push({ w, cx, sx, ax })
        }
        const ids = {
          campaigns: new Map<string, number>(),
          adSets: new Map<string, number>(),
          ads: new Map<string, number>(),
        }
        let group: (typeof byCampaign extends Map<string, infer G> ? G : never)[] = []
        let size = 0
        const flush = async (): Promise<void> => {
          if (!group.length) return
          const r = this.entities.upsertStructure(
            accountId,
            group.map((g) => ({
              ...g.campaign,
              objective: 'sales',
              status: 'active',
              dailyBudgetMicros: null,
              startDate: null,
              endDate: null,
            })),
            group.flatMap((g) =>
              [...g.sets.values()].map((s) => ({ ...s, status: 'active', dailyBudgetMicros: null })),
            ),
            group.flatMap((g) =>
              [...g.ads.values()].map((a) => ({
                ...a,
                status: 'active',
                launchDate: null,
                creative: {
                  externalId: `${a.externalId}#creative`,
                  format: 'image',
                  headline: null,
                  thumbnailUrl: null,
                },
              })),
            ),
          )
          for (const [k, v] of r.campaigns) ids.campaigns.set(k, v)
          for (const [k, v] of r.adSets) ids.adSets.set(k, v)
          for (const [k, v] of r.ads) ids.ads.set(k, v)
          group = []
          size = 0
          await pause()
          check()
        }
        for (const g of byCampaign.values()) {
          group.push(g)
          size += 1 + g.sets.size + g.ads.size
          if (size >= IMPORT_SLICE_ROWS) await flush()
        }
        await flush()
        let k = 0
        for (const { w, cx, sx, ax } of paths) {
          if (++k % PLAN_SLICE_LINES === 0) await pause()
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
        }
      }
      // 2. The rows, in key order, one bounded transaction per slice, each journalling what it overwrites.
      inputs.sort((a, b) =>
        a.accountId !== b.accountId
          ? a.accountId - b.accountId
          : a.date !== b.date
            ? a.date < b.date
              ? -1
              : 1
            : a.adId - b.adId,
      )
      const journal = this.repo.journalRow()
      let rows = 0
      for (let i = 0; i < inputs.length; i += IMPORT_SLICE_ROWS) {
        check()
        const slice = inputs.slice(i, i + IMPORT_SLICE_ROWS)
        // The slice's account-day spans (rows are in account, date order), refreshed with it.
        const spans: { accountId: number; from: string; to: string }[] = []
        for (const r of slice) {
          const last = spans.at(-1)
          if (last && last.accountId === r.accountId) last.to = r.date
          else spans.push({ accountId: r.accountId, from: r.date, to: r.date })
        }
        this.sqlite
          .transaction(() => {
            for (const r of slice) journal(r)
            rows += this.metrics.upsert(slice, true)
            for (const sp of spans) this.metrics.refreshAccountDays(sp.accountId, sp.from, sp.to)
          })
          .immediate()
        for (const r of slice) {
          written.push({ accountId: r.accountId, date: r.date, adId: r.adId })
          note(r.accountId, r.date)
        }
        pacing.progress?.('Writing', i + slice.length, total)
        await pause()
      }
      // 3. The running totals of each touched account from its first imported day: its rows are read
      //    in two-week windows between pauses, then written in one short transaction; then its
      //    per-ad months (`ad_month`, `ad_month_days`) rebuilt IMPORT_REFRESH_ADS ads of a month per
      //    transaction between pauses (one transaction for the span held the core's thread 0.5-1.5 s
      //    per month of the large demo's biggest account).
      const cum = this.metrics.cumulative
      for (const [accountId, span] of touched) {
        check()
        const last = cum.lastDate(accountId)
        if (last === null || last < span.from) continue
        const version = this.repo.dataVersion()
        const days = new CampaignDays(span.from, daysBetween(span.from, last) + 1)
        for (let d = span.from; d <= last; d = addDays(d, 14)) {
          const to = addDays(d, 13)
          cum.accumulate(days, accountId, d, to < last ? to : last)
          await pause()
        }
        days.roundConversions()
        this.sqlite
          .transaction(() => {
            // Another connection (a sync's writer thread) committed meanwhile: read the rows again here.
            const same = this.repo.dataVersion() === version && cum.lastDate(accountId) === last
            cum.refresh(accountId, span.from, same ? days : undefined)
          })
          .immediate()
        const rollup = this.metrics.adMonths
        const pieces = rollup.adPieces(accountId, IMPORT_REFRESH_ADS)
        for (const [a] of monthSplits(span.from, span.to))
          for (const [lo, hi] of pieces) {
            await pause()
            check()
            this.sqlite.transaction(() => rollup.refreshAds(accountId, a.slice(0, 7), lo, hi)).immediate()
          }
        await pause()
      }
      return { rows, accounts: [...touched.keys()] }
    } catch (err) {
      this.undo(workspaceId, written, touched, since)
      throw err
    }
  }

  /**
   * Put back what a failed import overwrote and remove what it created, in one transaction (only on
   * the failure path, so readers never see a half-undone import).
   */
  private undo(
    workspaceId: number,
    written: MetricKey[],
    touched: Map<number, { from: string; to: string }>,
    since: ReturnType<ImportRepo['highestIds']>,
  ): void {
    this.sqlite
      .transaction(() => {
        this.repo.deleteKeys(written)
        this.repo.restoreJournal()
        this.repo.removeCreated(workspaceId, since)
        for (const [accountId, span] of touched)
          if (this.repo.accountExists(accountId)) this.metrics.refreshRollups(accountId, span.from, span.to)
      })
      .immediate()
  }
}
