import type { JSX } from 'react'
import type { EntityLevel } from '../../../../shared/domain/entities'
import {
  DEFAULT_RULE_FORECAST,
  FORECAST_BOUNDS,
  FORECAST_METRICS,
  OPERATOR_SYMBOLS,
  RULE_METRIC_LABELS,
  RULE_METRICS,
  RULE_OPERATORS,
  WINDOWLESS_METRICS,
  dataMinimumOf,
  type ForecastBound,
  type RuleCondition,
  type RuleForecast,
  type RuleGroup,
  type RuleMetric,
  type RuleNode,
  type RuleOperator,
  type RuleWindow,
} from '../../../../shared/domain/rules'
import { NumberInput } from './fields'
import { fromDisplay, newCondition, toDisplay, unitOf } from './rule-text'

const OPERATOR_WORDS: Record<RuleOperator, string> = {
  gt: 'is above',
  gte: 'is at least',
  lt: 'is below',
  lte: 'is at most',
  eq: 'equals',
  neq: 'is not',
}

const WINDOW_KINDS: { id: RuleWindow['kind']; label: string }[] = [
  { id: 'last_n_days', label: 'Last N days' },
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: 'lifetime', label: 'Lifetime' },
  { id: 'since_last_change', label: 'Since this rule’s last change' },
]

const MAX_DEPTH = 5

function unitSuffix(metric: RuleMetric, currency: string): string {
  switch (unitOf(metric)) {
    case 'money':
      return currency
    case 'percent':
      return '%'
    case 'ratio':
      return '×'
    case 'days':
      return 'days'
    default:
      return ''
  }
}

function defaultWindow(kind: RuleWindow['kind']): RuleWindow {
  return kind === 'last_n_days' ? { kind, days: 7, includeToday: false, offsetDays: 0 } : { kind }
}

/** Window picker: kind, and for "last N days" the days, whether today counts and an offset. */
export function WindowPicker({
  id,
  value,
  onChange,
  label,
}: {
  id: string
  value: RuleWindow
  onChange: (w: RuleWindow) => void
  label: string
}): JSX.Element {
  return (
    <span className="rule-window">
      <select
        id={id}
        className="select"
        aria-label={label}
        value={value.kind}
        onChange={(e) => onChange(defaultWindow(e.target.value as RuleWindow['kind']))}
      >
        {WINDOW_KINDS.map((k) => (
          <option key={k.id} value={k.id}>
            {k.label}
          </option>
        ))}
      </select>
      {value.kind === 'last_n_days' ? (
        <>
          <NumberInput
            id={`${id}-days`}
            label={`${label}: number of days`}
            value={value.days}
            min={1}
            step={1}
            width={64}
            onChange={(d) => onChange({ ...value, days: d ?? 0 })}
          />
          <span className="rule-window__word">days</span>
          <label className="rule-check" title="Leave out: the last N days end yesterday">
            <input
              type="checkbox"
              checked={value.includeToday}
              onChange={(e) => onChange({ ...value, includeToday: e.target.checked })}
            />
            incl. today
          </label>
          <span className="rule-window__word">ending</span>
          <NumberInput
            id={`${id}-offset`}
            label={`${label}: days back the window ends`}
            value={value.offsetDays}
            min={0}
            step={1}
            width={56}
            onChange={(d) => onChange({ ...value, offsetDays: d ?? 0 })}
          />
          <span className="rule-window__word">days ago</span>
        </>
      ) : null}
    </span>
  )
}

interface TreeProps {
  level: EntityLevel
  currency: string
  errors: Map<string, string>
}

