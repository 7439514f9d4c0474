import type { CallContext } from '../../../shared/domain/caller'
import type { Change } from '../../../shared/domain/changes'
import { KIND_LABELS, type Recommendation } from '../../../shared/domain/recommendations'
import type { RecommendationView } from '../../../shared/ipc/contracts/recommendations'
import type { Core } from '../../main/core'
import { CliError, type ParsedArgs } from '../args'
import type { CliCommand } from '../command'

async function call<T>(core: Core, caller: CallContext, channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, caller)
  if (!env.ok) throw new CliError(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

function workspaceOf(core: Core, args: ParsedArgs): number {
  const name = args.flags.get('workspace')
  if (name === true) throw new CliError('--workspace needs a name', 2)
  if (name === undefined) {
    const w = core.workspaces.list().find((x) => x.isDemo) ?? core.workspaces.list()[0]
    if (!w) throw new CliError('There is no workspace yet: pass --workspace NAME', 2)
    return w.id
  }
  const w = core.workspaces.findByName(name)
  if (!w) throw new CliError(`No workspace named ${JSON.stringify(name)} (see: npm run cli -- status)`, 2)
  return w.id
}

const money = (m: number): string => (m / 1e6).toFixed(2)

function line(r: RecommendationView): string {
  const impact = r.impact
    ? `${money(r.impact.point)} ${r.currency}/week [${money(r.impact.lower)}, ${money(r.impact.upper)}]`
    : 'impact not estimated'
  const follow =
    r.followUp?.realisedMicros !== null && r.followUp ? `  realised ${money(r.followUp.realisedMicros ?? 0)}` : ''
  return `#${r.id}  ${r.state.padEnd(9)} ${KIND_LABELS[r.kind].padEnd(19)} ${impact}  confidence ${r.confidence.toFixed(2)}  priority ${r.priority.toFixed(1)}${follow}\n      ${r.title}`
}

function idArg(args: ParsedArgs, verb: string): number {
  const raw = args.positional[2]
  const id = Number(raw)
  if (raw === undefined || !Number.isInteger(id) || id <= 0) throw new CliError(`recommend ${verb} needs an id`, 2)
  return id
}

async function waitForDemo(core: Core): Promise<void> {
  if (core.startupJobId === null) return
  process.stderr.write('Building the demo workspace first...\n')
  const job = await core.jobs.waitFor(core.startupJobId)
  if (job.status !== 'succeeded') throw new CliError(`Demo build ${job.status}: ${job.error ?? ''}`)
}

export const recommendCommands: CliCommand[] = [
  {
    name: 'recommend',
    role: 'editor',
    usage:
      'recommend [--workspace NAME] [--json]   Generate and list recommendations by priority (impact × confidence)\n' +
      '  recommend apply ID | dismiss ID | snooze ID --days N   Apply (proposes the changes), dismiss or snooze one',
    coreOptions: { seedDemo: true },
    async run(core, args, caller) {
      await waitForDemo(core)
      const verb = args.positional[1]
      if (verb === 'apply') {
        const res = await call<{ recommendation: Recommendation; changes: Change[] }>(
          core,
          caller,
          'recommendations:apply',
          { id: idArg(args, 'apply') },
        )
        if (args.flags.has('json')) return console.log(JSON.stringify(res, null, 2))
        console.log(
          `Recommendation #${res.recommendation.id} applied: ${res.changes.length} change(s) in batch ${res.recommendation.batchId}`,
        )
        for (const c of res.changes)
          console.log(`  change #${c.id} ${c.state}: ${c.entityType} “${c.entityName ?? c.entityId}” ${c.action.kind}`)
        if (res.changes.some((c) => c.state === 'proposed'))
          console.log('They wait for approval: npm run cli -- changes approve ID (or on the Recommendations page).')
        return
      }
      if (verb === 'dismiss' || verb === 'snooze') {
        const id = idArg(args, verb)
        const days = Number(args.flags.get('days') ?? 7)
        if (verb === 'snooze' && (!Number.isInteger(days) || days < 1 || days > 90))
          throw new CliError('--days needs a whole number from 1 to 90', 2)
        const r = await call<Recommendation>(
          core,
          caller,
          `recommendations:${verb}`,
          verb === 'snooze' ? { id, days } : { id },
        )
        return console.log(`Recommendation #${r.id} ${r.state}${r.snoozedUntil ? ` until ${r.snoozedUntil}` : ''}`)
      }
      if (verb !== undefined)
        throw new CliError(`Unknown recommend command ${JSON.stringify(verb)} (apply, dismiss, snooze)`, 2)
      const workspaceId = workspaceOf(core, args)
      const gen = await call<{
        seconds: number
        inserted: number
        updated: number
        expired: number
        skipped: string[]
      }>(core, caller, 'recommendations:generate', { workspaceId })
      // Every recommendation, read a page at a time (a list view cuts a large reallocation table to its first rows).
      type Page = { items: RecommendationView[]; total: number; calibration: Record<string, number> }
      const states = args.flags.has('all') ? undefined : (['new', 'applied'] as const)
      let out: Page | null = null
      do {
        const page: Page = await call<Page>(core, caller, 'recommendations:list', {
          workspaceId,
          ...(states ? { states } : {}),
          offset: out?.items.length ?? 0,
          limit: 200,
        })
        out = out ? { ...page, items: [...out.items, ...page.items] } : page
        if (!page.items.length) break
      } while (out.items.length < out.total)
      if (args.flags.has('json')) return console.log(JSON.stringify({ generation: gen, ...out }, null, 2))
      console.error(
        `Generated in ${gen.seconds.toFixed(2)} s: ${gen.inserted} new, ${gen.updated} refreshed, ${gen.expired} expired.`,
      )
      if (!out.items.length) console.log('No recommendations: the data supports no advice right now.')
      for (const r of out.items) console.log(line(r))
      const c = out.calibration
      if (c.measured)
        console.log(
          `\nFollow-ups: ${c.measured} measured, ${c.withinInterval} inside the predicted 80% interval; predicted ${money(c.predictedMicros ?? 0)}, realised ${money(c.realisedMicros ?? 0)} per week in total.`,
        )
    },
  },
]
