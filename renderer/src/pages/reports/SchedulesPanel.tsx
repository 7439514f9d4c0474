import { useState, type FormEvent, type JSX } from 'react'
import {
  REPORT_TEMPLATE_TITLES,
  REPORT_TEMPLATES,
  WEEKDAY_NAMES,
  type ReportOptions,
  type ReportTemplate,
  type SavedTemplate,
  type Schedule,
  type ScheduleCadence,
} from '../../../../shared/domain/reports'
import type { Account } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { EmptyState } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { defaultOptions, OptionsFields } from './GeneratePanel'

interface Draft {
  id?: number
  name: string
  template: ReportTemplate
  options: ReportOptions
  cadence: ScheduleCadence
  weekday: number
  dayOfMonth: number
  time: string
  timeZone: string
  recipients: string
  enabled: boolean
}

const blank = (timeZone: string): Draft => ({
  name: 'Weekly summary',
  template: 'weekly',
  options: defaultOptions('weekly'),
  cadence: 'weekly',
  weekday: 1,
  dayOfMonth: 1,
  time: '08:00',
  timeZone,
  recipients: '',
  enabled: true,
})

function when(s: Pick<Schedule, 'cadence' | 'weekday' | 'dayOfMonth' | 'time' | 'timeZone'>): string {
  const day = s.cadence === 'weekly' ? `Every ${WEEKDAY_NAMES[s.weekday - 1]}` : `Monthly on day ${s.dayOfMonth}`
  return `${day} at ${s.time} (${s.timeZone})`
}

