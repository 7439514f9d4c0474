import { afterAll, describe, expect, it } from 'vitest'
import { userContext } from '../../../shared/domain/caller'
import { INVOKE_CHANNELS } from '../../../shared/ipc/channels'
import { contract } from '../../../shared/ipc/contract'
import { createTestCore } from '../test-support'

const core = createTestCore()
afterAll(() => core.close())

const viewer = userContext('test', { id: 'vera', role: 'viewer' })
const editor = userContext('test', { id: 'ed', role: 'editor' })
const admin = userContext('test', { id: 'ada', role: 'admin' })

const mutating = INVOKE_CHANNELS.filter((c) => contract[c].access === 'mutate')
const reading = INVOKE_CHANNELS.filter((c) => contract[c].access === 'read')
const adminOnly = INVOKE_CHANNELS.filter((c) => contract[c].role === 'admin')
const editorOk = INVOKE_CHANNELS.filter((c) => contract[c].role !== 'admin')

/** Payloads no schema accepts: the role check must answer before validation looks at them. */
const GARBAGE: unknown[] = [undefined, 42, 'drop table', [1], { __proto__: { x: 1 }, workspaceId: 'x', evil: true }]

describe('permissions', () => {
  it('marks every channel: reading ones are open to viewers, mutating ones need an editor or more', () => {
    for (const c of INVOKE_CHANNELS) {
      const spec = contract[c]
      if (spec.access === 'read') expect(spec.role, c).toBe('viewer')
      else expect(['editor', 'admin'], c).toContain(spec.role)
    }
    expect(mutating.length).toBeGreaterThan(5)
    // The app's setup is admin-only.
    for (const c of [
      'settings:update',
      'connections:connect',
      'connections:connectGoogle',
      'connections:remove',
      'sync:updateConfig',
      'demo:reset',
    ] as const)
      expect(contract[c].role, c).toBe('admin')
  })

  it.each(mutating)('%s refuses a viewer with FORBIDDEN whatever the payload', async (channel) => {
    for (const input of GARBAGE) {
      const env = await core.dispatch(channel, input, viewer)
      expect(env, `${channel} with ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      if (!env.ok)
        expect(env.error.message).toBe(
          `${channel} needs the ${contract[channel].role} role; user:vera (test) is a viewer`,
        )
    }
  })

  it.each(reading)('%s lets a viewer through to validation', async (channel) => {
    const env = await core.dispatch(channel, 42, viewer)
    expect(env).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it.each(adminOnly)('%s refuses an editor and lets an admin through', async (channel) => {
    expect(await core.dispatch(channel, 42, editor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await core.dispatch(channel, 42, admin)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it.each(editorOk)('%s lets an editor through to validation', async (channel) => {
    expect(await core.dispatch(channel, 42, editor)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('answers a viewer on real reads and refuses the same viewer a real write', async () => {
    const ws = core.workspaces.create('Perm', 'USD')
    expect(await core.dispatch('accounts:list', { workspaceId: ws }, viewer)).toEqual({ ok: true, value: [] })
    expect(await core.dispatch('settings:get', {}, viewer)).toMatchObject({ ok: true })
    const before = core.platform.settings.get().theme
    const next = before === 'dark' ? 'light' : 'dark'
    expect(await core.dispatch('settings:update', { theme: next }, viewer)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await core.dispatch('settings:update', { theme: next }, editor)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(core.platform.settings.get().theme).toBe(before)
    expect(await core.dispatch('settings:update', { theme: next }, admin)).toMatchObject({ ok: true })
    expect(core.platform.settings.get().theme).toBe(next)
  })
})
