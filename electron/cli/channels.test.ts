import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ChannelView } from '../../shared/ipc/contracts/alerts'
import { CliError, parseArgs } from './args'
import { policyFlags } from './commands/alerts'

const root = join(import.meta.dirname, '../..')
const dataDir = mkdtempSync(join(tmpdir(), 'me-cli-channels-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...args], {
    cwd: root,
    env: { ...process.env, ME_DATA_DIR: dataDir, ME_CHANNEL_SECRET: '' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const EMAIL = [
  '--kind',
  'email',
  '--host',
  '127.0.0.1',
  '--port',
  '2525',
  '--security',
  'none',
  '--from',
  'me@example.com',
]

function channels(): ChannelView[] {
  const r = cli('channels', 'list', '--json')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as ChannelView[]
}

describe('cli channels: the delivery policy by flags', { timeout: 120_000 }, () => {
  it('channels add --digest 08:00 --tz Europe/Berlin stores a daily digest; update changes and turns it off', () => {
    const added = cli(
      'channels',
      'add',
      ...EMAIL,
      '--name',
      'Team',
      '--to',
      'team@example.com',
      '--digest',
      '08:00',
      '--tz',
      'Europe/Berlin',
    )
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    expect(added.stdout).toContain('daily digest at 08:00 Europe/Berlin (CRITICAL at once)')
    const [team] = channels()
    expect(team?.policy).toEqual({
      quietHours: null,
      rateLimit: null,
      dailyDigest: { at: '08:00', timeZone: 'Europe/Berlin', criticalAtOnce: true },
    })
    const id = String(team?.id)

    // Quiet hours and a rate limit join the digest; --digest-critical puts CRITICAL in the digest too.
    const upd = cli(
      'channels',
      'update',
      id,
      '--digest',
      '07:30',
      '--digest-critical',
      '--tz',
      'America/New_York',
      '--quiet-hours',
      '22:00-06:30',
      '--rate-limit',
      '5/60',
    )
    expect(upd.stderr).toBe('')
    expect(upd.code).toBe(0)
    expect(channels()[0]?.policy).toEqual({
      quietHours: { start: '22:00', end: '06:30', timeZone: 'America/New_York', criticalBreaksThrough: true },
      rateLimit: { max: 5, perMinutes: 60 },
      dailyDigest: { at: '07:30', timeZone: 'America/New_York', criticalAtOnce: false },
    })

    // Only what is named changes: the digest goes, quiet hours and the rate limit stay.
    const off = cli('channels', 'update', id, '--digest', 'off')
    expect(off.code).toBe(0)
    expect(off.stdout).toContain('quiet 22:00-06:30 America/New_York (CRITICAL breaks through); at most 5 per 60 min')
    expect(off.stdout).not.toContain('digest')
  })

  it('a digest on a webhook is refused by the service, naming why', () => {
    const hook = cli(
      'channels',
      'add',
      '--kind',
      'webhook',
      '--name',
      'Hook',
      '--url',
      'http://127.0.0.1:9/hook',
      '--digest',
      '08:00',
    )
    expect(hook.code).toBe(1)
    expect(hook.stderr).toContain('VALIDATION: dailyDigest: a daily digest is an option of email channels')
  })
})

describe('policyFlags: bad flags get a specific message (exit 2) before anything is sent', () => {
  const flags = (...argv: string[]) => parseArgs(['channels', 'add', ...argv])
  it.each([
    [['--digest', '25:00'], /--digest needs a local time as HH:MM \(e\.g\. 08:00\) or off, got "25:00"/],
    [['--digest', '08:00', '--tz', 'Mars/Olympus'], /--tz needs a time zone .* got "Mars\/Olympus"/],
    [['--quiet-hours', '22-7'], /--quiet-hours needs HH:MM-HH:MM/],
    [['--quiet-hours', '22:00-24:00'], /--quiet-hours needs HH:MM-HH:MM/],
    [['--rate-limit', 'lots'], /--rate-limit needs MESSAGES\/MINUTES/],
    [['--tz', 'Europe/Berlin'], /--tz goes with --digest or --quiet-hours/],
    [['--digest-critical'], /--digest-critical goes with --digest HH:MM/],
    [['--digest', '08:00', '--digest-critical', 'yes'], /--digest-critical is a switch/],
  ])('%j', (argv, message) => {
    let err: unknown
    try {
      policyFlags(flags(...argv), null)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CliError)
    expect((err as CliError).message).toMatch(message)
    expect((err as CliError).exitCode).toBe(2)
  })

  it("without --tz the computer's zone is used", () => {
    expect(policyFlags(flags('--digest', '09:00'), null)?.dailyDigest).toEqual({
      at: '09:00',
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      criticalAtOnce: true,
    })
  })

  it('no policy flag leaves the policy alone; "off" clears only what it names', () => {
    expect(policyFlags(flags('--name', 'x'), null)).toBeUndefined()
    const current = {
      quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC', criticalBreaksThrough: true },
      rateLimit: { max: 5, perMinutes: 60 },
      dailyDigest: { at: '08:00', timeZone: 'UTC', criticalAtOnce: true },
    }
    expect(policyFlags(flags('--quiet-hours', 'off'), current)).toEqual({ ...current, quietHours: null })
    expect(policyFlags(flags('--rate-limit', 'off', '--digest', 'off'), current)).toEqual({
      ...current,
      rateLimit: null,
      dailyDigest: null,
    })
  })
})
