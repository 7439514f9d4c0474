import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')

/** The only files allowed to import `electron` or a package that loads it (ARCHITECTURE.md in the shared reference). */
const ELECTRON_ALLOWED = new Set([
  'electron/main/index.ts',
  'electron/main/window.ts',
  'electron/main/tray.ts',
  'electron/main/updater.ts',
  'electron/main/hardening.ts',
  'electron/main/platform/electron.ts',
  'electron/main/ipc/bridge.ts',
  'electron/preload/index.ts',
])
const ELECTRON_MODULES = ['electron', 'electron-store', 'electron-updater', '@sentry/electron', '@sentry/electron/main']
const NODE_BUILTINS =
  /^(node:|fs$|path$|os$|crypto$|child_process$|http$|https$|net$|worker_threads$|url$|events$|stream$)/

function walk(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Module specifiers of static imports, re-exports, dynamic imports and requires. */
export function importsOf(source: string): string[] {
  const specs: string[] = []
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string)
  return specs
}

const files = [...walk(join(root, 'electron')), ...walk(join(root, 'shared')), ...walk(join(root, 'renderer'))].map(
  (f) => relative(root, f).split('\\').join('/'),
)

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files).toContain('electron/main/core.ts')
    expect(files.length).toBeGreaterThan(20)
  })

  it('detects imports in every syntax', () => {
    expect(
      importsOf(
        `import { app } from 'electron'\nimport x from "y"\nconst z = await import('electron-store')\nrequire('electron-updater')\nimport 'side'`,
      ),
    ).toEqual(['electron', 'y', 'electron-store', 'electron-updater', 'side'])
  })

  it('only the allowed shell files import electron (directly or through electron-store/updater)', () => {
    const offenders = files.filter(
      (f) =>
        !ELECTRON_ALLOWED.has(f) &&
        importsOf(readFileSync(join(root, f), 'utf8')).some((s) => ELECTRON_MODULES.includes(s)),
    )
    expect(offenders).toEqual([])
  })

  it('shared/ imports nothing Node- or DOM-specific and nothing from the processes', () => {
    const bad: string[] = []
    for (const f of files.filter((x) => x.startsWith('shared/') && !x.endsWith('.test.ts'))) {
      const src = readFileSync(join(root, f), 'utf8')
      for (const s of importsOf(src)) {
        if (NODE_BUILTINS.test(s) || s.includes('electron') || s.includes('/renderer/') || s.startsWith('react'))
          bad.push(`${f} -> ${s}`)
      }
      // A property called `window` (a rule condition's days) is not the DOM global.
      const bare = /(?<![.\w])(window|document|localStorage)\b(?!\s*\??:)|\bprocess\.env\b/
      if (bare.test(src.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))) bad.push(`${f} uses a DOM or Node global`)
    }
    expect(bad).toEqual([])
  })

  it('the renderer never reaches into electron/ or Node built-ins', () => {
    const bad: string[] = []
    for (const f of files.filter((x) => x.startsWith('renderer/'))) {
      for (const s of importsOf(readFileSync(join(root, f), 'utf8'))) {
        if (NODE_BUILTINS.test(s) || s.includes('/electron/') || s === 'better-sqlite3') bad.push(`${f} -> ${s}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('the core composition root and its services do not import the shell files', () => {
    const shell = [...ELECTRON_ALLOWED].map((f) => f.replace(/\.ts$/, '').split('/').pop() as string)
    const bad = files
      .filter((f) => f.startsWith('electron/main/') && !ELECTRON_ALLOWED.has(f))
      .filter((f) =>
        importsOf(readFileSync(join(root, f), 'utf8')).some((s) =>
          shell.some((n) => s.endsWith(`/${n}`) && ['window', 'tray', 'updater', 'bridge'].includes(n)),
        ),
      )
    expect(bad).toEqual([])
  })
})

/** Shipped code (not tests, not test harnesses) of one part of the tree. */
const shipped = (prefix: string): string[] =>
  files.filter(
    (f) =>
      f.startsWith(prefix) && !f.endsWith('.test.ts') && !f.includes('/testing/') && !f.endsWith('test-support.ts'),
  )

/** Source without comments, so prose that names an API does not count as a use. */
const code = (f: string): string =>
  readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1')

/** What marks a file as holding SQL: the driver or ORM, a prepared statement, a pragma, raw SQL run. */
function sqlUses(src: string): string[] {
  const hits: string[] = []
  for (const s of importsOf(src)) if (s === 'better-sqlite3' || s.startsWith('drizzle-orm')) hits.push(`imports ${s}`)
  if (/\.prepare\(/.test(src)) hits.push('.prepare(')
  if (/\.pragma\(/.test(src)) hits.push('.pragma(')
  if (/\.exec\(\s*['"`]\s*(CREATE|INSERT|UPDATE|DELETE|SELECT|BEGIN|DROP|ALTER)/i.test(src)) hits.push('.exec(sql)')
  return hits
}

/**
 * The only files of electron/ that may read the wall clock (`Date.now()`, `new Date()`); the core
 * takes every "now" from platform.clock so tests can move time.
 */
const WALL_CLOCK_ALLOWED = new Map([
  ['electron/main/platform/clock.ts', 'the system clock the platforms inject'],
  ['electron/main/sync/connectors/http.ts', 'real waits between HTTP requests (rate-limit pauses)'],
  ['electron/main/changes/change-worker.ts', 'real waits between change attempts (backoff, rate-limit pauses)'],
  ['electron/main/sync/connectors/protocol.ts', "Retry-After's HTTP date against the wall clock"],
  ['electron/main/sync/connectors/oauth.ts', 'OAuth token expiry in wall time when the connector has no clock'],
])

/** Files that may run a deferred transaction, and why (a read snapshot that never writes). */
const DEFERRED_ALLOWED = new Map([
  ['electron/main/store/repos/analytics-repo.ts', 'a read-only snapshot (several SELECTs that must agree)'],
  [
    'electron/main/store/repos/account-snapshots.ts',
    'read-only snapshots (onAccountSnapshots: the window sums and the A/B candidates, month sums and day rows that must agree)',
  ],
])

/**
 * better-sqlite3 transactions (`x.transaction(fn)`; a repo's own `transaction` method is not one)
 * that are not run with `.immediate(...)`: called directly, or kept in a variable that is called.
 */
function deferredTransactions(src: string): string[] {
  const hits: string[] = []
  for (const m of src.matchAll(/(?<!repo|this)\s*\.transaction\(/g)) {
    let depth = 0
    let end = m.index + m[0].length - 1
    for (; end < src.length; end++) {
      if (src[end] === '(') depth++
      else if (src[end] === ')' && --depth === 0) break
    }
    const after = src.slice(end + 1)
    if (/^\s*\.immediate\(/.test(after)) continue
    const name = /(?:const|let)\s+(\w+)\s*=\s*[\w.]*$/.exec(src.slice(0, m.index).split('\n').pop() ?? '')?.[1]
    if (
      name &&
      !new RegExp(`(?<![\\w.])${name}\\s*\\(`).test(after) &&
      new RegExp(`\\b${name}\\.immediate\\(`).test(after)
    )
      continue
    hits.push(`line ${src.slice(0, m.index).split('\n').length}`)
  }
  return hits
}

describe('one seeded random source', () => {
  it('mulberry32 is written once (shared/experiments/random.ts); simulators, faults, benches and tests use SeededRandom', () => {
    const all = [...files, ...walk(join(root, 'bench')), ...walk(join(root, 'tests')), ...walk(join(root, 'e2e'))].map(
      (f) => relative(root, f).split('\\').join('/'),
    )
    const mulberryStep = new RegExp('0x' + '6d2b79f5', 'i') // spelled in two parts so this file is not a hit
    const copies = all.filter((f) => mulberryStep.test(readFileSync(join(root, f), 'utf8')))
    expect(copies).toEqual(['shared/experiments/random.ts'])
  })
})

describe('store boundary and clock', () => {
  it('detects SQL uses', () => {
    expect(sqlUses(`import Database from 'better-sqlite3'\nconst x = db.prepare('SELECT 1')`)).toEqual([
      'imports better-sqlite3',
      '.prepare(',
    ])
    expect(sqlUses(`db.exec('CREATE TABLE t (a)')\nconst m = /x/.exec(s)\ndb.pragma('x')`)).toEqual([
      '.pragma(',
      '.exec(sql)',
    ])
    expect(sqlUses(`import { sql } from 'drizzle-orm'`)).toEqual(['imports drizzle-orm'])
  })

  it('SQL lives only under electron/main/store/ (no driver, ORM, prepare or pragma elsewhere)', () => {
    const bad = shipped('electron/')
      .filter((f) => !f.startsWith('electron/main/store/'))
      .map((f) => ({ f, hits: sqlUses(code(f)) }))
      .filter((x) => x.hits.length > 0)
      .map((x) => `${x.f}: ${x.hits.join(', ')}`)
    expect(bad).toEqual([])
  })

  it('no connection turns foreign keys off (every write is checked, the sync writer thread included)', () => {
    const off = /foreign_keys\s*=\s*(OFF|0|false|no)\b/i
    expect(off.test("pragma('foreign_keys = OFF')")).toBe(true)
    const bad = shipped('electron/').filter((f) => off.test(code(f)))
    expect(bad).toEqual([])
  })

  it('every write transaction begins IMMEDIATE (a deferred one that read first fails SQLITE_BUSY at once when another connection writes)', () => {
    expect(deferredTransactions('const t = db.transaction(() => 1)\nt()')).toEqual(['line 1'])
    expect(deferredTransactions('db.transaction(() => { f(g()) })()')).toEqual(['line 1'])
    expect(deferredTransactions('db.transaction(() => 1).immediate()\nthis.repo.transaction(() => 2)')).toEqual([])
    expect(deferredTransactions('const t = db.transaction((a) => a)\nt.immediate(1)')).toEqual([])
    expect(deferredTransactions('const run = db.transaction(() => st.run(1))\nrun.immediate()')).toEqual([])
    const bad = shipped('electron/')
      .map((f) => ({ f, hits: deferredTransactions(code(f)) }))
      .filter((x) => x.hits.length > 0 && !DEFERRED_ALLOWED.has(x.f))
      .map((x) => `${x.f}: ${x.hits.join(', ')}`)
    expect(bad).toEqual([])
  })

  it('every "now" in electron/ comes from the injected clock', () => {
    const bad = shipped('electron/')
      .filter((f) => !WALL_CLOCK_ALLOWED.has(f))
      .filter((f) => /\bDate\.now\(\)|\bnew Date\(\s*\)/.test(code(f)))
    expect(bad).toEqual([])
  })
})
