import { useEffect, useId, useMemo, useState, type FormEvent, type JSX } from 'react'
import {
  REPORT_TEMPLATE_TITLES,
  REPORT_TEMPLATES,
  TEMPLATE_SECTIONS,
  lastFullMonth,
  lastFullWeek,
  type ReportOptions,
  type ReportSection,
  type ReportTemplate,
  type SavedTemplate,
} from '../../../../shared/domain/reports'
import type { Account } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { localToday, presetRange, validateCustomRange } from '../../lib/date-presets'
import { errorMessage } from '../../lib/errors'
import { ReportViewer, SectionsEditor } from './shared-ui'

type Period = 'last_week' | 'last_month' | 'last7' | 'last30' | 'custom'
const PERIOD_LABELS: Record<Period, string> = {
  last_week: 'Last full week',
  last_month: 'Last full month',
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  custom: 'Custom…',
}

function periodRange(p: Exclude<Period, 'custom'>, today: string): { from: string; to: string } {
  if (p === 'last_week') return lastFullWeek(today)
  if (p === 'last_month') return lastFullMonth(today)
  return presetRange(p, today)
}

export interface GenerateForm {
  template: ReportTemplate
  options: ReportOptions
}

export const defaultOptions = (template: ReportTemplate): ReportOptions => ({
  comparison: 'previous',
  sections: [...TEMPLATE_SECTIONS[template]],
  paper: 'a4',
  orientation: 'portrait',
  maxTableRows: 200,
})

