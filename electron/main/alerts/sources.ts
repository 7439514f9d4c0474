import { addDays } from '../../../shared/domain/dates'
import { formatMonth } from '../../../shared/domain/format'
import type { AlertNumber, AlertSeverity } from '../../../shared/domain/alerts'
import type { Change } from '../../../shared/domain/changes'
import { formatMoney } from '../../../shared/domain/money'
import {
  ListAnomaliesInputSchema,
  type Anomaly,
  type AnomalyNote,
} from '../../../shared/ipc/contracts/analytics-insights'
import type { AnomalyService } from '../analytics/anomaly-service'
import type { ChangeService } from '../changes/change-service'
import { pacing } from '../analytics/pacing'
import type { CoreServices } from '../core-services'
import type { CoreModule } from '../module'
import { AnalyticsRepo } from '../store/repos/analytics-repo'
import { StatusRepo } from '../store/repos/status-repo'
import type { SyncService } from '../sync/sync-service'
import { BackgroundLane, sliceBudget, type SliceBudget } from '../scheduler/slices'
import type { AlertService } from './alert-service'

/** How often long-running hosts look for stale data (an account that stopped syncing raises nothing itself). */
const STALE_CHECK_MS = 60 * 60 * 1000
/** Pacing is judged from this many days into the month (one or two days say little). */
const PACING_MIN_DAYS = 3

const MONEY_METRICS = new Set(['spend', 'cpa'])
const METRIC_LABELS: Record<Anomaly['metric'], string> = {
  spend: 'Spend',
  conversions: 'Conversions',
  cpa: 'CPA',
  ctr: 'CTR',
  roas: 'ROAS',
}

function anomalyNumber(a: Anomaly): AlertNumber {
  // Spend but no conversions: there is no CPA or ROAS to show (never "$0.00 CPA").
  if (a.undefinedValue) return { label: `Conversions on ${a.peakDate}`, value: 0, unit: 'count' }
  const label = `${METRIC_LABELS[a.metric]} on ${a.peakDate}`
  const base = { label, previousLabel: 'expected', compare: 'against' as const }
  if (MONEY_METRICS.has(a.metric))
    return {
      ...base,
      value: Math.round(a.actual * 1e6),
      previous: Math.round(a.expected * 1e6),
      unit: 'money_micros',
      currency: a.currency,
    }
  if (a.metric === 'ctr') return { ...base, value: a.actual, previous: a.expected, unit: 'percent' }
  if (a.metric === 'roas') return { ...base, value: a.actual, previous: a.expected, unit: 'ratio' }
  return { ...base, value: a.actual, previous: a.expected, unit: 'count' }
}

/**
 * The alert sources that watch the core's own state: anomalies found after each sync (with the
 * analytics service's explanation), sync health (reconnect needed, N failures in a row, rate limit
 * exhausted, stale data), budget pacing, and forecast retraining that came out worse. Each has a
 * switch in the alert settings (a source turned off raises nothing) and resolves its alerts when the
 * condition clears. Report delivery (the reports module) and automation raise their own alerts through `alerts.raise`.
 */
export class AlertSources {
  private readonly status: StatusRepo
  private readonly analytics: AnalyticsRepo
  /** The last failure logged per workspace and check: the same failure again is not logged again. */
  private readonly logged = new Map<string, string>()
  /** After-sync checks, queued one at a time off the sync job (see afterSyncLater). */
  private readonly lane = new BackgroundLane((err) => console.error('[alerts] after-sync checks failed:', err))
  /** Aborted at shutdown: a queued or running check stops at its next slice. */
  private readonly closing = new AbortController()

  constructor(
    private readonly core: CoreServices,
    private readonly alerts: AlertService,
    private readonly sync: SyncService,
    private readonly anomalies: AnomalyService,
    private readonly changes: ChangeService,
  ) {
    this.status = new StatusRepo(core.store.sqlite)
    this.analytics = new AnalyticsRepo(core.store.sqlite)
  }

  private now(): Date {
    return this.core.platform.clock.now()
  }

