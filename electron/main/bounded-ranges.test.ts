import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { addDays } from '../../shared/domain/dates'
import { DateRangeSchema, IsoDateSchema, MAX_RANGE_DAYS } from '../../shared/domain/metrics'
import { contract, type Workspace } from '../../shared/ipc/contract'
import type { Core } from './core'
import { createTestCore, TEST_CALLER } from './test-support'

let core: Core
let ws: Workspace
let last: string

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 4, days: 30 } })
  await core.jobs.waitFor(core.startupJobId as number)
  ws = core.workspaces.list()[0] as unknown as Workspace
  last = (core.jobs.result<{ to: string }>(core.startupJobId as number) as { to: string }).to
})
afterAll(() => core.close())

/** Every date or date-range field of a schema (through optional, nullable, default, arrays, objects). */
function dateFields(schema: z.ZodType, path: string, out: { path: string; kind: 'range' | 'date' }[]): void {
  if (schema === DateRangeSchema) out.push({ path, kind: 'range' })
  else if (schema === IsoDateSchema) out.push({ path, kind: 'date' })
  else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    dateFields(schema.unwrap() as z.ZodType, path, out)
  else if (schema instanceof z.ZodArray) dateFields(schema.element as z.ZodType, `${path}[]`, out)
  else if (schema instanceof z.ZodObject)
    for (const [k, v] of Object.entries(schema.shape as Record<string, z.ZodType>)) dateFields(v, `${path}.${k}`, out)
  else if (schema instanceof z.ZodPipe) dateFields(schema.in as z.ZodType, path, out)
}

describe('bounded date ranges', () => {
  it('every channel input with dates uses the bounded schemas, which refuse years outside 2000-2100 and spans over the maximum', () => {
    const found: string[] = []
    for (const [channel, spec] of Object.entries(contract)) {
      const fields: { path: string; kind: 'range' | 'date' }[] = []
      dateFields(spec.input as z.ZodType, channel, fields)
      for (const f of fields) found.push(`${f.path}:${f.kind}`)
    }
    // The dashboard, analytics and sync channels with dates are all found (the walk sees the shared schemas).
    expect(found).toEqual(
      expect.arrayContaining(['dashboard:getSummary.range:range', 'dashboard:getTrend.range:range']),
    )
    expect(found.length).toBeGreaterThan(5)
    for (const bad of ['0000-01-01', '1999-12-31', '2101-01-01', '9999-12-31'])
      expect(IsoDateSchema.safeParse(bad).success, bad).toBe(false)
    expect(IsoDateSchema.safeParse('2000-01-01').success).toBe(true)
    expect(IsoDateSchema.safeParse('2100-12-31').success).toBe(true)
    const from = '2010-01-01'
    expect(DateRangeSchema.safeParse({ from, to: addDays(from, MAX_RANGE_DAYS - 1) }).success).toBe(true)
    const long = DateRangeSchema.safeParse({ from, to: addDays(from, MAX_RANGE_DAYS) })
    expect(long.success).toBe(false)
    expect(long.error?.issues[0]?.message).toMatch(/at most 3,660 days/)
  })

  it.each(['dashboard:getSummary', 'dashboard:getTrend', 'analytics:compareFormats'])(
    '%s answers VALIDATION for year 0000 to 9999',
    async (channel) => {
      const env = await core.dispatch(
        channel,
        { workspaceId: ws.id, range: { from: '0000-01-01', to: '9999-12-31' } },
        TEST_CALLER,
      )
      expect(env.ok).toBe(false)
      if (!env.ok) {
        expect(env.error.code).toBe('VALIDATION')
        expect(env.error.message).toMatch(/between 2000-01-01 and 2100-12-31/)
      }
    },
  )

  it('a trend over ten years answers only the days the data covers', async () => {
    const env = await core.dispatch(
      'dashboard:getTrend',
      { workspaceId: ws.id, range: { from: addDays(last, -3000), to: addDays(last, 600) } },
      TEST_CALLER,
    )
    expect(env.ok).toBe(true)
    const points = (env.ok ? (env.value as { points: { date: string }[] }).points : []).map((p) => p.date)
    expect(points).toHaveLength(30)
    expect(points.at(-1)).toBe(last)
    expect(points[0]).toBe(addDays(last, -29))
  })
})
