import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from './core'
import type { CoreServices } from './core-services'
import { orderModules, wireModules, type AnyModule, type ServiceName } from './module'
import { createTestCore } from './test-support'

/** A module that provides and requires the given services (values are placeholders). */
function mod(name: string, provides: ServiceName[], requires: ServiceName[] = []): AnyModule {
  return {
    name,
    provides,
    requires,
    create: () => ({ handlers: {}, services: Object.fromEntries(provides.map((p) => [p, { from: name }])) }),
  }
}

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

describe('module wiring', () => {
  it('creates providers before the modules that require them, handing each exactly its needs', () => {
    const seen: Record<string, unknown> = {}
    const needy: AnyModule = {
      name: 'automation',
      provides: [],
      requires: ['analytics', 'sync'],
      create: (_core, needs: unknown) => {
        seen.needs = needs
        return { handlers: {}, services: {} }
      },
    }
    const list = [
      needy,
      mod('sync', ['sync'], ['connectors']),
      mod('analytics', ['analytics']),
      mod('connectors', ['connectors']),
    ]
    const order = orderModules(list).map((m) => m.name)
    const at = (n: string): number => order.indexOf(n)
    expect(order).toHaveLength(4)
    expect(at('connectors')).toBeLessThan(at('sync'))
    expect(at('sync')).toBeLessThan(at('automation'))
    expect(at('analytics')).toBeLessThan(at('automation'))
    wireModules({} as CoreServices, list)
    expect(seen.needs).toEqual({ analytics: { from: 'analytics' }, sync: { from: 'sync' } })
  })

  it('fails at start naming the module whose need has no provider', () => {
    expect(() => orderModules([mod('ml', ['forecasts'], ['analytics'])])).toThrow(
      'Module "ml" requires service "analytics", which no module provides',
    )
  })

  it('fails at start naming the circle of needs', () => {
    const list = [
      mod('a', ['sync'], ['analytics']),
      mod('b', ['analytics'], ['forecasts']),
      mod('c', ['forecasts'], ['sync']),
    ]
    expect(() => orderModules(list)).toThrow(
      'Circular service needs: "a" requires analytics from → "b" requires forecasts from → "c" requires sync from → "a"',
    )
    expect(() => orderModules([mod('self', ['sync'], ['sync'])])).toThrow(
      'Circular service needs: "self" requires sync from → "self"',
    )
  })

  it('refuses two providers of one service and a module that does not provide what it declares', () => {
    expect(() => orderModules([mod('a', ['ltv']), mod('b', ['ltv'])])).toThrow(
      'Service "ltv" is provided by both module "a" and module "b"',
    )
    const liar: AnyModule = { ...mod('liar', ['ltv']), create: () => ({ handlers: {}, services: {} }) }
    expect(() => wireModules({} as CoreServices, [liar])).toThrow(
      'Module "liar" declares it provides [ltv] but created []',
    )
  })

  it('gives the CLI and tests the core services through the typed registry', () => {
    core = createTestCore()
    const { connectors, sync, syncScheduler, importer, analytics, anomalies, forecasts, ltv } = core.services
    for (const s of [connectors, sync, syncScheduler, importer, analytics, anomalies, forecasts, ltv])
      expect(s).toBeTruthy()
    expect(sync.repo.runs(1, 1)).toEqual([])
  })

  it('wires the change pipeline and backups as modules: services in the registry, worker started with the jobs', async () => {
    core = createTestCore()
    const { changes, changeWorker, backups } = core.services
    expect(changes.list({}).items).toEqual([])
    expect(changes.policy(1)).toEqual({ requireApproval: true })
    expect(changeWorker.isRunning).toBe(true)
    expect(backups.list()).toEqual([])
    await expect(backups.create()).rejects.toThrow('This store lives in memory')
    await core.close()
    core = null
    expect(changeWorker.isRunning).toBe(false)
    const idle = createTestCore({ startJobs: false })
    expect(idle.services.changeWorker.isRunning).toBe(false)
    await idle.close()
  })

  it("owns its decode pool: closing the core stops the pool's workers", async () => {
    core = createTestCore()
    const pool = core.services.connectors.decodePool
    const { readFileSync } = await import('node:fs')
    const text = readFileSync(
      new URL('./sync/connectors/meta/fixtures/ads_insights_ad_level_daily.json', import.meta.url),
      'utf8',
    )
    const u = new TextEncoder().encode(text)
    const out = await pool.decode({
      decoder: 'meta-insights',
      args: { purchaseTypes: ['purchase'], what: 'Meta insights' },
      status: 200,
      headers: [['content-type', 'application/json']],
      body: u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer,
    })
    expect(out.ok).toBe(true)
    expect(pool.stats()).toMatchObject({ worker: 1, workers: 1 })
    await core.close()
    core = null
    expect(pool.stats().workers).toBe(0)
  })
})

/** Relative imports (value and type) of a source file, resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)) {
    const base = resolve(dirname(file), m[1] as string)
    const hit = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f))
    if (hit) out.push(hit)
  }
  return out
}

describe('import graph', () => {
  it('has no import circle through core.ts (modules and services import core-services.ts and module.ts)', () => {
    const core = resolve(import.meta.dirname, 'core.ts')
    const seen = new Set<string>()
    const circles: string[] = []
    const walk = (file: string, path: string[]): void => {
      for (const next of importsOf(file)) {
        if (next === core) circles.push([...path, next].map((f) => relative(import.meta.dirname, f)).join(' -> '))
        else if (!seen.has(next)) {
          seen.add(next)
          walk(next, [...path, next])
        }
      }
    }
    walk(core, [core])
    expect(circles).toEqual([])
    expect(seen.size).toBeGreaterThan(50)
  })
})
