import type { CallContext } from '../../../shared/domain/caller'
import { CHANGE_STATES, type Change, type ChangeState } from '../../../shared/domain/changes'
import type { Core } from '../../main/core'
import { CliError, type ParsedArgs } from '../args'
import type { CliCommand } from '../command'

async function call<T>(core: Core, caller: CallContext, channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, caller)
  if (!env.ok) throw new CliError(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

function idArg(args: ParsedArgs, what: string): number {
  const raw = args.positional[2]
  const id = Number(raw)
  if (raw === undefined || !Number.isInteger(id) || id <= 0) throw new CliError(`changes ${what} needs a change id`, 2)
  return id
}

function value(v: Change['requested'] | undefined): string {
  if (v === undefined || v === null) return '-'
  return typeof v === 'number' ? (v / 1e6).toFixed(2) : v
}

/** One line per change: id, state, entity, action, before → requested (applied), who, error. */
function line(c: Change): string {
  const applied = c.applied !== undefined ? ` (platform ${value(c.applied)})` : ''
  const err = c.error ? `  ! ${c.error}` : ''
  return (
    `#${c.id}  ${c.state.padEnd(9)} ${c.entityType} ${c.entityId} “${c.entityName ?? c.externalId}”  ${c.action.kind}: ` +
    `${value(c.platformBefore ?? c.before)} → ${value(c.requested)}${applied}  by ${c.actor.label}  batch ${c.batchId}${err}`
  )
}

function print(args: ParsedArgs, out: Change | Change[]): void {
  if (args.flags.has('json')) console.log(JSON.stringify(out, null, 2))
  else for (const c of Array.isArray(out) ? out : [out]) console.log(line(c))
}

/** `changes list|approve|reject|undo`: the change pipeline's outbox from the command line. */
export const changesCommands: CliCommand[] = [
  {
    name: 'changes',
    // Each sub-command's channel checks its own role (approve/reject/undo need an editor).
    role: 'viewer',
    usage: [
      'changes list [--state S] [--workspace ID] [--limit N] [--json]   Changes to the ad platforms, newest first',
      'changes approve <id> [--json]   Approve a proposed change and wait for the worker to apply it',
      'changes reject <id> [--reason TEXT] [--json]   Reject a proposed change',
      'changes undo <id> [--force] [--json]   Undo an applied change (refused when changed on the platform since)',
      'changes undo --batch <batch-id> [--force] [--json]   Undo every applied change of a batch',
    ].join('\n  '),
    async run(core, args, caller) {
      const sub = args.positional[1]
      switch (sub) {
        case 'list': {
          const state = args.flags.get('state')
          if (state !== undefined && !(CHANGE_STATES as readonly string[]).includes(String(state)))
            throw new CliError(`--state needs one of ${CHANGE_STATES.join(', ')}, got ${JSON.stringify(state)}`, 2)
          const ws = args.flags.get('workspace')
          const limit = args.flags.get('limit')
          const r = await call<{ items: Change[]; total: number }>(core, caller, 'changes:list', {
            ...(state !== undefined ? { state: state as ChangeState } : {}),
            ...(ws !== undefined ? { workspaceId: Number(ws) } : {}),
            ...(limit !== undefined ? { limit: Number(limit) } : {}),
          })
          if (args.flags.has('json')) console.log(JSON.stringify(r, null, 2))
          else {
            for (const c of r.items) console.log(line(c))
            console.log(`${r.items.length} of ${r.total} change(s)`)
          }
          return
        }
        case 'approve':
          return print(args, await call<Change>(core, caller, 'changes:approve', { id: idArg(args, 'approve') }))
        case 'reject': {
          const reason = args.flags.get('reason')
          return print(
            args,
            await call<Change>(core, caller, 'changes:reject', {
              id: idArg(args, 'reject'),
              ...(typeof reason === 'string' ? { reason } : {}),
            }),
          )
        }
        case 'undo': {
          const force = args.flags.has('force')
          const batch = args.flags.get('batch')
          if (typeof batch === 'string')
            return print(args, await call<Change[]>(core, caller, 'changes:undoBatch', { batchId: batch, force }))
          return print(args, await call<Change>(core, caller, 'changes:undo', { id: idArg(args, 'undo'), force }))
        }
        default:
          throw new CliError(`changes needs list, approve, reject or undo (got ${JSON.stringify(sub ?? '')})`, 2)
      }
    },
  },
]
