import type { Core, CoreOptions } from '../main/core'
import type { ParsedArgs } from './args'

/** One CLI command: usage line(s) for the help text and its implementation over the core. */
export interface CliCommand {
  name: string
  usage: string
  /** Core options this command needs (e.g. seeding the demo). */
  coreOptions?: CoreOptions
  run(core: Core, args: ParsedArgs): Promise<void>
}

/** Print job progress on one stderr line while a command waits for a job. */
export function progressToStderr(core: Core): () => void {
  const off = core.events.on('job:progress', (p) => {
    const pct = p.total > 0 ? ` ${Math.floor((100 * p.current) / p.total)}%` : ''
    process.stderr.write(`\r${`${p.step}${pct} ${p.message}`.slice(0, 100).padEnd(100)}`)
  })
  return () => {
    off()
    process.stderr.write('\n')
  }
}
