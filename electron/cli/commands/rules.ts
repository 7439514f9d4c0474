import { readFileSync } from 'node:fs'
import type { CallContext } from '../../../shared/domain/caller'
import type { Change } from '../../../shared/domain/changes'
import type { Rule, RuleDecision, RuleExplanation, RuleRunResult } from '../../../shared/domain/rules'
import type { Core } from '../../main/core'
import { CliError, type ParsedArgs } from '../args'
import type { CliCommand } from '../command'

async function call<T>(core: Core, caller: CallContext, channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, caller)
  if (!env.ok) throw new CliError(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

function idAt(args: ParsedArgs, i: number, what: string): number {
  const raw = args.positional[i]
  const id = Number(raw)
  if (raw === undefined || !Number.isInteger(id) || id <= 0)
    throw new CliError(`rules ${what} needs ${i === 2 ? 'an id' : 'ids'}`, 2)
  return id
}

/** The rule JSON of `--file`: unreadable files and broken JSON are usage errors (exit 2). */
function ruleFile(args: ParsedArgs): unknown {
  const file = args.flags.get('file')
  if (typeof file !== 'string') throw new CliError('--file rule.json is required', 2)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new CliError(`${file} is not valid JSON: ${(e as Error).message}`, 2)
  }
}

function json(args: ParsedArgs): boolean {
  return args.flags.has('json')
}

function ruleLine(r: Rule & { pending?: number }): string {
  const d = r.definition
  const state = d.enabled ? 'on ' : 'off'
  const last = r.lastRun
    ? `last ${r.lastRunAt} (${r.lastRun.matched} matched, ${r.lastRun.actions} actions)`
    : 'never run'
  const pending = r.pending ? `, ${r.pending} awaiting approval` : ''
  return `#${r.id} v${r.version}  ${state} ${d.mode.padEnd(9)} ${d.scope.level.padEnd(8)} “${d.name}”  ${d.schedule.kind}  ${last}${pending}  next ${r.nextRunAt ?? '-'}`
}

function num(v: number | null): string {
  if (v === null) return '-'
  return Math.abs(v) >= 100 ? v.toFixed(0) : String(Math.round(v * 1000) / 1000)
}

function decisionLine(d: RuleDecision): string {
  if (d.compact)
    return `${d.entityType} ${d.entityId} “${d.entityName}”: ${d.outcome === 'skipped' ? `skipped: ${d.reason}` : d.outcome.replace('_', ' ')}  (numbers not recorded: rules explain <run-id> ${d.entityType}:${d.entityId})`
  const what =
    d.outcome === 'skipped' ? `skipped: ${d.reason}${d.detail ? ` (${d.detail})` : ''}` : d.outcome.replace('_', ' ')
  const values = d.conditions
    .map((c) => `${c.label} → ${num(c.value)}${c.against !== null ? ` vs ${num(c.against)}` : ''}`)
    .join('; ')
  const acts = d.actions
    .map(
      (a) =>
        `${a.kind} ${a.outcome}${a.changeId ? ` #${a.changeId}` : ''}${a.after !== null ? ` → ${typeof a.after === 'number' ? (a.after / 1e6).toFixed(2) : a.after}` : ''}`,
    )
    .join(', ')
  return `${d.entityType} ${d.entityId} “${d.entityName}”: ${what}${values ? `  [${values}]` : ''}${acts ? `  => ${acts}` : ''}`
}

function printRun(args: ParsedArgs, r: RuleRunResult): void {
  if (json(args)) {
    console.log(JSON.stringify(r, null, 2))
    return
  }
  const all = args.flags.has('all')
  for (const d of r.decisions) if (all || d.outcome !== 'not_matched') console.log(decisionLine(d))
  const run = r.run
  console.log(
    `${run.id ? `run #${run.id}` : 'preview'} of rule #${run.ruleId} v${run.version} (${run.mode}${run.dryRun ? ', dry run' : ''}): ` +
      `${run.considered} considered, ${run.matched} matched, ${run.skipped} skipped, ${run.actions} action(s)` +
      `${run.batchId ? `, batch ${run.batchId}` : ''}${run.message ? `\n! ${run.message}` : ''}` +
      `${all ? '' : ' (not matched ones hidden; --all shows them)'}`,
  )
}

