import { createCore } from '../main/core'
import { createNodePlatform } from '../main/platform/node'
import { CliError, parseArgs } from './args'
import type { CliCommand } from './command'
import { analyticsCommands } from './commands/analytics'
import { coreCommands } from './commands/core'
import { mlCommands } from './commands/ml'
import { syncCommands } from './commands/sync'

const COMMANDS: CliCommand[] = [...coreCommands, ...syncCommands, ...analyticsCommands, ...mlCommands]

const USAGE = `Marketing Engine CLI — the same core as the app, headless.

Usage: npm run cli -- <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}

The data folder is the OS app-data folder unless ME_DATA_DIR names another.
Errors go to stderr with a non-zero exit code.`

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv)
  const name = args.positional[0]
  if (!name || name === 'help' || args.flags.has('help')) {
    console.log(USAGE)
    return
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) throw new CliError(`Unknown command "${name}".\n\n${USAGE}`, 2)
  const platform = createNodePlatform({ host: 'cli' })
  const core = createCore(platform, { validateOutput: true, ...command.coreOptions })
  try {
    await command.run(core, args)
  } finally {
    await core.close()
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const code = err instanceof CliError ? err.exitCode : 1
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(code)
})
