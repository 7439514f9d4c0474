import { AppError } from '../../shared/ipc/result'
import type { SecurityStatus } from '../../shared/ipc/contracts/security'
import type { CoreServices } from './core-services'
import type { CoreModule, ModuleParts } from './module'
import { looseDataFiles } from './platform/private-files'

type Channel = 'security:getStatus' | 'security:acceptWeakSecrets'

/** How secrets are protected and whether the data folder is owner-only (Settings, `security` in the CLI). */
export function securityStatus(s: Pick<CoreServices, 'platform'>): SecurityStatus {
  const p = s.platform.secrets.protection()
  return {
    secrets: { ...p, needsConsent: p.needsConsent ?? false },
    dataDir: s.platform.paths.dataDir,
    looseFiles: looseDataFiles(s.platform.paths.dataDir),
  }
}

/** Security status, and the user's choice to proceed with weakly protected secrets. */
export const securityModule: CoreModule<never, never, Channel> = {
  name: 'security',
  provides: [],
  requires: [],
  create: (s): ModuleParts<never, Channel> => ({
    services: {},
    handlers: {
      'security:getStatus': () => securityStatus(s),
      'security:acceptWeakSecrets': (_input, ctx) =>
        s.mutations.run(
          { action: 'security.accept_weak_secrets', ctx, tables: [], detail: () => s.platform.secrets.protection() },
          () => {
            const accept = s.platform.secrets.acceptWeakProtection
            if (!accept || !s.platform.secrets.protection().needsConsent)
              throw new AppError('CONFLICT', 'Secrets protection here does not need a choice: nothing to accept')
            accept.call(s.platform.secrets, s.platform.clock.now())
            return securityStatus(s)
          },
        ),
    },
  }),
}
