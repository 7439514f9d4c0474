import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jsPDF } from 'jspdf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatMoney, microsToDecimalString } from '../../../shared/domain/money'
import { addDays } from '../../../shared/domain/dates'
import { formatCount } from '../../../shared/domain/format'
import { KIND_LABELS } from '../../../shared/domain/recommendations'
import { createTestCore, TEST_CALLER } from '../test-support'
import type { Core } from '../core'
import { reportCreativesReader } from './report-creatives'
import { ReportService } from './report-service'
import { drawSvg, parseColor, parseTransform, UnsupportedSvgError } from './svg-pdf'
import { ReportTestRepo } from '../store/repos/testing'

const RESOURCES = join(import.meta.dirname, '../../../resources')
const NAMES = ['Été € Promo — Łódź', 'Кампания Москва', 'Καμπάνια Αθήνα', 'Straße & Ğüzel £']

let core: Core
let dir: string
let service: ReportService
let range: { from: string; to: string }

function pdftotext(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

/** Pages as 8-bit grey images (PGM) at 36 dpi: [width, height, pixels] each. */
function pages(file: string): { w: number; h: number; px: Buffer }[] {
  const out = mkdtempSync(join(tmpdir(), 'me-pgm-'))
  execFileSync('pdftoppm', ['-gray', '-r', '36', file, join(out, 'p')])
  const list = readdirSync(out)
    .filter((f) => f.endsWith('.pgm'))
    .sort()
    .map((f) => {
      const buf = readFileSync(join(out, f))
      // P5\n<w> <h>\n255\n<bytes>
      const header = buf.toString('latin1', 0, 40).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/)
      if (!header) throw new Error(`not a PGM: ${f}`)
      const [all, w, h] = header
      return { w: Number(w), h: Number(h), px: buf.subarray(all.length) }
    })
  rmSync(out, { recursive: true, force: true })
  return list
}

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 16, days: 120 } })
  const job = core.startupJobId
  if (job === null) throw new Error('no demo job')
  const done = await core.jobs.waitFor(job)
  expect(done.status).toBe('succeeded')
  dir = mkdtempSync(join(tmpdir(), 'me-report-'))
  service = new ReportService({
    dispatch: core.dispatch,
    creatives: reportCreativesReader(core.services.analytics, core.store.sqlite),
    resourcesDir: RESOURCES,
    dataDir: dir,
    now: () => core.platform.clock.now(),
  })
  const repo = new ReportTestRepo(core.store.sqlite)
  repo.renameTopCampaigns(NAMES)
  const last = repo.lastDate()
  range = { from: `${last.slice(0, 7)}-01`, to: last }
  if (range.from === range.to)
    range.from = `${last.slice(0, 5)}${String(Number(last.slice(5, 7)) - 1).padStart(2, '0')}-01`
}, 120_000)

