import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../main/core'
import { createTestCore } from '../main/test-support'
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

  it('answers 401 to any request without the token, before routing', async () => {
    for (const path of [
      '',
      'index.html',
      'assets/app.js',
      'api/workspaces:list',
      'api/events',
      'api/nope',
      'missing.png',
    ]) {
      const res = await fetch(`${web.url}${path}`)
      expect(res.status, path).toBe(401)
    }
    expect((await api('workspaces:list', '{}', {})).status).toBe(401)
    expect((await api('workspaces:list', '{}', { 'x-me-token': 'wrong-token!' })).status).toBe(401)
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

  it('serves the renderer with the token and sets a strict cookie for the assets', async () => {
    const res = await fetch(web.loginUrl)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/me_token=secret-token; HttpOnly; SameSite=Strict/)
    const asset = await fetch(`${web.url}assets/app.js`, { headers: { cookie: 'me_token=secret-token' } })
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toContain('javascript')
    const escape = await fetch(`${web.url}..%2F..%2Fetc%2Fpasswd`, { headers: { cookie: 'me_token=secret-token' } })
    expect(escape.status).toBe(404)
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
    const res = await fetch(`${web.url}api/events?token=secret-token`, { signal: ctl.signal })
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
