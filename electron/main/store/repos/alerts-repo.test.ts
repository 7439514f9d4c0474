import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AlertDraftSchema, type AlertDraftInput } from '../../../../shared/domain/alerts'
import { channelTarget, createChannels } from '../../alerts/channels'
import { generateWebhookSecret } from '../../alerts/channels/webhook'
import { DeliveryEngine } from '../../alerts/delivery'
import { dedupeDecision } from '../../alerts/routing'
import { startHttpReceiver, type HttpReceiver } from '../../alerts/testing/receivers'
import { createNodePlatform, sourceResourcesDir } from '../../platform/node'
import { openStore, type Store } from '../db'
import { AlertsRepo } from './alerts-repo'
import { StatusRepo } from './status-repo'

const migrationsFolder = join(sourceResourcesDir(), 'migrations')
const t0 = new Date('2026-12-04T12:00:00Z')
const plus = (ms: number): Date => new Date(t0.getTime() + ms)

let store: Store | null = null
let receiver: HttpReceiver | null = null
const dirs: string[] = []
afterEach(async () => {
  store?.sqlite.close()
  store = null
  await receiver?.close()
  receiver = null
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function open(path = ':memory:'): { store: Store; repo: AlertsRepo } {
  store = openStore({ path, migrationsFolder })
  return { store, repo: new AlertsRepo(store.sqlite) }
}

function draft(over: Partial<AlertDraftInput> = {}) {
  return AlertDraftSchema.parse({
    source: 'sync',
    severity: 'error',
    workspaceId: 1,
    entity: { level: 'account', id: 4, name: 'Meta — Café €' },
    title: 'Meta account needs reconnecting',
    body: 'The access token expired 3 days ago; nothing has synced since.',
    numbers: [{ label: 'Hours since last sync', value: 72, unit: 'hours' }],
    dedupeKey: 'sync:credentials:4',
    link: '/connections?account=4',
    ...over,
  })
}

describe('alerts repo (SQLite, migrated)', () => {
  it('stores alerts with their entity and numbers; states, filters and the dedupe lookup', () => {
    const { store, repo } = open()
    store.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('W'), ('X')").run()
    const a = repo.insert(draft(), t0)
    const b = repo.insert(
      draft({ severity: 'warning', source: 'budget', dedupeKey: 'budget:1', entity: null }),
      plus(1000),
    )
    const c = repo.insert(draft({ workspaceId: 2, dedupeKey: 'x' }), plus(2000))
    expect(repo.get(a, t0)).toMatchObject({
      id: a,
      state: 'open',
      entity: { level: 'account', id: 4, name: 'Meta — Café €' },
      numbers: [{ label: 'Hours since last sync', value: 72, unit: 'hours' }],
      count: 1,
      raisedAt: t0.toISOString(),
      deliveries: [],
    })

    const existing = repo.latestByKey(1, 'sync:credentials:4', plus(60_000))
    const decision = dedupeDecision(existing, 'critical', plus(60_000))
    expect(decision).toMatchObject({ action: 'merge', id: a, severity: 'critical', notify: true })
    repo.merge(
      a,
      draft({ numbers: [{ label: 'Hours since last sync', value: 73, unit: 'hours' }] }),
      'critical',
      plus(60_000),
    )
    expect(repo.get(a, plus(60_000))).toMatchObject({
      count: 2,
      severity: 'critical',
      lastRaisedAt: plus(60_000).toISOString(),
    })

    expect(repo.acknowledge([a, a], plus(2)).length).toBe(1)
    expect(repo.snooze(b, plus(3600_000))).toBe(true)
    expect(repo.list({ workspaceId: 1, limit: 10 }, plus(5000)).map((x) => [x.id, x.state])).toEqual([
      [a, 'acknowledged'],
      [b, 'snoozed'],
    ])
    // A snooze ends by itself.
    expect(repo.list({ workspaceId: 1, states: ['open'], limit: 10 }, plus(3600_001)).map((x) => x.id)).toEqual([b])
    expect(repo.list({ states: ['open'], limit: 10 }, plus(5000)).map((x) => x.id)).toEqual([c])
    expect(repo.list({ severities: ['critical'], limit: 10 }, plus(5000)).map((x) => x.id)).toEqual([a])
    expect(repo.list({ sources: ['budget'], limit: 10 }, plus(5000)).map((x) => x.id)).toEqual([b])

    expect(repo.resolveByKey(1, 'sync:credentials:4', plus(9000))).toEqual([a])
    expect(repo.list({ states: ['resolved'], limit: 10 }, plus(9000)).map((x) => x.id)).toEqual([a])
    expect(dedupeDecision(repo.latestByKey(1, 'sync:credentials:4', plus(9000)), 'error', plus(9000))).toEqual({
      action: 'new',
    })
    expect(new StatusRepo(store!.sqlite).unreadAlerts().map((x) => x.id)).toEqual([c, b])
  })

  it('channels keep settings and policy (no secrets); routes round-trip', () => {
    const { repo } = open()
    const id = repo.addChannel(
      {
        name: 'Ops webhook',
        settings: { kind: 'webhook', url: 'https://hooks.example.com/me' },
        policy: { quietHours: null, rateLimit: { max: 10, perMinutes: 60 } },
        secretRef: 'alerts.channel.1',
      },
      t0,
    )
    expect(repo.channels()).toEqual([
      {
        id,
        name: 'Ops webhook',
        settings: { kind: 'webhook', url: 'https://hooks.example.com/me' },
        policy: { quietHours: null, rateLimit: { max: 10, perMinutes: 60 } },
        secretRef: 'alerts.channel.1',
        enabled: true,
        disabledReason: null,
        createdAt: t0.toISOString(),
      },
    ])
    expect(() =>
      repo.addChannel(
        {
          name: 'bad',
          settings: { kind: 'webhook', url: 'http://example.com/x' },
          policy: { quietHours: null, rateLimit: null },
          secretRef: null,
        },
        t0,
      ),
    ).toThrow(/plain http is only allowed to this machine/)
    repo.setRoutes([
      { enabled: true, minSeverity: 'warning', sources: ['sync'], workspaceIds: [], accountIds: [], channelIds: [id] },
    ])
    expect(repo.routes()).toEqual([
      {
        id: 1,
        enabled: true,
        minSeverity: 'warning',
        sources: ['sync'],
        workspaceIds: [],
        accountIds: [],
        channelIds: [id],
      },
    ])
    repo.setChannelEnabled(id, false, 'Kept failing for 24 h')
    expect(repo.channels()[0]).toMatchObject({ enabled: false, disabledReason: 'Kept failing for 24 h' })
  })

  it('is the delivery outbox: a retry pending when the process stops goes out after a reopen, same webhook-id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-alerts-'))
    dirs.push(dir)
    const path = join(dir, 'store.db')
    receiver = await startHttpReceiver((_r, res, i) => (i === 0 ? res.writeHead(503).end() : res.writeHead(202).end()))
    const secret = generateWebhookSecret()
    const platform = createNodePlatform({ host: 'test', ephemeral: true, now: () => t0 })
    const set = createChannels({
      platform,
      render: { appUrl: 'marketing-engine://open/', appName: 'Marketing Engine', timeZone: 'UTC' },
    })

    const boot = (): { repo: AlertsRepo; engine: DeliveryEngine } => {
      const { repo } = open(path)
      const target = (id: number): ReturnType<typeof channelTarget> | null => {
        const c = repo.channels().find((x) => x.id === id)
        return c ? channelTarget(c, secret, set) : null
      }
      return { repo, engine: new DeliveryEngine(repo, target, { random: () => 0.5 }) }
    }

    let { repo, engine } = boot()
    store!.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('W')").run()
    const channelId = repo.addChannel(
      {
        name: 'hook',
        settings: { kind: 'webhook', url: `${receiver.url}/in` },
        policy: { quietHours: null, rateLimit: null },
        secretRef: 'x',
      },
      t0,
    )
    const alertId = repo.insert(draft(), t0)
    engine.enqueue({ id: alertId, severity: 'error' }, [channelId], t0)
    const first = await engine.tick(t0)
    expect(first.sent[0]!.result).toMatchObject({ ok: false, statusCode: 503 })
    expect(repo.nextWakeAt()).toEqual(plus(30_000))

    // The process stops here; a new one opens the same store and carries on.
    store!.sqlite.close()
    ;({ repo, engine } = boot())
    expect((await engine.tick(plus(29_000))).sent).toHaveLength(0)
    const second = await engine.tick(plus(30_000))
    expect(second.sent[0]!.result).toMatchObject({ ok: true, statusCode: 202 })
    const stored = repo.get(alertId, plus(30_000))!
    expect(stored.deliveries).toEqual([
      expect.objectContaining({
        channelId,
        status: 'delivered',
        messageId: `alert-${alertId}`,
        deliveredAt: plus(30_000).toISOString(),
      }),
    ])
    expect(stored.deliveries[0]!.attempts.map((x) => x.statusCode)).toEqual([503, 202])
    const ids = [(await receiver.next()).headers['webhook-id'], (await receiver.next()).headers['webhook-id']]
    expect(ids).toEqual([`alert-${alertId}`, `alert-${alertId}`])
    expect(repo.sendsSince(channelId, t0)).toHaveLength(2)
    expect(repo.pruneSends(plus(60_000))).toBe(2)
    expect(repo.nextWakeAt()).toBeNull()
  })
})
