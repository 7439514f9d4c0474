import { readFileSync } from 'node:fs'
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
