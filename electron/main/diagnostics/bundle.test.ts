import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { strFromU8, unzipSync } from 'fflate'
import { afterEach, describe, expect, it } from 'vitest'
import { DiagnosticsSchema } from '../../../shared/domain/diagnostics'
import { logDir } from '../logging'
import { createTestCore, TEST_CALLER } from '../test-support'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

const SMTP_PASSWORD = 'correct-horse-battery-staple'
const SLACK_URL = 'https://hooks.slack.com/services/T0AAA/B0BBB/slacksecretpart123'
const WEBHOOK_SECRET = `whsec_${Buffer.from('a webhook signing secret of 32 b').toString('base64')}`

describe('the diagnostics zip ("Copy diagnostics", doctor --zip)', () => {
  it('opens, holds the doctor JSON and the newest logs, and no stored secret appears anywhere in it', async () => {
    core = createTestCore({ now: () => new Date('2026-12-04T10:00:00Z') })
    const c = core
    c.store.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('Shop')").run()
    const add = (name: string, settings: object, secret: string) =>
      c.dispatch('channels:add', { name, settings, secret }, TEST_CALLER)
    expect(
      await add(
        'Mail',
        {
          kind: 'email',
          smtp: { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'me', from: 'me@example.com' },
          to: ['team@example.com'],
        },
        SMTP_PASSWORD,
      ),
    ).toMatchObject({ ok: true })
    expect(await add('Slack', { kind: 'slack' }, SLACK_URL)).toMatchObject({ ok: true })
    expect(await add('Hook', { kind: 'webhook', url: 'https://example.com/hook' }, WEBHOOK_SECRET)).toMatchObject({
      ok: true,
    })
    // Log files as the app writes them, with secrets that slipped in: one in a known shape, one
    // only recognisable because it is a stored channel secret.
    const logs = logDir(c.platform.paths.dataDir)
    mkdirSync(logs, { recursive: true })
    const line = (msg: string) => JSON.stringify({ level: 50, time: '2026-12-04T09:00:00Z', msg })
    writeFileSync(join(logs, 'main.1.log'), [line('older file'), line(`webhook failed ${SLACK_URL}`)].join('\n') + '\n')
    writeFileSync(
      join(logs, 'main.2.log'),
      [line(`smtp said no to ${SMTP_PASSWORD}`), line(`signing with ${WEBHOOK_SECRET}`), line('newest line')].join(
        '\n',
      ) + '\n',
    )

    const env = await c.dispatch('diagnostics:bundle', {}, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    const { fileName, base64, files } = env.value as { fileName: string; base64: string; files: string[] }
    expect(fileName).toBe('marketing-engine-diagnostics-2026-12-04T10-00-00-000Z.zip')
    expect(files.sort()).toEqual(['README.txt', 'diagnostics.json', 'logs/main.1.log', 'logs/main.2.log'])
    const bytes = Buffer.from(base64, 'base64')
    const unzipped = unzipSync(bytes)
    expect(Object.keys(unzipped).sort()).toEqual(files)
    const report = DiagnosticsSchema.parse(JSON.parse(strFromU8(unzipped['diagnostics.json']!)))
    expect(report.channels).toHaveLength(3)
    expect(strFromU8(unzipped['logs/main.2.log']!)).toContain('newest line')
    expect(strFromU8(unzipped['logs/main.1.log']!)).toContain('older file')
    // No secret anywhere: not in any file, not in the raw zip bytes (entries are compressed, so
    // check the unzipped text as well).
    const all = Object.values(unzipped)
      .map((u) => strFromU8(u))
      .join('\n')
    for (const secret of [SMTP_PASSWORD, 'slacksecretpart123', WEBHOOK_SECRET.slice(6)]) {
      expect(all).not.toContain(secret)
      expect(bytes.includes(Buffer.from(secret))).toBe(false)
    }
    expect(all).toContain('[REDACTED]')

    // An independent reader opens it too (Info-ZIP's unzip, where the machine has it).
    if (existsSync('/usr/bin/unzip')) {
      const file = join(c.platform.paths.dataDir, fileName)
      writeFileSync(file, bytes)
      expect(execFileSync('/usr/bin/unzip', ['-t', file]).toString()).toContain('No errors detected')
      expect(readFileSync(file).subarray(0, 4).toString('hex')).toBe('504b0304')
    }
  })
})
