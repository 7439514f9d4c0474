import { createCore, type Core } from '../main/core'
import { createNodePlatform } from '../main/platform/node'
import { CliError, intFlag, parseArgs, type ParsedArgs } from './args'

const USAGE = `Marketing Engine CLI — the same core as the app, headless.

Usage: npm run cli -- <command> [options]

Commands:
  demo [--campaigns N] [--days D] [--seed S]   Create or reset the demo workspace
  status                                       Workspaces, accounts, row counts and date range
  call <channel> '<json>'                      Call any IPC channel; prints the envelope as JSON

The data folder is the OS app-data folder unless ME_DATA_DIR names another.`

function progressLine(core: Core): () => void {
  return core.events.on('job:progress', (p) => {
    const pct = p.total > 0 ? ` ${Math.floor((100 * p.current) / p.total)}%` : ''
    process.stderr.write(`\r${p.step}${pct} ${p.message}`.padEnd(80).slice(0, 100))
  })
}

async function cmdDemo(core: Core, args: ParsedArgs): Promise<void> {
  const payload: Record<string, number> = {}
  const campaigns = intFlag(args, 'campaigns')
  const days = intFlag(args, 'days')
  const seed = intFlag(args, 'seed')
  if (campaigns !== undefined) payload.campaigns = campaigns
  if (days !== undefined) payload.days = days
  if (seed !== undefined) payload.seed = seed
  const off = progressLine(core)
  const id = core.jobs.enqueue('demo:build', payload)
  const job = await core.jobs.waitFor(id)
  off()
  process.stderr.write('\n')
  if (job.status !== 'succeeded') throw new CliError(`Demo build ${job.status}: ${job.error ?? ''}`)
  console.log(JSON.stringify(core.jobs.result(id), null, 2))
}

async function cmdStatus(core: Core): Promise<void> {
  const env = await core.dispatch('store:getStatus', {})
  if (!env.ok) throw new CliError(env.error.message)
  const status = env.value as { dbPath: string; dbBytes: number; workspaces: Record<string, unknown>[] }
  const accounts = core.workspaces.list().map((w) => ({ workspace: w.name, accounts: core.workspaces.accounts(w.id) }))
  console.log(JSON.stringify({ ...status, accounts }, null, 2))
}

async function cmdCall(core: Core, args: ParsedArgs): Promise<void> {
  const [, channel, json] = args.positional
  if (!channel) throw new CliError("call needs a channel, e.g. call workspaces:list '{}'", 2)
  let input: unknown = {}
  if (json !== undefined) {
    try {
      input = JSON.parse(json)
    } catch (err) {
      throw new CliError(`The input is not valid JSON: ${(err as Error).message}`, 2)
    }
  }
  const env = await core.dispatch(channel, input)
  console.log(JSON.stringify(env, null, 2))
  if (!env.ok) process.exitCode = 1
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv)
  const command = args.positional[0]
  if (!command || command === 'help' || args.flags.has('help')) {
    console.log(USAGE)
    return
  }
  const known = ['demo', 'status', 'call']
  if (!known.includes(command)) throw new CliError(`Unknown command "${command}".\n\n${USAGE}`, 2)
  const platform = createNodePlatform({ host: 'cli' })
  const core = createCore(platform, { validateOutput: true })
  try {
    if (command === 'demo') await cmdDemo(core, args)
    else if (command === 'status') await cmdStatus(core)
    else await cmdCall(core, args)
  } finally {
    await core.close()
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const code = err instanceof CliError ? err.exitCode : 1
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(code)
})
