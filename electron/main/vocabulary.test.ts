import { afterAll, describe, expect, it } from 'vitest'
import { ENTITY_LEVELS, type EntityLevel } from '../../shared/domain/entities'
import { SyncRequestSchema, type SyncRequestInput } from '../../shared/domain/sync-request'
import { DATA_TABLES, type DataTable } from '../../shared/domain/tables'
import { contract, events, type EventPayload } from '../../shared/ipc/contract'
import { JOB_KINDS, type JobKindName } from './scheduler/job-kinds'
import { createTestCore } from './test-support'

const core = createTestCore()
afterAll(() => core.close())

describe('one vocabulary', () => {
  it('names only real tables and views in data:changed', () => {
    const real = new Set(
      (
        core.store.sqlite.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as {
          name: string
        }[]
      ).map((r) => r.name),
    )
    expect(DATA_TABLES.filter((t) => !real.has(t))).toEqual([])
    expect(events['data:changed'].safeParse({ tables: ['accounts'] }).success).toBe(false)
    expect(events['data:changed'].safeParse({ tables: ['ad_accounts'] }).success).toBe(true)
  })

  it('spells the entity levels one way in every contract', () => {
    expect(ENTITY_LEVELS).toEqual(['campaign', 'ad_set', 'ad'])
    for (const bad of ['adSet', 'adset']) {
      expect(
        contract['entities:setStatus'].input.safeParse({ entityType: bad, entityId: 1, status: 'paused' }).success,
      ).toBe(false)
      expect(
        contract['ml:getForecast'].input.safeParse({ workspaceId: 1, entityType: bad, entityId: 1, days: 7 }).success,
      ).toBe(false)
      expect(
        contract['analytics:getTop'].input.safeParse({
          workspaceId: 1,
          range: { from: '2026-01-01', to: '2026-01-31' },
          level: bad,
          metric: 'spend',
        }).success,
      ).toBe(false)
    }
    expect(
      contract['ml:getForecast'].input.safeParse({ workspaceId: 1, entityType: 'ad_set', entityId: 1, days: 7 })
        .success,
    ).toBe(true)
  })

  it('turns a misspelling into a compile error (the typecheck covers this file)', () => {
    // @ts-expect-error -- 'accounts' is not a table (it is ad_accounts)
    const table: DataTable = 'accounts'
    // @ts-expect-error -- the level is spelt ad_set
    const level: EntityLevel = 'adSet'
    // @ts-expect-error -- nor adset
    const level2: EntityLevel = 'adset'
    const payload: EventPayload<'data:changed'> = {
      // @ts-expect-error -- data:changed names real tables only
      tables: ['daily_metric'],
    }
    // @ts-expect-error -- emitting a made-up table does not compile either
    core.events.emit('data:changed', { tables: ['campaign_metrics'] })
    expect([table, level, level2, payload.tables[0]]).toEqual(['accounts', 'adSet', 'adset', 'daily_metric'])
  })

  it('types job kinds and their payloads by one table; enqueue refuses an invalid payload, naming the field', () => {
    expect(Object.keys(JOB_KINDS).sort()).toEqual([
      'demo:build',
      'import:csv',
      'ml:train',
      'pages:prepare',
      'store:check',
      'store:upgrade',
      'sync:run',
    ])
    // @ts-expect-error -- a misspelt kind does not compile
    const kind: JobKindName = 'sync:start'
    // @ts-expect-error -- a payload of the wrong shape does not compile (and is refused at run time)
    expect(() => core.jobs.enqueue('ml:train', { workspaceId: 1, model: 'forcast' })).toThrow(
      'Invalid ml:train payload at model: Invalid input: expected "forecast"',
    )
    // @ts-expect-error -- nor does an unknown field
    expect(() => core.jobs.enqueue('demo:build', { campaign: 3 })).toThrow(
      'Invalid demo:build payload: Unrecognized key: "campaign"',
    )
    expect(kind).toBe('sync:start')
    expect(core.jobs.list()).toEqual([])
  })

  it('has one sync-request shape: the sync:start input and the sync:run payload are the same schema', () => {
    expect(contract['sync:start'].input).toBe(SyncRequestSchema)
    expect(JOB_KINDS['sync:run']).toBe(SyncRequestSchema)
    // @ts-expect-error -- 'delta' is not a sync mode
    const bad: SyncRequestInput = { workspaceId: 1, mode: 'delta' }
    expect(SyncRequestSchema.safeParse(bad).success).toBe(false)
    expect(SyncRequestSchema.parse({ workspaceId: 1 })).toEqual({ workspaceId: 1, mode: 'incremental' })
  })
})
