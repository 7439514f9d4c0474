import { create } from 'zustand'
import { atLeast, type AlertRaised, type AlertSeverity } from '../../../shared/domain/alerts'

/** Toasts shown at once; later alerts are counted in one "N more" toast (no storm). */
export const MAX_TOASTS = 3

export interface Toast {
  alertId: number
  severity: AlertSeverity
  title: string
  body: string
  link: string
}

interface ToastState {
  toasts: Toast[]
  /** New alerts that arrived while MAX_TOASTS were showing: one summary toast links to the Alerts page. */
  more: number
  /**
   * A raised alert: a toast when it is new (not folded into an earlier one), WARNING or worse, and
   * notifications are on in Settings; past MAX_TOASTS it only bumps `more`.
   */
  receive: (e: AlertRaised, notificationsOn: boolean) => void
  dismiss: (alertId: number) => void
  dismissMore: () => void
  clear: () => void
}

export const useToastStore = create<ToastState>()((set, get) => ({
  toasts: [],
  more: 0,
  receive: (e, notificationsOn) => {
    if (!notificationsOn || e.merged || !atLeast(e.severity, 'warning')) return
    const { toasts, more } = get()
    if (toasts.some((t) => t.alertId === e.id)) return
    if (toasts.length >= MAX_TOASTS) {
      set({ more: more + 1 })
      return
    }
    set({
      toasts: [...toasts, { alertId: e.id, severity: e.severity, title: e.title, body: e.body, link: e.link }],
    })
  },
  dismiss: (alertId) => set((s) => ({ toasts: s.toasts.filter((t) => t.alertId !== alertId) })),
  dismissMore: () => set({ more: 0 }),
  clear: () => set({ toasts: [], more: 0 }),
}))
