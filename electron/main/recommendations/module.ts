import type { RECOMMENDATIONS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/recommendations'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts, ServiceRegistry } from '../module'
import { RecommendationsRepo } from '../store/repos/recommendations-repo'
import { RecommendationService } from './recommendation-service'

type Channel = (typeof RECOMMENDATIONS_INVOKE_CHANNELS)[number]
type Provides = 'recommendations'
type Requires = 'forecasts' | 'analytics' | 'experiments' | 'changes'

/**
 * Recommendations: the `recommendations` service (generate, list with follow-ups, apply through
 * the change pipeline as the recommendation's principal, dismiss, snooze). Reads the store through
 * its repo and the ML module's response curves through the `forecasts` service; regenerates after
 * every successful sync and demo build in the store's owner.
 */
export const recommendationsModule: CoreModule<Provides, Requires, Channel> = {
  name: 'recommendations',
  provides: ['recommendations'],
  requires: ['forecasts', 'analytics', 'experiments', 'changes'],
  create: createRecommendationsModule,
}

function createRecommendationsModule(
  core: CoreServices,
  needs: Pick<ServiceRegistry, Requires>,
): ModuleParts<Provides, Channel> {
  const service = new RecommendationService({ core, repo: new RecommendationsRepo(core.store.sqlite), ...needs })
  const offs: (() => void)[] = []
  return {
    services: { recommendations: service },
    handlers: {
      'recommendations:list': ({ workspaceId, states, ...page }) => service.list(workspaceId, states, page),
      'recommendations:reallocationRows': ({ id, offset, limit }, ctx) =>
        service.reallocationRows(id, offset, limit, ctx),
      'recommendations:generate': ({ workspaceId }) => service.generate(workspaceId),
      'recommendations:apply': ({ id }, ctx) => service.apply(id, ctx),
      'recommendations:dismiss': ({ id }, ctx) => service.dismiss(id, ctx),
      'recommendations:snooze': ({ id, days }, ctx) => service.snooze(id, days, ctx),
      'recommendations:getSettings': ({ workspaceId }) => service.settings(workspaceId),
      'recommendations:setSettings': (input, ctx) => service.setSettings(input, ctx),
    },
    start() {
      offs.push(
        core.events.on('job:finished', (f) => {
          if (f.status !== 'succeeded' || !core.ownership.isOwner) return
          if (f.kind === 'demo:build' || f.kind.startsWith('sync')) {
            service.regenerateLater(core.workspaces.list().map((w) => w.id))
            // A training queued behind this job waits for the generation too (job-queue followUp).
            core.jobs.followUp(f.kind, null, service.idle(), 'recommendations')
          }
        }),
      )
    },
    stop() {
      for (const off of offs.splice(0)) off()
      return service.idle()
    },
  }
}
