import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SERVER_INFO_FILE } from './server-info'

/** Build the renderer, start `electron/web/main.ts` on a scratch data folder, wait for its URL. */
export default async function globalSetup(): Promise<void> {
  const root = join(import.meta.dirname, '..')
  const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('electron-vite build failed')
  const dataDir = mkdtempSync(join(tmpdir(), 'me-e2e-'))
  const child = spawn('npx', ['tsx', 'electron/web/main.ts'], {
    cwd: root,
    // A scratch secrets-key folder too: never the developer's keychain or key folder.
    env: {
      ...process.env,
      ME_DATA_DIR: dataDir,
      ME_WEB_PORT: '0',
      ME_SECRETS_KEYRING: 'off',
      ME_SECRETS_KEY_DIR: `${dataDir}-keys`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('npm run web did not print its URL within 60 s')), 60_000)
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1] as string)
      }
    })
    child.on('exit', (code) => reject(new Error(`web server exited with ${code}`)))
  })
  writeFileSync(SERVER_INFO_FILE, JSON.stringify({ url, pid: child.pid, dataDir }))
}