  /**
   * Queue the after-sync checks of a workspace as background work: they run after the sync job
   * has finished, one workspace at a time, in slices that give the event loop a turn at least every
   * SLICE_MS (scheduler/slices.ts; the anomaly scan over 10,000 campaigns took seconds in one stretch). `idle()` waits for them.
   */
  afterSyncLater(workspaceId: number): void {
    this.lane.add(async () => {
      if (this.closing.signal.aborted || !this.present(workspaceId)) return
      await this.afterSync(workspaceId, sliceBudget(undefined, this.closing.signal))
    })
  }

  /** Whether the store is open and the workspace still exists (a demo reset deletes the old demo). */
  private present(workspaceId: number): boolean {
    return this.core.store.sqlite.open && this.core.workspaces.list().some((w) => w.id === workspaceId)
  }

  /** Resolves once the queued after-sync checks have run (tests, shutdown). */
  idle(): Promise<void> {
    return this.lane.idle()
  }

  /** Stop: queued checks are dropped, a running one stops at its next slice. */
  close(): Promise<void> {
    this.closing.abort(new Error('The core is closing'))
    return this.idle()
  }

  /**
   * Everything a finished sync may change. Each source fails alone, never the others; a check that
   * cannot run (a missing exchange rate, say) is itself a WARNING saying why its alerts are silent,
   * resolved by the next run that works. Sliced by `budget` (a turn of the event loop between checks
   * and inside the anomaly scan).
   */
  async afterSync(workspaceId: number, budget: SliceBudget = sliceBudget()): Promise<void> {
    for (const [name, fn] of [
      ['sync health', () => this.syncHealth(workspaceId)],
      ['stale data', () => this.staleData(workspaceId)],
      ['anomalies', () => this.anomaliesOf(workspaceId, budget)],
      ['budget pacing', () => this.budgetPacing(workspaceId)],
    ] as const) {
      const key = `source-failed:${name.replace(' ', '-')}`
      if (!this.core.store.sqlite.open) return
      try {
        await budget.maybeYield()
        await fn()
        this.logged.delete(`${workspaceId}|${key}`)
        if (this.alerts.openByKey(workspaceId, key)) this.alerts.resolveByKey(workspaceId, key)
      } catch (err) {
        // Shutdown, or the workspace deleted meanwhile, stops the checks; it is no failure of the check.
        if (this.closing.signal.aborted || !this.present(workspaceId)) return
        const why = err instanceof Error ? err.message : String(err)
        // Logged once; a repeat on later syncs is counted on the alert below instead.
        if (this.logged.get(`${workspaceId}|${key}`) !== why) {
          this.logged.set(`${workspaceId}|${key}`, why)
          console.error(`[alerts] ${name} check failed for workspace ${workspaceId}:`, err)
        }
        try {
          this.alerts.raise({
            source: 'system',
            severity: 'warning',
            workspaceId,
            title: `The ${name} check could not run`,
            body: `${why.replace(/\.?$/, '.')} Until this is fixed, no ${name} alerts are raised for this workspace.`,
            dedupeKey: key,
            link: '/settings',
          })
        } catch (raiseErr) {
          console.error(`[alerts] could not raise the failure of the ${name} check:`, raiseErr)
        }
      }
    }
  }

