/**
 * Child process of the alerts restart test (restart.test.ts): a file-backed core under ME_DATA_DIR.
 * `ME_PHASE=raise`: adds a webhook channel (ME_HOOK_URL, signing secret ME_HOOK_SECRET), raises
 * ME_ALERTS alerts, prints "RAISED" and keeps delivering until the parent SIGKILLs it.
 * `ME_PHASE=resume`: opens the same store and waits until every delivery is finished, then prints
 * "DONE <delivered> <failed>" and exits.
 */
import { join } from 'node:path'
import { userContext } from '../../../../shared/domain/caller'
import { createCore } from '../../core'
import { createNodePlatform } from '../../platform/node'

const CALLER = userContext('test', { id: 'restart', name: 'Restart test' })

async function main(): Promise<void> {
  const dataDir = process.env.ME_DATA_DIR as string
  const platform = createNodePlatform({ host: 'cli', dataDir })
  const core = createCore(platform, { dbPath: join(dataDir, 'marketing-engine.db') })
  const alerts = core.services.alerts
  if (process.env.ME_PHASE === 'raise') {
    const ws = core.workspaces.create('Restart', 'USD')
    await alerts.addChannel(
      {
        name: 'Receiver',
        settings: { kind: 'webhook', url: process.env.ME_HOOK_URL as string },
        secret: process.env.ME_HOOK_SECRET as string,
      },
      CALLER,
    )
    const n = Number(process.env.ME_ALERTS)
    for (let i = 1; i <= n; i++)
      alerts.raise({
        source: 'system',
        severity: i % 5 === 0 ? 'critical' : 'warning',
        workspaceId: ws,
        title: `Restart alert ${i}`,
        body: `Alert ${i} of ${n}, raised before the kill.`,
        dedupeKey: `restart:${i}`,
        link: '/alerts',
      })
    process.stdout.write('RAISED\n')
    // Delivery runs on the service's timer; the parent kills this process. A pending promise alone does
    // not keep Node running: once every delivery was done the process exited by itself before the kill
    // (a CI run: `killed` false), so a timer holds it.
    setInterval(() => undefined, 60_000)
    await new Promise(() => undefined)
  }
  // Resume: the restarted owner delivers what the killed one left (same message ids).
  for (;;) {
    const all = alerts.list({ limit: 1000 })
    const open = all.flatMap((a) => a.deliveries).filter((d) => d.status === 'pending' || d.status === 'held')
    if (all.length > 0 && open.length === 0) {
      const ds = all.flatMap((a) => a.deliveries)
      process.stdout.write(
        `DONE ${ds.filter((d) => d.status === 'delivered').length} ${ds.filter((d) => d.status === 'failed').length}\n`,
      )
      await core.close()
      return
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
