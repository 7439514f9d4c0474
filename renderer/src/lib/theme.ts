import { useEffect, useState } from 'react'
import type { Settings } from '../../../shared/domain/settings'
import { useSettingsStore } from '../stores/settings-store'

export type ResolvedTheme = 'light' | 'dark'
type ThemeSetting = Settings['theme']

const DARK_QUERY = '(prefers-color-scheme: dark)'

function systemPrefersDark(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia(DARK_QUERY).matches
    : false
}

/**
 * `data-theme` is only set when the user forces a theme; without it the CSS follows the OS via
 * prefers-color-scheme, so the first paint is right before settings have loaded.
 */
export function applyThemeSetting(theme: ThemeSetting, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') root.removeAttribute('data-theme')
  else root.setAttribute('data-theme', theme)
}

/** The theme actually on screen, following the OS live while the setting is "system". */
export function useResolvedTheme(): ResolvedTheme {
  const setting = useSettingsStore((s) => s.settings?.theme ?? 'system')
  const [systemDark, setSystemDark] = useState(systemPrefersDark)
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return undefined
    const mq = window.matchMedia(DARK_QUERY)
    const onChange = (): void => setSystemDark(mq.matches)
    mq.addEventListener('change', onChange)
    return () => mq.removeEventListener('change', onChange)
  }, [])
  if (setting === 'system') return systemDark ? 'dark' : 'light'
  return setting
}
