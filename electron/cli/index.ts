import { userInfo } from 'node:os'
import { ROLES, roleAllows, userContext, type CallContext, type Role } from '../../shared/domain/caller'
import { createCore } from '../main/core'
import { createNodePlatform } from '../main/platform/node'
import { CliError, parseArgs } from './args'
import type { CliCommand } from './command'
import { alertCommands } from './commands/alerts'
import { analyticsCommands } from './commands/analytics'
import { backupCommands } from './commands/backups'
import { changesCommands } from './commands/changes'
import { coreCommands } from './commands/core'
import { experimentCommands } from './commands/experiments'
import { recommendCommands } from './commands/recommend'
import { mlCommands } from './commands/ml'
import { reportCommands } from './commands/reports'
import { securityCommands } from './commands/security'
import { rulesCommands } from './commands/rules'
import { syncCommands } from './commands/sync'

const COMMANDS: CliCommand[] = [
  ...coreCommands,
  ...syncCommands,
  ...analyticsCommands,
  ...mlCommands,
  ...changesCommands,
  ...rulesCommands,
  ...reportCommands,
  ...backupCommands,
  ...securityCommands,
  ...experimentCommands,
  ...recommendCommands,
  ...alertCommands,
]

const USAGE = `Marketing Engine CLI — the same core as the app, headless.

Usage: npm run cli -- [--as viewer|editor|admin] <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}

--as runs the command in that role (default admin): a viewer may only read.
The data folder is the OS app-data folder unless ME_DATA_DIR names another.
Errors go to stderr with a non-zero exit code.`

/** The CLI user in the role `--as` names (default admin). */
function cliCaller(as: string | true | undefined): CallContext {
  const role = as ?? 'admin'
  if (role === true || !(ROLES as readonly string[]).includes(role))
    throw new CliError(
      `--as needs one of ${ROLES.join(', ')}, got ${role === true ? 'nothing' : JSON.stringify(role)}`,
      2,
    )
  let name = 'cli user'
  try {
    name = userInfo().username || name
  } catch {
    // no passwd entry (containers): keep the generic name
  }
  return userContext('cli', { id: name, name, role: role as Role })
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv)
  const name = args.positional[0]
  if (!name || name === 'help' || args.flags.has('help')) {
    console.log(USAGE)
    return
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) throw new CliError(`Unknown command "${name}".\n\n${USAGE}`, 2)
  const caller = cliCaller(args.flags.get('as'))
  if (!roleAllows(caller.principal.role, command.role))
    throw new CliError(
      `FORBIDDEN: \`${name}\` needs the ${command.role} role; --as ${caller.principal.role} may not run it`,
    )
  const platform = createNodePlatform({ host: 'cli' })
  if (command.standalone) {
    await command.standalone(args, platform)
    return
  }
  const core = createCore(platform, { validateOutput: true, ownerLabel: `CLI ${name}`, ...command.coreOptions })
  try {
    await command.run(core, args, caller)
    // The after-sync alert checks a sync or demo build queued behind itself run before the CLI
    // exits (closing the core drops queued checks: a cron-driven sync would raise no alert).
    await core.services.alertSources.idle()
  } finally {
    await core.close()
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const code = err instanceof CliError ? err.exitCode : 1
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(code)
})
