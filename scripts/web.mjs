// npm run web: build the renderer (and main, to keep one build), then start the preview host.
import { spawnSync, spawn } from 'node:child_process'

const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
if (build.status !== 0) {
  console.error('npm run web: the build failed; see the errors above.')
  process.exit(build.status ?? 1)
}
const child = spawn('npx', ['tsx', 'electron/web/main.ts'], { stdio: 'inherit' })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code) => process.exit(code ?? 0))