/** Report options shared by the generator and the schedule editor: comparison, accounts, paper, sections, commentary. */
export function OptionsFields({
  options,
  accounts,
  onChange,
}: {
  options: ReportOptions
  accounts: Account[]
  onChange: (o: ReportOptions) => void
}): JSX.Element {
  const ids = useId()
  const set = (patch: Partial<ReportOptions>): void => onChange({ ...options, ...patch })
  const selected = options.accountIds ?? []
  return (
    <>
      <div className="report-form__row">
        <label className="field">
          <span className="field__label">Compare with</span>
          <select
            className="select"
            value={options.comparison}
            onChange={(e) => set({ comparison: e.target.value as ReportOptions['comparison'] })}
          >
            <option value="previous">The previous period</option>
            <option value="none">Nothing</option>
          </select>
        </label>
        <label className="field">
          <span className="field__label">Paper</span>
          <select
            className="select"
            value={`${options.paper}-${options.orientation}`}
            onChange={(e) => {
              const [paper, orientation] = e.target.value.split('-') as [
                ReportOptions['paper'],
                ReportOptions['orientation'],
              ]
              set({ paper, orientation })
            }}
          >
            <option value="a4-portrait">A4 portrait</option>
            <option value="a4-landscape">A4 landscape</option>
            <option value="letter-portrait">Letter portrait</option>
            <option value="letter-landscape">Letter landscape</option>
          </select>
        </label>
      </div>
      {accounts.length > 1 ? (
        <fieldset className="report-accounts">
          <legend className="field__label">Accounts {selected.length ? `(${selected.length} chosen)` : '(all)'}</legend>
          {accounts.map((a) => (
            <label key={a.id}>
              <input
                type="checkbox"
                checked={selected.includes(a.id)}
                onChange={(e) => {
                  const next = e.target.checked ? [...selected, a.id] : selected.filter((x) => x !== a.id)
                  const { accountIds: _drop, ...rest } = options
                  onChange(next.length ? { ...rest, accountIds: next } : rest)
                }}
              />
              {a.name} <span className="field__hint">({a.platform})</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <SectionsEditor value={options.sections ?? []} onChange={(sections: ReportSection[]) => set({ sections })} />
      <label className="field" htmlFor={`${ids}-c`}>
        <span className="field__label">Commentary (printed in the Commentary section)</span>
        <textarea
          id={`${ids}-c`}
          className="input report-form__text"
          rows={3}
          maxLength={5000}
          value={options.commentary ?? ''}
          onChange={(e) => {
            const { commentary: _drop, ...rest } = options
            onChange(e.target.value ? { ...rest, commentary: e.target.value } : rest)
          }}
        />
      </label>
    </>
  )
}

interface Generated {
  id: number
  title: string
  pages: number
  bytes: number
  warnings: string[]
  range: { from: string; to: string }
  ms: number
}

/** Pick a template (built-in or saved), a period and options; generate, preview, download; save as a template. */
export function GeneratePanel({
  workspaceId,
  saved,
  accounts,
  onSaved,
}: {
  workspaceId: number
  saved: SavedTemplate[]
  accounts: Account[]
  onSaved: () => void
}): JSX.Element {
  const today = localToday()
  const [source, setSource] = useState<string>('builtin:weekly')
  const [form, setForm] = useState<GenerateForm>({ template: 'weekly', options: defaultOptions('weekly') })
  const [period, setPeriod] = useState<Period>('last_week')
  const [custom, setCustom] = useState(() => lastFullWeek(today))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<Generated | null>(null)
  const [saveName, setSaveName] = useState('')
  const [saveMsg, setSaveMsg] = useState<string | null>(null)

  const range = period === 'custom' ? custom : periodRange(period, today)
  const rangeError = period === 'custom' ? validateCustomRange(custom.from, custom.to, today) : null

  const pick = (value: string): void => {
    setSource(value)
    setResult(null)
    const [kind, id] = value.split(':')
    if (kind === 'builtin') {
      const t = id as ReportTemplate
      setForm({ template: t, options: defaultOptions(t) })
      setPeriod(t === 'monthly' ? 'last_month' : 'last_week')
      setSaveName('')
    } else {
      const s = saved.find((x) => String(x.id) === id)
      if (!s) return
      setForm({ template: s.template, options: { ...defaultOptions(s.template), ...s.options } })
      setPeriod(s.template === 'monthly' ? 'last_month' : 'last_week')
      setSaveName(s.name)
    }
  }

  // A saved template deleted elsewhere falls back to its built-in base.
  useEffect(() => {
    if (source.startsWith('saved:') && !saved.some((s) => `saved:${s.id}` === source)) pick(`builtin:${form.template}`)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved])

  const generate = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    if (rangeError) return
    setBusy(true)
    setError(null)
    try {
      const r = await getClient().invoke('reports:generate', {
        workspaceId,
        template: form.template,
        range,
        options: form.options,
      })
      setResult({
        id: r.historyId,
        title: REPORT_TEMPLATE_TITLES[form.template],
        pages: r.pages,
        bytes: r.bytes,
        warnings: r.warnings,
        range,
        ms: r.ms,
      })
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const savedId = source.startsWith('saved:') ? Number(source.slice(6)) : undefined
  const saveTemplate = async (): Promise<void> => {
    setSaveMsg(null)
    try {
      const existing = saved.find((s) => s.name === saveName.trim())
      const t = await getClient().invoke('reports:saveTemplate', {
        workspaceId,
        ...(existing ? { id: existing.id } : savedId !== undefined && !saveName.trim() ? { id: savedId } : {}),
        name: saveName,
        template: form.template,
        options: form.options,
      })
      setSaveMsg(`Saved as “${t.name}”`)
      setSource(`saved:${t.id}`)
      onSaved()
    } catch (err) {
      setSaveMsg(errorMessage(err))
    }
  }

  const templateOptions = useMemo(
    () => (
      <>
        <optgroup label="Built-in">
          {REPORT_TEMPLATES.map((t) => (
            <option key={t} value={`builtin:${t}`}>
              {REPORT_TEMPLATE_TITLES[t]}
            </option>
          ))}
        </optgroup>
        {saved.length ? (
          <optgroup label="Saved">
            {saved.map((s) => (
              <option key={s.id} value={`saved:${s.id}`}>
                {s.name}
              </option>
            ))}
          </optgroup>
        ) : null}
      </>
    ),
    [saved],
  )

  return (
    <div className="report-layout">
      <form className="card card__body report-form" onSubmit={(e) => void generate(e)} data-testid="report-form">
        <label className="field">
          <span className="field__label">Template</span>
          <select
            className="select"
            value={source}
            onChange={(e) => pick(e.target.value)}
            data-testid="report-template"
          >
            {templateOptions}
          </select>
        </label>
        <div className="report-form__row">
          <label className="field">
            <span className="field__label">Period</span>
            <select
              className="select"
              value={period}
              onChange={(e) => setPeriod(e.target.value as Period)}
              data-testid="report-period"
            >
              {(Object.keys(PERIOD_LABELS) as Period[]).map((p) => (
                <option key={p} value={p}>
                  {PERIOD_LABELS[p]}
                </option>
              ))}
            </select>
          </label>
          {period === 'custom' ? (
            <>
              <label className="field">
                <span className="field__label">From</span>
                <input
                  className="input"
                  type="date"
                  value={custom.from}
                  max={today}
                  onChange={(e) => setCustom({ ...custom, from: e.target.value })}
                />
              </label>
              <label className="field">
                <span className="field__label">To</span>
                <input
                  className="input"
                  type="date"
                  value={custom.to}
                  max={today}
                  onChange={(e) => setCustom({ ...custom, to: e.target.value })}
                />
              </label>
            </>
          ) : (
            <p className="field__hint report-form__range" data-testid="report-range">
              {range.from} – {range.to}
            </p>
          )}
        </div>
        {rangeError ? <p className="field__error">{rangeError}</p> : null}
        <OptionsFields
          options={form.options}
          accounts={accounts}
          onChange={(options) => setForm({ ...form, options })}
        />
        <div className="report-form__actions">
          <button
            type="submit"
            className="btn btn--primary"
            disabled={busy || rangeError !== null}
            data-testid="report-generate"
          >
            {busy ? 'Generating…' : 'Generate PDF'}
          </button>
        </div>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="report-form__save">
          <label className="field">
            <span className="field__label">Save these settings as a template</span>
            <input
              className="input"
              value={saveName}
              maxLength={80}
              placeholder="e.g. Client summary for Acme"
              onChange={(e) => setSaveName(e.target.value)}
              data-testid="report-save-name"
            />
          </label>
          <button
            type="button"
            className="btn"
            disabled={!saveName.trim()}
            onClick={() => void saveTemplate()}
            data-testid="report-save-template"
          >
            Save template
          </button>
          {saveMsg ? (
            <p className="field__hint" role="status">
              {saveMsg}
            </p>
          ) : null}
        </div>
      </form>
      <section className="card card__body report-result" aria-label="Generated report" aria-busy={busy}>
        {result ? (
          <>
            <p className="field__hint" role="status" data-testid="report-status">
              Generated in {(result.ms / 1000).toFixed(1)} s and kept in the history.
            </p>
            <ReportViewer workspaceId={workspaceId} entry={result} />
          </>
        ) : (
          <div className="state" data-state="empty">
            <p className="state__title">{busy ? 'Generating the report…' : 'No report generated yet'}</p>
            <p className="state__body">
              Pick a template and a period, then Generate PDF. The pages show here; the file is kept in the history for
              download and re-sending.
            </p>
          </div>
        )}
      </section>
    </div>
  )
}
