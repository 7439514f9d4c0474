import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCore, storeLocation } from '../main/core'
import { createNodePlatform } from '../main/platform/node'
import { storeNeedsUpgrade } from '../main/store/db'
import { upgradeStore } from '../main/store/upgrade'
import { startWebServer } from './server'

/** `npm run web`: the browser preview for machines where Electron can't run. */
async function main(): Promise<void> {
  const started = performance.now()
  const platform = createNodePlatform({ host: 'web' })
  // The first start after an update backs up and migrates the store on a worker, as the desktop app does.
  const location = storeLocation(platform)
  if (storeNeedsUpgrade(location.path, location.migrationsFolder)) {
    console.error('Updating your data for this version (a backup first)…')
    await upgradeStore(location.path, location.migrationsFolder).catch(() => {
      // createCore opens the store again and reports what is wrong.
    })
  }
  const core = createCore(platform, { seedDemo: true, validateOutput: true })
  const port = process.env.ME_WEB_PORT !== undefined ? Number(process.env.ME_WEB_PORT) : 5170
  const staticDir = resolve(fileURLToPath(import.meta.url), '../../../out/renderer')
  let web
  try {
    web = await startWebServer({ core, staticDir, port })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || process.env.ME_WEB_PORT) throw err
    web = await startWebServer({ core, staticDir, port: 0 })
  }
  if (core.startupJobId) console.error(`Building the demo workspace in the background (job ${core.startupJobId})…`)
  console.error(`Data folder: ${platform.paths.dataDir}`)
  const secrets = platform.secrets.protection()
  if (secrets.warning) console.error(`Warning: ${secrets.warning}`)
  console.log(`Marketing Engine preview: ${web.loginUrl}`)
  console.error(`Ready in ${Math.round(performance.now() - started)} ms. Press Ctrl+C to stop.`)
  const shutdown = (): void => {
    void web
      .close()
      .then(() => core.close())
      .then(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

main().catch((err: unknown) => {
  console.error(`npm run web failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
