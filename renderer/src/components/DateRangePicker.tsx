import { useEffect, useId, useRef, useState, type FormEvent, type JSX } from 'react'
import {
  formatRange,
  localToday,
  PRESET_IDS,
  PRESET_LABELS,
  presetRange,
  validateCustomRange,
  type PresetId,
} from '../lib/date-presets'
import { useWorkspaceStore } from '../stores/workspace-store'
import { Icon } from './Icon'

type RollingPreset = Exclude<PresetId, 'custom'>
const ROLLING = PRESET_IDS.filter((p): p is RollingPreset => p !== 'custom')

/**
 * A disclosure, not a modal: the panel closes on Escape, on outside clicks and after a choice,
 * and Tab simply moves on past it (nothing is trapped).
 */
export function DateRangePicker(): JSX.Element {
  const panelId = useId()
  const fromId = useId()
  const toId = useId()
  const errorId = useId()
  const { preset, range, setPreset, setCustomRange } = useWorkspaceStore()
  const [open, setOpen] = useState(false)
  const [from, setFrom] = useState(range.from)
  const [to, setTo] = useState(range.to)
  const [error, setError] = useState<string | null>(null)
  const root = useRef<HTMLDivElement>(null)
  const trigger = useRef<HTMLButtonElement>(null)
  const today = localToday()

  useEffect(() => {
    if (!open) return undefined
    setFrom(range.from)
    setTo(range.to)
    setError(null)
    const onDown = (e: PointerEvent): void => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target)) setOpen(false)
    }
    document.addEventListener('pointerdown', onDown)
    return () => document.removeEventListener('pointerdown', onDown)
    // Re-seed the inputs only when the panel opens, not while the user types.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open])

  const close = (): void => {
    setOpen(false)
    trigger.current?.focus()
  }

  const choose = (p: RollingPreset): void => {
    setPreset(p)
    close()
  }

  const applyCustom = (e: FormEvent): void => {
    e.preventDefault()
    const problem = validateCustomRange(from, to, today)
    setError(problem)
    if (problem) return
    setCustomRange({ from, to })
    close()
  }

  return (
    <div
      ref={root}
      className="date-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation()
          close()
        }
      }}
      onBlur={(e) => {
        // Tabbing out of the panel closes it rather than leaving it floating over the page.
        if (open && e.relatedTarget instanceof Node && !e.currentTarget.contains(e.relatedTarget)) setOpen(false)
      }}
    >
      <button
        ref={trigger}
        type="button"
        className="btn date-picker__trigger"
        aria-expanded={open}
        aria-controls={panelId}
        aria-haspopup="true"
        onClick={() => setOpen((o) => !o)}
        data-testid="date-range-trigger"
        data-from={range.from}
        data-to={range.to}
      >
        <Icon name="calendar" />
        <span className="date-picker__preset">{PRESET_LABELS[preset]}</span>
        <span className="date-picker__range tabular">{formatRange(range)}</span>
        <Icon name="chevronDown" size={14} />
      </button>
      {open ? (
        <div id={panelId} className="popover date-picker__panel" role="group" aria-label="Date range">
          <ul className="date-picker__presets">
            {ROLLING.map((p) => {
              const r = presetRange(p, today)
              return (
                <li key={p}>
                  <button
                    type="button"
                    className="date-picker__option"
                    aria-pressed={preset === p}
                    onClick={() => choose(p)}
                    data-testid={`preset-${p}`}
                  >
                    <span>{PRESET_LABELS[p]}</span>
                    <span className="date-picker__option-range tabular">{formatRange(r)}</span>
                    {preset === p ? <Icon name="check" size={14} /> : null}
                  </button>
                </li>
              )
            })}
          </ul>
          <form className="date-picker__custom" onSubmit={applyCustom} noValidate>
            <p className="date-picker__custom-title">Custom range</p>
            <div className="date-picker__inputs">
              <div className="field">
                <label className="field__label" htmlFor={fromId}>
                  From
                </label>
                <input
                  id={fromId}
                  type="date"
                  className="input"
                  value={from}
                  max={today}
                  onChange={(e) => setFrom(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? errorId : undefined}
                />
              </div>
              <div className="field">
                <label className="field__label" htmlFor={toId}>
                  To
                </label>
                <input
                  id={toId}
                  type="date"
                  className="input"
                  value={to}
                  max={today}
                  onChange={(e) => setTo(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? errorId : undefined}
                />
              </div>
            </div>
            {error ? (
              <p id={errorId} className="field__error" role="alert">
                {error}
              </p>
            ) : null}
            <button type="submit" className="btn btn--primary btn--sm">
              Apply
            </button>
          </form>
        </div>
      ) : null}
    </div>
  )
}

export function CompareToggle(): JSX.Element {
  const compare = useWorkspaceStore((s) => s.compare)
  const setCompare = useWorkspaceStore((s) => s.setCompare)
  return (
    <label className="switch">
      <input
        type="checkbox"
        checked={compare}
        onChange={(e) => setCompare(e.target.checked)}
        data-testid="compare-toggle"
      />
      Compare to previous period
    </label>
  )
}
