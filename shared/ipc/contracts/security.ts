import { z } from 'zod'
import { ADMIN, READ, type ChannelSpec } from '../spec'

/** How stored credentials are protected (see docs/security.md). */
export const SecretsProtectionSchema = z.object({
  /** keychain / passphrase / key-file (browser preview, CLI), safeStorage:<backend> (desktop app), memory (tests). */
  backend: z.string(),
  strong: z.boolean(),
  where: z.string(),
  warning: z.string().nullable(),
  /** Credentials are not saved until the user chooses to proceed with this weak protection. */
  needsConsent: z.boolean(),
})

export const SecurityStatusSchema = z.object({
  secrets: SecretsProtectionSchema,
  dataDir: z.string(),
  /** The app's files in the data folder that others than the owner could read (should be none). */
  looseFiles: z.array(z.string()),
})
export type SecurityStatus = z.infer<typeof SecurityStatusSchema>

export const securityContract = {
  /** Secrets protection and data-folder permissions, for Settings and doctor. */
  'security:getStatus': { ...READ, input: z.object({}).strict(), output: SecurityStatusSchema },
  /**
   * Proceed with weakly protected secrets (Electron's `basic_text` on Linux without a keyring): the
   * choice is recorded and audited. Needs `confirm: true`; CONFLICT where protection is not of that kind.
   */
  'security:acceptWeakSecrets': {
    ...ADMIN,
    input: z.object({ confirm: z.literal(true) }).strict(),
    output: SecurityStatusSchema,
  },
} satisfies Record<string, ChannelSpec>
