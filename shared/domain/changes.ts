import { z } from 'zod'
import { EntityLevelSchema, EntityStatusSchema } from './entities'

/**
 * The change pipeline's vocabulary: every write to an ad platform is a *change* (a row of the
 * `changes` outbox) that moves through these states. See docs/architecture.md ("Change pipeline").
 *
 *   proposed ──approve──► approved ──worker──► applying ──read-back ok──► applied ──undo applied──► undone
 *      │                     │                    │  ▲
 *      └──reject──► rejected ◄┘(cancel)           │  └─ transient error / crash: next attempt reads first
 *                                                 └──permanent error / mismatch──► failed
 */
export const CHANGE_STATES = ['proposed', 'approved', 'applying', 'applied', 'failed', 'rejected', 'undone'] as const
export const ChangeStateSchema = z.enum(CHANGE_STATES)
export type ChangeState = z.infer<typeof ChangeStateSchema>

/** States a change can still leave on its own (the worker owns approved and applying). */
export const OPEN_CHANGE_STATES: readonly ChangeState[] = ['proposed', 'approved', 'applying']
/** States a change never leaves, except applied → undone. */
export const SETTLED_CHANGE_STATES: readonly ChangeState[] = ['applied', 'failed', 'rejected', 'undone']

/** The legal transitions; anything else is refused (CONFLICT) by the repo. */
export const CHANGE_TRANSITIONS: Readonly<Record<ChangeState, readonly ChangeState[]>> = {
  proposed: ['approved', 'rejected'],
  approved: ['applying', 'rejected'],
  // applying → applying: a retry was scheduled (the row stays owned by the worker).
  applying: ['applying', 'applied', 'failed'],
  applied: ['undone'],
  failed: [],
  rejected: [],
  undone: [],
}

export function canTransition(from: ChangeState, to: ChangeState): boolean {
  return CHANGE_TRANSITIONS[from].includes(to)
}

/** The entity levels a change can target: the shared entity-level enum. */
export const ChangeLevelSchema = EntityLevelSchema

/** What a change does. Budgets are integer micros of the account currency. */
export const ChangeActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pause') }).strict(),
  z.object({ kind: z.literal('enable') }).strict(),
  z.object({ kind: z.literal('set_budget'), dailyBudgetMicros: z.number().int().positive() }).strict(),
  z
    .object({
      kind: z.literal('change_budget_pct'),
      /** +15 raises the budget by 15%; -20 lowers it by 20%. */
      pct: z.number().min(-90).max(1000),
      minMicros: z.number().int().positive().optional(),
      maxMicros: z.number().int().positive().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('change_budget_amount'),
      deltaMicros: z.number().int(),
      minMicros: z.number().int().positive().optional(),
      maxMicros: z.number().int().positive().optional(),
    })
    .strict(),
])
export type ChangeAction = z.infer<typeof ChangeActionSchema>
export type ChangeActionKind = ChangeAction['kind']

/** The platform field an action writes. */
export type ChangeField = 'status' | 'daily_budget'
export function fieldOf(action: ChangeAction): ChangeField {
  return action.kind === 'pause' || action.kind === 'enable' ? 'status' : 'daily_budget'
}

/** A field's value: a status, or a daily budget in micros (null: the entity has no own budget). */
export const ChangeValueSchema = z.union([EntityStatusSchema, z.number().int(), z.null()])
export type ChangeValue = z.infer<typeof ChangeValueSchema>

/** Attached by the caller: the numbers behind the decision (a rule's CPA, a recommendation's ROAS ...). */
export const ChangeMetricsSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))