/** One condition: [owner] metric [window] operator value-or-(factor × metric [window]); provisional days. */
function ConditionRow({
  cond,
  path,
  onChange,
  onRemove,
  level,
  currency,
  errors,
}: TreeProps & {
  cond: RuleCondition
  path: string
  onChange: (c: RuleCondition) => void
  onRemove: (() => void) | null
}): JSX.Element {
  const id = `cond-${path.replace(/\./g, '-')}`
  const set = (patch: Partial<RuleCondition>): void => onChange({ ...cond, ...patch })
  const windowless = WINDOWLESS_METRICS.includes(cond.metric)
  // Forecast metrics take a horizon and an interval bound instead of a window (one for both sides).
  const forecasting =
    FORECAST_METRICS.includes(cond.metric) ||
    (cond.compareTo !== undefined && FORECAST_METRICS.includes(cond.compareTo.metric))
  const withForecast = (c: RuleCondition): RuleCondition => {
    const uses = FORECAST_METRICS.includes(c.metric) || (c.compareTo && FORECAST_METRICS.includes(c.compareTo.metric))
    if (uses) return c.forecast ? c : { ...c, forecast: { ...DEFAULT_RULE_FORECAST } }
    const { forecast: _f, ...rest } = c
    void _f
    return rest
  }
  const byMetric = cond.compareTo !== undefined
  const valueErr = errors.get(`${path}.value`) ?? errors.get(`${path}.compareTo.factor`)
  const rowErr =
    errors.get(path) ??
    errors.get(`${path}.op`) ??
    errors.get(`${path}.window.days`) ??
    errors.get(`${path}.forecast.days`)
  const minimum = dataMinimumOf(cond.metric)
  return (
    <li className="rule-cond" data-testid="rule-condition">
      <div className="rule-cond__line">
        {level !== 'campaign' ? (
          <select
            className="select"
            aria-label="Whose numbers"
            value={cond.of}
            onChange={(e) => set({ of: e.target.value as RuleCondition['of'] })}
          >
            <option value="self">Its own</option>
            <option value="parent_campaign">Its campaign’s</option>
          </select>
        ) : null}
        <select
          id={`${id}-metric`}
          className="select"
          aria-label="Metric"
          value={cond.metric}
          data-testid="condition-metric"
          onChange={(e) => {
            const metric = e.target.value as RuleMetric
            // Keep the number as shown: 2 (%) stays 2 % when switching between percent metrics.
            const value = cond.value === undefined ? undefined : fromDisplay(metric, toDisplay(cond.metric, cond.value))
            onChange(withForecast({ ...cond, metric, ...(value !== undefined ? { value } : {}) }))
          }}
        >
          {RULE_METRICS.map((m) => (
            <option key={m} value={m}>
              {RULE_METRIC_LABELS[m]}
            </option>
          ))}
        </select>
        {windowless ? null : (
          <WindowPicker id={`${id}-window`} label="Window" value={cond.window} onChange={(window) => set({ window })} />
        )}
        {forecasting ? (
          <ForecastPicker
            id={`${id}-forecast`}
            value={cond.forecast ?? DEFAULT_RULE_FORECAST}
            invalid={!!errors.get(`${path}.forecast.days`)}
            onChange={(forecast) => set({ forecast })}
          />
        ) : null}
        <select
          className="select"
          aria-label="Operator"
          value={cond.op}
          data-testid="condition-op"
          onChange={(e) => set({ op: e.target.value as RuleOperator })}
        >
          {RULE_OPERATORS.map((o) => (
            <option key={o} value={o}>
              {OPERATOR_SYMBOLS[o]} {OPERATOR_WORDS[o]}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Compare with"
          value={byMetric ? 'metric' : 'value'}
          onChange={(e) => {
            if (e.target.value === 'metric') {
              const { value: _v, ...rest } = cond
              void _v
              onChange({ ...rest, compareTo: { metric: cond.metric, of: 'self', factor: 1 } })
            } else {
              const { compareTo: _c, ...rest } = cond
              void _c
              onChange({ ...rest, value: 0 })
            }
          }}
        >
          <option value="value">a value</option>
          <option value="metric">another metric ×</option>
        </select>
        {byMetric && cond.compareTo ? (
          <>
            <NumberInput
              id={`${id}-factor`}
              label="Factor"
              value={cond.compareTo.factor}
              width={72}
              invalid={!!valueErr}
              onChange={(f) => set({ compareTo: { ...cond.compareTo!, factor: f ?? Number.NaN } })}
            />
            <span className="rule-window__word">×</span>
            {level !== 'campaign' ? (
              <select
                className="select"
                aria-label="Whose numbers (right side)"
                value={cond.compareTo.of}
                onChange={(e) => set({ compareTo: { ...cond.compareTo!, of: e.target.value as RuleCondition['of'] } })}
              >
                <option value="self">its own</option>
                <option value="parent_campaign">its campaign’s</option>
              </select>
            ) : null}
            <select
              className="select"
              aria-label="Metric (right side)"
              value={cond.compareTo.metric}
              onChange={(e) =>
                onChange(
                  withForecast({ ...cond, compareTo: { ...cond.compareTo!, metric: e.target.value as RuleMetric } }),
                )
              }
            >
              {RULE_METRICS.map((m) => (
                <option key={m} value={m}>
                  {RULE_METRIC_LABELS[m]}
                </option>
              ))}
            </select>
            {WINDOWLESS_METRICS.includes(cond.compareTo.metric) ? null : (
              <>
                <label className="rule-check">
                  <input
                    type="checkbox"
                    checked={cond.compareTo.window !== undefined}
                    onChange={(e) => {
                      const { window: _w, ...rest } = cond.compareTo!
                      void _w
                      set({ compareTo: e.target.checked ? { ...rest, window: cond.window } : rest })
                    }}
                  />
                  own window
                </label>
                {cond.compareTo.window ? (
                  <WindowPicker
                    id={`${id}-cwindow`}
                    label="Window (right side)"
                    value={cond.compareTo.window}
                    onChange={(window) => set({ compareTo: { ...cond.compareTo!, window } })}
                  />
                ) : null}
              </>
            )}
          </>
        ) : (
          <>
            <NumberInput
              id={`${id}-value`}
              label={`Value (${unitSuffix(cond.metric, currency) || 'number'})`}
              value={cond.value === undefined ? undefined : toDisplay(cond.metric, cond.value)}
              width={110}
              invalid={!!valueErr}
              testId="condition-value"
              onChange={(v) => {
                if (v === undefined) {
                  const { value: _v, ...rest } = cond
                  void _v
                  onChange(rest)
                } else set({ value: fromDisplay(cond.metric, v) })
              }}
            />
            <span className="rule-window__word">{unitSuffix(cond.metric, currency)}</span>
          </>
        )}
        {onRemove ? (
          <button
            type="button"
            className="btn btn--ghost btn--sm rule-cond__remove"
            aria-label="Remove this condition"
            onClick={onRemove}
          >
            Remove
          </button>
        ) : null}
      </div>
      <div className="rule-cond__foot">
        {windowless ? null : (
          <label className="rule-check">
            <input
              type="checkbox"
              checked={cond.includeProvisional}
              onChange={(e) => set({ includeProvisional: e.target.checked })}
            />
            Count provisional days (the platform may still restate them)
          </label>
        )}
        {forecasting ? (
          <span className="field__hint">
            From the ML forecast (Predictions page): entities without a forecast, or forecast by the seasonal baseline
            instead of the model, are skipped with the reason
          </span>
        ) : null}
        {minimum ? (
          <span className="field__hint">
            Needs the data minimum on {minimum === 'conversions' ? 'conversions and spend' : 'impressions'} (guardrails)
          </span>
        ) : null}
      </div>
      {valueErr || rowErr ? (
        <span className="field__error" role="alert" data-testid="condition-error">
          {valueErr ?? rowErr}
        </span>
      ) : null}
    </li>
  )
}

/** A group: all / any of its items, each a condition or a nested group (at most 5 deep). */
export function ConditionGroup({
  group,
  path,
  depth,
  onChange,
  onRemove,
  ...tree
}: TreeProps & {
  group: RuleGroup
  path: string
  depth: number
  onChange: (g: RuleGroup) => void
  onRemove: (() => void) | null
}): JSX.Element {
  const setItem = (i: number, node: RuleNode): void =>
    onChange({ ...group, items: group.items.map((x, j) => (j === i ? node : x)) })
  const removeItem = (i: number): void => onChange({ ...group, items: group.items.filter((_, j) => j !== i) })
  const itemsErr = tree.errors.get(`${path}.items`) ?? tree.errors.get(path)
  return (
    <div
      className={`rule-group${depth > 1 ? ' rule-group--nested' : ''}`}
      role="group"
      aria-label={depth > 1 ? `Nested group, ${group.op === 'and' ? 'all' : 'any'} of` : 'Conditions'}
      data-testid="rule-group"
    >
      <div className="rule-group__head">
        <span className="segmented" role="radiogroup" aria-label="Match">
          {(['and', 'or'] as const).map((op) => (
            <label key={op}>
              <input
                type="radio"
                name={`group-op-${path}`}
                checked={group.op === op}
                onChange={() => onChange({ ...group, op })}
              />
              {op === 'and' ? 'All of' : 'Any of'}
            </label>
          ))}
        </span>
        <span className="field__hint">{group.op === 'and' ? 'every condition must hold' : 'one is enough'}</span>
        {onRemove ? (
          <button type="button" className="btn btn--ghost btn--sm" onClick={onRemove}>
            Remove group
          </button>
        ) : null}
      </div>
      <ul className="rule-group__items">
        {group.items.map((item, i) =>
          item.type === 'group' ? (
            <li key={i}>
              <ConditionGroup
                {...tree}
                group={item}
                path={`${path}.items.${i}`}
                depth={depth + 1}
                onChange={(g) => setItem(i, g)}
                onRemove={() => removeItem(i)}
              />
            </li>
          ) : (
            <ConditionRow
              key={i}
              {...tree}
              cond={item}
              path={`${path}.items.${i}`}
              onChange={(c) => setItem(i, c)}
              onRemove={group.items.length > 1 || depth > 1 ? () => removeItem(i) : null}
            />
          ),
        )}
      </ul>
      {itemsErr ? (
        <span className="field__error" role="alert">
          {itemsErr}
        </span>
      ) : null}
      <div className="rule-group__add">
        <button
          type="button"
          className="btn btn--sm"
          onClick={() => onChange({ ...group, items: [...group.items, newCondition()] })}
        >
          + Condition
        </button>
        {depth < MAX_DEPTH ? (
          <button
            type="button"
            className="btn btn--sm"
            onClick={() =>
              onChange({
                ...group,
                items: [
                  ...group.items,
                  { type: 'group', op: group.op === 'and' ? 'or' : 'and', items: [newCondition()] },
                ],
              })
            }
          >
            + Group ({group.op === 'and' ? 'any of' : 'all of'})
          </button>
        ) : null}
      </div>
    </div>
  )
}

const BOUND_WORDS: Record<ForecastBound, string> = {
  lower: 'lower bound (80% interval)',
  point: 'point forecast',
  upper: 'upper bound (80% interval)',
}

/** "the next [7] days, [lower bound]": a forecast metric's horizon and interval bound. */
function ForecastPicker({
  id,
  value,
  invalid,
  onChange,
}: {
  id: string
  value: RuleForecast
  invalid: boolean
  onChange: (f: RuleForecast) => void
}): JSX.Element {
  return (
    <span className="rule-window" data-testid="condition-forecast">
      <span className="rule-window__word">next</span>
      <NumberInput
        id={`${id}-days`}
        label="Forecast days ahead"
        value={value.days}
        width={64}
        min={1}
        step={1}
        invalid={invalid}
        onChange={(d) => onChange({ ...value, days: d ?? Number.NaN })}
      />
      <span className="rule-window__word">days,</span>
      <select
        className="select"
        aria-label="Forecast bound"
        value={value.bound}
        onChange={(e) => onChange({ ...value, bound: e.target.value as ForecastBound })}
      >
        {FORECAST_BOUNDS.map((b) => (
          <option key={b} value={b}>
            {BOUND_WORDS[b]}
          </option>
        ))}
      </select>
    </span>
  )
}
