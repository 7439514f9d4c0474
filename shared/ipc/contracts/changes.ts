import { z } from 'zod'
import {
  ChangeLevelSchema,
  ChangePolicySchema,
  ChangeProposalSchema,
  ChangeSchema,
  ChangeStateSchema,
} from '../../domain/changes'
import type { CHANGES_INVOKE_CHANNELS } from '../channels/changes'
import { EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof CHANGES_INVOKE_CHANNELS)[number]

const Id = z.number().int().positive()
/** How long a call waits for the worker to settle the change (it answers with the state reached). */
const Wait = z.boolean().optional()

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  detail: z.unknown(),
})

/** Invoke channels of the change pipeline (every write to an ad platform). */
export const changesContract = {
  /** Changes, newest first, filtered by workspace, state(s), batch or entity; paged. */
  'changes:list': {
    ...READ,
    input: z
      .object({
        workspaceId: Id.optional(),
        state: z.union([ChangeStateSchema, z.array(ChangeStateSchema).min(1)]).optional(),
        batchId: z.string().min(1).optional(),
        entityType: ChangeLevelSchema.optional(),
        entityId: Id.optional(),
        limit: z.number().int().min(1).max(500).default(50),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({ items: z.array(ChangeSchema), total: z.number().int() }),
  },
  /** One change with its audit trail (every transition, who, and the attached metric values). */
  'changes:get': {
    ...READ,
    input: z.object({ id: Id }).strict(),
    output: z.object({ change: ChangeSchema, history: z.array(AuditEntrySchema) }),
  },
  /** Propose a change (approved at once for people unless `approval: 'required'`); `wait` for the result. */
  'changes:propose': { ...EDIT, input: ChangeProposalSchema.extend({ wait: Wait }).strict(), output: ChangeSchema },
  /** Approve a proposed change; the worker applies it (`wait` for the result). */
  'changes:approve': { ...EDIT, input: z.object({ id: Id, wait: Wait }).strict(), output: ChangeSchema },
  /** Reject a proposed change, or cancel an approved one the worker has not started. */
  'changes:reject': {
    ...EDIT,
    input: z.object({ id: Id, reason: z.string().max(2000).optional() }).strict(),
    output: ChangeSchema,
  },
  /** Undo an applied change (a new change restoring the prior value); refused when changed on the platform since, unless `force`. */
  'changes:undo': {
    ...EDIT,
    input: z.object({ id: Id, force: z.boolean().optional(), wait: Wait }).strict(),
    output: ChangeSchema,
  },
  /** Undo every applied change of a batch, all or nothing. */
  'changes:undoBatch': {
    ...EDIT,
    input: z.object({ batchId: z.string().min(1), force: z.boolean().optional(), wait: Wait }).strict(),
    output: z.array(ChangeSchema),
  },
  /** Whether changes made by rules and recommendations wait for approval in this workspace. */
  'changes:getPolicy': { ...READ, input: z.object({ workspaceId: Id }).strict(), output: ChangePolicySchema },
  'changes:setPolicy': {
    ...EDIT,
    input: z.object({ workspaceId: Id }).extend(ChangePolicySchema.shape).strict(),
    output: ChangePolicySchema,
  },
} satisfies Record<Invoke, ChannelSpec>
