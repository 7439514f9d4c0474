import type { CliCommand } from '../command'

/** CLI commands of the ml domain. */
export const mlCommands: CliCommand[] = []
