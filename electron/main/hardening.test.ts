import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { getCurrentFuseWire } from '@electron/fuses'
import { afterEach, describe, expect, it } from 'vitest'
import afterPack, { electronBinaryPath, fuseConfig, FUSES } from '../../build/after-pack.mjs'
import { allowPermission, externalLink, feedUrlOfAppUpdateYml, isAppUrl, updateFeedProblem } from './hardening-policy'

// @electron/fuses' wire format (dist/constants.js): the sentinel, then version, length and one byte per fuse.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const FuseState = { DISABLE: 48, ENABLE: 49 } as const

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('Electron fuses (build/after-pack.mjs)', () => {
  it('turns RunAsNode, NODE_OPTIONS and --inspect off and ASAR integrity and ASAR-only on, every fuse explicit', () => {
    expect(FUSES).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    })
    const c = fuseConfig('linux', 'x64')
    expect(c).toMatchObject({ version: '1', strictlyRequireAllFuses: true, resetAdHocDarwinSignature: false })
    // FuseV1Options indices: 0 RunAsNode … 7 GrantFileProtocolExtraPrivileges.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => c[i])).toEqual([false, true, false, false, true, true, false, false])
    expect(fuseConfig('darwin', 'arm64').resetAdHocDarwinSignature).toBe(true)
  })

  it('flips the fuse wire of the packaged binary it finds for each platform', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-fuses-'))
    dirs.push(dir)
    // A stand-in for the Electron binary: the sentinel, wire version 1, 8 fuses all in their default state.
    const defaults = [1, 1, 1, 1, 0, 0, 0, 1].map((on) => (on ? FuseState.ENABLE : FuseState.DISABLE))
    const binary = Buffer.concat([
      Buffer.alloc(64, 7),
      Buffer.from(SENTINEL),
      Buffer.from([1, 8, ...defaults]),
      Buffer.alloc(64, 9),
    ])
    const packager = { appInfo: { productFilename: 'Marketing Engine' }, executableName: 'marketing-engine' }
    const ctx = { appOutDir: dir, electronPlatformName: 'linux', arch: 1, packager }
    expect(electronBinaryPath(ctx)).toBe(join(dir, 'marketing-engine'))
    expect(electronBinaryPath({ ...ctx, electronPlatformName: 'win32' })).toBe(join(dir, 'Marketing Engine.exe'))
    expect(electronBinaryPath({ ...ctx, electronPlatformName: 'darwin' })).toBe(join(dir, 'Marketing Engine.app'))
    writeFileSync(join(dir, 'marketing-engine'), binary)
    await afterPack(ctx)
    const wire = await getCurrentFuseWire(join(dir, 'marketing-engine'))
    const on = (i: number): boolean => (wire as unknown as Record<number, number>)[i] === FuseState.ENABLE
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(on)).toEqual([false, true, false, false, true, true, false, false])
  })
})

describe('navigation, permissions and links', () => {
  const index = '/opt/Marketing Engine/resources/app.asar/out/renderer/index.html'
  const packaged = { rendererIndex: index }
  const dev = { devUrl: 'http://localhost:5173', rendererIndex: index }
  const app = pathToFileURL(index).toString()

  it('knows the app: its index.html with any route, the dev server in development, nothing else', () => {
    expect(isAppUrl(app, packaged)).toBe(true)
    expect(isAppUrl(`${app}#/analytics?x=1`, packaged)).toBe(true)
    expect(isAppUrl(pathToFileURL('/etc/passwd').toString(), packaged)).toBe(false)
    expect(isAppUrl(pathToFileURL(index.replace('index.html', 'other.html')).toString(), packaged)).toBe(false)
    expect(isAppUrl('file://evil.example/opt/x', packaged)).toBe(false)
    expect(isAppUrl('https://evil.example/', packaged)).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/settings', packaged)).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/settings', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isAppUrl('javascript:alert(1)', dev)).toBe(false)
    expect(isAppUrl('not a url', dev)).toBe(false)
  })

  it('denies every permission by default, to the app and to anything else', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
      'midi',
      'openExternal',
    ])
      for (const url of [app, 'https://evil.example/'])
        expect(allowPermission(p, url, packaged), `${p} ${url}`).toBe(false)
  })

  it('hands only https links without credentials to the browser', () => {
    expect(externalLink('https://ads.google.com/x')).toBe('https://ads.google.com/x')
    for (const bad of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://u:p@example.com/',
    ])
      expect(externalLink(bad), bad).toBeNull()
  })
})

describe('the update feed is https only', () => {
  it('reads the feed of app-update.yml and refuses anything but https', () => {
    expect(feedUrlOfAppUpdateYml('provider: generic\nurl: https://updates.example.com/me\nchannel: latest\n')).toBe(
      'https://updates.example.com/me',
    )
    expect(feedUrlOfAppUpdateYml("provider: generic\nurl: 'http://updates.example.com'\n")).toBe(
      'http://updates.example.com',
    )
    expect(feedUrlOfAppUpdateYml('provider: generic\n')).toBeNull()
    expect(updateFeedProblem('https://updates.example.com/me')).toBeNull()
    expect(updateFeedProblem('http://updates.example.com/me')).toMatch(/must use https/)
    expect(updateFeedProblem('file:///tmp/feed')).toMatch(/must use https/)
    expect(updateFeedProblem('https://user:pw@updates.example.com/')).toMatch(/user name or password/)
    expect(updateFeedProblem(undefined)).toMatch(/no update feed/)
    expect(updateFeedProblem('::')).toMatch(/not a URL/)
  })
})
