import type { CliCommand } from '../command'

/** CLI commands of the analytics domain. */
export const analyticsCommands: CliCommand[] = []
