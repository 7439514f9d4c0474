import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../main/core'
import { createTestCore } from '../main/test-support'
import { DEFAULT_BODY_LIMIT, maxBodyBytes } from '../../shared/ipc/limits'
import { startWebServer, type WebServer } from './server'

let core: Core
let web: WebServer
let dir: string

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 8, days: 30 } })
  await core.jobs.waitFor(core.startupJobId as number)
  dir = mkdtempSync(join(tmpdir(), 'me-web-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Marketing Engine</title>')
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)')
  web = await startWebServer({ core, staticDir: dir, port: 0, token: 'secret-token' })
})
afterAll(async () => {
  await web.close()
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

const api = (
  channel: string,
  body: string,
  headers: Record<string, string> = { 'x-me-token': 'secret-token' },
): Promise<Response> =>
  fetch(`${web.url}api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })

describe('web host', () => {
  it('binds to loopback and prints a login URL with the token', () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(web.loginUrl).toBe(`${web.url}?token=secret-token`)
  })

  it('answers 401 to any API request without the token in its header (query and cookie do not count)', async () => {
    for (const path of ['api/workspaces:list', 'api/events', 'api/nope']) {
      const res = await fetch(`${web.url}${path}`)
      expect(res.status, path).toBe(401)
    }
    expect((await api('workspaces:list', '{}', {})).status).toBe(401)
    expect((await api('workspaces:list', '{}', { 'x-me-token': 'wrong-token!' })).status).toBe(401)
    expect((await fetch(`${web.url}api/events?token=secret-token`)).status).toBe(401)
    expect((await api('workspaces:list', '{}', { cookie: 'me_token=secret-token' })).status).toBe(401)
    const q = await fetch(`${web.url}api/workspaces:list?token=secret-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(q.status).toBe(401)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      const u = new URL(web.url)
      request(
        { host: '127.0.0.1', port: u.port, path: '/?token=secret-token', headers: { host: 'evil.example:80' } },
        (res) => resolve(res.statusCode ?? 0),
      ).end()
    })
    expect(status).toBe(403)
  })

  it('refuses API requests from another origin, another port of 127.0.0.1 included', async () => {
    const port = new URL(web.url).port
    const other = `http://127.0.0.1:${Number(port) + 1}`
    const cases: Record<string, string>[] = [
      { origin: other },
      { origin: 'null' },
      { origin: `http://localhost:${Number(port) + 1}` },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'none' },
    ]
    for (const h of cases) {
      const res = await api('settings:update', '{"syncIntervalHours":1}', { 'x-me-token': 'secret-token', ...h })
      expect(res.status, JSON.stringify(h)).toBe(403)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Cross-origin/)
    }
    const events = await fetch(`${web.url}api/events`, { headers: { 'x-me-token': 'secret-token', origin: other } })
    expect(events.status).toBe(403)
    const own = await api('workspaces:list', '{}', {
      'x-me-token': 'secret-token',
      origin: `http://127.0.0.1:${port}`,
      'sec-fetch-site': 'same-origin',
    })
    expect(own.status).toBe(200)
  })

  it('accepts only application/json bodies', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const res = await fetch(`${web.url}api/workspaces:list`, {
        method: 'POST',
        headers: { 'x-me-token': 'secret-token', ...(type ? { 'content-type': type } : {}) },
        body: '{}',
      })
      expect(res.status, type).toBe(415)
    }
    expect(
      (
        await api('workspaces:list', '{}', {
          'x-me-token': 'secret-token',
          'content-type': 'application/json; charset=utf-8',
        })
      ).status,
    ).toBe(200)
  })

  it('answers 400 to a malformed percent-escape and 413 past the channel body limit', async () => {
    for (const path of ['api/%E0%A4%A', 'assets/%zz.js', '%']) {
      const res = await fetch(`${web.url}${path}`, { headers: { 'x-me-token': 'secret-token' } })
      expect(res.status, path).toBe(400)
      expect(await res.text()).not.toMatch(/at .*\.ts/)
    }
    const limit = maxBodyBytes('workspaces:list')
    expect(limit).toBe(DEFAULT_BODY_LIMIT)
    const big = await api('workspaces:list', JSON.stringify({ pad: 'x'.repeat(limit) }))
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('VALIDATION')
    // The import channels take the CSV the contract allows (50 M characters), so their limit is higher.
    expect(maxBodyBytes('import:commit')).toBeGreaterThan(150_000_000)
    const csv = await api('import:preview', JSON.stringify({ workspaceId: 1, content: 'a'.repeat(3_000_000) }))
    expect(csv.status).not.toBe(413)
  })

  it('serves the renderer without setting any cookie (static files hold no data)', async () => {
    const res = await fetch(web.loginUrl)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(res.headers.get('set-cookie')).toBeNull()
    const asset = await fetch(`${web.url}assets/app.js`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toContain('javascript')
    const escape = await fetch(`${web.url}..%2F..%2Fetc%2Fpasswd`)
    expect(escape.status).toBe(404)
    expect((await fetch(`${web.url}index.html`, { method: 'POST', body: 'x' })).status).toBe(405)
  })

  it('dispatches POST /api/<channel> and returns the envelope', async () => {
    const res = await api('workspaces:list', '{}')
    expect(res.status).toBe(200)
    const env = (await res.json()) as { ok: boolean; value: { name: string }[] }
    expect(env.ok).toBe(true)
    expect(env.value[0]?.name).toBe('Demo')
  })

  it('refuses an unknown channel, an invalid payload and malformed JSON with clear errors', async () => {
    const unknown = await api('nope:nothing', '{}')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "nope:nothing"' },
    })
    const invalid = await api('accounts:list', '{"workspaceId":"one"}')
    expect(invalid.status).toBe(400)
    const body = (await invalid.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('VALIDATION')
    expect(body.error.message).toContain('workspaceId')
    const malformed = await api('accounts:list', '{"workspaceId":')
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/)
    const get = await fetch(`${web.url}api/workspaces:list`, { headers: { 'x-me-token': 'secret-token' } })
    expect(get.status).toBe(405)
  })

  it('streams events over Server-Sent Events', async () => {
    const ctl = new AbortController()
    const res = await fetch(`${web.url}api/events`, { headers: { 'x-me-token': 'secret-token' }, signal: ctl.signal })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    await reader.read() // ": connected"
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId: 1 })
    let text = ''
    while (!text.includes('\n\n', text.indexOf('event:'))) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toContain('event: data:changed')
    expect(text).toContain('data: {"tables":["daily_metrics"],"workspaceId":1}')
    ctl.abort()
  })
})
