import type { EXPERIMENTS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/experiments'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts } from '../module'
import { ExperimentsRepo } from '../store/repos/experiments-repo'
import { ExperimentService } from './experiment-service'

type Channel = (typeof EXPERIMENTS_INVOKE_CHANNELS)[number]
type Provides = 'experiments'

/** The experiments domain: A/B tests between entities or from CSV files, suggestions and power plans. */
export const experimentsModule: CoreModule<Provides, never, Channel> = {
  name: 'experiments',
  provides: ['experiments'],
  requires: [],
  create: createExperimentsModule,
}

function createExperimentsModule(services: CoreServices): ModuleParts<Provides, Channel> {
  const experiments = new ExperimentService(new ExperimentsRepo(services.store.sqlite))
  return {
    services: { experiments },
    handlers: {
      // The page's reads over every ad set: on the page-reads worker, kept per data change (page-reads.ts).
      'experiments:listEntities': (input) => services.pageReads.get('experiments:listEntities', input),
      'experiments:analyzeEntities': (input) => experiments.analyzeEntities(input),
      'experiments:analyzeCsv': (input) => experiments.analyzeCsv(input),
      'experiments:suggest': (input) => services.pageReads.get('experiments:suggest', input),
      'experiments:plan': (input) => experiments.plan(input),
    },
  }
}
