/**
 * The rule for URLs the app sends data to (webhooks, Slack, platform APIs): https, or plain http
 * only to this machine (local receivers in tests and development). Shared so the settings forms,
 * the IPC contract and the core agree.
 */

/** 127.0.0.0/8, ::1 and localhost: hosts that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice('::ffff:'.length))
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * Why `raw` may not receive data, or null when it may: it must be an absolute http(s) URL without
 * credentials in it, and https unless the host is loopback.
 */
export function outboundUrlProblem(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return `"${raw.slice(0, 100)}" is not a URL`
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `Only https URLs are allowed (got ${url.protocol.replace(/:$/, '')})`
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return `Use https: plain http is only allowed to this machine (got http://${url.host})`
  if (url.username || url.password) return 'Put credentials in the secret field, not in the URL'
  return null
}
