import { writeFileSync } from 'node:fs'
import { addDays } from '../../../shared/domain/dates'
import { ANOMALY_COLUMNS } from '../../../shared/export/columns'
import { toCsv } from '../../../shared/export/csv'
import type { ChannelOutput } from '../../../shared/ipc/contract'
import { CliError, intFlag } from '../args'
import type { CliCommand } from '../command'
import { StatusRepo } from '../../main/store/repos/status-repo'

/** CLI commands of the analytics domain. */
export const analyticsCommands: CliCommand[] = [
  {
    name: 'anomalies',
    role: 'viewer',
    usage:
      'anomalies --workspace ID [--days N] [--csv] [--out FILE]   Anomalies of the last N days (default 90) as JSON, or as\n' +
      '                                             CSV (the Anomalies page export) with --csv, to FILE with --out',
    coreOptions: { claimStore: false },
    async run(core, args, caller) {
      const workspaceId = intFlag(args, 'workspace')
      if (workspaceId === undefined) throw new CliError('anomalies needs --workspace ID (see `status`)', 2)
      const days = intFlag(args, 'days') ?? 90
      const last = { d: new StatusRepo(core.store.sqlite).lastDataDate(workspaceId) }
      if (!last.d) throw new CliError(`Workspace ${workspaceId} has no data`)
      const env = await core.dispatch(
        'analytics:listAnomalies',
        {
          workspaceId,
          range: { from: addDays(last.d, -(days - 1)), to: last.d },
        },
        caller,
      )
      if (!env.ok) throw new CliError(env.error.message)
      const out = args.flags.get('out')
      if (out === true) throw new CliError('--out needs a file name', 2)
      const text =
        args.flags.has('csv') || out?.toLowerCase().endsWith('.csv')
          ? `${toCsv(ANOMALY_COLUMNS, (env.value as ChannelOutput<'analytics:listAnomalies'>).anomalies)}\r\n`
          : `${JSON.stringify(env.value, null, 2)}\n`
      if (out !== undefined) writeFileSync(out, text, { mode: 0o600 })
      else process.stdout.write(text)
    },
  },
]
