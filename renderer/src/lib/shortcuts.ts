import { routeForDigit, type RouteId } from './routes'

interface KeyLike {
  altKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  code: string
}

/**
 * Alt+digit (or Ctrl+digit) → nav item. Both modifiers together is AltGr on many layouts,
 * which types characters such as "{" and must be left alone.
 */
export function routeForShortcut(e: KeyLike): RouteId | undefined {
  if (e.altKey === e.ctrlKey || e.metaKey || e.shiftKey) return undefined
  const m = /^(?:Digit|Numpad)(\d)$/.exec(e.code)
  return m ? routeForDigit(Number(m[1])) : undefined
}
