import { afterEach, describe, expect, it } from 'vitest'
import { isLoopbackHost } from '../../../shared/domain/urls'
import type { ChannelOutput } from '../../../shared/ipc/contract'
import { TEST_CALLER } from '../test-support'
import { buildWorld } from './simulator'
import { SyncConfigStore } from './sync-config'
import { worldAccounts } from './sync-engine/testing/fake-connector'
import { fakeWorld, type FakeWorld } from './sync-engine/testing/setup'
import { apiUrlProblem } from './url-policy'

let w: FakeWorld | null = null
afterEach(async () => {
  await w?.core.close()
  w = null
})

const world = buildWorld({ seed: 5, campaigns: 4, days: 10, endDate: '2026-06-14' })

describe('URL policy', () => {
  it('recognises loopback hosts', () => {
    for (const h of ['localhost', 'api.localhost', '127.0.0.1', '127.9.8.7', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true)
    for (const h of ['graph.facebook.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com'])
      expect(isLoopbackHost(h), h).toBe(false)
  })

  it('wants https, loopback only with the developer setting, and no credentials in the URL', () => {
    const off = { allowLoopback: false }
    const on = { allowLoopback: true }
    expect(apiUrlProblem('https://proxy.example/graph', off)).toBeNull()
    expect(apiUrlProblem('http://proxy.example/graph', off)).toMatch(/must use https/)
    expect(apiUrlProblem('http://proxy.example/graph', on)).toMatch(/must use https/)
    expect(apiUrlProblem('http://127.0.0.1:8080/', off)).toMatch(/developerLoopbackApis/)
    expect(apiUrlProblem('https://localhost/', off)).toMatch(/loopback/)
    expect(apiUrlProblem('http://127.0.0.1:8080/', on)).toBeNull()
    expect(apiUrlProblem('https://user:pw@proxy.example/', off)).toMatch(/user name or password/)
    expect(apiUrlProblem('ftp://proxy.example/', off)).toMatch(/https/)
    expect(apiUrlProblem('not a url', off)).toMatch(/not a URL/)
  })

  it('trusts the environment variables set at start, loopback http included', () => {
    const kv = { get: <T>(_k: string, d: T): T => d, set: () => undefined }
    const cfg = new SyncConfigStore(kv as never, {
      ME_META_BASE_URL: 'http://127.0.0.1:4010/v22',
      ME_SNAPCHAT_TOKEN_URL: 'http://127.0.0.1:4011/token',
    })
    expect(cfg.baseUrl('meta')).toBe('http://127.0.0.1:4010/v22')
    expect(cfg.tokenUrl('snapchat')).toBe('http://127.0.0.1:4011/token')
  })
})

describe('sync:updateConfig: credentials stay with their platform', () => {
  type View = ChannelOutput<'sync:updateConfig'>
  const update = async (input: Record<string, unknown>) =>
    (w as FakeWorld).core.dispatch('sync:updateConfig', input, TEST_CALLER)
  const audit = (): { action: string; actor: string; detail: string }[] =>
    (w as FakeWorld).core.store.sqlite
      .prepare("SELECT action, actor, detail FROM audit_log WHERE action LIKE 'sync.%' ORDER BY id")
      .all() as { action: string; actor: string; detail: string }[]

  it('refuses http and loopback overrides, asks for confirmation before moving saved credentials, and audits', async () => {
    w = await fakeWorld(worldAccounts(world), { now: () => new Date('2026-06-15T12:00:00Z') })
    const official = (await w.core.dispatch('sync:getConfig', {}, TEST_CALLER)) as { ok: true; value: View }
    const metaOfficial = official.value.effective.baseUrls.meta

    const loop = await update({ baseUrls: { meta: 'http://127.0.0.1:9999/graph' }, confirmCredentialHostChange: true })
    expect(loop).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/baseUrls\.meta: .*loopback/) },
    })
    const plain = await update({
      tokenUrls: { snapchat: 'http://auth.example/token' },
      confirmCredentialHostChange: true,
    })
    expect(plain).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/https/) } })

    // Meta has saved credentials: moving them needs the confirmation field.
    const unconfirmed = await update({ baseUrls: { meta: 'https://proxy.example/v22' } })
    expect(unconfirmed).toMatchObject({
      ok: false,
      error: {
        code: 'CONFLICT',
        message: expect.stringMatching(/meta baseUrl → https:\/\/proxy\.example\/v22.*confirmCredentialHostChange/),
      },
    })
    expect(audit()).toEqual([])
    const confirmed = await update({
      baseUrls: { meta: 'https://proxy.example/v22' },
      confirmCredentialHostChange: true,
    })
    expect(confirmed.ok).toBe(true)
    expect((confirmed as { value: View }).value.effective.baseUrls.meta).toBe('https://proxy.example/v22')
    const rows = audit()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.action).toBe('sync.api_address')
    expect(JSON.parse(rows[0]?.detail ?? '{}')).toMatchObject({
      platform: 'meta',
      kind: 'baseUrl',
      to: 'https://proxy.example/v22',
      savedCredentials: true,
    })

    // The same host again is no change (no confirmation, no audit row); null restores the official address.
    expect((await update({ baseUrls: { meta: 'https://proxy.example/v22' } })).ok).toBe(true)
    const back = await update({ baseUrls: { meta: null } })
    expect(back.ok).toBe(false)
    const restored = await update({ baseUrls: { meta: null }, confirmCredentialHostChange: true })
    expect((restored as { value: View }).value.effective.baseUrls.meta).toBe(metaOfficial)

    // The developer setting lets a local test double in; turning it off ignores the stored override.
    const dev = await update({
      developerLoopbackApis: true,
      baseUrls: { meta: 'http://127.0.0.1:4010/graph' },
      confirmCredentialHostChange: true,
    })
    expect((dev as { value: View }).value.effective.baseUrls.meta).toBe('http://127.0.0.1:4010/graph')
    const offAgain = await update({ developerLoopbackApis: false })
    expect((offAgain as { value: View }).value.effective.baseUrls.meta).toBe(metaOfficial)
    expect(audit().map((r) => r.action)).toEqual([
      'sync.api_address',
      'sync.api_address',
      'sync.api_address',
      'sync.developer_loopback_apis',
      'sync.developer_loopback_apis',
    ])
    expect(audit().every((r) => r.actor.length > 0)).toBe(true)
  })

  it('refuses a connection whose own base URL breaks the policy, before contacting it', async () => {
    w = await fakeWorld(worldAccounts(world), { now: () => new Date('2026-06-15T12:00:00Z') })
    const res = await w.core.dispatch(
      'connections:connect',
      {
        workspaceId: w.workspaceId,
        credentials: { platform: 'meta', accessToken: 'another-token-1', accountIds: ['act_1'] },
        baseUrl: 'http://127.0.0.1:9/graph',
      },
      TEST_CALLER,
    )
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/^baseUrl: .*loopback/) },
    })
  })
})
