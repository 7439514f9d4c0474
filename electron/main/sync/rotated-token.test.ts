import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PlatformId } from '../../../shared/domain/entities'
import { createCore, type Core } from '../core'
import { createNodePlatform, EncryptedFileSecretStore } from '../platform/node'
import type { ConnectionRow } from '../store/repos/sync-repo'
import { PLATFORM_TOKEN_URLS } from './connectors/defaults'
import { testPlatforms } from './connectors/test-support'
import { CredentialVault, type Credentials } from './credentials'
import { simulatedFetch } from './simulated'

/**
 * Rotated OAuth refresh tokens (Google, Snapchat): when the token endpoint answers with a new
 * refresh_token, the stored credentials are replaced (an atomic secret write) before the access
 * token is used, and the next refresh, in this run or after a restart, sends the new one.
 */
let core: Core | null = null
const dirs: string[] = []
afterEach(async () => {
  vi.unstubAllGlobals()
  await core?.close()
  core = null
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const CREDS: Record<'google_ads' | 'snapchat', Credentials> = {
  google_ads: {
    platform: 'google_ads',
    developerToken: 'dev-token',
    clientId: 'cid',
    clientSecret: 'secret',
    refreshToken: 'refresh-0',
    customerIds: ['1234567890'],
  },
  snapchat: {
    platform: 'snapchat',
    clientId: 'cid',
    clientSecret: 'secret',
    refreshToken: 'refresh-0',
    adAccountIds: ['x'],
  },
} as Record<'google_ads' | 'snapchat', Credentials>

describe.each(['google_ads', 'snapchat'] as const)('%s: a rotated refresh token is saved', (platform: PlatformId) => {
  it('persists each new refresh token and uses it for the next refresh', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'me-rot-'))
    dirs.push(dataDir)
    core = createCore(createNodePlatform({ host: 'test', dataDir }), { dbPath: ':memory:' })
    const sync = core.services.sync
    await sync.vault.save('conn:1', CREDS[platform as 'snapchat'])

    const sim = testPlatforms()
    const inner = simulatedFetch(sim.handlers)
    const sentRefreshTokens: string[] = []
    let n = 0
    vi.stubGlobal('fetch', (async (input, init) => {
      const req = new Request(input, init)
      if (req.url === PLATFORM_TOKEN_URLS[platform]) {
        const form = new URLSearchParams(await req.text())
        sentRefreshTokens.push(form.get('refresh_token') ?? '')
        n++
        return Response.json({ access_token: `access-${n}`, expires_in: 3600, refresh_token: `refresh-${n}` })
      }
      return inner(input, init)
    }) as typeof fetch)

    const row = { id: 1, workspaceId: 1, platform, label: 'x', secretRef: 'conn:1', config: {} } as ConnectionRow
    const connector = await sync.connectorForConnection(row)
    await connector.listAccounts()
    // Stored at once, on disk, encrypted: a fresh store (a restart) reads the rotated token.
    const onDisk = new CredentialVault(new EncryptedFileSecretStore(dataDir))
    expect(await onDisk.load('conn:1')).toMatchObject({ refreshToken: 'refresh-1', clientId: 'cid' })

    // A restart: the next refresh sends the rotated token, and its successor is saved in turn.
    const again = await sync.connectorForConnection(row)
    await again.listAccounts()
    expect(sentRefreshTokens).toEqual(['refresh-0', 'refresh-1'])
    expect(await onDisk.load('conn:1')).toMatchObject({ refreshToken: 'refresh-2' })
  })
})
