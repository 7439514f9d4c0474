import { z } from 'zod'
import { ChangeSchema } from '../../domain/changes'
import {
  ReallocationRowSchema,
  RecommendationKindSchema,
  RecommendationSchema,
  RecommendationSettingsSchema,
  RecommendationStateSchema,
  VerticalSchema,
} from '../../domain/recommendations'
import type { RECOMMENDATIONS_INVOKE_CHANNELS } from '../channels/recommendations'
import { EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof RECOMMENDATIONS_INVOKE_CHANNELS)[number]

const Id = z.number().int().positive()

/**
 * A recommendation as lists show it: with the live states of the changes it proposed (once
 * applied). A large reallocation's table, entity list and changes are cut to their first rows (the rows that
 * move the most budget first); `reallocationTotal`/`entitiesTotal` say how many there are, and
 * `recommendations:reallocationRows` pages through the whole table.
 */
export const RecommendationViewSchema = RecommendationSchema.extend({
  /** Rows in the whole reallocation table (null for other kinds). */
  reallocationTotal: z.number().int().nullable(),
  /** Entities the advice is about (body.entities holds at most the first 20). */
  entitiesTotal: z.number().int(),
  /** Changes "apply" proposes (body.changes holds at most the first 20). */
  changesTotal: z.number().int(),
  changeStates: z.array(
    ChangeSchema.pick({ id: true, state: true, entityName: true, requested: true, before: true, error: true }).extend({
      applied: ChangeSchema.shape.requested.nullable(),
    }),
  ),
})
export type RecommendationView = z.infer<typeof RecommendationViewSchema>

/** How applied advice turned out: measured follow-ups and how often the 80% interval held. */
export const CalibrationSchema = z.object({
  /** The workspace's reporting currency (the totals are converted into it). */
  currency: z.string(),
  measured: z.number().int(),
  withinInterval: z.number().int(),
  predictedMicros: z.number().int(),
  realisedMicros: z.number().int(),
})

export const recommendationsContract = {
  /**
   * Recommendations by priority (impact × confidence), a page at a time (`offset`, `limit`, default
   * 50), with their changes and the follow-up calibration. `kinds` keeps those kinds, `accountIds`
   * the advice about any of those accounts; `total` counts every match.
   */
  'recommendations:list': {
    ...READ,
    input: z
      .object({
        workspaceId: Id,
        states: z.array(RecommendationStateSchema).max(5).optional(),
        kinds: z.array(RecommendationKindSchema).min(1).max(10).optional(),
        accountIds: z.array(Id).min(1).max(1000).optional(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    output: z.object({
      items: z.array(RecommendationViewSchema),
      total: z.number().int(),
      calibration: CalibrationSchema,
    }),
  },
  /** A page of a budget reallocation's before/after table, in the order the list shows it. */
  'recommendations:reallocationRows': {
    ...READ,
    input: z.object({ id: Id, offset: z.number().int().min(0), limit: z.number().int().min(1).max(200) }).strict(),
    output: z.object({ rows: z.array(ReallocationRowSchema), total: z.number().int() }),
  },
  /** Run the engine now (it also runs after each sync and demo build): new, refreshed and expired advice. */
  'recommendations:generate': {
    ...EDIT,
    input: z.object({ workspaceId: Id }).strict(),
    output: z.object({
      generatedAt: z.string(),
      inserted: z.number().int(),
      updated: z.number().int(),
      expired: z.number().int(),
      seconds: z.number(),
      skipped: z.array(z.string()),
    }),
  },
  /** Propose the recommendation's changes as one batch of the change pipeline (approval per the workspace policy). */
  'recommendations:apply': {
    ...EDIT,
    input: z.object({ id: Id }).strict(),
    output: z.object({ recommendation: RecommendationSchema, changes: z.array(ChangeSchema) }),
  },
  'recommendations:dismiss': {
    ...EDIT,
    input: z.object({ id: Id }).strict(),
    output: RecommendationSchema,
  },
  /** Hide it for some days; it comes back as new if the data still supports it. */
  'recommendations:snooze': {
    ...EDIT,
    input: z.object({ id: Id, days: z.number().int().min(1).max(90) }).strict(),
    output: RecommendationSchema,
  },
  /** The workspace's vertical (for benchmark tips) and each account's monthly plan (for pacing tips). */
  'recommendations:getSettings': {
    ...READ,
    input: z.object({ workspaceId: Id }).strict(),
    output: RecommendationSettingsSchema,
  },
  /** Set the vertical and/or monthly plans (null clears a plan); accounts must belong to the workspace. */
  'recommendations:setSettings': {
    ...EDIT,
    input: z
      .object({
        workspaceId: Id,
        vertical: VerticalSchema.optional(),
        plans: z
          .array(
            z
              .object({
                accountId: Id,
                monthlyPlanMicros: z.number().int().positive().max(1e17).nullable(),
              })
              .strict(),
          )
          .max(500)
          .optional(),
      })
      .strict(),
    output: RecommendationSettingsSchema,
  },
} satisfies Record<Invoke, ChannelSpec>
