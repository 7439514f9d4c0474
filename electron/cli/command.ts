import type { CallContext, Role } from '../../shared/domain/caller'
import type { Core, CoreOptions } from '../main/core'
import type { ParsedArgs } from './args'
import type { Platform } from '../main/platform/types'

/** One CLI command: usage line(s) for the help text and its implementation over the core. */
export interface CliCommand {
  name: string
  usage: string
  /** The least role that may run it (`--as`); channels it calls check their own role too. */
  role: Role
  /** Core options this command needs (e.g. seeding the demo). */
  coreOptions?: CoreOptions
  /** `caller` is the CLI user in the `--as` role: pass it to every `core.dispatch`. */
  run(core: Core, args: ParsedArgs, caller: CallContext): Promise<void>
  /**
   * Set for commands that must work when the store cannot be opened (listing and restoring
   * backups): runs instead of `run`, with no core.
   */
  standalone?(args: ParsedArgs, platform: Platform): Promise<void>
}

/** Print job progress on one stderr line while a command waits for a job. */
export function progressToStderr(core: Core): () => void {
  let said = ''
  const off = core.events.on('job:progress', (p) => {
    const pct = p.total > 0 ? ` ${Math.floor((100 * p.current) / p.total)}%` : ''
    // Retries and platform-given waits get a whole line each (and once), the rest one status line.
    const notice = /(Retrying|Rate-limited: waiting for) .*$/.exec(p.message)?.[0]
    if (notice && notice !== said) {
      said = notice
      process.stderr.write(`\r${' '.repeat(100)}\r${p.step}: ${notice}\n`)
      return
    }
    process.stderr.write(`\r${`${p.step}${pct} ${p.message}`.slice(0, 100).padEnd(100)}`)
  })
  return () => {
    off()
    process.stderr.write('\n')
  }
}
