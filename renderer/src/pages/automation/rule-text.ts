import type { Change } from '../../../../shared/domain/changes'
import { formatMoney } from '../../../../shared/domain/money'
import {
  DEFAULT_RULE_FORECAST,
  FORECAST_METRICS,
  OPERATOR_SYMBOLS,
  RULE_METRIC_LABELS,
  RuleInputSchema,
  WINDOWLESS_METRICS,
  type RuleAction,
  type RuleForecast,
  type RuleCondition,
  type RuleDefinition,
  type RuleGroup,
  type RuleMetric,
  type RuleMode,
  type RuleSchedule,
  type RuleWindow,
} from '../../../../shared/domain/rules'
import { formatCurrency } from '../../lib/format'

/** Pure helpers of the Automation page: units, labels and the editor's draft. */

export const MODE_LABELS: Record<RuleMode, string> = {
  preview: 'Preview only',
  approval: 'Approval',
  automatic: 'Automatic',
}

export const MODE_HINTS: Record<RuleMode, string> = {
  preview: 'Never acts: shows what it would do when you preview or run it.',
  approval: 'Proposes changes; nothing moves on a platform until someone approves them.',
  automatic: 'Applies its changes through the change pipeline: verified by reading back, and undoable.',
}

/** How a metric's numbers are entered and shown. */
export type MetricUnit = 'money' | 'ratio' | 'percent' | 'count' | 'days'

export function unitOf(metric: RuleMetric): MetricUnit {
  switch (metric) {
    case 'spend':
    case 'revenue':
    case 'cpa':
    case 'cpc':
    case 'cpm':
    case 'budget':
      return 'money'
    case 'roas':
    case 'forecast_roas':
      return 'ratio'
    case 'ctr':
    case 'budget_utilisation':
      return 'percent'
    case 'days_since_launch':
      return 'days'
    default:
      return 'count'
  }
}

/** The editor shows percent metrics as percent; the model stores fractions. */
export function toDisplay(metric: RuleMetric, value: number): number {
  return unitOf(metric) === 'percent' ? round(value * 100, 6) : value
}

export function fromDisplay(metric: RuleMetric, value: number): number {
  return unitOf(metric) === 'percent' ? round(value / 100, 8) : value
}

function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** A condition's value as a person reads it ("$42.10", "3.25×", "1.84%", "1,204"). */
export function formatMetric(metric: RuleMetric | undefined, value: number | null, currency: string): string {
  if (value === null || !Number.isFinite(value)) return '—'
  switch (metric ? unitOf(metric) : 'count') {
    case 'money':
      return formatCurrency(value, currency)
    case 'ratio':
      return `${value.toFixed(2)}×`
    case 'percent':
      return `${(value * 100).toFixed(2)}%`
    case 'days':
      return `${Math.round(value)} d`
    default:
      return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(Math.round(value * 100) / 100)
  }
}

export function windowText(w: RuleWindow): string {
  switch (w.kind) {
    case 'today':
      return 'today'
    case 'yesterday':
      return 'yesterday'
    case 'last_n_days': {
      const days = `the last ${w.days} ${w.days === 1 ? 'day' : 'days'}`
      const offset = w.offsetDays ? ` before the last ${w.offsetDays}` : ''
      return `${days}${offset}${w.includeToday ? ' (incl. today)' : ''}`
    }
    case 'lifetime':
      return 'lifetime'
    case 'since_last_change':
      return 'since this rule last changed it'
  }
}

/** "the next 7 days, lower bound" */
export function forecastText(f: RuleForecast | undefined): string {
  const spec = f ?? DEFAULT_RULE_FORECAST
  return `the next ${spec.days} ${spec.days === 1 ? 'day' : 'days'}${spec.bound === 'point' ? '' : `, ${spec.bound} bound`}`
}

function sideText(metric: RuleMetric, w: RuleWindow, of: string, f?: RuleForecast): string {
  const owner = of === 'parent_campaign' ? 'campaign ' : ''
  const when = FORECAST_METRICS.includes(metric)
    ? `, ${forecastText(f)}`
    : WINDOWLESS_METRICS.includes(metric)
      ? ''
      : `, ${windowText(w)}`
  return `${owner}${RULE_METRIC_LABELS[metric]}${when}`
}

