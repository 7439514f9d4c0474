import { afterAll, describe, expect, it } from 'vitest'
import { principalLabel, roleAllows, userContext, type CallContext } from '../../../shared/domain/caller'
import { createTestCore, TEST_CALLER } from '../test-support'

const core = createTestCore()
afterAll(() => core.close())

describe('caller context', () => {
  it.each([
    [undefined, 'no caller context was given'],
    [null, 'no caller context was given'],
    [{ workspaces: 'all' }, 'the caller context has no principal'],
    [
      { principal: { kind: 'user', id: 'a', name: 'A', role: 'owner', via: 'cli' }, workspaces: 'all' },
      'unknown role "owner"',
    ],
    [{ principal: { kind: 'system', name: 'x' }, workspaces: 'all' }, 'unknown role undefined'],
    [
      { principal: { kind: 'user', id: 'a', name: 'A', role: 'admin', via: 'cli' }, workspaces: [0] },
      'invalid caller context at workspaces',
    ],
    [
      { principal: { kind: 'robot', name: 'r2', role: 'admin' }, workspaces: 'all' },
      'invalid caller context at principal.kind',
    ],
  ])('refuses %j with a specific UNAUTHORIZED error', async (ctx, message) => {
    const env = await core.dispatch('workspaces:list', {}, ctx as unknown as CallContext)
    expect(env.ok).toBe(false)
    if (!env.ok) {
      expect(env.error.code).toBe('UNAUTHORIZED')
      expect(env.error.message).toContain('Call to workspaces:list refused: ')
      expect(env.error.message).toContain(message)
    }
  })

  it('refuses a workspace outside the caller scope and serves one inside it', async () => {
    const ws = core.workspaces.create('Scoped', 'USD')
    const other = core.workspaces.create('Other', 'USD')
    const scoped = userContext('test', { id: 'scoped', workspaces: [ws] })
    const inside = await core.dispatch('accounts:list', { workspaceId: ws }, scoped)
    expect(inside).toEqual({ ok: true, value: [] })
    const outside = await core.dispatch('accounts:list', { workspaceId: other }, scoped)
    expect(outside).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    if (!outside.ok) expect(outside.error.message).toContain(`workspace ${other} is outside the caller's scope`)
    expect((await core.dispatch('accounts:list', { workspaceId: other }, TEST_CALLER)).ok).toBe(true)
    const listed = await core.dispatch('workspaces:list', {}, scoped)
    expect(listed.ok && (listed.value as { id: number }[]).map((w) => w.id)).toEqual([ws])
  })

  it('labels principals and orders roles', () => {
    expect(principalLabel(TEST_CALLER.principal)).toBe('user:tester (test)')
    expect(principalLabel({ kind: 'rule', ruleId: 7, version: 3, role: 'editor' })).toBe('rule:7@3')
    expect(principalLabel({ kind: 'recommendation', recommendationId: 12, role: 'editor' })).toBe('recommendation:12')
    expect(principalLabel({ kind: 'system', name: 'scheduler', role: 'admin' })).toBe('system:scheduler')
    expect(roleAllows('admin', 'editor')).toBe(true)
    expect(roleAllows('editor', 'editor')).toBe(true)
    expect(roleAllows('viewer', 'editor')).toBe(false)
    expect(roleAllows('editor', 'admin')).toBe(false)
  })
})
