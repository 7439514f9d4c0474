import { CliError, intFlag } from '../args'
import { progressToStderr, type CliCommand } from '../command'

export const coreCommands: CliCommand[] = [
  {
    name: 'demo',
    role: 'admin',
    usage: 'demo [--campaigns N] [--days D] [--seed S]   Create or reset the demo workspace',
    async run(core, args) {
      const payload: Record<string, number> = {}
      for (const k of ['campaigns', 'days', 'seed'] as const) {
        const v = intFlag(args, k)
        if (v !== undefined) payload[k] = v
      }
      const done = progressToStderr(core)
      const id = core.jobs.enqueue('demo:build', payload)
      const job = await core.jobs.waitFor(id)
      done()
      if (job.status !== 'succeeded') throw new CliError(`Demo build ${job.status}: ${job.error ?? ''}`)
      console.log(JSON.stringify(core.jobs.result(id), null, 2))
    },
  },
  {
    name: 'status',
    role: 'viewer',
    usage: 'status                                       Workspaces, accounts, row counts and date range',
    // Reads only: works beside a running app and never touches its jobs.
    coreOptions: { claimStore: false },
    async run(core, _args, caller) {
      const env = await core.dispatch('store:getStatus', {}, caller)
      if (!env.ok) throw new CliError(env.error.message)
      const accounts = core.workspaces
        .list()
        .map((w) => ({ workspace: w.name, accounts: core.workspaces.accounts(w.id) }))
      console.log(JSON.stringify({ ...(env.value as object), accounts }, null, 2))
    },
  },
  {
    name: 'call',
    role: 'viewer',
    usage: "call <channel> '<json>'                      Call any IPC channel; prints the envelope as JSON",
    async run(core, args, caller) {
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
      const env = await core.dispatch(channel, input, caller)
      console.log(JSON.stringify(env, null, 2))
      if (!env.ok) process.exitCode = 1
    },
  },
]
