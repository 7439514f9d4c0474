import { z } from 'zod'

/** Roles, weakest first: a viewer reads, an editor also changes campaigns and rules, an admin also the app's setup. */
export const ROLES = ['viewer', 'editor', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** Who asked: a person (desktop user, CLI user, web-preview token owner) or the app acting for a rule/recommendation. */
export type Principal =
  | { kind: 'user'; id: string; name: string; role: Role; via: 'desktop' | 'cli' | 'web' | 'test' }
  | { kind: 'rule'; ruleId: number; version: number; role: Role }
  | { kind: 'recommendation'; recommendationId: number; role: Role }
  | { kind: 'system'; name: string; role: Role }

export interface CallContext {
  principal: Principal
  /** workspaces the caller may touch; 'all' for the local user */
  workspaces: 'all' | number[]
}

export const RoleSchema = z.enum(ROLES)
const Id = z.number().int().positive()

export const PrincipalSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('user'),
      id: z.string().min(1),
      name: z.string().min(1),
      role: RoleSchema,
      via: z.enum(['desktop', 'cli', 'web', 'test']),
    })
    .strict(),
  z.object({ kind: z.literal('rule'), ruleId: Id, version: z.number().int().min(0), role: RoleSchema }).strict(),
  z.object({ kind: z.literal('recommendation'), recommendationId: Id, role: RoleSchema }).strict(),
  z.object({ kind: z.literal('system'), name: z.string().min(1), role: RoleSchema }).strict(),
])

export const CallContextSchema = z
  .object({ principal: PrincipalSchema, workspaces: z.union([z.literal('all'), z.array(Id)]) })
  .strict()

/** True when `role` carries at least the rights of `needed` (viewer < editor < admin). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}

/** A short stable label for audit rows and messages: `user:ana (cli)`, `rule:7@3`, `recommendation:12`, `system:scheduler`. */
export function principalLabel(p: Principal): string {
  switch (p.kind) {
    case 'user':
      return `user:${p.id} (${p.via})`
    case 'rule':
      return `rule:${p.ruleId}@${p.version}`
    case 'recommendation':
      return `recommendation:${p.recommendationId}`
    case 'system':
      return `system:${p.name}`
  }
}

/** The problem with a context that cannot be trusted (missing principal, unknown role, bad scope), or null. */
export function contextProblem(ctx: unknown): string | null {
  if (ctx === null || typeof ctx !== 'object') return 'no caller context was given'
  const c = ctx as { principal?: unknown; workspaces?: unknown }
  if (c.principal === undefined || c.principal === null) return 'the caller context has no principal'
  const role = (c.principal as { role?: unknown }).role
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    return `unknown role ${JSON.stringify(role)} (roles: ${ROLES.join(', ')})`
  const parsed = CallContextSchema.safeParse(ctx)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    return `invalid caller context${i ? ` at ${i.path.join('.') || '(root)'}: ${i.message}` : ''}`
  }
  return null
}

/** True when the context may touch `workspaceId`. */
export function inScope(ctx: CallContext, workspaceId: number): boolean {
  return ctx.workspaces === 'all' || ctx.workspaces.includes(workspaceId)
}

/** A person's context with every workspace in scope (the local desktop user, the CLI user, a test). */
export function userContext(
  via: 'desktop' | 'cli' | 'web' | 'test',
  opts: { id?: string; name?: string; role?: Role; workspaces?: 'all' | number[] } = {},
): CallContext {
  const id = opts.id ?? `local-${via}`
  return {
    principal: { kind: 'user', id, name: opts.name ?? id, role: opts.role ?? 'admin', via },
    workspaces: opts.workspaces ?? 'all',
  }
}

/** The app acting on its own (scheduler, startup): admin over every workspace. */
export function systemContext(name: string): CallContext {
  return { principal: { kind: 'system', name, role: 'admin' }, workspaces: 'all' }
}
