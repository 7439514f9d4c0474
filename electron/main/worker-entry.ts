import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/**
 * Where a worker entry lives beside the module at `base` (its import.meta.url): `<name>.js` in a
 * bundle that emits it (electron-vite main entries), `<name>.ts` under tsx and vitest; null when
 * neither exists (the caller then runs the work inline).
 */
export function workerEntryUrl(base: string, name: string): URL | null {
  for (const file of [`./${name}.js`, `./${name}.ts`]) {
    const url = new URL(file, base)
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url
  }
  return null
}

/**
 * Start a worker on an entry found by `workerEntryUrl`. A .ts entry is loaded through tsx's
 * register API: on Node 20 `--import tsx` in a worker's execArgv does not reach the worker's
 * loader, so a tiny bootstrap registers tsx's hooks inside the worker first. By default tsx's ESM
 * hooks; with `loader: 'require'` its CommonJS hook (tsx compiles the entry and its imports to
 * CommonJS), which starts in 0.27-0.47 s instead of 0.75 s (tsx's ESM register alone is ~0.4 s of
 * CPU per worker: Node 20 runs module hooks on a thread of their own). Only for an entry whose
 * imports are plain static imports of files and CommonJS packages (no top-level await, no ESM-only
 * package, no `import.meta` it needs). Built entries (.js) start the same either way.
 */
export function startWorker(url: URL, workerData?: unknown, options: { loader?: 'esm' | 'require' } = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData })
  const require = createRequire(import.meta.url)
  if (options.loader === 'require') {
    const boot = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(fileURLToPath(url))})`
    return new Worker(boot, { eval: true, workerData })
  }
  // require.resolve finds the CommonJS build; its ESM twin sits beside it.
  const cjs = require.resolve('tsx/esm/api')
  const mjs = cjs.replace(/\.cjs$/, '.mjs')
  const api = existsSync(mjs) ? pathToFileURL(mjs).href : 'tsx/esm/api'
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(boot, { eval: true, workerData })
}
