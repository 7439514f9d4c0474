import { z } from 'zod'
import { ChangeSchema } from '../../domain/changes'
import {
  RecommendationSchema,
  RecommendationSettingsSchema,
  RecommendationStateSchema,
  VerticalSchema,
} from '../../domain/recommendations'
import type { RECOMMENDATIONS_INVOKE_CHANNELS } from '../channels/recommendations'
import { EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof RECOMMENDATIONS_INVOKE_CHANNELS)[number]

const Id = z.number().int().positive()

/** A recommendation with the live states of the changes it proposed (once applied). */
export const RecommendationViewSchema = RecommendationSchema.extend({
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
  /** Recommendations by priority (impact × confidence), with their changes and the follow-up calibration. */
  'recommendations:list': {
    ...READ,
    input: z.object({ workspaceId: Id, states: z.array(RecommendationStateSchema).max(5).optional() }).strict(),
    output: z.object({ items: z.array(RecommendationViewSchema), calibration: CalibrationSchema }),
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
