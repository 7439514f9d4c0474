import { existsSync, rmSync } from 'node:fs'
import { SERVER_INFO_FILE, serverInfo } from './server-info'

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(SERVER_INFO_FILE)) return
  const info = serverInfo()
  try {
    process.kill(-info.pid, 'SIGTERM')
  } catch {
    // already gone
  }
  rmSync(info.dataDir, { recursive: true, force: true })
  rmSync(SERVER_INFO_FILE, { force: true })
}