  /**
   * Sync health from the recent sync runs: per account, reconnect needed (ERROR), the rate limit
   * exhausted (WARNING), N failed syncs in a row (ERROR). A success resolves all three.
   */
  syncHealth(workspaceId: number): void {
    const settings = this.alerts.settings()
    if (!settings.sources.sync) return
    const runs = this.sync.repo.runs(workspaceId, 50).filter((r) => r.mode !== 'import' && r.status !== 'running')
    const latest = runs[0]
    if (!latest) return
    for (const o of latest.accounts) {
      const account = { level: 'account' as const, id: o.accountId, name: o.name, accountId: o.accountId }
      const key = (what: string): string => `sync:${what}:${o.accountId}`
      if (o.status === 'succeeded') {
        for (const what of ['reconnect', 'rate-limit', 'failing']) this.alerts.resolveByKey(workspaceId, key(what))
        continue
      }
      if (o.status !== 'failed' && o.status !== 'needs_reconnect') continue
      // Failed syncs in a row: runs newest first, counting this account's failures until a success.
      let inARow = 0
      for (const r of runs) {
        const mine = r.accounts.find((x) => x.accountId === o.accountId)
        if (!mine || mine.status === 'skipped' || mine.status === 'cancelled') continue
        if (mine.status === 'succeeded') break
        inARow++
      }
      const lastSuccess = this.sync.repo.state(o.accountId)?.lastSuccessAt ?? null
      const sinceHours = lastSuccess ? (this.now().getTime() - Date.parse(lastSuccess)) / 3_600_000 : null
      const numbers: AlertNumber[] = [{ label: 'Failed syncs in a row', value: inARow, unit: 'count' }]
      if (sinceHours !== null)
        numbers.push({
          label: 'Hours since the last good sync',
          value: Math.round(sinceHours * 10) / 10,
          unit: 'hours',
        })
      if (o.status === 'needs_reconnect') {
        this.alerts.raise({
          source: 'sync',
          severity: 'error',
          workspaceId,
          entity: account,
          title: `${o.name} needs reconnecting`,
          body: `The platform refused this account's credentials, so nothing syncs until it is reconnected. ${o.error ?? ''}`.trim(),
          numbers,
          dedupeKey: key('reconnect'),
          link: '/connections',
        })
      } else if (o.errorKind === 'rate_limit') {
        this.alerts.raise({
          source: 'sync',
          severity: 'warning',
          workspaceId,
          entity: account,
          title: `${o.name}: the platform's rate limit is used up`,
          body: `The platform kept answering "too many requests", so this sync stopped early. ${o.error ?? ''}`.trim(),
          numbers,
          dedupeKey: key('rate-limit'),
          link: '/connections',
        })
      }
      if (inARow >= settings.syncFailuresInARow) {
        this.alerts.raise({
          source: 'sync',
          severity: 'error',
          workspaceId,
          entity: account,
          title: `${o.name} failed to sync ${inARow} times in a row`,
          body: `The last ${inARow} syncs of this account failed; its numbers are getting old. Last error: ${o.error ?? 'unknown'}`,
          numbers,
          dedupeKey: key('failing'),
          link: '/connections',
        })
      }
    }
  }

  /** Connected accounts whose data is older than the setting (WARNING); fresh data resolves it. */
  staleData(workspaceId: number): void {
    const settings = this.alerts.settings()
    if (!settings.sources.sync) return
    const now = this.now()
    for (const a of this.sync.repo.accounts(workspaceId)) {
      if (a.connectionId === null || a.status === 'disabled') continue
      const key = `sync:stale:${a.id}`
      const last = this.sync.repo.state(a.id)?.lastSuccessAt ?? null
      if (!last) continue // never synced yet: the first sync is not late
      const hours = (now.getTime() - Date.parse(last)) / 3_600_000
      if (hours < settings.staleDataHours) {
        this.alerts.resolveByKey(workspaceId, key)
        continue
      }
      this.alerts.raise({
        source: 'sync',
        severity: 'warning',
        workspaceId,
        entity: { level: 'account', id: a.id, name: a.name, accountId: a.id },
        title: `${a.name} has not synced for ${Math.floor(hours)} hours`,
        body: `The newest data of this account is from ${last}. Dashboards and rules are working on old numbers until it syncs again.`,
        numbers: [
          {
            label: 'Hours since the last good sync',
            value: Math.round(hours * 10) / 10,
            unit: 'hours',
            previous: settings.staleDataHours,
            previousLabel: 'limit',
            compare: 'against',
          },
        ],
        dedupeKey: key,
        link: '/connections',
      })
    }
  }

