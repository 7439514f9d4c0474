/** A benchmark: prints one flat JSON object of figures (keys are a stable interface). */
export interface Bench {
  name: string
  description: string
  run(opts: BenchOptions): Promise<Record<string, unknown>>
}

export interface BenchOptions {
  /** Scratch folder for databases and files, removed afterwards. */
  tmpDir: string
  /** Emit progress lines (stderr). */
  log(message: string): void
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Run `fn` `runs` times (after one warm-up) and return the median wall time in ms. */
export async function timeMedian(runs: number, fn: () => unknown): Promise<number> {
  await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  return Math.round(median(times) * 1000) / 1000
}
