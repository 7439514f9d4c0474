import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')

/** The only files allowed to import `electron` or a package that loads it (ARCHITECTURE.md). */
const ELECTRON_ALLOWED = new Set([
  'electron/main/index.ts',
  'electron/main/window.ts',
  'electron/main/tray.ts',
  'electron/main/updater.ts',
  'electron/main/platform/electron.ts',
  'electron/main/ipc/bridge.ts',
  'electron/preload/index.ts',
])
const ELECTRON_MODULES = ['electron', 'electron-store', 'electron-updater']
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
      if (/\b(window|document|localStorage|process\.env)\b/.test(src.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
        bad.push(`${f} uses a DOM or Node global`)
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
