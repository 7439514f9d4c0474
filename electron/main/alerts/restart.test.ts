import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { WebhookPayloadSchema } from '../../../shared/domain/alerts'
import { generateWebhookSecret } from './channels/webhook'
import { startHttpReceiver, type HttpReceiver } from './testing/receivers'

/**
 * The outbox survives a SIGKILL: a child raises alerts routed to a signed webhook and is killed
 * while they are being delivered (before any, after a few, mid-way); a second process on the same
 * store delivers the rest. The receiver verifies every signature with `standardwebhooks`: every
 * alert arrives, each under one `webhook-id` (resent ones carry the same id, so a receiver that drops
 * duplicates by id handles each alert once). Its own small child harness (no shared one on main yet).
 */
const CHILD = join(import.meta.dirname, 'testing', 'restart-child.ts')
const ALERTS = 30
const dirs: string[] = []
const receivers: HttpReceiver[] = []
afterAll(async () => {
  for (const r of receivers) await r.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Run a child phase; in `raise`, SIGKILL it as soon as `killAt()` says so. */
function runChild(
  env: Record<string, string>,
  killAt: (() => boolean) | null,
): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let poll: NodeJS.Timeout | null = null
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      if (killAt && poll === null && out.includes('RAISED'))
        poll = setInterval(() => {
          if (killAt()) child.kill('SIGKILL')
        }, 1)
    })
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (poll) clearInterval(poll)
      if (signal === 'SIGKILL') resolve({ killed: true, out })
      else if (code === 0) resolve({ killed: false, out })
      else reject(new Error(`child exited ${code}: ${err}`))
    })
  })
}

describe('alerts survive a SIGKILL before delivery', { timeout: 180_000 }, () => {
  for (const killAfter of [0, 9]) {
    it(`killed after the receiver saw ${killAfter} request(s): every alert delivered once per webhook-id`, async () => {
      const secret = generateWebhookSecret()
      const verifier = new Webhook(secret)
      const seen: { id: string; alertIds: number[] }[] = []
      let badSignatures = 0
      // Each answer takes a little while, so requests are in flight when the kill lands.
      const receiver = await startHttpReceiver((req, res) => {
        try {
          const payload = WebhookPayloadSchema.parse(
            verifier.verify(req.body, {
              'webhook-id': String(req.headers['webhook-id']),
              'webhook-timestamp': String(req.headers['webhook-timestamp']),
              'webhook-signature': String(req.headers['webhook-signature']),
            }),
          )
          seen.push({ id: String(req.headers['webhook-id']), alertIds: payload.data.alerts.map((a) => a.id) })
          setTimeout(() => res.writeHead(200).end('ok'), 15)
        } catch {
          badSignatures++
          res.writeHead(400).end('bad signature')
        }
      })
      receivers.push(receiver)
      const dataDir = mkdtempSync(join(tmpdir(), 'me-alerts-restart-'))
      dirs.push(dataDir)
      const env = { ME_DATA_DIR: dataDir, ME_HOOK_URL: `${receiver.url}/hook`, ME_HOOK_SECRET: secret }

      const first = await runChild(
        { ...env, ME_PHASE: 'raise', ME_ALERTS: String(ALERTS) },
        () => receiver.count >= killAfter,
      )
      expect(first.killed).toBe(true)
      const beforeRestart = new Set(seen.map((s) => s.id)).size
      expect(beforeRestart).toBeLessThan(ALERTS)

      const second = await runChild({ ...env, ME_PHASE: 'resume' }, null)
      expect(second.out).toContain(`DONE ${ALERTS} 0`)

      expect(badSignatures).toBe(0)
      // Every alert arrived, each under exactly one webhook-id (alert-<id>, the same on a resend).
      const idsByAlert = new Map<number, Set<string>>()
      for (const s of seen) for (const a of s.alertIds) idsByAlert.set(a, (idsByAlert.get(a) ?? new Set()).add(s.id))
      expect([...idsByAlert.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: ALERTS }, (_, i) => i + 1))
      for (const [alert, ids] of idsByAlert) expect([...ids], `alert ${alert}`).toEqual([`alert-${alert}`])
      // After dropping duplicates by webhook-id, each alert is handled once.
      const unique = new Map(seen.map((s) => [s.id, s]))
      expect(unique.size).toBe(ALERTS)
      // Resent (in flight at the kill) requests carried the same id; report how many there were.
      console.log(
        `restart test (kill after ${killAfter}): ${seen.length} requests, ${ALERTS} webhook-ids, ${seen.length - ALERTS} resent, ${beforeRestart} delivered before the kill`,
      )
    })
  }
})
