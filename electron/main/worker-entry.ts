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
 * loader, so a tiny ESM bootstrap registers tsx's hooks inside the worker first.
 */
export function startWorker(url: URL, workerData?: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData })
  // require.resolve finds the CommonJS build; its ESM twin sits beside it.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api')
  const mjs = cjs.replace(/\.cjs$/, '.mjs')
  const api = existsSync(mjs) ? pathToFileURL(mjs).href : 'tsx/esm/api'
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(boot, { eval: true, workerData })
}
