import { addDays } from '../shared/domain/dates'
import { CREATIVES_WINDOW } from '../shared/domain/row-window'

/** The heavy pages' calls over the 30 days to `endDate` (what a user who looks around asks): the memory benches open them. */
export function heavyPageCalls(w: number, endDate: string): [string, unknown][] {
  const range = { from: addDays(endDate, -29), to: endDate }
  return [
    ['dashboard:getSummary', { workspaceId: w, range, compare: true }],
    ['dashboard:getTrend', { workspaceId: w, range }],
    ['analytics:getTop', { workspaceId: w, range, metric: 'roas', limit: 8, minSpend: 100 }],
    ['analytics:getBreakdown', { workspaceId: w, range, level: 'platform' }],
    ['analytics:listAnomalies', { workspaceId: w, range, minSeverity: 'warning' }],
    [
      'analytics:getBreakdown',
      {
        workspaceId: w,
        range,
        level: 'campaign',
        compare: true,
        window: { offset: 0, limit: 200, sort: 'spend', dir: 'desc', search: '' },
      },
    ],
    [
      'analytics:listCreatives',
      { workspaceId: w, range, window: { offset: 0, limit: CREATIVES_WINDOW, sort: 'spend', dir: 'desc', search: '' } },
    ],
    ['analytics:compareFormats', { workspaceId: w, range }],
    ['ml:listEntities', { workspaceId: w, limit: 200 }],
    ['ml:getDrivers', { workspaceId: w, days: 90 }],
    ['experiments:suggest', { workspaceId: w }],
    ['experiments:listEntities', { workspaceId: w, level: 'ad_set' }],
    ['connections:list', { workspaceId: w }],
    ['store:getStatus', {}],
  ]
}
