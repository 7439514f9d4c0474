import type { CSSProperties, JSX, ReactNode } from 'react'
import { Icon, type IconName } from './Icon'

interface EmptyStateProps {
  title: string
  children?: ReactNode
  icon?: IconName
  actions?: ReactNode
}

export function EmptyState({ title, children, icon = 'inbox', actions }: EmptyStateProps): JSX.Element {
  return (
    <div className="state" data-state="empty">
      <div className="state__icon">
        <Icon name={icon} size={20} />
      </div>
      <p className="state__title">{title}</p>
      {children ? <div className="state__body">{children}</div> : null}
      {actions ? <div className="state__actions">{actions}</div> : null}
    </div>
  )
}

interface ErrorStateProps {
  title?: string
  message: string
  onRetry?: () => void
}

export function ErrorState({ title = 'Something went wrong', message, onRetry }: ErrorStateProps): JSX.Element {
  return (
    <div className="state state--error" role="alert" data-state="error">
      <div className="state__icon">
        <Icon name="alertCircle" size={20} />
      </div>
      <p className="state__title">{title}</p>
      <p className="state__body">{message}</p>
      {onRetry ? (
        <div className="state__actions">
          <button type="button" className="btn" onClick={onRetry}>
            <Icon name="refresh" size={14} />
            Retry
          </button>
        </div>
      ) : null}
    </div>
  )
}

interface SkeletonProps {
  width?: number | string
  height?: number | string
  style?: CSSProperties
  className?: string
}

export function Skeleton({ width = '100%', height = 12, style, className }: SkeletonProps): JSX.Element {
  return <span className={`skeleton ${className ?? ''}`} style={{ width, height, ...style }} aria-hidden="true" />
}

interface ProgressBarProps {
  current: number
  total: number
  label: string
}

/** Determinate when the job reports a total, an indeterminate shimmer otherwise. */
export function ProgressBar({ current, total, label }: ProgressBarProps): JSX.Element {
  const known = total > 0
  const pct = known ? Math.min(100, Math.max(0, (current / total) * 100)) : 0
  return (
    <div
      className={`progress ${known ? '' : 'progress--indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? total : undefined}
      aria-valuenow={known ? current : undefined}
    >
      <div className="progress__bar" style={{ width: `${pct}%` }} />
    </div>
  )
}