function printChanges(args: ParsedArgs, cs: Change[]): void {
  if (json(args)) console.log(JSON.stringify(cs, null, 2))
  else
    for (const c of cs)
      console.log(
        `#${c.id}  ${c.state}  ${c.entityType} ${c.entityId} “${c.entityName ?? c.externalId}”  ${c.action.kind}  by ${c.actor.label}`,
      )
}

/** The workspace of `--workspace`, or the only/first one. */
async function workspaceOf(core: Core, caller: CallContext, args: ParsedArgs): Promise<number> {
  const ws = args.flags.get('workspace')
  if (ws !== undefined) {
    const id = Number(ws)
    if (!Number.isInteger(id) || id <= 0) throw new CliError('--workspace needs a workspace id', 2)
    return id
  }
  const list = await call<{ id: number }[]>(core, caller, 'workspaces:list', {})
  if (!list[0]) throw new CliError('There is no workspace yet: run `demo` or connect an account first')
  return list[0].id
}

/** `rules ...`: automation rules from the command line (docs/automation.md). */
export const rulesCommands: CliCommand[] = [
  {
    name: 'rules',
    // Each sub-command's channel checks its own role (create, run, approve... need an editor).
    role: 'viewer',
    usage: [
      'rules list [--workspace ID] [--json]   Rules with state, mode, last/next run and pending approvals',
      'rules show <id> [--json]   A rule with its versions and recent runs',
      'rules create --file rule.json [--json]   Save a rule (invalid JSON is refused naming the field, nothing stored)',
      'rules update <id> --file rule.json [--json]   Save a new version',
      'rules delete <id>   Delete a rule (its runs stay)',
      'rules preview <id> [--all] [--json]   What the rule would do now, with the numbers (changes nothing)',
      'rules run <id> [--dry-run] [--all] [--json]   Run it now by its mode and record the run',
      'rules runs <id> | rules run-show <run-id> [--json]   Recent runs, one run with every decision',
      'rules explain <run-id> <campaign|ad_set|ad>:<id> [--json]   Why a run did or did not touch an entity (numbers recomputed when the run recorded only the outcome)',
      'rules approve <change-id> | rules reject <change-id> [--reason TEXT]   Decide a rule’s proposal',
      'rules undo <change-id> | rules undo run:<run-id> [--force]   Undo a change, or a whole run',
      'rules templates [--workspace ID] [--json]   Templates with explained defaults',
      'rules pause-all | rules resume-all   Pause or resume every rule',
    ].join('\n  '),
    async run(core, args, caller) {
      const sub = args.positional[1]
      switch (sub) {
        case 'list': {
          const r = await call<{ paused: boolean; rules: (Rule & { pending: number })[] }>(core, caller, 'rules:list', {
            workspaceId: await workspaceOf(core, caller, args),
          })
          if (json(args)) console.log(JSON.stringify(r, null, 2))
          else {
            if (r.paused) console.log('Automation is PAUSED (rules resume-all)')
            for (const x of r.rules) console.log(ruleLine(x))
            console.log(`${r.rules.length} rule(s)`)
          }
          return
        }
        case 'show': {
          const r = await call<{ rule: Rule; versions: unknown[]; runs: RuleRunResult['run'][] }>(
            core,
            caller,
            'rules:get',
            {
              id: idAt(args, 2, 'show'),
            },
          )
          if (json(args)) console.log(JSON.stringify(r, null, 2))
          else {
            console.log(ruleLine(r.rule))
            console.log(JSON.stringify(r.rule.definition, null, 2))
            console.log(`${r.versions.length} version(s); recent runs:`)
            for (const run of r.runs)
              console.log(
                `  run #${run.id} v${run.version} ${run.trigger} ${run.startedAt}: ${run.matched} matched, ${run.actions} action(s)${run.dryRun ? ' (dry run)' : ''}`,
              )
          }
          return
        }
        case 'create': {
          const r = await call<Rule>(core, caller, 'rules:create', ruleFile(args))
          if (json(args)) console.log(JSON.stringify(r, null, 2))
          else console.log(`created ${ruleLine(r)}`)
          return
        }
        case 'update': {
          const id = idAt(args, 2, 'update')
          const r = await call<Rule>(core, caller, 'rules:update', { id, rule: ruleFile(args) })
          if (json(args)) console.log(JSON.stringify(r, null, 2))
          else console.log(`saved ${ruleLine(r)}`)
          return
        }
        case 'delete': {
          const r = await call<{ deleted: true }>(core, caller, 'rules:delete', { id: idAt(args, 2, 'delete') })
          console.log(json(args) ? JSON.stringify(r) : 'deleted')
          return
        }
        case 'preview':
          return printRun(
            args,
            await call<RuleRunResult>(core, caller, 'rules:preview', { id: idAt(args, 2, 'preview') }),
          )
        case 'run':
          return printRun(
            args,
            await call<RuleRunResult>(core, caller, 'rules:run', {
              id: idAt(args, 2, 'run'),
              ...(args.flags.has('dry-run') ? { dryRun: true } : {}),
            }),
          )
        case 'runs': {
          const r = await call<{ runs: RuleRunResult['run'][] }>(core, caller, 'rules:get', {
            id: idAt(args, 2, 'runs'),
          })
          if (json(args)) console.log(JSON.stringify(r.runs, null, 2))
          else
            for (const run of r.runs)
              console.log(
                `run #${run.id} v${run.version} ${run.trigger} ${run.startedAt}: ${run.considered} considered, ${run.matched} matched, ${run.skipped} skipped, ${run.actions} action(s)${run.dryRun ? ' (dry run)' : ''}`,
              )
          return
        }
        case 'run-show':
          return printRun(
            args,
            await call<RuleRunResult>(core, caller, 'rules:getRun', { runId: idAt(args, 2, 'run-show') }),
          )
        case 'explain': {
          const runId = idAt(args, 2, 'explain')
          const m = /^(campaign|ad_set|ad):(\d+)$/.exec(args.positional[3] ?? '')
          if (!m) throw new CliError('rules explain needs <run-id> <campaign|ad_set|ad>:<id>', 2)
          const ex = await call<RuleExplanation>(core, caller, 'rules:explain', {
            runId,
            entityType: m[1],
            entityId: Number(m[2]),
          })
          if (json(args)) console.log(JSON.stringify(ex, null, 2))
          else {
            console.log(decisionLine(ex.decision))
            if (ex.note) console.log(ex.note)
          }
          return
        }
        case 'approve':
          return printChanges(args, [
            await call<Change>(core, caller, 'changes:approve', { id: idAt(args, 2, 'approve') }),
          ])
        case 'reject': {
          const reason = args.flags.get('reason')
          return printChanges(args, [
            await call<Change>(core, caller, 'changes:reject', {
              id: idAt(args, 2, 'reject'),
              ...(typeof reason === 'string' ? { reason } : {}),
            }),
          ])
        }
        case 'undo': {
          const raw = args.positional[2] ?? ''
          const force = args.flags.has('force')
          const run = /^run:(\d+)$/.exec(raw)
          if (run) {
            const r = await call<{ changes: Change[]; labelsRemoved: number }>(core, caller, 'rules:undoRun', {
              runId: Number(run[1]),
              force,
            })
            if (json(args)) console.log(JSON.stringify(r, null, 2))
            else {
              printChanges(args, r.changes)
              console.log(`${r.changes.length} change(s), ${r.labelsRemoved} label(s) removed`)
            }
            return
          }
          return printChanges(args, [
            await call<Change>(core, caller, 'changes:undo', { id: idAt(args, 2, 'undo'), force }),
          ])
        }
        case 'templates': {
          const t = await call<
            {
              id: string
              name: string
              summary: string
              explanations: { field: string; text: string }[]
              rule: unknown
            }[]
          >(core, caller, 'rules:templates', { workspaceId: await workspaceOf(core, caller, args) })
          if (json(args)) console.log(JSON.stringify(t, null, 2))
          else
            for (const x of t) {
              console.log(`${x.id}: ${x.name} — ${x.summary}`)
              for (const e of x.explanations) console.log(`    ${e.field}: ${e.text}`)
            }
          return
        }
        case 'pause-all':
        case 'resume-all': {
          const r = await call<{ paused: boolean }>(core, caller, 'automation:setPaused', {
            paused: sub === 'pause-all',
          })
          console.log(json(args) ? JSON.stringify(r) : r.paused ? 'Automation paused' : 'Automation resumed')
          return
        }
        default:
          throw new CliError(
            `rules needs list, show, create, update, delete, preview, run, runs, run-show, explain, approve, reject, undo, templates, pause-all or resume-all (got ${JSON.stringify(sub ?? '')})`,
            2,
          )
      }
    },
  },
]
