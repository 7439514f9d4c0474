import type { CoreServices } from '../../core-services'
import type { Handlers } from '../router'

type JobHandlers = Pick<Handlers, 'jobs:list' | 'jobs:cancel'>

export function jobHandlers(s: CoreServices): JobHandlers {
  return {
    'jobs:list': ({ limit }) => s.jobs.list(limit),
    'jobs:cancel': ({ jobId }) => ({ cancelled: s.jobs.cancel(jobId) }),
  }
}
