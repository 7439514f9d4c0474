import { getClient } from '../api/client'

type Kind = 'error' | 'unhandledrejection' | 'render'

/** The same message is reported once per minute at most; a window reports at most 20 a minute. */
const SAME_MS = 60_000
const PER_MINUTE = 20
const sentAt = new Map<string, number>()
let recent: number[] = []

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s
}

function route(): string {
  return clip(window.location.hash.replace(/^#/, '') || '/', 200)
}

/**
 * Report an error the window survived to the core (`diagnostics:reportError`): it is logged there
 * and raised as an ERROR alert. Deduped and capped here too, so a render loop cannot flood IPC; a
 * failed report is dropped (reporting must never throw).
 */
export function reportRendererError(kind: Kind, err: unknown, source?: string): void {
  const e = err instanceof Error ? err : null
  const message = clip((e ? `${e.name}: ${e.message}` : String(err)).trim() || 'Unknown error', 2000)
  const now = performance.now()
  const key = `${kind}|${message}`
  const last = sentAt.get(key)
  if (last !== undefined && now - last < SAME_MS) return
  recent = recent.filter((t) => now - t < 60_000)
  if (recent.length >= PER_MINUTE) return
  recent.push(now)
  sentAt.set(key, now)
  if (sentAt.size > 200) sentAt.clear()
  try {
    void getClient()
      .invoke('diagnostics:reportError', {
        kind,
        message,
        ...(e?.stack ? { stack: clip(e.stack, 8000) } : {}),
        ...(source ? { source: clip(source, 500) } : {}),
        route: route(),
      })
      .catch(() => undefined)
  } catch {
    // No client (tests without a transport): nothing to report to.
  }
}

/** Listen for uncaught errors and unhandled rejections in the window; returns the cleanup. */
export function startErrorReporting(): () => void {
  const onError = (ev: ErrorEvent): void => {
    // Resource load errors (an <img> that failed) have no error object and no message: not ours.
    if (!ev.error && !ev.message) return
    const where = ev.filename ? `${ev.filename}:${ev.lineno}:${ev.colno}` : undefined
    reportRendererError('error', ev.error ?? ev.message, where)
  }
  const onRejection = (ev: PromiseRejectionEvent): void => reportRendererError('unhandledrejection', ev.reason)
  window.addEventListener('error', onError)
  window.addEventListener('unhandledrejection', onRejection)
  return () => {
    window.removeEventListener('error', onError)
    window.removeEventListener('unhandledrejection', onRejection)
  }
}
