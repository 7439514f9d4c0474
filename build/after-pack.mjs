// electron-builder afterPack hook: flip the Electron fuses of the packaged binary before it is
// signed (electron-builder signs after this hook). What each fuse guards: docs/security.md.
import { join } from 'node:path'
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses'

/** The fuses of a packaged Marketing Engine, by @electron/fuses option name. */
export const FUSES = {
  // `ELECTRON_RUN_AS_NODE=1 ./marketing-engine script.js` would run any script as a plain Node.
  RunAsNode: false,
  // Chromium's cookie store encrypted with the OS keychain.
  EnableCookieEncryption: true,
  // NODE_OPTIONS (--require, --import) could inject code into the main process.
  EnableNodeOptionsEnvironmentVariable: false,
  // --inspect / --inspect-brk would open a debugger on the main process.
  EnableNodeCliInspectArguments: false,
  // The app.asar is checked against the hash recorded at build time (macOS, Windows).
  EnableEmbeddedAsarIntegrityValidation: true,
  // Only the app.asar is loaded: no unpacked app folder placed beside it is run instead.
  OnlyLoadAppFromAsar: true,
  // Not used by the app: keep the default snapshot.
  LoadBrowserProcessSpecificV8Snapshot: false,
  // file:// pages get no extra privileges (the renderer is loaded from file://).
  GrantFileProtocolExtraPrivileges: false,
}

/** The @electron/fuses config applied: every fuse set explicitly (a new fuse fails the build until decided). */
export function fuseConfig(platform, arch) {
  const config = {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    // Apple silicon binaries carry an ad-hoc signature that flipping fuses breaks: re-sign it.
    resetAdHocDarwinSignature: (platform === 'darwin' || platform === 'mas') && arch === 'arm64',
  }
  for (const [name, on] of Object.entries(FUSES)) {
    const index = FuseV1Options[name]
    if (typeof index !== 'number') throw new Error(`@electron/fuses has no fuse named ${name}`)
    config[index] = on
  }
  return config
}

/** The packaged Electron binary (as electron-builder names it) for an afterPack context. */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas')
    return join(appOutDir, `${packager.appInfo.productFilename}.app`)
  if (electronPlatformName === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`)
  return join(appOutDir, packager.executableName)
}

/** electron-builder arch enum (0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal) to a name. */
const ARCH = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']

export default async function afterPack(context) {
  // The update feed is baked into app-update.yml: only https (the app refuses anything else too).
  const feed = process.env.ME_UPDATE_URL
  if (feed && !/^https:\/\/[^/@]+(\/|$)/.test(feed)) throw new Error(`ME_UPDATE_URL must be an https URL: ${feed}`)
  const path = electronBinaryPath(context)
  await flipFuses(path, fuseConfig(context.electronPlatformName, ARCH[context.arch] ?? String(context.arch)))
  console.log(`  • fuses set on ${path}`)
}
