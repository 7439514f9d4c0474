import { create } from 'zustand'
import type {
  DriverNode,
  Forecast,
  ModelVersion,
  MlEntityType,
  ResponseCurveView,
} from '../../../shared/ipc/contracts/ml'
import { getClient } from '../api/client'
import { errorMessage } from '../lib/errors'
import { RequestSequence } from '../lib/request-sequence'

export interface MlEntity {
  entityType: MlEntityType
  entityId: number
  name: string
  campaignId: number
  platform: string
}

type Status = 'idle' | 'loading' | 'ready' | 'error'

interface PredictionsState {
  workspaceId: number | null
  status: Status
  error: string | null
  entities: MlEntity[]
  models: ModelVersion[]
  drivers: { rows: number; currency: string | null; nodes: DriverNode[] } | null
  selected: { entityType: MlEntityType; entityId: number } | null
  days: number
  /** Planned daily spend in micros; null = the entity's current spend. */
  plannedMicros: number | null
  forecast: Forecast | null
  forecastError: string | null
  forecastLoading: boolean
  curve: ResponseCurveView | null
  curveError: string | null
  trainingJobId: number | null
  /** The picker's search ('' = the first entities). */
  entitySearch: string
  load: (workspaceId: number) => Promise<void>
  /** Look for campaigns and ad sets by name (the picker lists at most PICKER_LIMIT). */
  findEntities: (search: string) => Promise<void>
  select: (entityType: MlEntityType, entityId: number) => void
  setDays: (days: number) => void
  setPlanned: (micros: number | null) => void
  refreshForecast: () => Promise<void>
  retrain: () => Promise<void>
}

/** Page loads and forecast refreshes are sequenced apart: only the newest of each may write. */
const loads = new RequestSequence()
const forecasts = new RequestSequence()
const finds = new RequestSequence()

/** Entities the picker lists at once (a workspace can have 40,000 campaigns and ad sets); search finds the rest. */
export const PICKER_LIMIT = 200

export const usePredictionsStore = create<PredictionsState>()((set, get) => ({
  workspaceId: null,
  status: 'idle',
  error: null,
  entities: [],
  entitySearch: '',
  models: [],
  drivers: null,
  selected: null,
  days: 14,
  plannedMicros: null,
  forecast: null,
  forecastError: null,
  forecastLoading: false,
  curve: null,
  curveError: null,
  trainingJobId: null,

  load: async (workspaceId) => {
    const client = getClient()
    const ticket = loads.next()
    set({
      workspaceId,
      status: get().workspaceId === workspaceId && get().status === 'ready' ? 'ready' : 'loading',
      error: null,
    })
    try {
      const keepAsked = get().workspaceId === workspaceId ? get().selected : null
      const search = get().entitySearch
      const [entities, models, drivers] = await Promise.all([
        client.invoke('ml:listEntities', {
          workspaceId,
          limit: PICKER_LIMIT,
          ...(search ? { search } : {}),
          ...(keepAsked ? { include: keepAsked } : {}),
        }),
        client.invoke('ml:listModels', { workspaceId }),
        client.invoke('ml:getDrivers', { workspaceId, days: 90 }),
      ])
      if (!ticket.isLatest()) return
      const keep = get().selected
      const stillThere = keep && entities.some((e) => e.entityType === keep.entityType && e.entityId === keep.entityId)
      const first = entities.find((e) => e.entityType === 'campaign')
      set({
        status: 'ready',
        entities,
        models,
        drivers,
        selected: stillThere ? keep : first ? { entityType: 'campaign', entityId: first.entityId } : null,
      })
      await get().refreshForecast()
    } catch (err) {
      if (ticket.isLatest()) set({ status: 'error', error: errorMessage(err) })
    }
  },

  findEntities: async (search) => {
    const { workspaceId, selected } = get()
    if (workspaceId === null) return
    const ticket = finds.next()
    set({ entitySearch: search })
    try {
      const entities = await getClient().invoke('ml:listEntities', {
        workspaceId,
        limit: PICKER_LIMIT,
        ...(search ? { search } : {}),
        ...(selected ? { include: selected } : {}),
      })
      if (ticket.isLatest()) set({ entities })
    } catch (err) {
      if (ticket.isLatest()) set({ error: errorMessage(err) })
    }
  },

  select: (entityType, entityId) => {
    set({ selected: { entityType, entityId }, plannedMicros: null, curve: null })
    void get().refreshForecast()
  },

  setDays: (days) => {
    set({ days })
    void get().refreshForecast()
  },

  setPlanned: (micros) => {
    set({ plannedMicros: micros })
    void get().refreshForecast()
  },

  refreshForecast: async () => {
    const { workspaceId, selected, days, plannedMicros, models } = get()
    if (workspaceId === null || !selected || !models.some((m) => m.active)) return
    const ticket = forecasts.next()
    const client = getClient()
    set({ forecastLoading: true })
    const ref = { workspaceId, ...selected }
    const [f, c] = await Promise.allSettled([
      client.invoke('ml:getForecast', {
        ...ref,
        days,
        ...(plannedMicros !== null ? { dailySpendMicros: plannedMicros } : {}),
      }),
      get().curve ? Promise.resolve(get().curve as ResponseCurveView) : client.invoke('ml:getResponseCurve', ref),
    ])
    if (!ticket.isLatest()) return
    set({
      forecastLoading: false,
      forecast: f.status === 'fulfilled' ? f.value : null,
      forecastError: f.status === 'rejected' ? errorMessage(f.reason) : null,
      curve: c.status === 'fulfilled' ? c.value : null,
      curveError: c.status === 'rejected' ? errorMessage(c.reason) : null,
    })
  },

  retrain: async () => {
    const { workspaceId } = get()
    if (workspaceId === null) return
    try {
      const { jobId } = await getClient().invoke('ml:train', { workspaceId, model: 'forecast' })
      set({ trainingJobId: jobId })
    } catch (err) {
      set({ error: errorMessage(err) })
    }
  },
}))