afterAll(async () => {
  await core?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('PDF reports', () => {
  it('prints the dashboard figures to the cent and every campaign name exactly', async () => {
    const r = await service.generate(
      { workspaceId: 1, template: 'monthly', range, commentary: 'Strong month for prospecting.' },
      TEST_CALLER,
      join(dir, 'monthly.pdf'),
    )
    expect(r.pages).toBeGreaterThanOrEqual(5)
    expect(r.charts).toBeGreaterThanOrEqual(4)
    expect(r.rasterCharts).toBe(0)
    expect(r.warnings).toEqual([])
    const text = pdftotext(r.file)
    const summary = await core.dispatch('dashboard:getSummary', { workspaceId: 1, range }, TEST_CALLER)
    if (!summary.ok) throw new Error(summary.error.message)
    const s = summary.value as {
      currency: string
      totals: { spendMicros: number; revenueMicros: number; conversions: number }
    }
    expect(text).toContain(formatMoney(s.totals.spendMicros, s.currency))
    expect(text).toContain(formatMoney(s.totals.revenueMicros, s.currency))
    expect(text).toContain(formatCount(s.totals.conversions))
    for (const name of NAMES) expect(text).toContain(name)
    expect(text).toContain('Strong month for prospecting.')
    // A contents page once the report runs past four pages, and "Page x of y" on every page.
    if (r.pages > 4) expect(text).toContain('Contents')
    expect(text).toContain(`Page ${r.pages} of ${r.pages}`)
  })

  it('matches the raw sums of the stored rows for one account (independent of the dashboard code)', async () => {
    const repo = new ReportTestRepo(core.store.sqlite)
    const account = repo.firstAccount()
    const raw = repo.rawTotals(account.id, range)
    const r = await service.generate(
      { workspaceId: 1, template: 'weekly', range, accountIds: [account.id] },
      TEST_CALLER,
      join(dir, 'one-account.pdf'),
    )
    const text = pdftotext(r.file)
    // One account in its own currency: no conversion, so the printed spend is the stored micros.
    const spend = formatMoney(raw.spend, account.currency)
    expect(text).toContain(spend)
    expect(Number(microsToDecimalString(raw.spend))).toBeGreaterThan(0)
  })

  it('draws every page, and nothing outside the margins', async () => {
    // The longest footer text branding allows (200 characters) wraps above the generation line.
    const footerText =
      `Confidential · prepared for Acme Retail GmbH by the performance team. ${'Not for distribution. '.repeat(6)}`
        .slice(0, 200)
        .trim()
    const r = await service.generate(
      { workspaceId: 1, template: 'monthly', range, branding: { footerText } },
      TEST_CALLER,
      join(dir, 'm.pdf'),
    )
    expect(pdftotext(r.file).replace(/\s+/g, ' ')).toContain(footerText.slice(0, 60))
    const imgs = pages(r.file)
    expect(imgs.length).toBe(r.pages)
    // 40 pt margins at 36 dpi = 20 px; allow 1 px of anti-aliasing.
    const margin = Math.floor((40 * 36) / 72) - 1
    for (const [i, { w, h, px }] of imgs.entries()) {
      let ink = 0
      let outside = 0
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if ((px[y * w + x] as number) < 245) {
            ink++
            if (x < margin || y < margin || x >= w - margin || y >= h - margin) outside++
          }
        }
      }
      expect(ink, `page ${i + 1} is blank`).toBeGreaterThan(500)
      expect(outside, `page ${i + 1} draws outside its margins`).toBe(0)
    }
  })

  it('says so when the range has no data instead of drawing empty charts', async () => {
    const r = await service.generate(
      { workspaceId: 1, template: 'weekly', range: { from: '2020-01-06', to: '2020-01-12' } },
      TEST_CALLER,
      join(dir, 'empty.pdf'),
    )
    expect(r.charts).toBe(0)
    const text = pdftotext(r.file)
    expect(text).toContain('No spend or delivery in this period')
  })

  it('refuses a broken logo with a clear error and writes no file', async () => {
    const bad = join(dir, 'logo.png')
    writeFileSync(bad, Buffer.from('\x89PNG\r\n\x1a\n garbage that is not an image', 'latin1'))
    const out = join(dir, 'logo-report.pdf')
    await expect(
      service.generate({ workspaceId: 1, template: 'executive', range, branding: { logoPath: bad } }, TEST_CALLER, out),
    ).rejects.toThrow(/logo file .* (not a valid PNG|damaged PNG)/)
    expect(existsSync(out)).toBe(false)
    const txt = join(dir, 'logo.gif')
    writeFileSync(txt, 'GIF89a')
    await expect(
      service.generate({ workspaceId: 1, template: 'executive', range, branding: { logoPath: txt } }, TEST_CALLER, out),
    ).rejects.toThrow(/PNG or SVG/)
  })

  it('brands the cover with an SVG logo and the company name', async () => {
    const logo = join(dir, 'logo.svg')
    writeFileSync(
      logo,
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" rx="6" fill="#0a7"/><circle cx="20" cy="20" r="12" fill="#fff"/></svg>',
    )
    const r = await service.generate(
      {
        workspaceId: 1,
        template: 'executive',
        range,
        branding: { companyName: 'Acme Retail', logoPath: logo, primaryColor: '#7c2d12', footerText: 'Confidential' },
      },
      TEST_CALLER,
      join(dir, 'brand.pdf'),
    )
    const text = pdftotext(r.file)
    expect(text).toContain('ACME RETAIL')
    expect(text).toContain('Confidential')
  })

  it('reports text in a script the embedded font lacks when no fallback font exists', async () => {
    const repo = new ReportTestRepo(core.store.sqlite)
    repo.renameTopCampaigns(['春季促销 东京', 'Sale 春季 2026'])
    const r = await new ReportService({
      dispatch: core.dispatch,
      creatives: reportCreativesReader(core.services.analytics, core.store.sqlite),
      resourcesDir: RESOURCES,
      dataDir: dir,
      now: () => core.platform.clock.now(),
      fallbackFont: null,
    }).generate({ workspaceId: 1, template: 'monthly', range }, TEST_CALLER, join(dir, 'cjk.pdf'))
    expect(r.warnings.join(' ')).toMatch(/春季促销 东京.*lacks|lacks.*春季促销 东京/s)
    // Marked in the PDF, never a blank cell: the printable part stays, the rest is "[?]".
    const text = pdftotext(join(dir, 'cjk.pdf'))
    expect(text).toContain('[name not printable]')
    expect(text).toContain('Sale [?] 2026')
    repo.renameTopCampaigns(NAMES)
  })

  it("lists the creatives section's ads exactly as the Creatives page's list, cut to the ads it shows", async () => {
    const read = reportCreativesReader(core.services.analytics, core.store.sqlite)
    // The report's range, and one over three months (rates per month).
    const long = { from: addDays(range.from, -70), to: range.to }
    for (const [r, limit] of [
      [range, 1],
      [range, 5],
      [range, 60],
      [long, 7],
    ] as const) {
      const page = await core.dispatch('analytics:listCreatives', { workspaceId: 1, range: r, limit }, TEST_CALLER)
      if (!page.ok) throw new Error(page.error.message)
      const mine = read(1, r, limit)
      expect(mine.rows.length).toBeGreaterThan(0)
      expect(mine).toEqual(page.value)
    }
    // Two currencies in the demo: the ranking converts before it orders.
    expect(read(1, range, 5).convertedFrom.length).toBeGreaterThan(0)
  })

  it('lists the open recommendations with their kind and weekly impact interval, highest priority first', async () => {
    const gen = await core.dispatch('recommendations:generate', { workspaceId: 1 }, TEST_CALLER)
    if (!gen.ok) throw new Error(gen.error.message)
    const env = await core.dispatch('recommendations:list', { workspaceId: 1, states: ['new'] }, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    const items = (
      env.value as { items: { title: string; kind: keyof typeof KIND_LABELS; body: { summary: string } }[] }
    ).items
    expect(items.length).toBeGreaterThan(0)
    const r = await service.generate(
      { workspaceId: 1, template: 'weekly', range, sections: ['kpis', 'recommendations'] },
      TEST_CALLER,
      join(dir, 'recs.pdf'),
    )
    const text = execFileSync('pdftotext', [r.file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    expect(text).toContain('Recommendations')
    const first = items[0] as (typeof items)[number]
    expect(text).toContain(KIND_LABELS[first.kind])
    expect(text).toContain(first.body.summary.slice(0, 40))
    expect(text).not.toContain('No open recommendations')
  })

  it('prints Arabic campaign names with the embedded font, shaped and readable', async () => {
    const repo = new ReportTestRepo(core.store.sqlite)
    repo.renameTopCampaigns(['حملة الصيف 2026', 'تخفيضات الجمعة'])
    try {
      const r = await service.generate(
        { workspaceId: 1, template: 'monthly', range, sections: ['top_campaigns', 'campaign_table'] },
        TEST_CALLER,
        join(dir, 'arabic.pdf'),
      )
      expect(r.warnings).toEqual([])
      const text = execFileSync('pdftotext', [r.file, '-'], { encoding: 'utf8' })
      // Shaped (presentation forms, joined letters) in reading order everywhere: the chart's label and
      // the table's cell. Letters drawn left to right in logical order would read back reversed.
      const lines = text.normalize('NFKC').split('\n')
      const arabic = lines.filter((l) => /[\u0600-\u06ff]/.test(l))
      expect(arabic.filter((l) => l.includes('حملة الصيف')).length).toBeGreaterThanOrEqual(2)
      expect(arabic.filter((l) => l.includes('فيصلا ةلمح'))).toEqual([])
      expect(text).toContain('ﺣﻤﻠﺔ')
    } finally {
      repo.renameTopCampaigns(NAMES)
    }
  })

  // Debian's fonts-droid-fallback (installed by .ci/run): the system CJK face the report falls back to.
  const droid = '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf'
  it.runIf(existsSync(droid))('draws CJK names with a system fallback font found on the machine', async () => {
    const repo = new ReportTestRepo(core.store.sqlite)
    repo.renameTopCampaigns(['春季促销 东京', '夏のセール 大阪', '여름 세일'])
    try {
      const r = await service.generate(
        { workspaceId: 1, template: 'monthly', range, sections: ['top_campaigns', 'campaign_table'] },
        TEST_CALLER,
        join(dir, 'cjk-fallback.pdf'),
      )
      const text = pdftotext(r.file)
      for (const name of ['春季促销 东京', '夏のセール 大阪']) expect(text).toContain(name)
      // Droid Sans Fallback has no Hangul: the Korean name is marked and reported, naming the font tried.
      expect(text).toContain('[name not printable]')
      expect(r.warnings).toHaveLength(1)
      expect(r.warnings[0]).toContain('"여름 세일"')
      expect(r.warnings[0]).toContain(`nor the fallback font ${droid} has`)
      expect(execFileSync('pdffonts', [r.file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toMatch(
        /^Fallback +CID TrueType +Identity-H +yes/m,
      )
    } finally {
      repo.renameTopCampaigns(NAMES)
    }
  })

  it('lets a viewer render a report (it only reads)', async () => {
    const viewer = { ...TEST_CALLER, principal: { ...TEST_CALLER.principal, role: 'viewer' as const } }
    const r = await service.generate({ workspaceId: 1, template: 'executive', range }, viewer, join(dir, 'viewer.pdf'))
    expect(r.pages).toBeGreaterThanOrEqual(2)
  })
})

describe('ECharts SVG to PDF', () => {
  it('parses colours and transforms', () => {
    expect(parseColor('#0f9f8f33')).toEqual({ r: 15, g: 159, b: 143, a: 0.2 })
    expect(parseColor('rgba(165, 90, 6, 0.07)')).toEqual({ r: 165, g: 90, b: 6, a: 0.07 })
    expect(parseColor('none')).toBeNull()
    expect(parseTransform('translate(10 20) scale(2)')).toEqual([2, 0, 0, 2, 10, 20])
    expect(() => parseColor('hsl(10, 20%, 30%)')).toThrow(UnsupportedSvgError)
  })

  it('refuses what it cannot draw so the caller falls back to a PNG', () => {
    const doc = new jsPDF({ unit: 'pt' })
    expect(() =>
      drawSvg(doc, '<svg width="10" height="10"><image href="x.png" width="10" height="10"/></svg>', {
        x: 0,
        y: 0,
        width: 100,
        fonts: { family: 'helvetica' },
      }),
    ).toThrow(UnsupportedSvgError)
  })
})