/** A change to propose (IPC `changes:propose`; rules and recommendations call the service). */
export const ChangeProposalSchema = z
  .object({
    entityType: ChangeLevelSchema,
    entityId: z.number().int().positive(),
    action: ChangeActionSchema,
    reason: z.string().max(2000).optional(),
    metrics: ChangeMetricsSchema.optional(),
    /** Same key twice = the same change (the second proposal returns the first). */
    idempotencyKey: z.string().min(1).max(200).optional(),
    /** Changes proposed together (a rule run, a reallocation); default: a new batch per call. */
    batchId: z.string().min(1).max(200).optional(),
    /**
     * 'auto': approved at once; 'required': waits for approval; absent: people's own changes are
     * approved at once, the app's (rules, recommendations) follow the workspace setting.
     */
    approval: z.enum(['auto', 'required']).optional(),
  })
  .strict()
export type ChangeProposal = z.infer<typeof ChangeProposalSchema>

/** Who asked, as stored with a change. */
export const ChangeActorSchema = z.object({
  kind: z.enum(['user', 'rule', 'recommendation', 'system']),
  id: z.string(),
  label: z.string(),
})

export const ChangeSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  accountId: z.number().int(),
  platform: z.string(),
  entityType: ChangeLevelSchema,
  entityId: z.number().int(),
  externalId: z.string(),
  entityName: z.string().nullable(),
  action: ChangeActionSchema,
  field: z.enum(['status', 'daily_budget']),
  /** The value the app knew when the change was proposed. */
  before: ChangeValueSchema,
  requested: ChangeValueSchema,
  /** The platform's value read just before the first write (what undo restores). */
  platformBefore: ChangeValueSchema.optional(),
  /** The platform's value read back after applying. */
  applied: ChangeValueSchema.optional(),
  state: ChangeStateSchema,
  actor: ChangeActorSchema,
  reason: z.string().nullable(),
  metrics: ChangeMetricsSchema,
  idempotencyKey: z.string(),
  batchId: z.string(),
  /** The change this one undoes, if it is an undo. */
  undoOf: z.number().int().nullable(),
  /** The undo change of this one, once undo was requested. */
  undoneBy: z.number().int().nullable(),
  attempts: z.number().int(),
  /** Write requests sent to the platform for this change (0 when it was already at the target). */
  writes: z.number().int(),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  decidedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  appliedAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
})
export type Change = z.infer<typeof ChangeSchema>

/** Workspace policy of the change pipeline. */
export const ChangePolicySchema = z
  .object({
    /** Changes made by rules, recommendations and the app wait for a person's approval. */
    requireApproval: z.boolean(),
  })
  .strict()
export type ChangePolicy = z.infer<typeof ChangePolicySchema>
export const DEFAULT_CHANGE_POLICY: ChangePolicy = { requireApproval: true }

/** Round a budget to what platforms store: whole minor units of the currency (cents for USD). */
export function roundBudgetMicros(micros: number, minorDigits: number): number {
  const step = 10 ** (6 - minorDigits)
  return Math.round(micros / step) * step
}

/**
 * The requested value of an action given the current one (`before`), or a reason it cannot be
 * computed. Relative budget changes are clamped to the action's min/max and rounded.
 */
export function requestedValue(
  action: ChangeAction,
  before: ChangeValue,
  minorDigits: number,
): { ok: true; value: ChangeValue } | { ok: false; reason: string } {
  switch (action.kind) {
    case 'pause':
      return { ok: true, value: 'paused' }
    case 'enable':
      return { ok: true, value: 'active' }
    case 'set_budget':
      return positive(roundBudgetMicros(action.dailyBudgetMicros, minorDigits))
    case 'change_budget_pct':
    case 'change_budget_amount': {
      if (typeof before !== 'number')
        return { ok: false, reason: 'the entity has no daily budget of its own to change' }
      let next = action.kind === 'change_budget_pct' ? before * (1 + action.pct / 100) : before + action.deltaMicros
      if (action.minMicros !== undefined) next = Math.max(next, action.minMicros)
      if (action.maxMicros !== undefined) next = Math.min(next, action.maxMicros)
      return positive(roundBudgetMicros(next, minorDigits))
    }
  }
}

function positive(v: number): { ok: true; value: number } | { ok: false; reason: string } {
  return v > 0 ? { ok: true, value: v } : { ok: false, reason: `the budget must stay positive (got ${v} micros)` }
}
