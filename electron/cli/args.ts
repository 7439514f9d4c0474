/** Minimal `--flag value` / `--flag=value` / `--bool` parser; positional args kept in order. */
export interface ParsedArgs {
  positional: string[]
  flags: Map<string, string | true>
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = []
  const flags = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1))
      else {
        const next = argv[i + 1]
        if (next !== undefined && !next.startsWith('--')) {
          flags.set(a.slice(2), next)
          i++
        } else flags.set(a.slice(2), true)
      }
    } else positional.push(a)
  }
  return { positional, flags }
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** An integer flag, or the default; a clear error for anything else. */
export function intFlag(args: ParsedArgs, name: string, def?: number): number | undefined {
  const v = args.flags.get(name)
  if (v === undefined) return def
  if (v === true || !/^\d+$/.test(v))
    throw new CliError(`--${name} needs a whole number, got ${v === true ? 'nothing' : JSON.stringify(v)}`, 2)
  return Number(v)
}
