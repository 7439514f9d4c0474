import { create } from 'zustand'
import type { DateRange } from '../../../shared/domain/metrics'
import type { Workspace } from '../../../shared/ipc/contract'
import { getClient } from '../api/client'
import { localToday, presetRange, type PresetId } from '../lib/date-presets'
import { errorMessage } from '../lib/errors'

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

interface WorkspaceState {
  workspaces: Workspace[]
  status: LoadStatus
  error: string | null
  workspaceId: number | null
  preset: PresetId
  range: DateRange
  compare: boolean
  loadWorkspaces: () => Promise<void>
  selectWorkspace: (id: number) => void
  setPreset: (preset: Exclude<PresetId, 'custom'>) => void
  setCustomRange: (range: DateRange) => void
  setCompare: (compare: boolean) => void
  /** Roll preset ranges forward when the calendar day changed while the app stayed open. */
  refreshToday: (today?: string) => void
}

const PREFS_KEY = 'me-prefs'

interface Prefs {
  workspaceId?: number
  preset?: PresetId
  custom?: DateRange
  compare?: boolean
}

function readPrefs(): Prefs {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(PREFS_KEY)
    const parsed: unknown = raw ? JSON.parse(raw) : {}
    return typeof parsed === 'object' && parsed !== null ? (parsed as Prefs) : {}
  } catch {
    return {}
  }
}

function writePrefs(s: Pick<WorkspaceState, 'workspaceId' | 'preset' | 'range' | 'compare'>): void {
  try {
    const prefs: Prefs = { preset: s.preset, compare: s.compare }
    if (s.workspaceId !== null) prefs.workspaceId = s.workspaceId
    if (s.preset === 'custom') prefs.custom = s.range
    localStorage.setItem(PREFS_KEY, JSON.stringify(prefs))
  } catch {
    // Storage can be full or disabled; remembering the choice is a nicety.
  }
}

function initialRange(prefs: Prefs): { preset: PresetId; range: DateRange } {
  if (prefs.preset === 'custom' && prefs.custom) return { preset: 'custom', range: prefs.custom }
  const preset = prefs.preset && prefs.preset !== 'custom' ? prefs.preset : 'last30'
  return { preset, range: presetRange(preset, localToday()) }
}

const prefs = readPrefs()

export const useWorkspaceStore = create<WorkspaceState>()((set, get) => ({
  workspaces: [],
  status: 'idle',
  error: null,
  workspaceId: null,
  ...initialRange(prefs),
  compare: prefs.compare ?? true,

  loadWorkspaces: async () => {
    if (get().status !== 'ready') set({ status: 'loading', error: null })
    try {
      const workspaces = await getClient().invoke('workspaces:list', {})
      const keep = get().workspaceId ?? prefs.workspaceId
      const workspaceId = workspaces.some((w) => w.id === keep) ? (keep ?? null) : (workspaces[0]?.id ?? null)
      set({ workspaces, workspaceId, status: 'ready', error: null })
    } catch (err) {
      set({ status: 'error', error: errorMessage(err) })
    }
  },
  selectWorkspace: (id) => {
    set({ workspaceId: id })
    writePrefs(get())
  },
  setPreset: (preset) => {
    set({ preset, range: presetRange(preset, localToday()) })
    writePrefs(get())
  },
  setCustomRange: (range) => {
    set({ preset: 'custom', range })
    writePrefs(get())
  },
  setCompare: (compare) => {
    set({ compare })
    writePrefs(get())
  },
  refreshToday: (today = localToday()) => {
    const { preset, range } = get()
    if (preset === 'custom') return
    const next = presetRange(preset, today)
    if (next.from !== range.from || next.to !== range.to) set({ range: next })
  },
}))

export function selectCurrentWorkspace(s: WorkspaceState): Workspace | undefined {
  return s.workspaces.find((w) => w.id === s.workspaceId)
}
