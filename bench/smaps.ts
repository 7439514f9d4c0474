import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const mb = (kb: number): number => Math.round(kb / 1024)

/**
 * Where this process's resident memory lies (Linux `/proc/self/smaps`), MB: `heap` the main thread's
 * malloc heap (the core connection's SQLite pages, its sorter), `arenas` the other threads' malloc
 * arenas (64 MB-aligned anonymous regions: worker threads' SQLite connections, their ArrayBuffers),
 * `anon` other anonymous mappings (V8 heaps of every thread, large allocations), `file` mapped files
 * (code, the store's WAL index). Empty where /proc is missing.
 */
export function residentByKind(): Record<string, number> {
  const out: Record<string, number> = { heap: 0, arenas: 0, anon: 0, file: 0, stack: 0 }
  let kind = 'anon'
  let text = ''
  try {
    text = readFileSync('/proc/self/smaps', 'utf8')
  } catch {
    return {}
  }
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line)
    if (head) {
      const start = BigInt(`0x${head[1]}`)
      const name = head[3] ?? ''
      if (name === '[heap]') kind = 'heap'
      else if (name.startsWith('[stack')) kind = 'stack'
      else if (name.startsWith('/')) kind = 'file'
      else if (name === '' && start % 0x4000000n === 0n) kind = 'arenas'
      else kind = 'anon'
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1])
  }
  for (const k of Object.keys(out)) out[k] = mb(out[k] ?? 0)
  return out
}

/**
 * glibc's own account of its arenas (malloc_stats: per arena the bytes taken from the system and those
 * in use, printed on stderr), through koffi; nothing where that is unavailable. Tells live allocations
 * from free pages kept resident.
 */
export function printMallocStats(): void {
  try {
    const koffi = createRequire(import.meta.url)('koffi') as {
      load(p: string): { func(sig: string): () => void }
    }
    koffi.load('libc.so.6').func('void malloc_stats()')()
  } catch {
    // Not Linux with glibc, or no koffi.
  }
}
