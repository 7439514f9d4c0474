import { create } from 'zustand'
import type { Settings, SettingsPatch } from '../../../shared/domain/settings'
import { getClient } from '../api/client'
import { errorMessage } from '../lib/errors'

interface SettingsState {
  settings: Settings | null
  status: 'idle' | 'loading' | 'ready' | 'error'
  error: string | null
  loadSettings: () => Promise<void>
  /** Persists through the core; rejects with the core's ApiError so forms can show its message. */
  updateSettings: (patch: SettingsPatch) => Promise<Settings>
  /** From the `settings:changed` event (another window, the CLI or the web host changed them). */
  receiveSettings: (settings: Settings) => void
}

export const useSettingsStore = create<SettingsState>()((set, get) => ({
  settings: null,
  status: 'idle',
  error: null,
  loadSettings: async () => {
    if (get().status !== 'ready') set({ status: 'loading', error: null })
    try {
      const settings = await getClient().invoke('settings:get', {})
      set({ settings, status: 'ready', error: null })
    } catch (err) {
      set({ status: 'error', error: errorMessage(err) })
    }
  },
  updateSettings: async (patch) => {
    const settings = await getClient().invoke('settings:update', patch)
    set({ settings, status: 'ready', error: null })
    return settings
  },
  receiveSettings: (settings) => set({ settings, status: 'ready', error: null }),
}))
