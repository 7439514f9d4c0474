import { securityStatus } from '../../main/security-module'
import type { CliCommand } from '../command'

export const securityCommands: CliCommand[] = [
  {
    name: 'security',
    role: 'viewer',
    usage:
      'security                                     Where the secrets key is kept (keychain, passphrase or key file, with a\n' +
      '                                             warning when weak) and any data-folder file others could read',
    run: () => Promise.reject(new Error('security runs without a core')),
    async standalone(_args, platform) {
      const status = securityStatus({ platform })
      console.log(JSON.stringify(status, null, 2))
      if (status.secrets.warning) console.error(`Warning: ${status.secrets.warning}`)
      if (status.looseFiles.length) console.error(`Warning: readable by others: ${status.looseFiles.join(', ')}`)
    },
  },
]
