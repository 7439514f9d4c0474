import { useCallback, useEffect, useId, useState, type JSX } from 'react'
import type { Backup, ChannelOutput } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { errorMessage } from '../../lib/errors'
import { formatBytes } from '../../lib/format'
import { useSettingsStore } from '../../stores/settings-store'

type List = ChannelOutput<'backups:list'>

const KIND_LABEL: Record<Backup['kind'], string> = {
  daily: 'Automatic',
  manual: 'Manual',
  'pre-restore': 'Before a restore',
}

const KEEP_DAILY = [3, 7, 14, 30, 60, 90]
const KEEP_WEEKLY = [0, 4, 8, 12, 26, 52]
/** The preset choices, plus the current value when it is not one of them (set by the CLI or an older version). */
const choices = (preset: number[], current: number): number[] =>
  preset.includes(current) ? preset : [...preset, current].sort((a, b) => a - b)

/** One retention choice: the presets plus the current value, with a label for screen readers. */
function KeepSelect(p: {
  label: string
  preset: number[]
  value: number
  disabled: boolean
  optionLabel: (n: number) => string
  onPick: (n: number) => void
  testId: string
}): JSX.Element {
  const id = useId()
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {p.label}
      </label>
      <select
        id={id}
        className="select"
        value={p.value}
        disabled={p.disabled}
        onChange={(e) => p.onPick(Number(e.target.value))}
        data-testid={p.testId}
      >
        {choices(p.preset, p.value).map((n) => (
          <option key={n} value={n}>
            {p.optionLabel(n)}
          </option>
        ))}
      </select>
    </>
  )
}

/** How many automatic backups are kept (saved in the settings; ME_BACKUP_KEEP_* override them). */
function RetentionRow({ list, onSaved }: { list: List; onSaved: () => Promise<void> }): JSX.Element {
  const ids = { label: useId() }
  const updateSettings = useSettingsStore((s) => s.updateSettings)
  const [status, setStatus] = useState<string | null>(null)
  const save = async (patch: { backupKeepDaily?: number; backupKeepWeekly?: number }): Promise<void> => {
    setStatus(null)
    try {
      await updateSettings(patch)
      await onSaved()
      setStatus('Saved. Older automatic backups are removed at the next daily backup.')
    } catch (err) {
      setStatus(`Not saved: ${errorMessage(err)}`)
    }
  }
  return (
    <div className="settings-row" role="group" aria-labelledby={ids.label}>
      <div className="settings-row__text">
        <p id={ids.label} className="settings-row__label">
          Keep
        </p>
        <p className="settings-row__hint" data-testid="backups-keep-hint">
          {list.keepFromEnv
            ? 'Set by ME_BACKUP_KEEP_DAILY / ME_BACKUP_KEEP_WEEKLY when the app was started; change them there.'
            : 'The newest daily backups, and beyond them the newest backup of each older week. Manual backups and those taken before a restore are never removed.'}
        </p>
        {status ? (
          <p className="settings-row__hint" role="status">
            {status}
          </p>
        ) : null}
      </div>
      <div className="settings-row__control">
        <div className="inline-form">
          <KeepSelect
            label="Daily backups kept"
            preset={KEEP_DAILY}
            value={list.keep.daily}
            disabled={list.keepFromEnv}
            optionLabel={(n) => `${n} daily`}
            onPick={(n) => void save({ backupKeepDaily: n })}
            testId="backups-keep-daily"
          />
          <KeepSelect
            label="Weekly backups kept"
            preset={KEEP_WEEKLY}
            value={list.keep.weekly}
            disabled={list.keepFromEnv}
            optionLabel={(n) => (n === 0 ? 'no weekly' : `${n} weekly`)}
            onPick={(n) => void save({ backupKeepWeekly: n })}
            testId="backups-keep-weekly"
          />
        </div>
      </div>
    </div>
  )
}

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** Backups of the store: the list, back up now, and restore (confirmed; applied at the next start). */
export function BackupsPanel(): JSX.Element {
  const [list, setList] = useState<List | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [restoring, setRestoring] = useState<Backup | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const load = useCallback(async (): Promise<void> => {
    try {
      setList(await getClient().invoke('backups:list', {}))
      setError(null)
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  const backUpNow = async (): Promise<void> => {
    setBusy(true)
    setNotice(null)
    try {
      const b = await getClient().invoke('backups:create', {})
      setNotice(`Backed up and verified: ${b.file} (${formatBytes(b.bytes)}).`)
      await load()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const restore = async (b: Backup): Promise<void> => {
    setBusy(true)
    try {
      const r = await getClient().invoke('backups:restore', { file: b.file, confirm: true })
      setNotice(r.message)
      setRestoring(null)
      await load()
    } catch (err) {
      setError(errorMessage(err))
      setRestoring(null)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="settings-list" data-testid="backups-panel">
      <div className="settings-row">
        <div className="settings-row__text">
          <p className="settings-row__label">Backups</p>
          <p className="settings-row__hint">
            A verified copy of your data is taken every day while the app runs
            {list ? ` (the last ${list.keep.daily} daily and ${list.keep.weekly} weekly are kept)` : ''}. Backups are in{' '}
            <code>{list?.dir ?? '…'}</code>.
          </p>
        </div>
        <div className="settings-row__control">
          <button
            type="button"
            className="btn"
            onClick={() => void backUpNow()}
            disabled={busy}
            data-testid="backup-now"
          >
            {busy && !restoring ? 'Backing up…' : 'Back up now'}
          </button>
        </div>
      </div>
      {list ? <RetentionRow list={list} onSaved={load} /> : null}
      {notice ? (
        <p className="settings-row__hint" role="status" data-testid="backups-notice">
          {notice}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {list && list.backups.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="backups-table">
            <thead>
              <tr>
                <th scope="col">Taken</th>
                <th scope="col">Kind</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.backups.map((b) => (
                <tr key={b.file}>
                  <td title={b.file}>{when(b.createdAt)}</td>
                  <td>{KIND_LABEL[b.kind]}</td>
                  <td>{formatBytes(b.bytes)}</td>
                  <td style={{ textAlign: 'right' }}>
                    <button type="button" className="btn" onClick={() => setRestoring(b)} disabled={busy}>
                      Restore…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : list ? (
        <p className="settings-row__hint">No backups yet.</p>
      ) : null}
      <ConfirmDialog
        open={restoring !== null}
        title="Restore this backup?"
        confirmLabel={busy ? 'Restoring…' : 'Restore'}
        danger
        busy={busy}
        onConfirm={() => restoring && void restore(restoring)}
        onCancel={() => setRestoring(null)}
      >
        Your data goes back to {restoring ? when(restoring.createdAt) : ''}: anything synced, imported or changed since
        then is no longer shown. Before anything changes, the current data is backed up (“Before a restore”), and the
        current file is moved aside, never deleted. The desktop app restarts to finish; the browser preview finishes
        when you start it again.
      </ConfirmDialog>
    </div>
  )
}
