import { inScope } from '../../../../shared/domain/caller'
import type { CoreServices } from '../../core-services'
import type { Handlers } from '../router'

type WorkspaceHandlers = Pick<
  Handlers,
  'workspaces:list' | 'accounts:list' | 'dashboard:getSummary' | 'dashboard:getTrend' | 'demo:reset'
>

export function workspaceHandlers(s: CoreServices): WorkspaceHandlers {
  return {
    'workspaces:list': (_input, ctx) => s.workspaces.list().filter((w) => inScope(ctx, w.id)),
    'accounts:list': ({ workspaceId }) => {
      s.workspaces.get(workspaceId)
      return s.workspaces.accounts(workspaceId)
    },
    'dashboard:getSummary': ({ workspaceId, range, compare, accountIds }) =>
      s.dashboard.summary({ workspaceId, accountIds }, range, compare),
    'dashboard:getTrend': ({ workspaceId, range, accountIds }) => s.dashboard.trend({ workspaceId, accountIds }, range),
    'demo:reset': () => ({ jobId: s.jobs.enqueue('demo:build', {}) }),
  }
}
