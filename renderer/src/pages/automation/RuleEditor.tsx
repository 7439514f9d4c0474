import { useMemo, useState, type FormEvent, type JSX } from 'react'
import { ALERT_SEVERITIES } from '../../../../shared/domain/alerts'
import {
  ENTITY_LEVELS,
  OBJECTIVES,
  PLATFORM_LABELS,
  PLATFORMS,
  type EntityLevel,
  type EntityStatus,
  type Objective,
  type PlatformId,
} from '../../../../shared/domain/entities'
import {
  DEFAULT_GUARDRAILS,
  RULE_MODES,
  type Rule,
  type RuleAction,
  type RuleRunResult,
  type RuleDefinition,
  type RuleGuardrails,
  type RuleSchedule,
} from '../../../../shared/domain/rules'
import type { Account } from '../../../../shared/ipc/contract'
import type { RuleTemplate } from '../../../../shared/ipc/contracts/automation'
import { ApiError, getClient } from '../../api/client'
import { errorMessage } from '../../lib/errors'
import { ConditionGroup } from './ConditionTree'
import { CheckGroup, Field, NumberInput } from './fields'
import { PreviewPanel } from './PreviewPanel'
import { MODE_HINTS, MODE_LABELS, WEEKDAYS, fieldErrors, issuesOf, validateDraft } from './rule-text'

const LEVEL_LABELS: Record<EntityLevel, string> = { campaign: 'Campaigns', ad_set: 'Ad sets', ad: 'Ads' }
const OBJECTIVE_LABELS: Record<Objective, string> = {
  sales: 'Sales',
  leads: 'Leads',
  traffic: 'Traffic',
  awareness: 'Awareness',
  app_installs: 'App installs',
}
const SCHEDULE_KINDS: { id: RuleSchedule['kind']; label: string }[] = [
  { id: 'after_sync', label: 'After each sync' },
  { id: 'every_minutes', label: 'Every N minutes' },
  { id: 'hourly', label: 'Hourly' },
  { id: 'daily', label: 'Daily at a time' },
  { id: 'cron', label: 'Cron expression' },
  { id: 'manual', label: 'Only when run by hand' },
]
const ACTION_KINDS: { id: RuleAction['kind']; label: string }[] = [
  { id: 'pause', label: 'Pause' },
  { id: 'enable', label: 'Enable' },
  { id: 'change_budget', label: 'Raise or lower the daily budget' },
  { id: 'set_budget', label: 'Set the daily budget' },
  { id: 'notify', label: 'Alert only' },
  { id: 'add_label', label: 'Add a label' },
]
const M = 1_000_000

function newAction(kind: RuleAction['kind']): RuleAction {
  switch (kind) {
    case 'pause':
    case 'enable':
      return { kind }
    case 'set_budget':
      return { kind, dailyBudgetMicros: 50 * M }
    case 'change_budget':
      return { kind, pct: 15, maxChangePerDayPct: 50 }
    case 'notify':
      return { kind, severity: 'warning' }
    case 'add_label':
      return { kind, label: 'flagged' }
  }
}

/** The editor's sections, each a card with its title and a line of what it decides. */
function Section({ id, title, hint, children }: { id: string; title: string; hint: string; children: JSX.Element }) {
  return (
    <section className="card rule-section" aria-labelledby={`rule-sec-${id}`}>
      <div className="card__header">
        <div>
          <h2 id={`rule-sec-${id}`} className="rule-section__title">
            {title}
          </h2>
          <p>{hint}</p>
        </div>
      </div>
      <div className="card__body">{children}</div>
    </section>
  )
}

/**
 * The rule editor: scope, nested conditions with metric and window pickers, actions, guardrails,
 * schedule and mode, validated as the core validates (errors next to the field), a live preview
 * beside it, and Save (a new version of a stored rule).
 */
