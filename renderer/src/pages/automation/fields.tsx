import { useId, useState, type JSX, type ReactNode } from 'react'

/** Small form pieces of the rule editor: a labelled field with its hint and its error next to it. */

export function Field({
  label,
  hint,
  error,
  children,
  id,
  wide,
}: {
  label: string
  hint?: ReactNode
  error?: string | undefined
  /** The control's id (the label points at it). */
  id: string
  children: ReactNode
  wide?: boolean
}): JSX.Element {
  return (
    <div className={`field${wide ? ' field--wide' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children}
      {error ? (
        <span className="field__error" id={`${id}-error`} role="alert" data-testid={`error-${id}`}>
          {error}
        </span>
      ) : hint ? (
        <span className="field__hint">{hint}</span>
      ) : null}
    </div>
  )
}

/**
 * A number input that keeps what is typed (an empty box, "1.") while it is not a number yet and
 * reports `undefined` for an empty box. `scale` converts what is shown into the stored unit
 * (1e6 for money in micros).
 */
export function NumberInput({
  id,
  value,
  onChange,
  scale = 1,
  step,
  min,
  invalid,
  label,
  width,
  testId,
}: {
  id: string
  value: number | undefined
  onChange: (v: number | undefined) => void
  scale?: number
  step?: number | 'any'
  min?: number
  invalid?: boolean
  /** Accessible name when no <label> points at it. */
  label?: string
  width?: number
  testId?: string
}): JSX.Element {
  const shown = value === undefined ? '' : String(Math.round((value / scale) * 1e6) / 1e6)
  const [text, setText] = useState(shown)
  const [held, setHeld] = useState(value)
  // A value changed from outside (a template, a reset) replaces what is typed.
  if (held !== value) {
    setHeld(value)
    if (Number(text) * scale !== value) setText(shown)
  }
  return (
    <input
      id={id}
      className="input"
      type="number"
      inputMode="decimal"
      step={step ?? 'any'}
      min={min}
      value={text}
      aria-label={label}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${id}-error` : undefined}
      style={width ? { width } : undefined}
      data-testid={testId}
      onChange={(e) => {
        setText(e.target.value)
        const raw = e.target.value.trim()
        if (raw === '') {
          setHeld(undefined)
          onChange(undefined)
          return
        }
        const n = Number(raw)
        if (Number.isFinite(n)) {
          const v = scale === 1 ? n : Math.round(n * scale)
          setHeld(v)
          onChange(v)
        }
      }}
    />
  )
}

/** A group of checkboxes for a set of values; none checked = `undefined` ("all"). */
export function CheckGroup<T extends string | number>({
  legend,
  options,
  value,
  onChange,
  hint,
  error,
  allWhenNone = true,
}: {
  legend: string
  options: readonly { id: T; label: string }[]
  value: readonly T[] | undefined
  onChange: (v: T[] | undefined) => void
  hint?: string
  error?: string | undefined
  allWhenNone?: boolean
}): JSX.Element {
  const id = useId()
  const set = new Set(value ?? [])
  return (
    <fieldset className="rule-checks" aria-describedby={`${id}-hint`}>
      <legend className="field__label">{legend}</legend>
      <div className="rule-checks__items">
        {options.map((o) => (
          <label key={String(o.id)} className="rule-check">
            <input
              type="checkbox"
              checked={set.has(o.id)}
              onChange={(e) => {
                const next = options.map((x) => x.id).filter((x) => (x === o.id ? e.target.checked : set.has(x)))
                onChange(next.length || !allWhenNone ? next : undefined)
              }}
            />
            {o.label}
          </label>
        ))}
      </div>
      {error ? (
        <span className="field__error" role="alert">
          {error}
        </span>
      ) : (
        <span className="field__hint" id={`${id}-hint`}>
          {hint ?? (allWhenNone && !value?.length ? 'None ticked: all of them.' : '')}
        </span>
      )}
    </fieldset>
  )
}
