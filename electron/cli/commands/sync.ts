import type { CliCommand } from '../command'

/** CLI commands of the sync domain. */
export const syncCommands: CliCommand[] = []