  /** Anomalies of the last days of data, at or above the setting's severity, each with its explanation. */
  async anomaliesOf(workspaceId: number, budget: SliceBudget = sliceBudget()): Promise<void> {
    const settings = this.alerts.settings()
    if (!settings.sources.anomaly) return
    const last = this.status.lastDataDate(workspaceId)
    if (!last) return
    const { anomalies, notes } = await this.anomalies.listSliced(
      ListAnomaliesInputSchema.parse({ workspaceId, minSeverity: settings.anomalyMinSeverity }),
      budget,
    )
    this.missingRates(workspaceId, notes)
    const since = addDays(last, -settings.anomalyRecentDays)
    for (const a of anomalies) {
      if (a.endDate < since) continue
      await budget.maybeYield()
      const severity: AlertSeverity = a.severity
      const entity =
        a.level === 'workspace'
          ? { level: 'workspace' as const, id: workspaceId, name: a.entityName }
          : {
              level: a.level,
              id: a.entityId,
              name: a.entityName,
              ...(a.accountId !== null ? { accountId: a.accountId } : {}),
            }
      const link =
        a.level === 'campaign'
          ? `/campaigns?workspace=${workspaceId}&id=${a.entityId}`
          : `/anomalies?workspace=${workspaceId}`
      this.alerts.raise({
        source: 'anomaly',
        severity,
        workspaceId,
        entity,
        title: a.undefinedValue
          ? `${a.entityName} spent with no conversions (no ${METRIC_LABELS[a.metric]})`
          : `${METRIC_LABELS[a.metric]} of ${a.entityName} ${a.direction === 'up' ? 'jumped' : 'dropped'} to ${Math.round(a.ratio * 100)}% of normal`,
        body: a.explanation,
        numbers: [anomalyNumber(a)],
        dedupeKey: `anomaly:${a.id}`,
        link,
      })
    }
  }

