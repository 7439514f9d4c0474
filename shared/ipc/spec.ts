import type { z } from 'zod'
import type { Role } from '../domain/caller'

/** Whether a channel only reads or changes something (data, settings, the platforms, the job queue). */
export type Access = 'read' | 'mutate'

/** A channel's input and output schemas, and who may call it. */
export interface ChannelSpec {
  input: z.ZodType
  output: z.ZodType
  access: Access
  /** The least role that may call it; checked before the input is validated. */
  role: Role
}

/** Reads anything in the caller's workspaces: every role. */
export const READ = { access: 'read', role: 'viewer' } as const satisfies Pick<ChannelSpec, 'access' | 'role'>
/** Changes campaigns, data or jobs: editors and admins. */
export const EDIT = { access: 'mutate', role: 'editor' } as const satisfies Pick<ChannelSpec, 'access' | 'role'>
/** Changes the app's setup (settings, connections, base URLs, demo reset): admins only. */
export const ADMIN = { access: 'mutate', role: 'admin' } as const satisfies Pick<ChannelSpec, 'access' | 'role'>
