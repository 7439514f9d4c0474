import { addDays } from '../../../shared/domain/dates'
import { CliError, intFlag } from '../args'
import type { CliCommand } from '../command'

/** CLI commands of the analytics domain. */
export const analyticsCommands: CliCommand[] = [
  {
    name: 'anomalies',
    role: 'viewer',
    usage: 'anomalies --workspace ID [--days N]           Anomalies of the last N days (default 90) as JSON',
    coreOptions: { claimStore: false },
    async run(core, args, caller) {
      const workspaceId = intFlag(args, 'workspace')
      if (workspaceId === undefined) throw new CliError('anomalies needs --workspace ID (see `status`)', 2)
      const days = intFlag(args, 'days') ?? 90
      const last = core.store.sqlite
        .prepare(
          'SELECT max(d.date) AS d FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = ?',
        )
        .get(workspaceId) as { d: string | null }
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
      console.log(JSON.stringify(env.value, null, 2))
    },
  },
]