  /**
   * One WARNING per currency pair without any exchange rate (key `fx:missing:EUR:USD`), saying what
   * is not checked and how to fix it; a later check with the rate in place resolves it. Repeats
   * are counted on the same alert (and sent once), never logged per sync.
   */
  private missingRates(workspaceId: number, notes: AnomalyNote[]): void {
    const missing = notes.filter((n) => n.kind === 'fx_missing')
    const keys = new Set(missing.map((n) => `fx:missing:${n.from}:${n.to}`))
    for (const a of this.alerts.list({ workspaceId, state: ['open', 'acknowledged', 'snoozed'], source: ['system'] }))
      if (a.dedupeKey.startsWith('fx:missing:') && !keys.has(a.dedupeKey))
        this.alerts.resolveByKey(workspaceId, a.dedupeKey)
    for (const n of missing) {
      const accounts = this.sync.repo.accounts(workspaceId).filter((a) => a.currency === n.from)
      const names = accounts.map((a) => a.name)
      this.alerts.raise({
        source: 'system',
        severity: 'warning',
        workspaceId,
        entity: null,
        title: `No exchange rate from ${n.from} to ${n.to}`,
        body: `${names.length ? `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''} report${names.length === 1 ? 's' : ''} in ${n.from}` : `Some accounts report in ${n.from}`}, but this workspace reports in ${n.to} and has no ${n.from} → ${n.to} rate. Until one is added, the workspace's totals cannot include ${n.from} spend and the "All accounts" anomaly check is skipped (accounts and campaigns are still checked in their own currency). To fix it, add monthly ${n.from} → ${n.to} rates under Settings → Exchange rates, or make ${n.from} the reporting currency.`,
        numbers: [{ label: `Accounts in ${n.from}`, value: accounts.length, unit: 'count' }],
        dedupeKey: `fx:missing:${n.from}:${n.to}`,
        link: '/settings',
      })
    }
  }

  /** Month-to-date pacing per account: projected spend this far over or under its budget (WARNING). */
  budgetPacing(workspaceId: number): void {
    const settings = this.alerts.settings()
    if (!settings.sources.budget) return
    for (const r of pacing(this.analytics, workspaceId, this.now()).rows) {
      const key = `budget:pacing:${r.accountId}:${r.month}`
      if (r.pace === null || r.budgetMicros === null || r.daysElapsed < PACING_MIN_DAYS) continue
      const off = r.pace - 1
      if (Math.abs(off) <= settings.pacingTolerance) {
        this.alerts.resolveByKey(workspaceId, key)
        continue
      }
      const over = off > 0
      const pct = Math.round(Math.abs(off) * 100)
      this.alerts.raise({
        source: 'budget',
        severity: over && r.spentMicros > r.budgetMicros ? 'error' : 'warning',
        workspaceId,
        entity: { level: 'account', id: r.accountId, name: r.name, accountId: r.accountId },
        title: `${r.name} is on course to ${over ? 'overspend' : 'underspend'} its ${formatMonth(r.month)} budget by ${pct}%`,
        body: over
          ? `At the pace of the first ${r.daysElapsed} days, this month's spend ends ${pct}% above the budget. Lower budgets or pause the weakest campaigns to stay within plan.`
          : `At the pace of the first ${r.daysElapsed} days, this month's spend ends ${pct}% below the budget. Check for paused or limited campaigns if the plan should be spent.`,
        numbers: [
          { label: 'Spent this month', value: r.spentMicros, unit: 'money_micros', currency: r.currency },
          {
            label: 'Projected month',
            value: r.projectedMicros,
            unit: 'money_micros',
            currency: r.currency,
            previous: r.budgetMicros,
            previousLabel: 'budget',
            compare: 'against',
          },
          { label: 'Days into the month', value: r.daysElapsed, unit: 'days' },
        ],
        dedupeKey: key,
        link: `/dashboard?workspace=${workspaceId}`,
      })
    }
  }

  /**
   * The change pipeline: each change that failed on the platform (a refused write, a read-back that
   * did not match, retries given up) is an ERROR alert once (key `change:failed:<id>`, never raised
   * again once it exists, even resolved); changes waiting for a person's approval are one WARNING
   * per workspace (key `changes:approvals`) that follows the count and resolves when none wait.
   */
  changesOf(workspaceId: number): void {
    if (!this.alerts.settings().sources.automation) return
    const now = this.now()
    const weekAgo = now.getTime() - 7 * 86_400_000
    const failed = this.changes.list({ workspaceId, states: ['failed'], limit: 20 }).items
    const currencies = failed.length
      ? new Map(this.sync.repo.accounts(workspaceId).map((a) => [a.id, a.currency]))
      : new Map<number, string>()
    for (const c of failed) {
      const key = `change:failed:${c.id}`
      if (Date.parse(c.updatedAt) < weekAgo || this.alerts.repo.latestByKey(workspaceId, key, now)) continue
      const what = describeChange(c, currencies.get(c.accountId) ?? 'USD')
      this.alerts.raise({
        source: 'automation',
        severity: 'error',
        workspaceId,
        entity: {
          level: c.entityType,
          id: c.entityId,
          name: (c.entityName ?? c.externalId).slice(0, 500),
          accountId: c.accountId,
        },
        title: `A change failed: ${what}`.slice(0, 200),
        body: `${c.actor.label} asked to ${what}${c.reason ? ` (${c.reason})` : ''}. It was not applied: ${c.error ?? 'the platform refused it'}. Nothing else changed; check the entity on the platform and try again or undo related changes.`.slice(
          0,
          4000,
        ),
        numbers: [{ label: 'Attempts', value: c.attempts, unit: 'count' }],
        dedupeKey: key,
        link: '/automation?tab=approvals',
      })
    }
    const waiting = this.changes.list({ workspaceId, states: ['proposed'], limit: 1 }).total
    const key = 'changes:approvals'
    const open = this.alerts.openByKey(workspaceId, key)
    if (waiting === 0) {
      if (open) this.alerts.resolveByKey(workspaceId, key)
      return
    }
    if (open && open.numbers[0]?.value === waiting) return
    if (open) this.alerts.resolveByKey(workspaceId, key)
    this.alerts.raise({
      source: 'automation',
      severity: 'warning',
      workspaceId,
      entity: null,
      title: `${waiting} change${waiting === 1 ? '' : 's'} to the ad platforms wait${waiting === 1 ? 's' : ''} for approval`,
      body: `Rules or recommendations proposed ${waiting === 1 ? 'a change' : `${waiting} changes`} (budgets, pauses) that this workspace's policy holds for a person to approve. Nothing is sent to the platforms until approved; review them under Automation › Approvals.`,
      numbers: [{ label: 'Waiting for approval', value: waiting, unit: 'count' }],
      dedupeKey: key,
      link: '/automation?tab=approvals',
    })
  }

  /** A retrained forecast model that scored worse than the active one by more than the setting. */
  modelTrained(e: {
    workspaceId: number
    name: string
    version: number
    activated: boolean
    score?: number | undefined
    activeScore?: number | null | undefined
  }): void {
    const key = `ml:worse:${e.name}`
    if (e.activated) {
      this.alerts.resolveByKey(e.workspaceId, key)
      return
    }
    if (!this.alerts.settings().sources.ml || e.score === undefined || e.activeScore == null) return
    const worseBy = (e.score - e.activeScore) / Math.max(1e-9, e.activeScore)
    if (worseBy <= this.alerts.settings().mlWorseBy) return
    this.alerts.raise({
      source: 'ml',
      severity: 'warning',
      workspaceId: e.workspaceId,
      entity: null,
      title: `Retraining made the forecast worse (version ${e.version} kept inactive)`,
      body: `The retrained model's error on recent held-out days is ${Math.round(worseBy * 100)}% higher than the active model's, so the active one stays. Recent data may be unusual (a promotion, tracking gaps); forecasts keep using the earlier version.`,
      numbers: [
        {
          label: 'Error vs naive forecast',
          value: Math.round(e.score * 1000) / 1000,
          unit: 'ratio',
          previous: Math.round(e.activeScore * 1000) / 1000,
          previousLabel: 'active model',
          compare: 'against',
        },
      ],
      dedupeKey: key,
      link: `/predictions?workspace=${e.workspaceId}`,
    })
  }

  /** Every workspace's stale-data check (the hourly timer). */
  checkAllStale(): void {
    for (const w of this.core.workspaces.list()) {
      try {
        this.staleData(w.id)
      } catch (err) {
        console.error(`[alerts] stale data check failed for workspace ${w.id}:`, err)
      }
    }
  }
}

