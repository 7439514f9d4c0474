import { z } from 'zod'
import { ChangeSchema } from '../../domain/changes'
import { EntityLevelSchema } from '../../domain/entities'
import {
  RuleDecisionSchema,
  RuleExplanationSchema,
  RuleInputSchema,
  RuleModeSchema,
  RuleRunPageSchema,
  RuleRunResultSchema,
  RuleRunSchema,
  RuleSchema,
  RunPageRequestSchema,
} from '../../domain/rules'
import type { AUTOMATION_INVOKE_CHANNELS } from '../channels/automation'
import { EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof AUTOMATION_INVOKE_CHANNELS)[number]

const Id = z.number().int().positive()
/** A rule as written: a VALIDATION error names the field ("conditions.items.0.op: ...") and nothing is stored. */
const RuleBody = RuleInputSchema

/** One row of the rule list. */
export const RuleSummarySchema = RuleSchema.extend({
  /** Actions taken per day over the last 30 days (the sparkline). */
  actionsByDay: z.array(z.object({ day: z.string(), actions: z.number().int() })),
  /** Changes of this rule waiting for approval. */
  pending: z.number().int(),
})

export const RuleTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  /** Why each default is what it is. */
  explanations: z.array(z.object({ field: z.string(), text: z.string() })),
  rule: z.record(z.string(), z.unknown()),
})
export type RuleTemplate = z.infer<typeof RuleTemplateSchema>

/** Invoke channels of automation rules. */
export const automationContract = {
  /** A workspace's rules with their state, last and next run and recent actions; whether automation is paused. */
  'rules:list': {
    ...READ,
    input: z.object({ workspaceId: Id }).strict(),
    output: z.object({ paused: z.boolean(), rules: z.array(RuleSummarySchema) }),
  },
  /** One rule with its versions and recent runs. */
  'rules:get': {
    ...READ,
    input: z.object({ id: Id }).strict(),
    output: z.object({
      rule: RuleSchema,
      versions: z.array(z.object({ version: z.number().int(), createdBy: z.string(), createdAt: z.string() })),
      runs: z.array(RuleRunSchema),
    }),
  },
  /** Save a new rule (version 1); refused with VALIDATION naming the field, nothing stored. */
  'rules:create': { ...EDIT, input: RuleBody, output: RuleSchema },
  /** Save a new version of a rule. */
  'rules:update': { ...EDIT, input: z.object({ id: Id, rule: RuleBody }).strict(), output: RuleSchema },
  /** Delete a rule (its runs and versions stay readable). */
  'rules:delete': { ...EDIT, input: z.object({ id: Id }).strict(), output: z.object({ deleted: z.literal(true) }) },
  /**
   * What a stored rule, a new draft, or an edited draft of a stored rule (`{ id, rule }`: judged with
   * that rule's cooldowns and last changes) would do right now: changes and stores nothing.
   */
  'rules:preview': {
    ...READ,
    input: z.union([
      z.object({ id: Id }).strict(),
      z.object({ rule: RuleBody }).strict(),
      z.object({ id: Id, rule: RuleBody }).strict(),
    ]),
    output: RuleRunResultSchema,
  },
  /** Run a rule now by its mode (dryRun: record what it would do, act on nothing). */
  'rules:run': {
    ...EDIT,
    input: z.object({ id: Id, dryRun: z.boolean().optional() }).strict(),
    output: RuleRunResultSchema,
  },
  /** A stored run with every entity's decision (with `page`: one page of them, in reading order, and the counts). */
  'rules:getRun': {
    ...READ,
    input: z.object({ runId: Id, page: RunPageRequestSchema.optional() }).strict(),
    output: z.union([RuleRunPageSchema, RuleRunResultSchema]),
  },
  /** Undo a run: its applied changes (all or nothing), its open proposals and the labels it added. */
  'rules:undoRun': {
    ...EDIT,
    input: z.object({ runId: Id, force: z.boolean().optional() }).strict(),
    output: z.object({ changes: z.array(ChangeSchema), labelsRemoved: z.number().int() }),
  },
  /** What rules decided about one entity, newest first. */
  'rules:entityHistory': {
    ...READ,
    input: z.object({ entityType: EntityLevelSchema, entityId: Id }).strict(),
    output: z.array(
      RuleDecisionSchema.extend({
        runId: z.number().int(),
        ruleId: z.number().int(),
        version: z.number().int(),
        at: z.string(),
      }),
    ),
  },
  /**
   * Why a stored run did or did not touch an entity: the recorded decision, or for one recorded
   * compactly (not matched, skipped before its conditions held) the numbers recomputed from the
   * run's rule version, time and account days.
   */
  'rules:explain': {
    ...READ,
    input: z.object({ runId: Id, entityType: EntityLevelSchema, entityId: Id }).strict(),
    output: RuleExplanationSchema,
  },
  /** Rule templates with explained defaults. */
  'rules:templates': {
    ...READ,
    input: z.object({ workspaceId: Id }).strict(),
    output: z.array(RuleTemplateSchema),
  },
  /** Pause or resume every rule ("Pause all automation"). */
  'automation:setPaused': {
    ...EDIT,
    input: z.object({ paused: z.boolean() }).strict(),
    output: z.object({ paused: z.boolean() }),
  },
} satisfies Record<Invoke, ChannelSpec>

export { RuleModeSchema }
