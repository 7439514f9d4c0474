import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { answerResponse, SimulatedPlatformsThread } from './sim-thread'

// A small demo world (the simulated connections' reference), served on a worker thread and inline.
const SIM = { seed: 7, campaigns: 6, days: 20, endDate: '2026-03-31', preset: 'demo' as const }
const NOW = new Date('2026-04-01T12:00:00Z')
const GRAPH = 'https://graph.facebook.com/v27.0'
const AUTH = { authorization: 'Bearer demo-token' }

const dirs: string[] = []
const open: SimulatedPlatformsThread[] = []
afterEach(async () => {
  for (const s of open.splice(0)) await s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function platforms(mode: 'thread' | 'inline', dataDir?: string, idleMs?: number): SimulatedPlatformsThread {
  const s = new SimulatedPlatformsThread(dataDir, undefined, mode, idleMs)
  open.push(s)
  return s
}

async function text(f: typeof fetch, path: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await f(`${GRAPH}${path}`, { ...init, headers: { ...AUTH, ...init?.headers } })
  return { status: res.status, body: await res.text() }
}

describe('the simulated platforms on their own thread', () => {
  it('answers exactly as inline, keeps write-backs for the next process, and runs off the calling thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-sim-thread-'))
    dirs.push(dir)
    const thread = platforms('thread', dir)
    const inline = platforms('inline')
    const ft = thread.factory(SIM, NOW)
    const fi = inline.factory(SIM, NOW)
    const accounts = await text(ft, '/me/adaccounts')
    expect(accounts).toEqual(await text(fi, '/me/adaccounts'))
    const act = (JSON.parse(accounts.body) as { data: { id: string }[] }).data[0]?.id as string
    const range = encodeURIComponent(JSON.stringify({ since: '2026-03-20', until: '2026-03-25' }))
    const insights = `/${act}/insights?level=ad&time_increment=1&time_range=${range}&fields=ad_id,spend,impressions`
    const a = await text(ft, insights)
    expect(a.status).toBe(200)
    expect(JSON.parse(a.body).data.length).toBeGreaterThan(0)
    expect(a).toEqual(await text(fi, insights))
    // A platform error comes back with its status and body.
    expect((await text(ft, '/999/nothing')).status).toBe(400)

    const campaigns = JSON.parse((await text(ft, `/${act}/campaigns?fields=id,status`)).body) as {
      data: { id: string; status: string }[]
    }
    const c = campaigns.data.find((x) => x.status === 'ACTIVE')
    if (!c) throw new Error('no active campaign')
    const write = await text(ft, `/${c.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ status: 'PAUSED' }).toString(),
    })
    expect(write).toEqual({ status: 200, body: JSON.stringify({ success: true }) })
    // Another process (a new thread over the same data folder) reads the write back.
    const next = platforms('thread', dir)
    expect(JSON.parse((await text(next.factory(SIM, NOW), `/${c.id}`)).body)).toMatchObject({ status: 'PAUSED' })
    expect(thread.stats()).toMatchObject({ inline: 0, starts: 1, running: true })
    expect(thread.stats().thread).toBe(5)
    expect(thread.stats().peakHeapMb).toBeGreaterThan(0)
    expect(inline.stats()).toMatchObject({ thread: 0, starts: 0, running: false })
  })

  it('rejects an aborted request at once, stops when idle and starts again on the next request', async () => {
    const sim = platforms('thread', undefined, 20)
    const f = sim.factory(SIM, NOW)
    const ctl = new AbortController()
    const pending = f(`${GRAPH}/me/adaccounts`, { headers: AUTH, signal: ctl.signal })
    ctl.abort(new Error('the sync was cancelled'))
    await expect(pending).rejects.toThrow('the sync was cancelled')
    expect((await text(f, '/me/adaccounts')).status).toBe(200)
    await vi.waitFor(() => expect(sim.stats().running).toBe(false), { timeout: 5000 })
    expect((await text(f, '/me/adaccounts')).status).toBe(200)
    expect(sim.stats()).toMatchObject({ starts: 2, running: true })
  })

  it('fails requests in flight like a network error when closed', async () => {
    const sim = platforms('thread')
    const f = sim.factory(SIM, NOW)
    const failed = expect(f(`${GRAPH}/me/adaccounts`, { headers: AUTH })).rejects.toThrow(
      /fetch failed: the simulated platforms stopped/,
    )
    await sim.close()
    await failed
  })

  it("hands the thread's body over without copying it, read once like a real body", async () => {
    const answer = (status: number, body: ArrayBuffer | null) =>
      answerResponse({ id: 1, ok: true, status, statusText: '', headers: [['x-a', '1']], body, heapMb: 0 })
    const bytes = new TextEncoder().encode('\uFEFF{"data":[1,"é"]}').buffer as ArrayBuffer
    const r = answer(200, bytes)
    expect(r.ok).toBe(true)
    expect(r.headers.get('x-a')).toBe('1')
    expect(r.bodyUsed).toBe(false)
    expect(await r.arrayBuffer()).toBe(bytes)
    expect(r.bodyUsed).toBe(true)
    await expect(r.text()).rejects.toThrow(/already been read/)
    // text and json decode as Response does (UTF-8, a leading BOM dropped).
    const same = new Response(bytes.slice(0))
    expect(await answer(200, bytes.slice(0)).text()).toBe(await same.text())
    expect(await answer(200, bytes.slice(0)).json()).toEqual({ data: [1, 'é'] })
    expect(await answer(204, null).text()).toBe('')
    expect(answer(503, null).ok).toBe(false)
  })
})