/** "CPA, the last 7 days > 1.5 × campaign CPA, the last 7 days". */
export function conditionText(c: RuleCondition, currency: string): string {
  const left = sideText(c.metric, c.window, c.of, c.forecast)
  const right = c.compareTo
    ? `${c.compareTo.factor === 1 ? '' : `${c.compareTo.factor} × `}${sideText(c.compareTo.metric, c.compareTo.window ?? c.window, c.compareTo.of, c.compareTo.forecast ?? c.forecast)}`
    : formatMetric(c.metric, c.value ?? null, currency)
  return `${left} ${OPERATOR_SYMBOLS[c.op]} ${right}`
}

export function groupText(g: RuleGroup, currency: string): string {
  const parts = g.items.map((i) => (i.type === 'group' ? `(${groupText(i, currency)})` : conditionText(i, currency)))
  return parts.join(g.op === 'and' ? ' and ' : ' or ')
}

/** An action in words, budgets in the reporting currency (micros). */
export function actionText(a: RuleAction, currency: string): string {
  switch (a.kind) {
    case 'pause':
      return 'Pause'
    case 'enable':
      return 'Enable'
    case 'set_budget':
      return `Set the daily budget to ${formatMoney(a.dailyBudgetMicros, currency)}`
    case 'change_budget': {
      const by =
        a.pct !== undefined
          ? `${a.pct > 0 ? 'Raise' : 'Lower'} the daily budget by ${Math.abs(a.pct)}%`
          : `${(a.amountMicros ?? 0) > 0 ? 'Raise' : 'Lower'} the daily budget by ${formatMoney(Math.abs(a.amountMicros ?? 0), currency)}`
      const caps = [
        a.minMicros !== undefined ? `not below ${formatMoney(a.minMicros, currency)}` : '',
        a.maxMicros !== undefined ? `not above ${formatMoney(a.maxMicros, currency)}` : '',
      ].filter(Boolean)
      return `${by}${caps.length ? ` (${caps.join(', ')})` : ''}`
    }
    case 'notify':
      return `Alert (${a.severity})`
    case 'add_label':
      return `Label “${a.label}”`
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
export { WEEKDAYS }

export function scheduleText(s: RuleSchedule): string {
  let base: string
  switch (s.kind) {
    case 'every_minutes':
      base = `Every ${s.minutes ?? 15} minutes`
      break
    case 'hourly':
      base = 'Hourly'
      break
    case 'daily':
      base = `Daily at ${s.at ?? '—'}`
      break
    case 'cron':
      base = `Cron “${s.cron ?? ''}”`
      break
    case 'after_sync':
      base = 'After each sync'
      break
    case 'manual':
      base = 'Only when run by hand'
      break
  }
  const days = s.activeDays && s.activeDays.length < 7 ? ` on ${s.activeDays.map((d) => WEEKDAYS[d]).join(', ')}` : ''
  const hours = s.activeHours ? `, ${s.activeHours.from}:00–${s.activeHours.to}:00` : ''
  return `${base}${days}${hours}`
}

/** A change's action in words with the account currency ("Budget $120.00 → $138.00"). */
export function changeText(c: Pick<Change, 'action' | 'before' | 'requested' | 'field'>, currency: string): string {
  if (c.field === 'status') return c.action.kind === 'pause' ? 'Pause' : 'Enable'
  const money = (v: unknown): string => (typeof v === 'number' ? formatMoney(v, currency) : '—')
  return `Daily budget ${money(c.before)} → ${money(c.requested)}`
}

/** A value of a change (a status or a budget in micros). */
export function changeValue(v: unknown, currency: string): string {
  if (typeof v === 'number') return formatMoney(v, currency)
  if (typeof v === 'string') return v
  return '—'
}

/** Who asked for a change, with a rule's name: "Rule “High CPA guard” (v1)". */
export function actorText(
  actor: { kind: string; id: string; label: string },
  rules: readonly { id: number; definition: { name: string } }[],
): string {
  if (actor.kind !== 'rule') return actor.label
  const [id, version] = actor.id.split('@')
  const rule = rules.find((r) => String(r.id) === id)
  return rule ? `rule “${rule.definition.name}” (v${version ?? '?'})` : `rule ${actor.id}`
}

// ── The editor's draft ─────────────────────────────────────────────────────────────────────────

/** Fill every default, so the editor works on complete objects (templates leave many out). */
export function toDraft(rule: unknown): RuleDefinition {
  const p = RuleInputSchema.safeParse(rule)
  if (p.success) return p.data
  return rule as RuleDefinition
}

export function blankRule(workspaceId: number): RuleDefinition {
  return RuleInputSchema.parse({
    workspaceId,
    name: 'New rule',
    mode: 'preview',
    scope: { level: 'campaign' },
    conditions: {
      type: 'group',
      op: 'and',
      items: [newCondition()],
    },
    actions: [{ kind: 'notify', severity: 'warning' }],
  })
}

export function newCondition(): RuleCondition {
  return {
    type: 'condition',
    metric: 'cpa',
    window: { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 },
    of: 'self',
    op: 'gt',
    value: 50,
    includeProvisional: false,
  }
}

/**
 * Field errors keyed by their dotted path ("conditions.items.0.value"). `prefix` drops the
 * wrapper of an IPC input ("rule" of rules:update).
 */
export function fieldErrors(
  issues: readonly { path: readonly (string | number)[]; message: string }[],
  prefix?: string,
): Map<string, string> {
  const out = new Map<string, string>()
  for (const i of issues) {
    let path = i.path.map(String)
    if (prefix && path[0] === prefix) path = path.slice(1)
    const key = path.join('.')
    if (!out.has(key)) out.set(key, i.message)
  }
  return out
}

/** Validate a draft as the core will: the same schema, the same paths. */
export function validateDraft(draft: RuleDefinition): Map<string, string> {
  const p = RuleInputSchema.safeParse(draft)
  if (p.success) return new Map()
  return fieldErrors(
    (p.error.issues as { path: (string | number)[]; message: string }[]).map((i) => ({
      path: i.path,
      message: friendly(i.message),
    })),
  )
}

/** The schema's words for people: a missing number says so rather than "expected number, received NaN". */
export function friendly(message: string): string {
  if (/expected number, received (NaN|undefined)/i.test(message)) return 'Enter a number'
  if (/expected int, received number/i.test(message)) return 'Enter a whole number'
  if (message === 'give either a value or compareTo (not both)') return 'Enter a value, or compare with another metric'
  if (message === 'give either pct or amountMicros') return 'Enter the change, in % or as an amount'
  if (/^Too small: expected number to be >=(\d+)/.test(message))
    return message.replace(/^Too small: expected number to be >=/, 'At least ')
  if (/^Too big: expected number to be <=/.test(message))
    return message.replace(/^Too big: expected number to be <=/, 'At most ')
  return message
}

/**
 * The issues carried by a VALIDATION error: its details (the router, the rule schema) or, for the
 * checks only the core can make (a cron expression, accounts of another workspace), the field
 * named in its message ("Invalid rule: schedule.cron: ...").
 */
export function issuesOf(details: unknown, message = ''): { path: string[]; message: string }[] {
  const issues = typeof details === 'object' && details !== null && 'issues' in details ? details.issues : null
  if (!Array.isArray(issues)) {
    const m = /Invalid rule: ([A-Za-z][\w.]*): (.+)$/.exec(message)
    return m ? [{ path: (m[1] as string).split('.'), message: m[2] as string }] : []
  }
  return issues.filter(
    (i): i is { path: string[]; message: string } =>
      typeof i === 'object' && i !== null && Array.isArray((i as { path?: unknown }).path),
  )
}

/** Errors at `path` or below it (a group shows the errors of its own path only). */
export function errorAt(errors: Map<string, string>, path: string): string | undefined {
  return errors.get(path)
}

/** 30 daily values ending today (UTC days, as the runs are stored), zero where nothing ran. */
export function dailySeries(rows: { day: string; actions: number }[], today: Date, days = 30): number[] {
  const by = new Map(rows.map((r) => [r.day, r.actions]))
  const out: number[] = []
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(today.getTime() - i * 86_400_000).toISOString().slice(0, 10)
    out.push(by.get(d) ?? 0)
  }
  return out
}
