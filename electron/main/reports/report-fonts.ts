import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { jsPDF } from 'jspdf'

/**
 * Fonts of a report. The embedded face (DejaVu Sans, shipped in resources/fonts) covers Latin with
 * €, £, ł, ğ, ß, Greek, Cyrillic and Arabic; jsPDF embeds only the glyphs a report uses. Text in a
 * script it lacks (CJK above all) is drawn with a TrueType fallback found on the machine, or reported
 * in the generation result when there is none: never silently dropped.
 */
export const BODY_FONT = 'Body'
export const FALLBACK_FONT = 'Fallback'

/** TrueType (not .ttc/.otf: jsPDF embeds glyf-outline TTF only) faces with CJK coverage, by OS. */
const FALLBACK_CANDIDATES = [
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  '/usr/share/fonts/truetype/arphic/uming.ttf',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttf',
  '/usr/share/fonts/truetype/unifont/unifont.ttf',
  '/Library/Fonts/Arial Unicode.ttf',
  '/System/Library/Fonts/Supplemental/Arial Unicode.ttf',
  'C:\\Windows\\Fonts\\ARIALUNI.TTF',
  'C:\\Windows\\Fonts\\simhei.ttf',
]

interface FontFiles {
  regular: string
  bold: string
  fallback: string | null
}

const cache = new Map<string, string>()
function base64(path: string): string {
  let b = cache.get(path)
  if (!b) {
    b = readFileSync(path).toString('base64')
    cache.set(path, b)
  }
  return b
}

export function fontFiles(resourcesDir: string, fallbackOverride?: string | null): FontFiles {
  const dir = join(resourcesDir, 'fonts')
  const regular = join(dir, 'DejaVuSans.ttf')
  const bold = join(dir, 'DejaVuSans-Bold.ttf')
  if (!existsSync(regular) || !existsSync(bold)) {
    throw new Error(`The report fonts are missing from ${dir}; reinstall the app`)
  }
  const fallback =
    fallbackOverride !== undefined ? fallbackOverride : (FALLBACK_CANDIDATES.find((p) => existsSync(p)) ?? null)
  return { regular, bold, fallback }
}

/** Registers the fonts on a document and returns a glyph checker for the body font. */
export class ReportFonts {
  private readonly bodyMap: Record<number, number>
  /** undefined: not loaded yet (a fallback face is parsed only for a report that needs it). */
  private fallbackMap: Record<number, number> | null | undefined
  /** Texts whose characters neither font has (reported once each). */
  readonly missing = new Set<string>()
  /** Texts drawn with the fallback font. */
  fallbackUsed = 0

  /** The fallback face this report loaded (null: none on this machine, or none needed). */
  get fallbackFile(): string | null {
    return this.fallbackMap ? this.files.fallback : null
  }

  constructor(
    private readonly doc: jsPDF,
    private readonly files: FontFiles,
  ) {
    doc.addFileToVFS('body.ttf', base64(files.regular))
    doc.addFont('body.ttf', BODY_FONT, 'normal')
    doc.addFileToVFS('body-bold.ttf', base64(files.bold))
    doc.addFont('body-bold.ttf', BODY_FONT, 'bold')
    doc.setFont(BODY_FONT, 'normal')
    this.bodyMap = codeMap(doc)
    this.fallbackMap = files.fallback ? undefined : null
  }

  /**
   * The fallback face's glyphs, registering it on first use: a system CJK face is megabytes to
   * parse (Arial Unicode 23 MB), and most reports never need it.
   */
  private fallback(): Record<number, number> | null {
    if (this.fallbackMap !== undefined) return this.fallbackMap
    this.fallbackMap = null
    const doc = this.doc
    const { fontName, fontStyle } = doc.getFont()
    try {
      doc.addFileToVFS('fallback.ttf', base64(this.files.fallback as string))
      doc.addFont('fallback.ttf', FALLBACK_FONT, 'normal')
      doc.addFont('fallback.ttf', FALLBACK_FONT, 'bold')
      doc.setFont(FALLBACK_FONT, 'normal')
      this.fallbackMap = codeMap(doc)
    } catch {
      this.fallbackMap = null
    }
    doc.setFont(fontName, fontStyle)
    return this.fallbackMap
  }

  /**
   * `text` as it can be printed: unchanged when the body or the fallback font covers it; otherwise
   * each run of characters no font has becomes UNPRINTABLE_MARK (the original is listed in the
   * result's warnings), so a CJK name without a CJK font reads "[?] 2026 Sale", not " 2026 Sale".
   */
  printable(text: string): string {
    if (covered(this.bodyMap, text)) return text
    const fallback = this.fallback()
    if (fallback && covered(fallback, text)) return text
    this.missing.add(text)
    let out = ''
    let inRun = false
    for (const ch of text) {
      const ok = covered(this.bodyMap, ch)
      if (ok) out += ch
      else if (!inRun) out += UNPRINTABLE_MARK
      inRun = !ok
    }
    const marked = out.split(/\[\?\](?:\s+\[\?\])+/).join(UNPRINTABLE_MARK)
    return marked.replaceAll(UNPRINTABLE_MARK, '').trim() === '' ? UNPRINTABLE_NAME : marked
  }

  /** The font family that can draw `text`, noting text that no font can (unless only measuring). */
  familyFor(text: string, measuring = false): string {
    if (covered(this.bodyMap, text)) return BODY_FONT
    // Measuring alone never loads the fallback: ECharts measures a sample CJK glyph ("国") for its
    // line heights, and a loaded face is embedded whether or not anything is drawn with it.
    if (measuring && this.fallbackMap === undefined) return BODY_FONT
    const fallback = this.fallback()
    if (fallback && covered(fallback, text)) {
      if (!measuring) this.fallbackUsed++
      return FALLBACK_FONT
    }
    if (!measuring) this.missing.add(text)
    return BODY_FONT
  }
}

/** Marks the characters of a run no font covers (never blank, never boxes). */
export const UNPRINTABLE_MARK = '[?]'
/** What a text with nothing printable reads as. */
export const UNPRINTABLE_NAME = '[name not printable]'

function codeMap(doc: jsPDF): Record<number, number> {
  const font = (
    doc as unknown as { getFont(): { metadata: { cmap: { unicode: { codeMap: Record<number, number> } } } } }
  ).getFont()
  return font.metadata.cmap.unicode.codeMap
}

function covered(map: Record<number, number>, text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number
    if (cp < 0x20 || cp === 0x200b) continue
    if (!map[cp]) return false
  }
  return true
}
