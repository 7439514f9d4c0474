import type { z } from 'zod'
import { contextProblem, inScope, principalLabel, roleAllows, type CallContext } from '../../../shared/domain/caller'
import type { OwnedKind } from '../store/repos/scope-repo'
import { isInvokeChannel, type InvokeChannel } from '../../../shared/ipc/channels'
import { contract, type ChannelOutput, type ChannelParsedInput } from '../../../shared/ipc/contract'
import { AppError, fail, ok, type Envelope } from '../../../shared/ipc/result'
import { plainStoreError } from '../store/errors'

/** A channel's implementation: the validated input and who asked. */
export type Handler<C extends InvokeChannel> = (
  input: ChannelParsedInput<C>,
  ctx: CallContext,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>

/** One handler per channel: a missing channel is a compile error where the map is built. */
export type Handlers = { [C in InvokeChannel]: Handler<C> }

/** Every host calls the core through this, saying who asks (`context`). */
export type Dispatch = (channel: string, input: unknown, context: CallContext) => Promise<Envelope<unknown>>

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
}

/** The workspace an input names, if any (channels scoped to one workspace carry `workspaceId`). */
function workspaceOf(input: unknown): number | null {
  if (input === null || typeof input !== 'object') return null
  const id = (input as { workspaceId?: unknown }).workspaceId
  return typeof id === 'number' ? id : null
}

/** Looks up the workspace an id belongs to (store/repos/scope-repo.ts). */
export interface EntityOwners {
  workspaceOf(kind: OwnedKind, id: number): number | null
}

const LEVEL_KINDS: Record<string, OwnedKind> = {
  workspace: 'workspace',
  account: 'account',
  campaign: 'campaign',
  ad_set: 'ad_set',
  ad: 'ad',
}

/**
 * The ids an input names at its top level, with their kind: `entityId`/`aId`/`bId` of its
 * `entityType` or `level`, `accountId(s)`, `connectionId`, `campaignId`, `adSetId`, `adId`.
 */
export function referencesOf(input: unknown): { kind: OwnedKind; id: number }[] {
  if (input === null || typeof input !== 'object') return []
  const o = input as Record<string, unknown>
  const refs: { kind: OwnedKind; id: number }[] = []
  const add = (kind: OwnedKind | undefined, v: unknown): void => {
    if (kind && typeof v === 'number') refs.push({ kind, id: v })
  }
  const level = typeof o.entityType === 'string' ? o.entityType : typeof o.level === 'string' ? o.level : undefined
  const levelKind = level !== undefined ? LEVEL_KINDS[level] : undefined
  for (const k of ['entityId', 'aId', 'bId']) add(levelKind, o[k])
  add('account', o.accountId)
  if (Array.isArray(o.accountIds)) for (const v of o.accountIds) add('account', v)
  add('connection', o.connectionId)
  add('campaign', o.campaignId)
  add('ad_set', o.adSetId)
  add('ad', o.adId)
  return refs
}

const KIND_WORDS: Record<OwnedKind, string> = {
  workspace: 'workspace',
  account: 'account',
  connection: 'connection',
  campaign: 'campaign',
  ad_set: 'ad set',
  ad: 'ad',
}

/**
 * The dispatcher: check the caller context and the role the channel needs, validate the input
 * with the channel's zod schema, check the workspace scope, call the handler, and answer an envelope. Outputs are checked too
 * when `validateOutput` is on (development and tests).
 */
export function createDispatcher(
  handlers: Handlers,
  opts: { validateOutput?: boolean; owners?: EntityOwners } = {},
): Dispatch {
  return async (channel, input, context) => {
    const problem = contextProblem(context)
    if (problem) return fail('UNAUTHORIZED', `Call to ${channel} refused: ${problem}`)
    if (!isInvokeChannel(channel)) return fail('UNKNOWN_CHANNEL', `Unknown channel "${channel}"`)
    const spec = contract[channel]
    // Before validation, so a caller without the role learns nothing from its payload.
    if (!roleAllows(context.principal.role, spec.role)) {
      return fail(
        'FORBIDDEN',
        `${channel} needs the ${spec.role} role; ${principalLabel(context.principal)} is a ${context.principal.role}`,
      )
    }
    const parsed = spec.input.safeParse(input ?? {})
    if (!parsed.success) {
      return fail('VALIDATION', `Invalid input for ${channel}: ${describeIssues(parsed.error.issues)}`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      })
    }
    const workspaceId = workspaceOf(parsed.data)
    if (workspaceId !== null && !inScope(context, workspaceId)) {
      return fail('FORBIDDEN', `${channel}: workspace ${workspaceId} is outside the caller's scope`)
    }
    // A caller scoped to some workspaces may name only their accounts, connections and entities.
    if (context.workspaces !== 'all' && opts.owners) {
      for (const ref of referencesOf(parsed.data)) {
        const owner = opts.owners.workspaceOf(ref.kind, ref.id)
        if (owner !== null && !inScope(context, owner))
          return fail(
            'FORBIDDEN',
            `${channel}: ${KIND_WORDS[ref.kind]} ${ref.id} belongs to workspace ${owner}, outside the caller's scope`,
          )
      }
    }
    try {
      const handler = handlers[channel] as (input: unknown, ctx: CallContext) => unknown
      const value = await handler(parsed.data, context)
      if (opts.validateOutput) {
        const out = spec.output.safeParse(value)
        if (!out.success) {
          return fail('INTERNAL', `Output of ${channel} broke its contract: ${describeIssues(out.error.issues)}`)
        }
      }
      return ok(value)
    } catch (err) {
      if (err instanceof AppError) return fail(err.code, err.message, err.details)
      const message = err instanceof Error ? err.message : String(err)
      console.error(`[ipc] ${channel} failed:`, err)
      // Never a raw SQLite message on a page: plain words and what to do (the raw one is logged above).
      return fail('INTERNAL', plainStoreError(err) ?? message)
    }
  }
}
