import { readFileSync } from 'node:fs'
import type { CallContext } from '../../../shared/domain/caller'
import { decimalToMicros } from '../../../shared/domain/money'
import type { Forecast } from '../../../shared/ipc/contracts/ml'
import type { Core } from '../../main/core'
import { queueTraining } from '../../main/ml/module'
import { CliError, intFlag, type ParsedArgs } from '../args'
import { progressToStderr, type CliCommand } from '../command'

function workspaceId(core: Core, args: ParsedArgs): number {
  const id = intFlag(args, 'workspace')
  if (id !== undefined) return core.workspaces.get(id).id
  const first = core.workspaces.list()[0]
  if (!first) throw new CliError('No workspace yet: run `demo` first or pass --workspace ID')
  return first.id
}

async function call<T>(core: Core, caller: CallContext, channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, caller)
  if (!env.ok) throw new CliError(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

/** CLI commands of the ml domain. */
export const mlCommands: CliCommand[] = [
  {
    name: 'train',
    role: 'editor',
    usage:
      'train [--model forecast] [--workspace ID] [--trees N]   Train a model version (worker thread); prints metrics',
    async run(core, args, caller) {
      const model = args.flags.get('model') ?? 'forecast'
      if (model !== 'forecast')
        throw new CliError(
          `Unknown model ${JSON.stringify(model)}; models: forecast (LTV is fitted on demand by \`ltv\`)`,
          2,
        )
      const ws = workspaceId(core, args)
      const trees = intFlag(args, 'trees')
      const done = progressToStderr(core)
      const { id, existing } = queueTraining(core.jobs, { workspaceId: ws, model, ...(trees ? { trees } : {}) })
      if (existing)
        process.stderr.write(`A training of this workspace is already queued or running (job ${id}): waiting for it\n`)
      const job = await core.jobs.waitFor(id)
      done()
      if (job.status !== 'succeeded') throw new CliError(`Training ${job.status}: ${job.error ?? ''}`)
      const models = await call<
        { version: number; active: boolean; metrics: unknown; trainedAt: string; dataFrom: string; dataTo: string }[]
      >(core, caller, 'ml:listModels', { workspaceId: ws })
      const result = core.jobs.result<{ version: number }>(id)
      console.log(
        JSON.stringify({ workspaceId: ws, result, model: models.find((m) => m.version === result?.version) }, null, 2),
      )
    },
  },
  {
    name: 'predict',
    role: 'viewer',
    usage:
      'predict --entity ID --days N [--spend X] [--type campaign|ad_set] [--workspace ID] [--path]   Forecast with 80% interval',
    async run(core, args, caller) {
      const ws = workspaceId(core, args)
      const entityId = intFlag(args, 'entity')
      const days = intFlag(args, 'days')
      if (entityId === undefined || days === undefined) throw new CliError('predict needs --entity ID and --days N', 2)
      const given = args.flags.get('type') ?? 'campaign'
      // `adset` is the flag's original spelling; the domain spells the level `ad_set`.
      const type = given === 'adset' ? 'ad_set' : given
      if (type !== 'campaign' && type !== 'ad_set') throw new CliError('--type must be campaign or ad_set (adset)', 2)
      const spend = args.flags.get('spend')
      let dailySpendMicros: number | undefined
      if (spend !== undefined) {
        try {
          dailySpendMicros = decimalToMicros(spend === true ? '' : spend)
        } catch {
          throw new CliError(`--spend needs a daily amount like 250 or 99.50, got ${JSON.stringify(spend)}`, 2)
        }
      }
      const f = await call<Forecast>(core, caller, 'ml:getForecast', {
        workspaceId: ws,
        entityType: type,
        entityId,
        days,
        ...(dailySpendMicros !== undefined ? { dailySpendMicros } : {}),
      })
      const { path, history, ...summary } = f
      console.log(
        JSON.stringify(
          args.flags.has('path') ? { ...summary, path } : { ...summary, historyDays: history.length },
          null,
          2,
        ),
      )
    },
  },
  {
    name: 'import-orders',
    role: 'editor',
    usage: 'import-orders FILE.csv [--workspace ID] [--currency EUR] [--replace]   Orders for LTV (all or nothing)',
    async run(core, args, caller) {
      const file = args.positional[1]
      if (!file) throw new CliError('import-orders needs a CSV file', 2)
      let csv: string
      try {
        csv = readFileSync(file, 'utf8')
      } catch (err) {
        throw new CliError(`Cannot read ${file}: ${(err as Error).message}`)
      }
      const currency = args.flags.get('currency')
      const out = await call(core, caller, 'ml:importOrders', {
        workspaceId: workspaceId(core, args),
        csv,
        replace: args.flags.has('replace'),
        ...(typeof currency === 'string' ? { currency } : {}),
      })
      console.log(JSON.stringify(out, null, 2))
    },
  },
  {
    name: 'ltv',
    role: 'viewer',
    usage: 'ltv [--workspace ID] [--weeks 52]   BG/NBD + Gamma-Gamma lifetime value by channel and campaign',
    async run(core, args, caller) {
      const out = await call(core, caller, 'ml:getLtv', {
        workspaceId: workspaceId(core, args),
        horizonWeeks: intFlag(args, 'weeks', 52),
      })
      console.log(JSON.stringify(out, null, 2))
    },
  },
]
