import { describe, expect, it } from 'vitest'
import { metaExport } from '../../../../bench/import'
import { csvPieces, parseCsv, QUOTED_PIECE_MAX_CHARS } from './parse'

// Review 10 #12: one stray quote (an unquoted `12" pizza`) left every later line "inside quotes", so the
// piece cutter rescanned the rest of the text per line and yielded the rest of the file as one piece:
// 34 s on the core's thread for 8 MB. Now a piece stops growing at QUOTED_PIECE_MAX_CHARS.
describe('a CSV with a stray quote', () => {
  const clean = metaExport(40_000)
  const lines = clean.split('\n')
  // The third data line's ad name gets an unquoted inch mark.
  const at = 3
  lines[at] = (lines[at] as string).replace(/,([^,"]+),(\d{4}-\d\d-\d\d)/, ',12" $1,$2')
  const text = lines.join('\n')

  it('is cut in bounded pieces that keep every character', () => {
    expect(text).not.toBe(clean)
    expect(text.length).toBeGreaterThan(2 * QUOTED_PIECE_MAX_CHARS)
    const longestLine = Math.max(...lines.map((l) => l.length + 1))
    for (const parts of [[text], [text.slice(0, 1 << 20), text.slice(1 << 20, 3 << 20), text.slice(3 << 20)]]) {
      const pieces = [...csvPieces(parts, 16 * 1024)]
      expect(pieces.join('')).toBe(text)
      expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(QUOTED_PIECE_MAX_CHARS + longestLine)
    }
  })

  it('parses as the same file with the inch mark in that name (a quote inside an unquoted cell is a character)', async () => {
    const [withMark, without] = [await parseCsv(text, 'meta'), await parseCsv(clean, 'meta')]
    expect(withMark.errors).toEqual([])
    expect(withMark.rows).toHaveLength(without.rows.length)
    const marked = withMark.rows.filter((r) => r.ad.name.includes('12" '))
    expect(marked.map((r) => r.line)).toEqual([at + 1])
    const strip = (rows: typeof without.rows): unknown[] =>
      rows.map((r) => ({ ...r, ad: r.ad.name.replace('12" ', '') }))
    expect(strip(withMark.rows)).toEqual(strip(without.rows))
  })
})
