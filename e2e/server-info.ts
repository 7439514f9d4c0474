import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const SERVER_INFO_FILE = join(tmpdir(), 'marketing-engine-e2e-server.json')

export interface ServerInfo {
  /** Login URL with the per-launch token. */
  url: string
  pid: number
  dataDir: string
}

export function serverInfo(): ServerInfo {
  return JSON.parse(readFileSync(SERVER_INFO_FILE, 'utf8')) as ServerInfo
}

/** Call an IPC channel over the HTTP transport, as the renderer does. */
export async function callApi<T>(channel: string, input: unknown): Promise<T> {
  const { url } = serverInfo()
  const u = new URL(url)
  const token = u.searchParams.get('token') as string
  const res = await fetch(`${u.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-me-token': token },
    body: JSON.stringify(input),
  })
  const env = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } }
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message}`)
  return env.value as T
}

/** Wait for the first-launch demo build to finish; returns the Demo workspace id. */
export async function demoReady(): Promise<number> {
  // The demo workspace is built by a job at first launch; wait for it.
  for (let i = 0; i < 240; i++) {
    // The first launch builds the demo on the server's thread; on a busy machine a connection made
    // meanwhile can be reset: ask again instead of failing the whole file.
    const jobs = await callApi<{ kind: string; status: string }[]>('jobs:list', {}).catch((err: unknown) => {
      if (i > 200) throw err
      return []
    })
    const demo = jobs.find((j) => j.kind === 'demo:build')
    if (demo?.status === 'succeeded') break
    if (demo?.status === 'failed') throw new Error('demo build failed')
    await new Promise((r) => setTimeout(r, 500))
  }
  const ws = await callApi<{ id: number; name: string }[]>('workspaces:list', {})
  return (ws.find((w) => w.name === 'Demo') as { id: number }).id
}

/** The date range the UI shows (the picker carries it as data attributes). */
export async function uiRange(page: Page): Promise<{ from: string; to: string }> {
  const trigger = page.getByTestId('date-range-trigger')
  return {
    from: (await trigger.getAttribute('data-from')) as string,
    to: (await trigger.getAttribute('data-to')) as string,
  }
}
