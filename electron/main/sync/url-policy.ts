/**
 * Where stored platform credentials may be sent. The official API hosts are the defaults; an
 * override (a proxy, a regional endpoint) must be https, and loopback addresses (local test
 * doubles) only when the developer setting `developerLoopbackApis` is on. The environment
 * variables read at start (ME_<PLATFORM>_BASE_URL, ME_<PLATFORM>_TOKEN_URL) are trusted as they
 * are: whoever sets them runs the process.
 */

import { isLoopbackHost } from '../../../shared/domain/urls'

export interface UrlPolicy {
  /** The developer setting: loopback API addresses allowed (http or https). */
  allowLoopback: boolean
}

/** Why `url` may not receive credentials, or null when it may. */
export function apiUrlProblem(url: string, policy: UrlPolicy): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return `${JSON.stringify(url)} is not a URL`
  }
  if (u.username || u.password) return `${u.host}: an API address may not carry a user name or password`
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `${url}: use an https URL`
  if (isLoopbackHost(u.hostname)) {
    if (policy.allowLoopback) return null
    return (
      `${u.origin} is a loopback address: allowed only for local test doubles, with the developer setting ` +
      `"developerLoopbackApis" on (Settings → sync config) or the ME_<PLATFORM>_BASE_URL / _TOKEN_URL variables at start`
    )
  }
  if (u.protocol !== 'https:') return `${u.origin}: API overrides must use https (credentials would travel in clear)`
  return null
}

/** The origin (scheme, host, port) of a URL, or null when it is not one. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}
