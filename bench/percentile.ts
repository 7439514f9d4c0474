/** The 99th percentile (nearest rank) of a list of timings; 0 for none. */
export function p99(xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] as number
}
