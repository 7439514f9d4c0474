import { z } from 'zod'
import { AlertSettingsPatchSchema, AlertSettingsSchema } from '../../domain/alert-settings'
import {
  AlertSchema,
  AlertSeveritySchema,
  AlertSourceSchema,
  AlertStateSchema,
  ChannelKindSchema,
  ChannelPolicySchema,
  ChannelSettingsSchema,
  RoutingRuleSchema,
} from '../../domain/alerts'
import { DiagnosticsSchema } from '../../domain/diagnostics'
import type { ALERTS_INVOKE_CHANNELS } from '../channels/alerts'
import { ADMIN, EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof ALERTS_INVOKE_CHANNELS)[number]

const Id = z.number().int().positive()

/** What a window reports about an error it survived (never more than these bounded fields). */
export const RendererErrorSchema = z
  .object({
    kind: z.enum(['error', 'unhandledrejection', 'render']),
    message: z.string().trim().min(1).max(2000),
    stack: z.string().max(8000).optional(),
    /** Script URL and line (`app.js:12:5`). */
    source: z.string().max(500).optional(),
    /** The app route it was on (`/alerts?id=3`). */
    route: z.string().max(200).optional(),
  })
  .strict()
const Ids = z.array(Id).min(1).max(500)

/** A channel as the renderer sees it: never its secret, only whether one is stored. */
export const ChannelViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: ChannelKindSchema,
  settings: ChannelSettingsSchema,
  policy: ChannelPolicySchema,
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  hasSecret: z.boolean(),
  createdAt: z.string(),
})
export type ChannelView = z.infer<typeof ChannelViewSchema>

/** "Send a test": what the channel answered, or the specific error. */
export const ChannelTestResultSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  statusCode: z.number().nullable(),
  detail: z.string().nullable(),
  error: z.string().nullable(),
  errorKind: z.enum(['transient', 'permanent']).nullable(),
})

/** Channel settings are checked by the service (specific messages naming the field). */
const SettingsInput = z.unknown()
/** A secret goes one way (in); at most 2,000 characters. */
const SecretInput = z.string().max(2000).optional()
const RouteInput = RoutingRuleSchema.omit({ id: true })

export const alertsContract = {
  /** Alerts newest first, filtered by workspace, severity, source and state (at now); paged by `before`. */
  'alerts:list': {
    ...READ,
    input: z
      .object({
        workspaceId: Id.optional(),
        severity: z.array(AlertSeveritySchema).max(4).optional(),
        source: z.array(AlertSourceSchema).max(7).optional(),
        state: z.array(AlertStateSchema).max(4).optional(),
        before: z.string().max(40).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.array(AlertSchema),
  },
  /** One alert with its deliveries (every attempt: time, latency, status code, error). */
  'alerts:get': { ...READ, input: z.object({ id: Id }).strict(), output: AlertSchema },
  /** Acknowledge: the alerts stop counting as unread. Returns the ids that changed. */
  'alerts:acknowledge': { ...EDIT, input: z.object({ ids: Ids }).strict(), output: z.array(z.number().int()) },
  /** Snooze until an instant in the future (they count as unread again after it). */
  'alerts:snooze': {
    ...EDIT,
    input: z.object({ ids: Ids, until: z.iso.datetime({ offset: true }) }).strict(),
    output: z.array(z.number().int()),
  },
  'alerts:resolve': { ...EDIT, input: z.object({ ids: Ids }).strict(), output: z.array(z.number().int()) },
  /** Which sources are on, and their thresholds. */
  'alerts:getSettings': { ...READ, input: z.object({}).strict(), output: AlertSettingsSchema },
  'alerts:updateSettings': { ...ADMIN, input: AlertSettingsPatchSchema, output: AlertSettingsSchema },
  /** Delivery channels (email, Slack, webhook, desktop) without their secrets. */
  'channels:list': { ...READ, input: z.object({}).strict(), output: z.array(ChannelViewSchema) },
  /**
   * Add a channel; the secret (SMTP password, Slack URL, webhook signing secret) goes to the secret
   * store. A webhook channel without a secret gets a new one, returned once as `createdSecret`.
   */
  'channels:add': {
    ...ADMIN,
    input: z
      .object({
        name: z.string().trim().min(1).max(100),
        settings: SettingsInput,
        policy: z.unknown().optional(),
        secret: SecretInput,
      })
      .strict(),
    output: z.object({ channel: ChannelViewSchema, createdSecret: z.string().nullable() }),
  },
  'channels:update': {
    ...ADMIN,
    input: z
      .object({
        id: Id,
        name: z.string().trim().min(1).max(100).optional(),
        settings: SettingsInput.optional(),
        policy: z.unknown().optional(),
        secret: SecretInput,
        enabled: z.boolean().optional(),
      })
      .strict(),
    output: ChannelViewSchema,
  },
  'channels:remove': { ...ADMIN, input: z.object({ id: Id }).strict(), output: z.object({ removed: z.boolean() }) },
  /** Send a test message now through the channel; the answer says what failed and where. */
  'channels:test': { ...ADMIN, input: z.object({ id: Id }).strict(), output: ChannelTestResultSchema },
  'alertRoutes:list': { ...READ, input: z.object({}).strict(), output: z.array(RoutingRuleSchema) },
  /** Replace the routing rules (severity, sources, workspaces, accounts → channels). */
  'alertRoutes:set': {
    ...ADMIN,
    input: z.object({ routes: z.array(RouteInput).max(100) }).strict(),
    output: z.array(RoutingRuleSchema),
  },
  /** The doctor's report; `integrity: true` also runs integrity_check (reads the whole store). */
  'diagnostics:get': {
    ...READ,
    input: z.object({ integrity: z.boolean().default(false) }).strict(),
    output: DiagnosticsSchema,
  },
  /** The last lines of the app's log file (JSON lines, secrets redacted), newest last. */
  'diagnostics:logs': {
    ...READ,
    input: z.object({ lines: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ file: z.string().nullable(), lines: z.array(z.string()) }),
  },
  /**
   * An error in a window (window.onerror, an unhandled rejection, a page that failed to draw): logged
   * (redacted) and raised as an ERROR alert linking to Diagnostics; the same error repeating is one
   * alert with a count, and at most 10 error alerts a minute are raised (the rest are only logged).
   */
  'diagnostics:reportError': {
    ...READ,
    input: RendererErrorSchema,
    output: z.object({ alertId: z.number().int().nullable(), limited: z.boolean() }),
  },
  /**
   * "Copy diagnostics" as a zip (base64): the doctor's JSON and the newest logs (5 MB at most), every
   * line redacted again and the alert channels' stored secrets replaced wherever they appear.
   */
  'diagnostics:bundle': {
    ...READ,
    input: z.object({ integrity: z.boolean().default(false) }).strict(),
    output: z.object({ fileName: z.string(), base64: z.string(), files: z.array(z.string()) }),
  },
} satisfies Record<Invoke, ChannelSpec>