/** Schedules: list, editor (cadence, local time and zone, recipients), send now, delete. */
export function SchedulesPanel({
  workspaceId,
  schedules,
  saved,
  accounts,
  emailReady,
  onChanged,
}: {
  workspaceId: number
  schedules: Schedule[]
  saved: SavedTemplate[]
  accounts: Account[]
  emailReady: boolean
  onChanged: () => void
}): JSX.Element {
  const zone = accounts[0]?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone
  const [draft, setDraft] = useState<Draft | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState<number | 'save' | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<Schedule | null>(null)

  const edit = (s: Schedule): void => {
    setError(null)
    setDraft({ ...s, recipients: s.recipients.join(', ') })
  }

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    if (!draft) return
    setBusy('save')
    setError(null)
    try {
      const { recipients, id, ...rest } = draft
      await getClient().invoke('reports:saveSchedule', {
        workspaceId,
        ...(id !== undefined ? { id } : {}),
        ...rest,
        recipients: recipients
          .split(/[,;\s]+/)
          .map((r) => r.trim())
          .filter(Boolean),
      })
      setDraft(null)
      onChanged()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(null)
    }
  }

  const runNow = async (s: Schedule): Promise<void> => {
    setBusy(s.id)
    setNotice(null)
    try {
      const h = await getClient().invoke('reports:runSchedule', { workspaceId, id: s.id })
      setNotice(
        h.delivery === 'sent'
          ? `“${s.name}” sent to ${h.recipients.join(', ')}`
          : `“${s.name}” was generated but not delivered: ${h.deliveryError ?? 'unknown error'}`,
      )
      onChanged()
    } catch (err) {
      setNotice(errorMessage(err))
    } finally {
      setBusy(null)
    }
  }

  const remove = async (): Promise<void> => {
    if (!deleting) return
    try {
      await getClient().invoke('reports:deleteSchedule', { workspaceId, id: deleting.id })
      onChanged()
    } catch (err) {
      setNotice(errorMessage(err))
    }
    setDeleting(null)
  }

  const set = (patch: Partial<Draft>): void => setDraft((d) => (d ? { ...d, ...patch } : d))

  return (
    <div className="report-stack">
      {!emailReady ? (
        <p className="note note--info" role="note">
          No email server is set up for reports yet: schedules will generate their report but cannot send it. Set one up
          under Branding &amp; delivery.
        </p>
      ) : null}
      {notice ? (
        <p className="note note--info" role="status" data-testid="schedule-notice">
          {notice}
        </p>
      ) : null}
      <div className="card">
        <div className="card__header">
          <span>Schedules</span>
          <button
            type="button"
            className="btn btn--primary btn--sm"
            onClick={() => setDraft(blank(zone))}
            data-testid="schedule-new"
          >
            New schedule
          </button>
        </div>
        {schedules.length === 0 ? (
          <EmptyState title="No schedules yet" icon="reports">
            A schedule generates a report every week or month at a local time and emails the PDF to a list of
            recipients.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="schedules-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Template</th>
                  <th>When</th>
                  <th>Recipients</th>
                  <th>Next run</th>
                  <th>Last run</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {schedules.map((s) => (
                  <tr key={s.id}>
                    <td>
                      {s.name} {s.enabled ? null : <span className="badge">Paused</span>}
                    </td>
                    <td>{REPORT_TEMPLATE_TITLES[s.template]}</td>
                    <td>{when(s)}</td>
                    <td className="report-recipients">{s.recipients.join(', ')}</td>
                    <td>{s.nextRunAt ? formatTimestamp(s.nextRunAt) : '—'}</td>
                    <td>{s.lastRunAt ? formatTimestamp(s.lastRunAt) : 'Never'}</td>
                    <td className="report-row-actions">
                      <button type="button" className="btn btn--sm" onClick={() => edit(s)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn--sm"
                        disabled={busy !== null}
                        onClick={() => void runNow(s)}
                      >
                        {busy === s.id ? 'Sending…' : 'Send now'}
                      </button>
                      <button type="button" className="btn btn--sm btn--danger" onClick={() => setDeleting(s)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {draft ? (
        <form className="card card__body report-form" onSubmit={(e) => void save(e)} data-testid="schedule-form">
          <h2 className="report-h2">{draft.id ? `Edit “${draft.name}”` : 'New schedule'}</h2>
          <div className="report-form__row">
            <label className="field">
              <span className="field__label">Name</span>
              <input
                className="input"
                required
                maxLength={80}
                value={draft.name}
                onChange={(e) => set({ name: e.target.value })}
              />
            </label>
            <label className="field">
              <span className="field__label">Template</span>
              <select
                className="select"
                value={draft.template}
                onChange={(e) => {
                  const v = e.target.value
                  if (v.startsWith('saved:')) {
                    const t = saved.find((x) => `saved:${x.id}` === v)
                    if (t) set({ template: t.template, options: { ...defaultOptions(t.template), ...t.options } })
                  } else set({ template: v as ReportTemplate, options: defaultOptions(v as ReportTemplate) })
                }}
              >
                {REPORT_TEMPLATES.map((t) => (
                  <option key={t} value={t}>
                    {REPORT_TEMPLATE_TITLES[t]}
                  </option>
                ))}
                {saved.map((t) => (
                  <option key={t.id} value={`saved:${t.id}`}>
                    Saved: {t.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="report-form__row">
            <label className="field">
              <span className="field__label">Every</span>
              <select
                className="select"
                value={draft.cadence}
                onChange={(e) => set({ cadence: e.target.value as Draft['cadence'] })}
              >
                <option value="weekly">Week (reports the previous Monday–Sunday)</option>
                <option value="monthly">Month (reports the previous calendar month)</option>
              </select>
            </label>
            {draft.cadence === 'weekly' ? (
              <label className="field">
                <span className="field__label">On</span>
                <select
                  className="select"
                  value={draft.weekday}
                  onChange={(e) => set({ weekday: Number(e.target.value) })}
                >
                  {WEEKDAY_NAMES.map((d, i) => (
                    <option key={d} value={i + 1}>
                      {d}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <label className="field">
                <span className="field__label">Day of the month</span>
                <input
                  className="input"
                  type="number"
                  min={1}
                  max={28}
                  value={draft.dayOfMonth}
                  onChange={(e) => set({ dayOfMonth: Number(e.target.value) })}
                />
              </label>
            )}
            <label className="field">
              <span className="field__label">At (local time)</span>
              <input
                className="input"
                type="time"
                required
                value={draft.time}
                onChange={(e) => set({ time: e.target.value })}
              />
            </label>
            <label className="field">
              <span className="field__label">Time zone</span>
              <input
                className="input"
                required
                value={draft.timeZone}
                onChange={(e) => set({ timeZone: e.target.value })}
              />
            </label>
          </div>
          <label className="field">
            <span className="field__label">Recipients (comma-separated)</span>
            <input
              className="input"
              required
              value={draft.recipients}
              placeholder="boss@example.com, client@example.org"
              onChange={(e) => set({ recipients: e.target.value })}
              data-testid="schedule-recipients"
            />
          </label>
          <OptionsFields options={draft.options} accounts={accounts} onChange={(options) => set({ options })} />
          <label className="report-check">
            <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
            Enabled
          </label>
          {error ? (
            <p className="field__error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="report-form__actions">
            <button type="submit" className="btn btn--primary" disabled={busy === 'save'} data-testid="schedule-save">
              Save schedule
            </button>
            <button type="button" className="btn" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this schedule?"
        confirmLabel="Delete"
        danger
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(null)}
      >
        “{deleting?.name}” stops sending. Reports it already sent stay in the history.
      </ConfirmDialog>
    </div>
  )
}
