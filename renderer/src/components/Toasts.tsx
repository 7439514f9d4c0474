import { useEffect, useRef, type JSX, type KeyboardEvent } from 'react'
import { SEVERITY_LABELS } from '../../../shared/domain/alerts'
import { getClient } from '../api/client'
import { useSettingsStore } from '../stores/settings-store'
import { useToastStore, type Toast } from '../stores/toast-store'
import { Icon } from './Icon'

/** A WARNING toast goes away by itself after this long (unless the pointer or focus is on it). */
const WARNING_TOAST_MS = 12_000

function open(link: string): void {
  window.location.hash = `#${link}`
}

function ToastItem({ toast }: { toast: Toast }): JSX.Element {
  const ref = useRef<HTMLDivElement>(null)
  const dismiss = useToastStore((s) => s.dismiss)
  useEffect(() => {
    if (toast.severity !== 'warning') return
    let timer: number | undefined
    const arm = (): void => {
      window.clearTimeout(timer)
      timer = window.setTimeout(() => dismiss(toast.alertId), WARNING_TOAST_MS)
    }
    const hold = (): void => window.clearTimeout(timer)
    const el = ref.current
    arm()
    el?.addEventListener('pointerenter', hold)
    el?.addEventListener('pointerleave', arm)
    el?.addEventListener('focusin', hold)
    el?.addEventListener('focusout', arm)
    return () => {
      window.clearTimeout(timer)
      el?.removeEventListener('pointerenter', hold)
      el?.removeEventListener('pointerleave', arm)
      el?.removeEventListener('focusin', hold)
      el?.removeEventListener('focusout', arm)
    }
  }, [toast.alertId, toast.severity, dismiss])
  const label = SEVERITY_LABELS[toast.severity]
  return (
    <div
      ref={ref}
      className={`toast toast--${toast.severity}`}
      data-testid={`toast-${toast.alertId}`}
      data-toast={toast.alertId}
    >
      <button
        type="button"
        className="toast__main"
        onClick={() => {
          dismiss(toast.alertId)
          open(toast.link)
        }}
        data-testid={`toast-open-${toast.alertId}`}
      >
        <span className="toast__severity">{label}</span>
        <span className="toast__title">{toast.title}</span>
        <span className="toast__body">{toast.body}</span>
      </button>
      <button
        type="button"
        className="toast__close"
        aria-label={`Dismiss ${label} alert: ${toast.title}`}
        onClick={() => dismiss(toast.alertId)}
        data-testid={`toast-dismiss-${toast.alertId}`}
      >
        <Icon name="close" size={14} />
      </button>
    </div>
  )
}

/**
 * In-app toasts for new WARNING, ERROR and CRITICAL alerts (the browser preview's stand-in for
 * native notifications; in the desktop app they show inside the window). Settings › Desktop
 * notifications turns them off. At most three at once, the rest counted in one "more" toast;
 * clicking one opens its page; Escape dismisses the toast that has focus. WARNINGs fade after a
 * while, ERROR and CRITICAL stay until dismissed.
 */
export function Toasts(): JSX.Element {
  const toasts = useToastStore((s) => s.toasts)
  const more = useToastStore((s) => s.more)
  const region = useRef<HTMLElement>(null)

  useEffect(
    () =>
      getClient().on('alert:raised', (e) =>
        useToastStore.getState().receive(e, useSettingsStore.getState().settings?.notifications ?? true),
      ),
    [],
  )
  // Turning notifications off clears what is showing.
  const on = useSettingsStore((s) => s.settings?.notifications ?? true)
  useEffect(() => {
    if (!on) useToastStore.getState().clear()
  }, [on])

  const focusNext = (gone: HTMLElement): void => {
    // After a keyboard dismissal focus stays in the toasts, or goes back to the page. The dismissed
    // toast can still be in the document on that frame: never the one to focus (it would take the
    // focus with it when it goes).
    window.requestAnimationFrame(() => {
      const next = [...(region.current?.querySelectorAll<HTMLButtonElement>('.toast__main') ?? [])].find(
        (b) => !gone.contains(b),
      )
      if (next) next.focus()
      else document.getElementById('main-content')?.focus()
    })
  }

  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    if (e.key !== 'Escape') return
    const item = (e.target as HTMLElement).closest<HTMLElement>('[data-toast]')
    if (!item) return
    e.preventDefault()
    e.stopPropagation()
    const id = item.dataset.toast
    if (id === 'more') useToastStore.getState().dismissMore()
    else useToastStore.getState().dismiss(Number(id))
    focusNext(item)
  }

  return (
    <section
      ref={region}
      className="toasts"
      aria-label="New alerts"
      aria-live="polite"
      onKeyDown={onKeyDown}
      data-testid="toasts"
    >
      {toasts.map((t) => (
        <ToastItem key={t.alertId} toast={t} />
      ))}
      {more > 0 ? (
        <div className="toast toast--more" data-testid="toast-more" data-toast="more">
          <button
            type="button"
            className="toast__main"
            onClick={() => {
              useToastStore.getState().dismissMore()
              open('/alerts')
            }}
          >
            <span className="toast__title">
              {more} more new alert{more === 1 ? '' : 's'}
            </span>
            <span className="toast__body">Open the Alerts page to see them all.</span>
          </button>
          <button
            type="button"
            className="toast__close"
            aria-label={`Dismiss: ${more} more new alerts`}
            onClick={() => useToastStore.getState().dismissMore()}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ) : null}
    </section>
  )
}
