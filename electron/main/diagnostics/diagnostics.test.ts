import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { logDir } from '../logging'
import { currentLogFile, recentLogLines } from './diagnostics'

describe('recent log lines (Diagnostics page)', () => {
  it('reads the last lines of the active log through current.log, redacting secrets again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-diag-'))
    expect(recentLogLines(dir, 10)).toEqual({ file: null, lines: [] })
    const logs = logDir(dir)
    mkdirSync(logs, { recursive: true })
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ level: 30, msg: `line ${i}` }))
    lines.push(JSON.stringify({ level: 50, msg: 'failed with https://hooks.slack.com/services/T000/B000/XXXXSECRET' }))
    writeFileSync(join(logs, 'main.1.log'), lines.join('\n') + '\n')
    symlinkSync('main.1.log', join(logs, 'current.log'))
    expect(currentLogFile(dir)).toBe(join(logs, 'main.1.log'))
    const r = recentLogLines(dir, 3)
    expect(r.lines).toHaveLength(3)
    expect(r.lines[0]).toContain('line 28')
    expect(r.lines[2]).not.toContain('XXXXSECRET')
  })
})
