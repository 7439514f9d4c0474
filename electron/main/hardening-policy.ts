import { pathToFileURL } from 'node:url'

/**
 * The desktop shell's security decisions as plain functions (no `electron` import, so they are
 * unit-tested): which addresses are the app, which permissions a page gets, which links leave the
 * app, and which update feeds are trusted. `hardening.ts` wires them into Electron.
 */

export interface AppOrigin {
  /** The renderer's dev server in development (ELECTRON_RENDERER_URL); unset when packaged. */
  devUrl?: string | undefined
  /** The packaged renderer's index.html (loaded with loadFile). */
  rendererIndex: string
}

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** Whether a URL is the app itself (its index.html, any route in the hash), never another file or site. */
export function isAppUrl(url: string, o: AppOrigin): boolean {
  const u = parse(url)
  if (!u) return false
  if (o.devUrl) {
    const dev = parse(o.devUrl)
    if (dev && u.origin === dev.origin && (dev.protocol === 'http:' || dev.protocol === 'https:')) return true
  }
  if (u.protocol !== 'file:') return false
  return u.pathname === pathToFileURL(o.rendererIndex).pathname && u.host === ''
}

/**
 * Permissions a page may have: none. The app needs no camera, microphone, geolocation, MIDI,
 * notifications (they go through the main process), clipboard reads or anything else Chromium asks
 * about; a hostile page loaded by mistake gets nothing either.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set<string>()

export function allowPermission(permission: string, requestingUrl: string, o: AppOrigin): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl, o)
}

/** A link the app may hand to the OS browser: https only, no credentials in it. */
export function externalLink(url: string): string | null {
  const u = parse(url)
  if (!u || u.protocol !== 'https:' || u.username || u.password) return null
  return u.toString()
}

/** Why an update feed is not trusted, or null: https only, no credentials in the URL. */
export function updateFeedProblem(url: string | undefined | null): string | null {
  if (!url) return 'no update feed is configured'
  const u = parse(url)
  if (!u) return `the update feed "${url}" is not a URL`
  if (u.protocol !== 'https:') return `the update feed ${u.origin} must use https`
  if (u.username || u.password) return 'the update feed URL must not carry a user name or password'
  return null
}

/** The feed URL in electron-updater's app-update.yml (generic provider `url:`), if any. */
export function feedUrlOfAppUpdateYml(text: string): string | null {
  const m = /^url:\s*['"]?([^'"\s#]+)['"]?\s*$/m.exec(text)
  return m ? (m[1] as string) : null
}
