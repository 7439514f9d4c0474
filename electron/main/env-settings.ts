/**
 * Tuning settings read from the environment. A wrong value is a specific error naming the
 * setting, never silently replaced by a default.
 */

/** An integer within [min, max]; undefined when unset. */
export function intFromEnv(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}; it is ${JSON.stringify(raw)}`)
  return n
}

/** One of `choices`; undefined when unset. */
export function choiceFromEnv<T extends string>(name: string, choices: readonly T[]): T | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const v = raw.trim() as T
  if (!choices.includes(v))
    throw new Error(`${name} must be one of ${choices.join(', ')}; it is ${JSON.stringify(raw)}`)
  return v
}