/** "set the daily budget of campaign “Search | Brand” from $50.00 to $60.00", "pause ad set “Summer”". */
function describeChange(c: Change, currency: string): string {
  const name = `${c.entityType.replace('_', ' ')} “${c.entityName ?? c.externalId}”`
  const v = (x: Change['requested']): string =>
    x === null ? 'nothing' : typeof x === 'number' ? formatMoney(x, currency) : x
  if (c.field === 'status')
    return `${c.requested === 'paused' ? 'pause' : c.requested === 'active' ? 'enable' : `set to ${v(c.requested)}`} ${name}`
  return `set the daily budget of ${name} from ${v(c.before)} to ${v(c.requested)}`
}

/** The sources as a module: listens to finished syncs and trained models; an hourly stale-data check. */
export const alertSourcesModule: CoreModule<'alertSources', 'alerts' | 'sync' | 'anomalies' | 'changes', never> = {
  name: 'alertSources',
  provides: ['alertSources'],
  requires: ['alerts', 'sync', 'anomalies', 'changes'],
  create(core, needs) {
    const sources = new AlertSources(core, needs.alerts, needs.sync, needs.anomalies, needs.changes)
    const offs: Array<() => void> = []
    let timer: NodeJS.Timeout | null = null
    return {
      handlers: {},
      services: { alertSources: sources },
      start() {
        offs.push(
          core.events.on('sync:finished', (e) => {
            if (!core.store.sqlite.open) return
            needs.anomalies.invalidate()
            sources.afterSyncLater(e.workspaceId)
            // A training queued behind this sync waits for these checks too (job-queue followUp).
            core.jobs.followUp('sync:run', { workspaceId: e.workspaceId }, sources.idle(), 'alert checks')
          }),
          // A demo build is the demo's sync: its workspace gets the same checks (its anomalies among them).
          core.events.on('job:finished', (f) => {
            if (f.kind !== 'demo:build' || f.status !== 'succeeded' || !core.store.sqlite.open) return
            needs.anomalies.invalidate()
            for (const w of core.workspaces.list()) if (w.isDemo) sources.afterSyncLater(w.id)
            core.jobs.followUp(f.kind, null, sources.idle(), 'alert checks')
          }),
          // Changes moved (proposed, approved, failed): failures and the approvals waiting.
          core.events.on('data:changed', (e) => {
            if (!e.tables.includes('changes') || e.workspaceId == null || !core.store.sqlite.open) return
            try {
              sources.changesOf(e.workspaceId)
            } catch (err) {
              console.error('[alerts] change check failed:', err)
            }
          }),
          core.events.on('ml:modelTrained', (e) => {
            try {
              sources.modelTrained(e)
            } catch (err) {
              console.error('[alerts] model check failed:', err)
            }
          }),
        )
        if (core.platform.host === 'electron' || core.platform.host === 'web') {
          timer = setInterval(() => core.store.sqlite.open && sources.checkAllStale(), STALE_CHECK_MS)
          timer.unref()
        }
      },
      stop() {
        offs.splice(0).forEach((off) => off())
        if (timer) clearInterval(timer)
        timer = null
        return sources.close()
      },
    }
  },
}
