import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userContext } from '../../../shared/domain/caller'
import { startWebServer, type WebServer } from '../../web/server'
import { EntityWriter } from '../store/sync-writer/entity-writer'
import { createTestCore } from '../test-support'
import { referencesOf } from './router'

const core = createTestCore()
let web: WebServer
let dir: string

/** A workspace with one connected account and one campaign → ad set → ad. */
function workspace(name: string): {
  ws: number
  account: number
  connection: number
  campaign: number
  adSet: number
  ad: number
} {
  const ws = core.workspaces.create(name, 'USD')
  const sync = core.services.sync
  const account = {
    externalId: `act_${name}`,
    name: `${name} account`,
    currency: 'USD',
    timeZone: 'UTC',
    status: 'active' as const,
  }
  const connection = sync.repo.createConnectionWithAccounts(
    ws,
    'meta',
    name,
    `ref-${name}`,
    { accountIds: [account.externalId] },
    [account],
  )
  const accountId = sync.repo.accounts(ws)[0]?.id as number
  const ids = new EntityWriter(core.store.sqlite, () => new Date('2026-06-01T00:00:00Z')).upsertStructure(
    accountId,
    [
      {
        externalId: `c_${name}`,
        name: `${name} campaign`,
        objective: 'sales',
        status: 'active',
        dailyBudgetMicros: 50_000_000,
        startDate: null,
        endDate: null,
      },
    ],
    [
      {
        externalId: `s_${name}`,
        campaignExternalId: `c_${name}`,
        name: `${name} ad set`,
        status: 'active',
        dailyBudgetMicros: null,
      },
    ],
    [
      {
        externalId: `a_${name}`,
        adSetExternalId: `s_${name}`,
        campaignExternalId: `c_${name}`,
        name: `${name} ad`,
        status: 'active',
        creative: { externalId: `cr_${name}`, format: 'image', headline: null, thumbnailUrl: null },
        launchDate: null,
      },
    ],
  )
  return {
    ws,
    account: accountId,
    connection,
    campaign: ids.campaigns.get(`c_${name}`) as number,
    adSet: ids.adSets.get(`s_${name}`) as number,
    ad: ids.ads.get(`a_${name}`) as number,
  }
}

const one = workspace('one')
const two = workspace('two')
/** A web-preview token whose owner may touch workspace `one` only. */
const SCOPED = userContext('web', { id: 'ana', name: 'Ana', role: 'admin', workspaces: [one.ws] })
const range = { from: '2026-05-01', to: '2026-05-31' }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'me-scope-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Marketing Engine</title>')
  web = await startWebServer({ core, staticDir: dir, port: 0, token: 'scoped-token', caller: SCOPED })
})
afterAll(async () => {
  await web.close()
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Calls that name workspace two's things (every other field valid), and the thing the refusal names. */
const intoTwo: [string, Record<string, unknown>, string][] = [
  [
    'entities:setStatus',
    { entityType: 'campaign', entityId: two.campaign, status: 'paused' },
    `campaign ${two.campaign}`,
  ],
  [
    'entities:setBudget',
    { entityType: 'ad_set', entityId: two.adSet, dailyBudgetMicros: 1_000_000 },
    `ad set ${two.adSet}`,
  ],
  [
    'changes:propose',
    { entityType: 'campaign', entityId: two.campaign, action: { kind: 'pause' } },
    `campaign ${two.campaign}`,
  ],
  ['changes:list', { workspaceId: one.ws, entityType: 'campaign', entityId: two.campaign }, `campaign ${two.campaign}`],
  ['connections:remove', { connectionId: two.connection }, `connection ${two.connection}`],
  ['sync:start', { workspaceId: one.ws, accountIds: [one.account, two.account] }, `account ${two.account}`],
  ['dashboard:getSummary', { workspaceId: one.ws, range, accountIds: [two.account] }, `account ${two.account}`],
  ['analytics:getFatigue', { workspaceId: one.ws, adId: two.ad }, `ad ${two.ad}`],
  [
    'analytics:getMetricSeries',
    { workspaceId: one.ws, level: 'campaign', entityId: two.campaign, metric: 'spend', range },
    `campaign ${two.campaign}`,
  ],
  [
    'ml:getForecast',
    { workspaceId: one.ws, entityType: 'campaign', entityId: two.campaign, days: 7 },
    `campaign ${two.campaign}`,
  ],
  ['ml:getResponseCurve', { workspaceId: one.ws, entityType: 'ad_set', entityId: two.adSet }, `ad set ${two.adSet}`],
]

describe('workspace scope of ids', () => {
  it.each(intoTwo)(
    '%s naming workspace two is FORBIDDEN for a token scoped to workspace one',
    async (channel, input, what) => {
      const env = await core.dispatch(channel, input, SCOPED)
      expect(env).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      if (!env.ok)
        expect(env.error.message).toBe(`${channel}: ${what} belongs to workspace ${two.ws}, outside the caller's scope`)
    },
  )

  it('refuses through the web preview too, and changes nothing in workspace two', async () => {
    for (const [channel, input] of intoTwo) {
      const res = await fetch(`${web.url}api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-me-token': 'scoped-token' },
        body: JSON.stringify(input),
      })
      expect(res.status, channel).toBe(403)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN')
    }
    expect(core.services.sync.repo.connection(two.connection)).not.toBeNull()
    expect(core.services.changes.list({}).total).toBe(0)
    expect(core.jobs.list()).toEqual([])
  })

  it('serves the same calls on workspace one, and the local user everywhere', async () => {
    const mine = await core.dispatch(
      'changes:list',
      { workspaceId: one.ws, entityType: 'campaign', entityId: one.campaign },
      SCOPED,
    )
    expect(mine).toMatchObject({ ok: true, value: { items: [], total: 0 } })
    const series = await core.dispatch(
      'analytics:getMetricSeries',
      { workspaceId: one.ws, level: 'campaign', entityId: one.campaign, metric: 'spend', range },
      SCOPED,
    )
    expect(series.ok).toBe(true)
    const fatigue = await core.dispatch('analytics:getFatigue', { workspaceId: one.ws, adId: one.ad }, SCOPED)
    expect(fatigue).toMatchObject({ ok: true, value: { adId: one.ad } })
    // Unknown ids are the handler's to answer (NOT_FOUND), not a scope question.
    const missing = await core.dispatch('analytics:getFatigue', { workspaceId: one.ws, adId: 999_999 }, SCOPED)
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    const all = userContext('test', { id: 'local' })
    const theirs = await core.dispatch('analytics:getFatigue', { workspaceId: two.ws, adId: two.ad }, all)
    expect(theirs.ok).toBe(true)
  })

  it('finds the ids an input names at its top level', () => {
    expect(referencesOf({ workspaceId: 1, level: 'ad_set', aId: 3, bId: 4 })).toEqual([
      { kind: 'ad_set', id: 3 },
      { kind: 'ad_set', id: 4 },
    ])
    expect(referencesOf({ accountIds: [5, 6], connectionId: 7, adId: 8, campaignId: 9 })).toEqual([
      { kind: 'account', id: 5 },
      { kind: 'account', id: 6 },
      { kind: 'connection', id: 7 },
      { kind: 'campaign', id: 9 },
      { kind: 'ad', id: 8 },
    ])
    expect(referencesOf({ level: 'platform', entityId: 1 })).toEqual([])
  })
})
