import { PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import { microsToDecimalString } from '../../../../shared/domain/money'
import { AppError } from '../../../../shared/ipc/result'
import type { Sqlite } from '../../store/db'
import { ImportRepo, journalKey, type MetricKey } from '../../store/repos/import-repo'
import { ImportMonths, type ReplacedRow } from '../../store/repos/import-months'
import { CampaignDays } from '../../store/repos/cumulative-rollup'
import { MetricsRepo, type DailyMetricInput } from '../../store/repos/metrics-repo'
import { addDays, daysBetween, toEpochDay } from '../../../../shared/domain/dates'
import { EntityWriter } from '../../store/sync-writer/entity-writer'
import type { CsvMapping } from './detect'
import { parseCsv, type CsvRow, type CsvText, type RowError } from './parse'
import { yieldNow } from '../../scheduler/slices'

/**
 * Ad-days written per transaction (each is a few milliseconds with their account days and per-ad
 * months; the event loop runs in between).
 */
export const IMPORT_SLICE_ROWS = 1_000
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
  /** The (first) line of this ad-day: its campaign, ad set and ad. */
  row: Pick<CsvRow, 'campaign' | 'adSet' | 'ad'>
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
 * part-way is completed instead: the job runs again from its file at restart). A slice's
 * transaction also keeps its account days (`account_daily`) and its ads' months (`ad_month`,
 * `ad_month_days`: `ImportMonths`), so a reader between slices sees rows and those rollups agree;
 * the campaigns' running totals (`campaign_cum`, a running sum to each account's last day) are
 * rebuilt once at the end, so until then campaign-level reads show the totals before the import.
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
    content: CsvText,
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
          row: r,
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
    // The totals and the span in one pass between pauses (at 300,000 ad-days a copy, a reduce and a
    // loop over every write in one step held the thread ~50 ms).
    const writes: ImportWrite[] = []
    const currencies = new Set<string>()
    const t = { spend: 0, imp: 0, clicks: 0, conv: 0, value: 0 }
    let from: string | null = null
    let to: string | null = null
    for (const w of agg.values()) {
      if (writes.push(w) % PLAN_SLICE_LINES === 0) await pause()
      currencies.add(w.currency)
      t.spend += w.sums.spendMicros
      t.imp += w.sums.impressions
      t.clicks += w.sums.clicks
      t.conv += w.sums.conversions
      t.value += w.sums.conversionValueMicros
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
    const writes = plan.writes
    const total = writes.length
    // Each write's ad and parents, by its index in `writes`, in typed arrays: an object per write (and
    // its sort, and a key object per written row) kept ~300,000 objects alive through the young
    // generation's collections, 25-75 ms each on the core's thread (import bench, 300,000 ad-days).
    const ad = new Float64Array(total)
    const account = new Float64Array(total)
    const campaign = new Float64Array(total)
    const adSet = new Float64Array(total)
    // The writes in (account, date, ad) order, and how many of them are written (for the undo).
    let order = new Uint32Array(0)
    let written = 0
    try {
      // 1. Resolve every write to its ad (creating the import accounts' structure, bounded per slice).
      const parents = this.repo.adParents()
      const byCurrency = new Map<string, number[]>()
      for (let i = 0; i < total; i++) {
        if ((i + 1) % PLAN_SLICE_LINES === 0) await pause()
        const w = writes[i] as ImportWrite
        if (w.adId !== null) {
          const a = parents(w.adId)
          ad[i] = w.adId
          account[i] = a.accountId
          campaign[i] = a.campaignId
          adSet[i] = a.adSetId
        } else {
          let list = byCurrency.get(w.currency)
          if (!list) byCurrency.set(w.currency, (list = []))
          list.push(i)
        }
      }
      for (const [currency, list] of byCurrency) {
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
        // Each distinct ad path once (by the parts of its key: no key string per write); a later
        // write's ad set and ad names win, as they did when every write set them.
        interface AdPath {
          cx: string
          sx: string
          ax: string
          set: { name: string }
          ad: { name: string }
        }
        const known = new Map<string, Map<string, Map<string, AdPath>>>()
        const paths: AdPath[] = new Array<AdPath>(list.length)
        for (let m = 0; m < list.length; m++) {
          if ((m + 1) % PLAN_SLICE_LINES === 0) await pause()
          const { campaign: c, adSet: s, ad: a } = (writes[list[m] as number] as ImportWrite).row
          let sets = known.get(c.id ?? c.name)
          if (!sets) known.set(c.id ?? c.name, (sets = new Map()))
          let ads = sets.get(s.id ?? s.name)
          if (!ads) sets.set(s.id ?? s.name, (ads = new Map()))
          let p = ads.get(a.id ?? a.name)
          if (!p) {
            const cx = ext(c, 'c')
            const sx = `${cx}/${ext(s, 's')}`
            const ax = `${sx}/${ext(a, 'a')}`
            let g = byCampaign.get(cx)
            if (!g)
              byCampaign.set(cx, (g = { campaign: { externalId: cx, name: c.name }, sets: new Map(), ads: new Map() }))
            let set = g.sets.get(sx)
            if (!set) g.sets.set(sx, (set = { externalId: sx, campaignExternalId: cx, name: s.name }))
            let adEntry = g.ads.get(ax)
            if (!adEntry)
              g.ads.set(ax, (adEntry = { externalId: ax, adSetExternalId: sx, campaignExternalId: cx, name: a.name }))
            ads.set(a.id ?? a.name, (p = { cx, sx, ax, set, ad: adEntry }))
          }
          p.set.name = s.name
          p.ad.name = a.name
          paths[m] = p
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
        for (let m = 0; m < list.length; m++) {
          if ((m + 1) % PLAN_SLICE_LINES === 0) await pause()
          const i = list[m] as number
          const p = paths[m] as AdPath
          ad[i] = ids.ads.get(p.ax) as number
          account[i] = accountId
          campaign[i] = ids.campaigns.get(p.cx) as number
          adSet[i] = ids.adSets.get(p.sx) as number
        }
      }
      // 2. The rows in (account, date, ad) order: bucketed by account-day between pauses, each bucket
      //    sorted by ad (one sort of every write held the thread; a file in another order ~0.3 s).
      const epochDays = new Map<string, number>()
      const buckets = new Map<number, number[]>()
      for (let i = 0; i < total; i++) {
        if ((i + 1) % PLAN_SLICE_LINES === 0) await pause()
        const date = (writes[i] as ImportWrite).date
        let day = epochDays.get(date)
        if (day === undefined) epochDays.set(date, (day = toEpochDay(date)))
        // Days of the years 2000-2100 (parse.ts) are under 2^17.
        const k = (account[i] as number) * 2 ** 17 + day
        let b = buckets.get(k)
        if (!b) buckets.set(k, (b = []))
        b.push(i)
      }
      order = new Uint32Array(total)
      let n = 0
      let sorted = 0
      for (const k of [...buckets.keys()].sort((x, y) => x - y)) {
        const b = (buckets.get(k) as number[]).sort((x, y) => (ad[x] as number) - (ad[y] as number))
        order.set(b, n)
        n += b.length
        if (n - sorted >= PLAN_SLICE_LINES) {
          sorted = n
          await pause()
        }
      }
      buckets.clear()
      // 3. One bounded transaction per slice: its rows (journalling what they overwrite), its account
      //    days and its ads' months (`ImportMonths`), so readers never see its rows without their months.
      const journal = this.repo.journalRows()
      const months = new ImportMonths(this.sqlite)
      let rows = 0
      for (let at = 0; at < total; at += IMPORT_SLICE_ROWS) {
        check()
        const slice: DailyMetricInput[] = []
        for (let j = at; j < Math.min(total, at + IMPORT_SLICE_ROWS); j++) {
          const i = order[j] as number
          const w = writes[i] as ImportWrite
          slice.push({
            adId: ad[i] as number,
            date: w.date,
            accountId: account[i] as number,
            campaignId: campaign[i] as number,
            adSetId: adSet[i] as number,
            ...w.sums,
            provisional: false,
            source: 'import',
          })
        }
        // The slice's accounts (rows are in account, date order): their day spans and rows.
        const spans: { accountId: number; from: string; to: string; start: number; end: number }[] = []
        slice.forEach((r, k) => {
          const last = spans.at(-1)
          if (last && last.accountId === r.accountId) {
            last.to = r.date
            last.end = k + 1
          } else spans.push({ accountId: r.accountId, from: r.date, to: r.date, start: k, end: k + 1 })
        })
        this.sqlite
          .transaction(() => {
            const replaced = spans.map((sp) => journal(sp.accountId, slice.slice(sp.start, sp.end)))
            rows += this.metrics.upsert(slice, true)
            spans.forEach((sp, k) => {
              const old = replaced[k] as Map<string, ReplacedRow>
              const rowsOf = slice.slice(sp.start, sp.end)
              this.metrics.refreshAccountDays(sp.accountId, sp.from, sp.to)
              months.apply(
                sp.accountId,
                rowsOf,
                rowsOf.map((r) => (old.size ? old.get(journalKey(r.date, r.adId)) : undefined)),
              )
            })
          })
          .immediate()
        written = at + slice.length
        for (const r of slice) note(r.accountId, r.date)
        pacing.progress?.('Writing', written, total)
        await pause()
      }
      // 4. The running totals of each touched account from its first imported day: its rows are read
      //    in two-week windows between pauses, then written in one short transaction.
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
        await pause()
      }
      return { rows, accounts: [...touched.keys()] }
    } catch (err) {
      const keys: MetricKey[] = []
      for (let j = 0; j < written; j++) {
        const i = order[j] as number
        keys.push({ accountId: account[i] as number, date: (writes[i] as ImportWrite).date, adId: ad[i] as number })
      }
      this.undo(workspaceId, keys, touched, since)
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
