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

/**
 * An integer setting from the environment within [min, max]; undefined when unset; a specific
 * error for anything else (a wrong setting is never silently replaced).
 */
export function intFromEnv(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}; it is ${JSON.stringify(raw)}`)
  return n
}