export function RuleEditor({
  rule,
  initial,
  template,
  accounts,
  currency,
  onSaved,
  onCancel,
}: {
  /** The stored rule being edited (undefined: a new rule). */
  rule?: Rule
  initial: RuleDefinition
  template?: RuleTemplate
  accounts: Account[]
  currency: string
  onSaved: (r: Rule) => void
  onCancel: () => void
}): JSX.Element {
  const [draft, setDraft] = useState<RuleDefinition>(initial)
  const [serverErrors, setServerErrors] = useState<Map<string, string>>(new Map())
  const [saveError, setSaveError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [touched, setTouched] = useState(false)
  const [lastPreview, setLastPreview] = useState<RuleRunResult | null>(null)

  const localErrors = useMemo(() => validateDraft(draft), [draft])
  const errors = useMemo(() => {
    const m = new Map(localErrors)
    for (const [k, v] of serverErrors) if (!m.has(k)) m.set(k, v)
    return m
  }, [localErrors, serverErrors])
  const err = (path: string): string | undefined => errors.get(path)

  const update = (patch: Partial<RuleDefinition>): void => {
    setTouched(true)
    setServerErrors(new Map())
    setDraft((d) => ({ ...d, ...patch }))
  }
  const setScope = (patch: Partial<RuleDefinition['scope']>): void => {
    const scope = { ...draft.scope, ...patch }
    for (const k of Object.keys(scope) as (keyof typeof scope)[]) if (scope[k] === undefined) delete scope[k]
    update({ scope })
  }
  const setGuard = (patch: Partial<RuleGuardrails>): void => {
    const guardrails = { ...draft.guardrails, ...patch }
    if (guardrails.budgetCeilingMicros === undefined) delete guardrails.budgetCeilingMicros
    update({ guardrails })
  }
  const setSchedule = (patch: Partial<RuleSchedule>): void => {
    const schedule = { ...draft.schedule, ...patch }
    for (const k of Object.keys(schedule) as (keyof RuleSchedule)[]) if (schedule[k] === undefined) delete schedule[k]
    update({ schedule })
  }
  const setAction = (i: number, a: RuleAction): void =>
    update({ actions: draft.actions.map((x, j) => (j === i ? a : x)) })

  const accountCurrency = (id: number | null): string => accounts.find((a) => a.id === id)?.currency ?? currency
  const platforms = PLATFORMS.filter((p) => accounts.some((a) => a.platform === p))
  const explain = (field: string): string | undefined =>
    template?.explanations
      .filter((e) => e.field === field || e.field.startsWith(`${field}.`))
      .map((e) => e.text)
      .join(' ') || undefined

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    setSaveError(null)
    if (localErrors.size) {
      setSaveError(`Fix the ${localErrors.size === 1 ? 'field' : `${localErrors.size} fields`} marked in red first.`)
      return
    }
    setSaving(true)
    try {
      const saved = rule
        ? await getClient().invoke('rules:update', { id: rule.id, rule: draft })
        : await getClient().invoke('rules:create', draft)
      onSaved(saved)
    } catch (error) {
      const issues = error instanceof ApiError ? issuesOf(error.details, error.message) : []
      setServerErrors(fieldErrors(issues, rule ? 'rule' : undefined))
      setSaveError(errorMessage(error))
    } finally {
      setSaving(false)
    }
  }

  const g = draft.guardrails
  const s = draft.schedule
  const sc = draft.scope

  return (
    <div className="rule-editor" data-testid="rule-editor">
      <form className="rule-editor__form" onSubmit={(e) => void save(e)} noValidate aria-label="Rule">
        {template ? (
          <p className="note note--info" data-testid="template-note">
            From the template “{template.name}”: {template.summary} Its defaults are explained next to each field.
          </p>
        ) : null}
        <Section id="basics" title="Rule" hint="A name your team recognises in approvals and alerts.">
          <div className="rule-grid">
            <Field id="rule-name" label="Name" error={err('name')}>
              <input
                id="rule-name"
                className="input"
                value={draft.name}
                aria-invalid={!!err('name') || undefined}
                data-testid="rule-name"
                onChange={(e) => update({ name: e.target.value })}
              />
            </Field>
            <Field id="rule-description" label="Description" error={err('description')} wide>
              <input
                id="rule-description"
                className="input"
                value={draft.description}
                onChange={(e) => update({ description: e.target.value })}
              />
            </Field>
          </div>
        </Section>

        <Section id="scope" title="Scope" hint="Which entities the rule watches.">
          <div className="rule-stack">
            <div className="rule-grid">
              <Field id="scope-level" label="Level" error={err('scope.level')} hint={explain('scope')}>
                <select
                  id="scope-level"
                  className="select"
                  value={sc.level}
                  data-testid="scope-level"
                  onChange={(e) => setScope({ level: e.target.value as EntityLevel })}
                >
                  {ENTITY_LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {LEVEL_LABELS[l]}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="scope-name" label="Name contains" error={err('scope.nameContains')} hint="Case-insensitive">
                <input
                  id="scope-name"
                  className="input"
                  value={sc.nameContains ?? ''}
                  onChange={(e) => setScope({ nameContains: e.target.value || undefined })}
                />
              </Field>
              <Field
                id="scope-regex"
                label="Name matches (regular expression)"
                error={err('scope.nameMatches')}
                hint="e.g. ^US \|"
              >
                <input
                  id="scope-regex"
                  className="input input--code"
                  value={sc.nameMatches ?? ''}
                  aria-invalid={!!err('scope.nameMatches') || undefined}
                  onChange={(e) => setScope({ nameMatches: e.target.value || undefined })}
                />
              </Field>
              <Field id="scope-labels" label="Carrying the labels" error={err('scope.labels')} hint="Comma-separated">
                <input
                  id="scope-labels"
                  className="input"
                  value={(sc.labels ?? []).join(', ')}
                  onChange={(e) => {
                    const labels = e.target.value
                      .split(',')
                      .map((x) => x.trim())
                      .filter(Boolean)
                    setScope({ labels: labels.length ? labels : undefined })
                  }}
                />
              </Field>
            </div>
            <CheckGroup<PlatformId>
              legend="Platforms"
              options={platforms.map((p) => ({ id: p, label: PLATFORM_LABELS[p] }))}
              value={sc.platforms}
              error={err('scope.platforms')}
              onChange={(platforms) => setScope({ platforms })}
            />
            <CheckGroup<number>
              legend="Accounts"
              options={accounts.map((a) => ({ id: a.id, label: `${a.name} (${PLATFORM_LABELS[a.platform]})` }))}
              value={sc.accountIds}
              error={err('scope.accountIds')}
              onChange={(accountIds) => setScope({ accountIds })}
            />
            <CheckGroup<Exclude<EntityStatus, 'archived'>>
              legend="Delivery status"
              options={[
                { id: 'active', label: 'Active' },
                { id: 'paused', label: 'Paused' },
              ]}
              value={sc.statuses}
              allWhenNone={false}
              error={err('scope.statuses')}
              hint={explain('scope.statuses') ?? 'Deleted entities are always skipped, with the reason.'}
              onChange={(statuses) => setScope({ statuses: statuses ?? [] })}
            />
            <CheckGroup<Objective>
              legend="Campaign objectives"
              options={OBJECTIVES.map((o) => ({ id: o, label: OBJECTIVE_LABELS[o] }))}
              value={sc.objectives}
              onChange={(objectives) => setScope({ objectives })}
            />
            <label className="switch">
              <input
                type="checkbox"
                checked={sc.includeNew}
                disabled={sc.includeNew && !lastPreview}
                data-testid="scope-include-new"
                onChange={(e) => {
                  if (e.target.checked) {
                    setScope({ includeNew: true, entityIds: undefined })
                    return
                  }
                  // Fix the list to the entities in scope now (the latest preview), deleted ones left out.
                  const ids = (lastPreview?.decisions ?? [])
                    .filter((d) => d.reason !== 'deleted')
                    .map((d) => d.entityId)
                  setScope({ includeNew: false, entityIds: ids })
                }}
              />
              Include new entities automatically
            </label>
            {sc.includeNew ? (
              <p className="field__hint">
                Untick to fix the rule to the{' '}
                {lastPreview ? lastPreview.decisions.filter((d) => d.reason !== 'deleted').length : ''} entities the
                filters select now: entities created later are then left out.
              </p>
            ) : (
              <p className="field__hint" data-testid="scope-fixed">
                Only these {sc.entityIds?.length ?? 0} entities. To change the list, tick the box, adjust the filters
                and untick it again.{' '}
                {err('scope.entityIds') ? <span className="field__error">{err('scope.entityIds')}</span> : null}
              </p>
            )}
          </div>
        </Section>

        <Section
          id="conditions"
          title="Conditions"
          hint="When the rule acts. Each condition has its own window; ratios come from summed parts."
        >
          <div className="rule-stack">
            {explain('conditions') || explain('window') ? (
              <p className="field__hint">{[explain('conditions'), explain('window')].filter(Boolean).join(' ')}</p>
            ) : null}
            <ConditionGroup
              group={draft.conditions}
              path="conditions"
              depth={1}
              level={sc.level}
              currency={currency}
              errors={errors}
              onChange={(conditions) => update({ conditions })}
              onRemove={null}
            />
          </div>
        </Section>

        <Section
          id="actions"
          title="Actions"
          hint="What happens to each matched entity. Budgets in the reporting currency."
        >
          <div className="rule-stack">
            {explain('actions') ? <p className="field__hint">{explain('actions')}</p> : null}
            {err('actions') ? (
              <span className="field__error" role="alert">
                {err('actions')}
              </span>
            ) : null}
            <ol className="rule-actions">
              {draft.actions.map((a, i) => (
                <li key={i} className="rule-action" data-testid="rule-action">
                  <select
                    className="select"
                    aria-label={`Action ${i + 1}`}
                    value={a.kind}
                    aria-invalid={!!err(`actions.${i}.kind`) || undefined}
                    onChange={(e) => setAction(i, newAction(e.target.value as RuleAction['kind']))}
                  >
                    {ACTION_KINDS.map((k) => (
                      <option key={k.id} value={k.id}>
                        {k.label}
                      </option>
                    ))}
                  </select>
                  <ActionFields
                    action={a}
                    index={i}
                    currency={currency}
                    err={err}
                    onChange={(next) => setAction(i, next)}
                  />
                  {draft.actions.length > 1 ? (
                    <button
                      type="button"
                      className="btn btn--ghost btn--sm"
                      onClick={() => update({ actions: draft.actions.filter((_, j) => j !== i) })}
                    >
                      Remove
                    </button>
                  ) : null}
                  {err(`actions.${i}.kind`) || err(`actions.${i}`) ? (
                    <span className="field__error rule-action__error" role="alert">
                      {err(`actions.${i}.kind`) ?? err(`actions.${i}`)}
                    </span>
                  ) : null}
                </li>
              ))}
            </ol>
            {draft.actions.length < 10 ? (
              <div>
                <button
                  type="button"
                  className="btn btn--sm"
                  onClick={() => update({ actions: [...draft.actions, newAction('notify')] })}
                >
                  + Action
                </button>
              </div>
            ) : null}
          </div>
        </Section>

        <Section id="guardrails" title="Guardrails" hint="On by default, so the rule does not act on noise.">
          <div className="rule-grid">
            <Field
              id="g-minconv"
              label="Min conversions (ROAS, CPA)"
              error={err('guardrails.minConversions')}
              hint={explain('guardrails.minConversions') ?? `Default ${DEFAULT_GUARDRAILS.minConversions}`}
            >
              <NumberInput
                id="g-minconv"
                value={g.minConversions}
                min={0}
                invalid={!!err('guardrails.minConversions')}
                onChange={(v) => setGuard({ minConversions: v ?? Number.NaN })}
              />
            </Field>
            <Field
              id="g-minspend"
              label={`Min spend (ROAS, CPA), ${currency}`}
              error={err('guardrails.minSpendMicros')}
            >
              <NumberInput
                id="g-minspend"
                value={g.minSpendMicros}
                scale={M}
                min={0}
                invalid={!!err('guardrails.minSpendMicros')}
                onChange={(v) => setGuard({ minSpendMicros: v ?? Number.NaN })}
              />
            </Field>
            <Field
              id="g-minimpr"
              label="Min impressions (CTR, CPC, CPM)"
              error={err('guardrails.minImpressions')}
              hint={explain('guardrails.minImpressions')}
            >
              <NumberInput
                id="g-minimpr"
                value={g.minImpressions}
                min={0}
                step={1}
                invalid={!!err('guardrails.minImpressions')}
                onChange={(v) => setGuard({ minImpressions: v ?? Number.NaN })}
              />
            </Field>
            <Field
              id="g-cooldown"
              label="Cooldown per entity (hours)"
              error={err('guardrails.cooldownHours')}
              hint={explain('guardrails.cooldownHours') ?? 'Wait after acting on an entity before acting on it again.'}
            >
              <NumberInput
                id="g-cooldown"
                value={g.cooldownHours}
                min={0}
                invalid={!!err('guardrails.cooldownHours')}
                onChange={(v) => setGuard({ cooldownHours: v ?? Number.NaN })}
              />
            </Field>
            <Field
              id="g-learning"
              label="Skip entities younger than (days)"
              error={err('guardrails.learningDays')}
              hint={explain('guardrails.learningDays') ?? 'The platform’s learning phase.'}
            >
              <NumberInput
                id="g-learning"
                value={g.learningDays}
                min={0}
                step={1}
                invalid={!!err('guardrails.learningDays')}
                onChange={(v) => setGuard({ learningDays: v ?? Number.NaN })}
              />
            </Field>
            <Field id="g-perrun" label="Max actions per run" error={err('guardrails.maxActionsPerRun')}>
              <NumberInput
                id="g-perrun"
                value={g.maxActionsPerRun}
                min={1}
                step={1}
                invalid={!!err('guardrails.maxActionsPerRun')}
                onChange={(v) => setGuard({ maxActionsPerRun: v ?? Number.NaN })}
              />
            </Field>
            <Field
              id="g-perday"
              label="Max actions per account per day"
              error={err('guardrails.maxActionsPerDayPerAccount')}
            >
              <NumberInput
                id="g-perday"
                value={g.maxActionsPerDayPerAccount}
                min={1}
                step={1}
                invalid={!!err('guardrails.maxActionsPerDayPerAccount')}
                onChange={(v) => setGuard({ maxActionsPerDayPerAccount: v ?? Number.NaN })}
              />
            </Field>
            <Field id="g-floor" label={`Budget floor, ${currency}`} error={err('guardrails.budgetFloorMicros')}>
              <NumberInput
                id="g-floor"
                value={g.budgetFloorMicros}
                scale={M}
                min={0}
                invalid={!!err('guardrails.budgetFloorMicros')}
                onChange={(v) => setGuard({ budgetFloorMicros: v ?? Number.NaN })}
              />
            </Field>
            <Field
              id="g-ceiling"
              label={`Budget ceiling, ${currency}`}
              error={err('guardrails.budgetCeilingMicros')}
              hint="Empty: no ceiling"
            >
              <NumberInput
                id="g-ceiling"
                value={g.budgetCeilingMicros}
                scale={M}
                min={0}
                invalid={!!err('guardrails.budgetCeilingMicros')}
                onChange={(v) => setGuard({ budgetCeilingMicros: v })}
              />
            </Field>
          </div>
        </Section>

        <Section id="schedule" title="Schedule" hint="When it runs, in the accounts’ time zone unless you name one.">
          <div className="rule-stack">
            <div className="rule-grid">
              <Field id="s-kind" label="Runs" error={err('schedule.kind')} hint={explain('schedule')}>
                <select
                  id="s-kind"
                  className="select"
                  value={s.kind}
                  onChange={(e) => {
                    const kind = e.target.value as RuleSchedule['kind']
                    const base: RuleSchedule = { kind }
                    if (kind === 'every_minutes') base.minutes = 60
                    if (kind === 'daily') base.at = '08:00'
                    if (kind === 'cron') base.cron = '0 8 * * 1-5'
                    const { activeDays, activeHours, timeZone } = s
                    update({
                      schedule: {
                        ...base,
                        ...(activeDays ? { activeDays } : {}),
                        ...(activeHours ? { activeHours } : {}),
                        ...(timeZone ? { timeZone } : {}),
                      },
                    })
                  }}
                >
                  {SCHEDULE_KINDS.map((k) => (
                    <option key={k.id} value={k.id}>
                      {k.label}
                    </option>
                  ))}
                </select>
              </Field>
              {s.kind === 'every_minutes' ? (
                <Field id="s-minutes" label="Every (minutes)" error={err('schedule.minutes')} hint="15 at least">
                  <NumberInput
                    id="s-minutes"
                    value={s.minutes}
                    min={15}
                    step={1}
                    invalid={!!err('schedule.minutes')}
                    onChange={(v) => setSchedule({ minutes: v })}
                  />
                </Field>
              ) : null}
              {s.kind === 'daily' ? (
                <Field id="s-at" label="At (local time)" error={err('schedule.at')}>
                  <input
                    id="s-at"
                    className="input"
                    type="time"
                    value={s.at ?? ''}
                    aria-invalid={!!err('schedule.at') || undefined}
                    onChange={(e) => setSchedule({ at: e.target.value || undefined })}
                  />
                </Field>
              ) : null}
              {s.kind === 'cron' ? (
                <Field
                  id="s-cron"
                  label="Cron (minute hour day month weekday)"
                  error={err('schedule.cron')}
                  hint="e.g. 0 8 * * 1-5: weekdays at 08:00"
                >
                  <input
                    id="s-cron"
                    className="input input--code"
                    value={s.cron ?? ''}
                    aria-invalid={!!err('schedule.cron') || undefined}
                    onChange={(e) => setSchedule({ cron: e.target.value || undefined })}
                  />
                </Field>
              ) : null}
              <Field
                id="s-tz"
                label="Time zone"
                error={err('schedule.timeZone')}
                hint={`Empty: the first account’s (${accounts[0]?.timeZone ?? 'UTC'})`}
              >
                <input
                  id="s-tz"
                  className="input"
                  list="rule-time-zones"
                  value={s.timeZone ?? ''}
                  aria-invalid={!!err('schedule.timeZone') || undefined}
                  onChange={(e) => setSchedule({ timeZone: e.target.value || undefined })}
                />
                <datalist id="rule-time-zones">
                  {[...new Set(accounts.map((a) => a.timeZone))].map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </Field>
              <div className="field">
                <span className="field__label" id="s-hours-label">
                  Active hours (local)
                </span>
                <span className="rule-window">
                  <label className="rule-check">
                    <input
                      type="checkbox"
                      checked={s.activeHours !== undefined}
                      onChange={(e) => setSchedule({ activeHours: e.target.checked ? { from: 6, to: 22 } : undefined })}
                    />
                    only between
                  </label>
                  {s.activeHours ? (
                    <>
                      <NumberInput
                        id="s-from"
                        label="From hour"
                        value={s.activeHours.from}
                        min={0}
                        step={1}
                        width={60}
                        onChange={(v) => setSchedule({ activeHours: { ...s.activeHours!, from: v ?? Number.NaN } })}
                      />
                      <span className="rule-window__word">and</span>
                      <NumberInput
                        id="s-to"
                        label="To hour"
                        value={s.activeHours.to}
                        min={1}
                        step={1}
                        width={60}
                        onChange={(v) => setSchedule({ activeHours: { ...s.activeHours!, to: v ?? Number.NaN } })}
                      />
                    </>
                  ) : null}
                </span>
                {err('schedule.activeHours.from') || err('schedule.activeHours.to') ? (
                  <span className="field__error" role="alert">
                    {err('schedule.activeHours.from') ?? err('schedule.activeHours.to')}
                  </span>
                ) : null}
              </div>
            </div>
            <CheckGroup<number>
              legend="Active days"
              options={WEEKDAYS.map((d, i) => ({ id: i, label: d }))}
              value={s.activeDays}
              error={err('schedule.activeDays')}
              hint={s.activeDays?.length ? undefined : 'None ticked: every day.'}
              onChange={(activeDays) => setSchedule({ activeDays })}
            />
          </div>
        </Section>

        <Section id="mode" title="Mode" hint="How far the rule may go on its own.">
          <div className="rule-stack">
            <div className="rule-modes" role="radiogroup" aria-label="Mode">
              {RULE_MODES.map((m) => (
                <label key={m} className="rule-mode" data-testid={`mode-${m}`}>
                  <input
                    type="radio"
                    name="rule-mode"
                    checked={draft.mode === m}
                    onChange={() => update({ mode: m })}
                  />
                  <span>
                    <strong>{MODE_LABELS[m]}</strong>
                    <span className="field__hint">{MODE_HINTS[m]}</span>
                  </span>
                </label>
              ))}
            </div>
            <label className="switch">
              <input type="checkbox" checked={draft.enabled} onChange={(e) => update({ enabled: e.target.checked })} />
              Active (runs on its schedule; a paused rule can still be previewed)
            </label>
          </div>
        </Section>

        <div className="rule-editor__bar">
          {saveError ? (
            <p className="field__error" role="alert" data-testid="rule-save-error">
              {saveError}
            </p>
          ) : (
            <p className="field__hint">
              {rule
                ? `Saving creates version ${rule.version + 1}; runs keep the version they used.`
                : 'Saving creates version 1.'}
              {touched ? '' : ' No changes yet.'}
            </p>
          )}
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={saving} data-testid="rule-save">
            {saving ? 'Saving…' : rule ? `Save version ${rule.version + 1}` : 'Create rule'}
          </button>
        </div>
      </form>
      <PreviewPanel
        draft={draft}
        ruleId={rule?.id}
        invalid={localErrors.size}
        accountCurrency={accountCurrency}
        onResult={(r) => {
          if (draft.scope.includeNew) setLastPreview(r)
        }}
      />
    </div>
  )
}

/** The fields of one action kind. */
function ActionFields({
  action: a,
  index: i,
  currency,
  err,
  onChange,
}: {
  action: RuleAction
  index: number
  currency: string
  err: (path: string) => string | undefined
  onChange: (a: RuleAction) => void
}): JSX.Element | null {
  const id = `action-${i}`
  switch (a.kind) {
    case 'pause':
    case 'enable':
      return null
    case 'set_budget':
      return (
        <span className="rule-window">
          <span className="rule-window__word">to</span>
          <NumberInput
            id={`${id}-budget`}
            label={`Daily budget, ${currency}`}
            value={a.dailyBudgetMicros}
            scale={M}
            width={110}
            invalid={!!err(`actions.${i}.dailyBudgetMicros`)}
            onChange={(v) => onChange({ ...a, dailyBudgetMicros: v ?? Number.NaN })}
          />
          <span className="rule-window__word">{currency} a day</span>
        </span>
      )
    case 'change_budget': {
      const byPct = a.pct !== undefined
      const e = err(`actions.${i}.pct`) ?? err(`actions.${i}.minMicros`) ?? err(`actions.${i}.maxChangePerDayPct`)
      return (
        <span className="rule-window">
          <select
            className="select"
            aria-label="By percent or amount"
            value={byPct ? 'pct' : 'amount'}
            onChange={(ev) => {
              const { pct: _p, amountMicros: _a, ...rest } = a
              void _p
              void _a
              onChange(ev.target.value === 'pct' ? { ...rest, pct: 15 } : { ...rest, amountMicros: 10 * M })
            }}
          >
            <option value="pct">by %</option>
            <option value="amount">by {currency}</option>
          </select>
          {byPct ? (
            <NumberInput
              id={`${id}-pct`}
              label="Change in % (negative lowers)"
              value={a.pct}
              width={80}
              invalid={!!e}
              testId="action-pct"
              onChange={(v) => onChange({ ...a, pct: v })}
            />
          ) : (
            <NumberInput
              id={`${id}-amount`}
              label={`Change in ${currency} (negative lowers)`}
              value={a.amountMicros}
              scale={M}
              width={90}
              invalid={!!e}
              onChange={(v) => onChange({ ...a, amountMicros: v })}
            />
          )}
          <span className="rule-window__word">{byPct ? '%' : currency}, min</span>
          <NumberInput
            id={`${id}-min`}
            label={`Never below, ${currency}`}
            value={a.minMicros}
            scale={M}
            width={80}
            onChange={(v) => onChange({ ...a, minMicros: v })}
          />
          <span className="rule-window__word">max</span>
          <NumberInput
            id={`${id}-max`}
            label={`Never above, ${currency}`}
            value={a.maxMicros}
            scale={M}
            width={80}
            onChange={(v) => onChange({ ...a, maxMicros: v })}
          />
          <span className="rule-window__word">{currency}; at most ±</span>
          <NumberInput
            id={`${id}-perday`}
            label="Maximum change per day, %"
            value={a.maxChangePerDayPct}
            width={64}
            onChange={(v) => onChange({ ...a, maxChangePerDayPct: v ?? Number.NaN })}
          />
          <span className="rule-window__word">% a day</span>
          {e ? (
            <span className="field__error rule-action__error" role="alert">
              {e}
            </span>
          ) : null}
        </span>
      )
    }
    case 'notify':
      return (
        <select
          className="select"
          aria-label="Alert severity"
          value={a.severity}
          onChange={(e) => onChange({ ...a, severity: e.target.value as typeof a.severity })}
        >
          {ALERT_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      )
    case 'add_label':
      return (
        <input
          className="input"
          aria-label="Label"
          value={a.label}
          aria-invalid={!!err(`actions.${i}.label`) || undefined}
          onChange={(e) => onChange({ ...a, label: e.target.value })}
        />
      )
  }
}
