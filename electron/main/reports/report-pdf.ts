import { Resvg } from '@resvg/resvg-js'
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { jsPDF } from 'jspdf'
import { autoTable, type RowInput, type UserOptions } from 'jspdf-autotable'
import type { EChartsOption } from 'echarts'
import {
  computeDelta,
  formatCount,
  formatKpi,
  formatPercent,
  formatRange,
  formatRoas,
  formatShortDate,
  KPI_LABELS,
  KPI_ORDER,
} from '../../../shared/domain/format'
import { PLATFORM_LABELS } from '../../../shared/domain/entities'
import { KIND_LABELS } from '../../../shared/domain/recommendations'
import { formatMoney } from '../../../shared/domain/money'
import type { Kpis } from '../../../shared/domain/metrics'
import {
  REPORT_SECTION_TITLES,
  REPORT_TEMPLATE_TITLES,
  type ParsedReportSpec,
  type ReportSection,
} from '../../../shared/domain/reports'
import { AppError } from '../../../shared/ipc/result'
import {
  conversionsOption,
  fatigueOption,
  pacingOption,
  platformWeeksOption,
  platformOption,
  renderChartSvg,
  reportPalette,
  roasOption,
  trendOption,
  useTextMetrics,
} from './report-charts'
import type { ReportData } from './report-data'
import { BODY_FONT, fontFiles, ReportFonts } from './report-fonts'
import { drawSvg, UnsupportedSvgError } from './svg-pdf'

export interface RenderOptions {
  resourcesDir: string
  /** Generation time (from the core's clock). */
  now: Date
  /** Override the system fallback font (tests); null = none. */
  fallbackFont?: string | null
}

export interface RenderedReport {
  pdf: Uint8Array
  pages: number
  charts: number
  rasterCharts: number
  warnings: string[]
}

const DEFAULT_PRIMARY = '#3b47c4'
const DEFAULT_ACCENT = '#0f9f8f'
const INK = '#111827'
const MUTED = '#4b5563'
const FAINT = '#9ca3af'
const RULE = '#e5e7eb'
const POSITIVE = '#047857'
const NEGATIVE = '#b91c1c'

/** Page geometry in points. Everything, header and footer included, stays inside `MARGIN`. */
const MARGIN = 40
const HEADER_H = 26
const FOOTER_H = 24
/** Size and line height of the footer's text. */
const FOOTER_SIZE = 7
const FOOTER_LINE = 8.5

function rgb(hex: string): [number, number, number] {
  const h = hex.replace('#', '')
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)]
}

/** Checks a logo file: a PNG with a valid signature and size, or an SVG that parses. Throws a specific error. */
export function loadLogo(
  path: string,
): { kind: 'png'; data: Uint8Array; w: number; h: number } | { kind: 'svg'; svg: string; w: number; h: number } {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new AppError('VALIDATION', `The logo file ${path} cannot be read: ${(err as Error).message}`)
  }
  const ext = extname(path).toLowerCase()
  if (ext === '.png') {
    const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
    if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b) || bytes.toString('ascii', 12, 16) !== 'IHDR') {
      throw new AppError('VALIDATION', `The logo file ${path} is not a valid PNG image`)
    }
    const w = bytes.readUInt32BE(16)
    const h = bytes.readUInt32BE(20)
    if (!w || !h || w > 8000 || h > 8000)
      throw new AppError('VALIDATION', `The logo ${path} has an unusable size (${w}×${h})`)
    try {
      // Decode it once the way jsPDF will, so a truncated file fails here and not inside a half-built PDF.
      new jsPDF().addImage(new Uint8Array(bytes), 'PNG', 0, 0, 10, 10)
    } catch (err) {
      throw new AppError('VALIDATION', `The logo file ${path} is a damaged PNG: ${(err as Error).message}`)
    }
    return { kind: 'png', data: new Uint8Array(bytes), w, h }
  }
  if (ext === '.svg') {
    const svg = bytes.toString('utf8')
    try {
      const r = new Resvg(svg)
      return { kind: 'svg', svg, w: r.width, h: r.height }
    } catch (err) {
      throw new AppError('VALIDATION', `The logo file ${path} is not a valid SVG: ${(err as Error).message}`)
    }
  }
  throw new AppError('VALIDATION', `The logo must be a PNG or SVG file, not "${ext || 'no extension'}"`)
}

interface Heading {
  title: string
  page: number
}

/** Lays a report out page by page with jsPDF: cover, optional contents, sections, header and footer. */
class ReportDoc {
  readonly doc: jsPDF
  readonly fonts: ReportFonts
  readonly pageW: number
  readonly pageH: number
  readonly contentW: number
  readonly top = MARGIN + HEADER_H
  readonly bottom: number
  /** The branding's footer text wrapped to the footer's width (above the generation line). */
  readonly footerLines: string[]
  y = 0
  charts = 0
  rasterCharts = 0
  readonly headings: Heading[] = []
  readonly primary: string
  readonly accent: string

  readonly data: ReportData

  constructor(
    readonly spec: ParsedReportSpec,
    raw: ReportData,
    readonly opts: RenderOptions,
  ) {
    const data = raw
    this.doc = new jsPDF({ unit: 'pt', format: spec.paper, orientation: spec.orientation, compress: true })
    this.doc.setProperties({
      title: `${REPORT_TEMPLATE_TITLES[spec.template]} — ${data.workspace.name}`,
      subject: formatRange(spec.range),
      creator: 'Marketing Engine',
    })
    this.fonts = new ReportFonts(this.doc, fontFiles(opts.resourcesDir, opts.fallbackFont))
    // Names no embedded or fallback font can draw would print as blanks: mark them instead.
    this.data = printableNames(raw, (t) => this.fonts.printable(t))
    this.pageW = this.doc.internal.pageSize.getWidth()
    this.pageH = this.doc.internal.pageSize.getHeight()
    this.contentW = this.pageW - 2 * MARGIN
    const footer = spec.branding?.footerText?.trim()
    if (footer) {
      this.doc.setFont(this.fonts.familyFor(footer, true), 'normal')
      this.doc.setFontSize(FOOTER_SIZE)
      // 200 characters at most (the schema): three lines hold them on any paper.
      this.footerLines = (this.doc.splitTextToSize(footer, this.contentW - 70) as string[]).slice(0, 3)
    } else this.footerLines = []
    this.bottom = this.pageH - MARGIN - FOOTER_H - FOOTER_LINE * this.footerLines.length
    const doc = this.doc
    useTextMetrics((text, size, bold) => {
      doc.setFont(this.fonts.familyFor(text, true), bold ? 'bold' : 'normal')
      return doc.getStringUnitWidth(text) * size
    })
    this.primary = spec.branding?.primaryColor ?? DEFAULT_PRIMARY
    this.accent = spec.branding?.accentColor ?? DEFAULT_ACCENT
  }

  get currency(): string {
    return this.data.summary.currency
  }

  // -- primitives ---------------------------------------------------------------------------------

  text(
    s: string,
    x: number,
    y: number,
    o: { size?: number; bold?: boolean; color?: string; align?: 'left' | 'right' | 'center'; maxWidth?: number } = {},
  ): void {
    const d = this.doc
    d.setFont(this.fonts.familyFor(s), o.bold ? 'bold' : 'normal')
    d.setFontSize(o.size ?? 10)
    d.setTextColor(...rgb(o.color ?? INK))
    d.text(s, x, y, {
      align: o.align ?? 'left',
      baseline: 'alphabetic',
      ...(o.maxWidth ? { maxWidth: o.maxWidth } : {}),
    })
  }

  /** Wraps `s` to the content width and returns the height used. */
  paragraph(s: string, o: { size?: number; color?: string; width?: number } = {}): number {
    const size = o.size ?? 10
    this.doc.setFont(this.fonts.familyFor(s), 'normal')
    this.doc.setFontSize(size)
    const lines = this.doc.splitTextToSize(s, o.width ?? this.contentW) as string[]
    const lh = size * 1.4
    for (const line of lines) {
      this.ensure(lh)
      this.text(line, MARGIN, this.y + size, { size, color: o.color ?? INK })
      this.y += lh
    }
    return lines.length * lh
  }

  newPage(): void {
    this.doc.addPage(this.spec.paper, this.spec.orientation)
    this.y = this.top + 6
  }

  ensure(h: number): void {
    if (this.y + h > this.bottom) this.newPage()
  }

  /** `need`: height of the first block under the heading, so a heading never sits alone at the foot of a page. */
  heading(section: ReportSection, need: number): void {
    this.ensure(Math.min(need, this.bottom - this.top - 60) + 48)
    if (this.y > this.top + 10) this.y += 14
    const title = REPORT_SECTION_TITLES[section]
    this.headings.push({ title, page: this.doc.getNumberOfPages() })
    this.text(title, MARGIN, this.y + 15, { size: 15, bold: true, color: this.primary })
    this.y += 22
    this.doc.setDrawColor(...rgb(RULE))
    this.doc.setLineWidth(0.6)
    this.doc.line(MARGIN, this.y, MARGIN + this.contentW, this.y)
    this.y += 12
  }

  note(s: string): void {
    this.paragraph(s, { size: 8.5, color: MUTED })
    this.y += 2
  }

  /** An honest empty state instead of an empty chart or table. */
  emptyBox(message: string): void {
    this.ensure(46)
    const d = this.doc
    d.setFillColor(...rgb('#f9fafb'))
    d.setDrawColor(...rgb(RULE))
    d.setLineWidth(0.6)
    d.roundedRect(MARGIN, this.y, this.contentW, 40, 4, 4, 'FD')
    this.text(message, MARGIN + this.contentW / 2, this.y + 24, { size: 10, color: MUTED, align: 'center' })
    this.y += 50
  }

  chart(option: EChartsOption, heightRatio: number, caption: string): void {
    const w = this.contentW
    const h = w * heightRatio
    this.ensure(h + 24)
    // Drawn at 1.25 px per point so ECharts' 11 px labels print at about 9 pt.
    const pxW = Math.round(w * 1.25)
    const pxH = Math.round(h * 1.25)
    const svg = renderChartSvg(option, pxW, pxH, 'DejaVu Sans, sans-serif')
    try {
      drawSvg(this.doc, svg, {
        x: MARGIN,
        y: this.y,
        width: w,
        fonts: { family: BODY_FONT, familyFor: (t) => this.fonts.familyFor(t) },
      })
    } catch (err) {
      if (!(err instanceof UnsupportedSvgError)) throw err
      this.rasterChart(svg, w, h)
    }
    this.charts++
    this.y += h + 4
    this.note(caption)
  }

  /** A chart the vector path cannot draw, as a 3x PNG rendered by resvg with the report's font. */
  rasterChart(svg: string, w: number, h: number): void {
    const png = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: 3 },
      font: {
        fontFiles: [fontFiles(this.opts.resourcesDir, null).regular],
        loadSystemFonts: false,
        defaultFontFamily: 'DejaVu Sans',
      },
    })
      .render()
      .asPng()
    this.doc.addImage(new Uint8Array(png), 'PNG', MARGIN, this.y, w, h, undefined, 'FAST')
    this.rasterCharts++
  }

  table(head: string[], body: RowInput[], o: { rightFrom?: number; widths?: Record<number, number> } = {}): void {
    const rightFrom = o.rightFrom ?? 1
    const columnStyles: UserOptions['columnStyles'] = {}
    head.forEach((_, i) => {
      columnStyles[i] = {
        halign: i >= rightFrom ? 'right' : 'left',
        ...(o.widths?.[i] ? { cellWidth: o.widths[i] } : {}),
      }
    })
    const fonts = this.fonts
    // Start a table where its header and a few rows fit, never with one orphaned row.
    this.ensure(24 + Math.min(body.length, 4) * 17)
    autoTable(this.doc, {
      head: [head],
      body,
      startY: this.y,
      margin: { left: MARGIN, right: MARGIN, top: this.top + 6, bottom: this.pageH - this.bottom },
      theme: 'striped',
      showHead: 'everyPage',
      rowPageBreak: 'avoid',
      styles: {
        font: BODY_FONT,
        fontSize: 8,
        cellPadding: 3.5,
        textColor: rgb(INK),
        overflow: 'linebreak',
        lineColor: rgb(RULE),
        // jsPDF's own defaults: autotable's explicit bidi flags (isInputRtl false, ...) drew Arabic
        // names with their letters in reverse order; doc.text() without them shapes and orders them.
        textOptions: {},
      },
      headStyles: { fillColor: rgb(this.primary), textColor: [255, 255, 255], fontStyle: 'bold' },
      alternateRowStyles: { fillColor: [247, 248, 250] },
      columnStyles,
      didParseCell: (c) => {
        // Names in a script the body font lacks are drawn with the fallback face.
        const raw = Array.isArray(c.cell.text) ? c.cell.text.join(' ') : String(c.cell.text)
        const fam = fonts.familyFor(raw)
        if (fam !== BODY_FONT) c.cell.styles.font = fam
      },
    })
    this.y = (this.doc as unknown as { lastAutoTable: { finalY: number } }).lastAutoTable.finalY + 10
  }

  // -- cover, contents, header and footer ------------------------------------------------------------

  cover(logo: ReturnType<typeof loadLogo> | null): void {
    const d = this.doc
    const s = this.spec
    const band = 210
    d.setFillColor(...rgb(this.primary))
    d.roundedRect(MARGIN, MARGIN, this.contentW, band, 6, 6, 'F')
    let ty = MARGIN + 40
    if (logo) {
      const maxH = 44
      const maxW = 160
      const k = Math.min(maxW / logo.w, maxH / logo.h)
      const lw = logo.w * k
      const lh = logo.h * k
      // A white plate keeps any logo legible on the brand colour.
      d.setFillColor(255, 255, 255)
      d.roundedRect(MARGIN + 24, MARGIN + 22, lw + 16, lh + 12, 4, 4, 'F')
      if (logo.kind === 'png') d.addImage(logo.data, 'PNG', MARGIN + 32, MARGIN + 28, lw, lh)
      else {
        try {
          drawSvg(d, logo.svg, { x: MARGIN + 32, y: MARGIN + 28, width: lw, fonts: { family: BODY_FONT } })
        } catch {
          const png = new Resvg(logo.svg, { fitTo: { mode: 'width', value: Math.round(lw * 4) } }).render().asPng()
          d.addImage(new Uint8Array(png), 'PNG', MARGIN + 32, MARGIN + 28, lw, lh)
        }
      }
      ty = MARGIN + 22 + lh + 12 + 34
    }
    const company = s.branding?.companyName
    if (company) this.text(company.toUpperCase(), MARGIN + 24, ty, { size: 10, bold: true, color: '#ffffff' })
    this.text(REPORT_TEMPLATE_TITLES[s.template], MARGIN + 24, ty + 34, { size: 26, bold: true, color: '#ffffff' })
    this.text(this.data.workspace.name, MARGIN + 24, ty + 58, { size: 13, color: '#ffffff' })

    let y = MARGIN + band + 40
    const line = (label: string, value: string): void => {
      this.text(label, MARGIN, y, { size: 9, color: MUTED })
      this.text(value, MARGIN + 120, y, { size: 10.5 })
      y += 20
    }
    line('Period', formatRange(s.range))
    if (this.data.summary.previousRange) line('Compared with', formatRange(this.data.summary.previousRange))
    line('Currency', this.currencyNote())
    line('Data through', this.freshness())
    line('Generated', this.generatedAt())

    // The headline numbers, so the cover alone answers "how did we do?".
    y += 16
    this.y = y
    const empty = this.data.summary.totals.spendMicros === 0 && this.data.summary.totals.impressions === 0
    if (empty) {
      this.emptyBox('No spend or delivery in this period.')
      return
    }
    this.kpiTiles(['spend', 'revenue', 'roas', 'conversions'])
    this.y += 8
    this.paragraph(this.headline(), { size: 11 })
  }

  /** One sentence a reader can forward: spend, revenue and ROAS with their change. */
  headline(): string {
    const s = this.data.summary
    const part = (key: 'spend' | 'revenue' | 'roas' | 'cpa', label: string): string => {
      const value = formatKpi(key, s.kpis[key], this.currency)
      if (!s.previousKpis) return `${label} ${value}`
      const d = computeDelta(key, s.kpis[key], s.previousKpis[key])
      if (d.ratio === null) return `${label} ${value}`
      const verb =
        d.direction === 'flat'
          ? 'held at'
          : d.direction === 'up'
            ? `rose ${d.label.slice(1)} to`
            : `fell ${d.label.slice(1)} to`
      return `${label} ${verb} ${value}`
    }
    const parts = [part('spend', 'Spend'), part('revenue', 'revenue'), part('roas', 'ROAS')]
    if (s.kpis.cpa !== null) parts.push(part('cpa', 'cost per acquisition'))
    const last = parts.pop() as string
    return `${parts.join(', ')} and ${last}${s.previousRange ? ` compared with ${formatRange(s.previousRange)}` : ''}.`
  }

  currencyNote(): string {
    const from = this.data.summary.convertedFrom
    return from.length ? `${this.currency} (${from.join(', ')} converted at monthly rates)` : this.currency
  }

  freshness(): string {
    const last = this.data.lastDataDate
    const prov = this.data.summary.provisionalDays
    const base = last ? formatShortDate(last) + `, ${last.slice(0, 4)}` : 'no data synced yet'
    return prov > 0 ? `${base} · ${prov} provisional day${prov === 1 ? '' : 's'} (may still change)` : base
  }

  generatedAt(): string {
    const n = this.opts.now
    return `${n.toISOString().slice(0, 10)} ${n.toISOString().slice(11, 16)} UTC`
  }

  /** Contents page (inserted as page 2) for reports longer than four pages. */
  contents(): void {
    const d = this.doc
    d.insertPage(2)
    d.setPage(2)
    this.headings.forEach((h) => (h.page += 1))
    let y = this.top + 24
    this.text('Contents', MARGIN, y, { size: 18, bold: true, color: this.primary })
    y += 26
    for (const h of this.headings) {
      this.text(h.title, MARGIN, y, { size: 11 })
      this.text(String(h.page), MARGIN + this.contentW, y, { size: 11, align: 'right', color: MUTED })
      d.setDrawColor(...rgb(RULE))
      d.setLineDashPattern([1, 2], 0)
      d.setLineWidth(0.5)
      d.setFont(BODY_FONT, 'normal')
      d.setFontSize(11)
      const tw = d.getTextWidth(h.title)
      d.line(MARGIN + tw + 6, y - 3, MARGIN + this.contentW - 24, y - 3)
      d.setLineDashPattern([], 0)
      d.link(MARGIN, y - 11, this.contentW, 15, { pageNumber: h.page })
      y += 20
    }
  }

  /** Header and footer on every page but the cover, drawn last so "Page X of Y" is right. */
  frame(): void {
    const d = this.doc
    const total = d.getNumberOfPages()
    const company = this.spec.branding?.companyName ?? 'Marketing Engine'
    const extra = FOOTER_LINE * this.footerLines.length
    for (let p = 1; p <= total; p++) {
      d.setPage(p)
      const fy = this.pageH - MARGIN
      if (p > 1) {
        this.text(company, MARGIN, MARGIN + 10, { size: 8.5, bold: true, color: this.primary })
        this.text(
          `${REPORT_TEMPLATE_TITLES[this.spec.template]} · ${formatRange(this.spec.range)}`,
          MARGIN + this.contentW,
          MARGIN + 10,
          {
            size: 8.5,
            color: MUTED,
            align: 'right',
          },
        )
        d.setDrawColor(...rgb(RULE))
        d.setLineWidth(0.6)
        d.line(MARGIN, MARGIN + 16, MARGIN + this.contentW, MARGIN + 16)
      }
      d.setDrawColor(...rgb(RULE))
      d.setLineWidth(0.6)
      d.line(MARGIN, fy - 14 - extra, MARGIN + this.contentW, fy - 14 - extra)
      // The branding's footer lines, then when and from which data the report was made: every line
      // stays above the bottom margin, however long the footer text.
      this.footerLines.forEach((line, i) =>
        this.text(line, MARGIN, fy - 2 - extra + FOOTER_LINE * i, { size: FOOTER_SIZE, color: MUTED }),
      )
      const left = `Generated ${this.generatedAt()}  ·  Data through ${this.freshness()}`
      this.text(left, MARGIN, fy - 2, { size: FOOTER_SIZE, color: FAINT, maxWidth: this.contentW - 70 })
      this.text(`Page ${p} of ${total}`, MARGIN + this.contentW, fy - 2, { size: 7.5, color: MUTED, align: 'right' })
    }
  }

  // -- sections ---------------------------------------------------------------------------------

  kpiTiles(keys: readonly (keyof Kpis & (typeof KPI_ORDER)[number])[]): void {
    const s = this.data.summary
    const cols = 4
    const gap = 10
    const w = (this.contentW - gap * (cols - 1)) / cols
    const h = 62
    const rows = Math.ceil(keys.length / cols)
    this.ensure(rows * (h + gap))
    keys.forEach((key, i) => {
      const x = MARGIN + (i % cols) * (w + gap)
      const y = this.y + Math.floor(i / cols) * (h + gap)
      const d = this.doc
      d.setFillColor(...rgb('#f8fafc'))
      d.setDrawColor(...rgb(RULE))
      d.setLineWidth(0.6)
      d.roundedRect(x, y, w, h, 4, 4, 'FD')
      d.setFillColor(...rgb(this.primary))
      d.rect(x, y + 8, 2.5, h - 16, 'F')
      this.text(KPI_LABELS[key].toUpperCase(), x + 12, y + 16, { size: 7.5, bold: true, color: MUTED })
      const value = formatKpi(key, s.kpis[key], this.currency)
      this.text(value, x + 12, y + 37, { size: value.length > 12 ? 12 : 15, bold: true })
      if (s.previousKpis) {
        const delta = computeDelta(key, s.kpis[key], s.previousKpis[key])
        const colour = delta.tone === 'positive' ? POSITIVE : delta.tone === 'negative' ? NEGATIVE : MUTED
        const arrow = delta.direction === 'up' ? '▲ ' : delta.direction === 'down' ? '▼ ' : ''
        const label = delta.ratio === null ? 'no comparison' : `${arrow}${delta.label} vs previous`
        this.text(label, x + 12, y + 52, { size: 7.5, color: colour })
      }
    })
    this.y += rows * (h + gap) + 2
  }

  section(section: ReportSection): void {
    const d = this.data
    const empty = d.summary.totals.spendMicros === 0 && d.summary.totals.impressions === 0
    const noData = 'No spend or delivery in this period: nothing to show here.'
    const p = reportPalette(this.primary, this.accent, 'DejaVu Sans')
    if (section === 'commentary' && !this.spec.commentary) return
    this.heading(section, this.firstBlockHeight(section, empty))
    switch (section) {
      case 'kpis': {
        this.kpiTiles(KPI_ORDER)
        const notes = [
          `Ratios are computed from summed spend, revenue, clicks and conversions, exactly as on the dashboard.`,
          d.summary.previousRange ? `Deltas compare with ${formatRange(d.summary.previousRange)}.` : '',
          d.summary.provisionalDays > 0
            ? `${d.summary.provisionalDays} day(s) of this period are still inside the platforms' restatement window and may change.`
            : '',
        ]
        this.note(notes.filter(Boolean).join(' '))
        break
      }
      case 'trend': {
        const pts = d.trend?.points ?? []
        if (empty || pts.length === 0) return this.emptyBox(noData)
        const prov = pts.filter((x) => x.provisional).length
        this.chart(
          trendOption(pts, this.currency, p),
          0.42,
          `Daily spend and revenue in ${this.currency}, account-local days.` +
            (prov ? ` The shaded band marks ${prov} provisional day(s).` : ''),
        )
        if (pts.some((x) => x.conversions > 0)) {
          this.chart(
            conversionsOption(pts, this.currency, p),
            0.36,
            `Daily conversions (bars) and cost per acquisition in ${this.currency} (line, right axis).`,
          )
        }
        break
      }
      case 'platforms': {
        const rows = (d.platforms?.rows ?? []).filter((r) => r.totals.spendMicros > 0 || r.totals.revenueMicros > 0)
        if (rows.length === 0) return this.emptyBox(noData)
        this.chart(
          platformOption(rows, this.currency, p),
          0.08 + 0.07 * rows.length,
          `Spend and revenue per platform in ${this.currency}.`,
        )
        const weeks = new Set((d.platformWeeks?.rows ?? []).map((r) => r.period))
        if (weeks.size >= 2) {
          this.chart(
            platformWeeksOption(d.platformWeeks?.rows ?? [], this.currency, p),
            0.36,
            `Spend per ISO week (Monday to Sunday) by platform in ${this.currency}; partial weeks at the ends of the period hold fewer days.`,
          )
        }
        const total = rows.reduce((a, r) => a + r.totals.spendMicros, 0)
        this.table(
          ['Platform', 'Spend', 'Share', 'Revenue', 'ROAS', 'Conversions', 'CPA', 'ROAS change'],
          [...rows]
            .sort((a, b) => b.totals.spendMicros - a.totals.spendMicros)
            .map((r) => [
              PLATFORM_LABELS[r.platform ?? 'meta'] ?? r.name,
              formatMoney(r.totals.spendMicros, this.currency),
              total ? formatPercent(r.totals.spendMicros / total, 1) : '—',
              formatMoney(r.totals.revenueMicros, this.currency),
              formatKpi('roas', r.kpis.roas, this.currency),
              formatCount(r.kpis.conversions),
              formatKpi('cpa', r.kpis.cpa, this.currency),
              r.previousKpis ? computeDelta('roas', r.kpis.roas, r.previousKpis.roas).label : '—',
            ]),
        )
        break
      }
      case 'top_campaigns':
      case 'bottom_campaigns': {
        const list = (section === 'top_campaigns' ? d.top : d.bottom)?.rows ?? []
        if (list.length === 0) return this.emptyBox(empty ? noData : 'No campaign spent enough in this period to rank.')
        this.chart(
          roasOption(list, p, section === 'top_campaigns' ? this.accent : NEGATIVE),
          0.06 + 0.045 * list.length,
          section === 'top_campaigns'
            ? `Highest return on ad spend among campaigns that spent at least ${formatMoney(Math.round(d.rankMinSpend * 1e6), this.currency)} in the period.`
            : `Lowest return on ad spend among campaigns that spent at least ${formatMoney(Math.round(d.rankMinSpend * 1e6), this.currency)} in the period: candidates to fix or pause.`,
        )
        this.campaignTable(list)
        break
      }
      case 'campaign_table': {
        const rows = [...(d.campaigns?.rows ?? [])]
          .filter((r) => r.totals.spendMicros > 0 || r.totals.impressions > 0)
          .sort((a, b) => b.totals.spendMicros - a.totals.spendMicros || a.name.localeCompare(b.name))
        if (rows.length === 0) return this.emptyBox(noData)
        const shown = rows.slice(0, this.spec.maxTableRows)
        this.campaignTable(shown)
        if (rows.length > shown.length) this.note(`${rows.length - shown.length} smaller campaigns are not listed.`)
        break
      }
      case 'anomalies': {
        const list = (d.anomalies?.anomalies ?? []).filter((a) => !a.seasonal)
        if (list.length === 0) return this.emptyBox('No anomalies were detected in this period.')
        this.table(
          ['When', 'Where', 'Metric', 'Actual', 'Expected', 'What happened'],
          list
            .slice(0, 40)
            .map((a) => [
              a.startDate === a.endDate
                ? formatShortDate(a.startDate)
                : `${formatShortDate(a.startDate)} – ${formatShortDate(a.endDate)}`,
              a.entityName,
              a.metric.toUpperCase(),
              anomalyValue(a.metric, a.actual, d.anomalies?.currency ?? this.currency),
              anomalyValue(a.metric, a.expected, d.anomalies?.currency ?? this.currency),
              a.explanation,
            ]),
          { rightFrom: 3, widths: { 0: 58, 1: 100, 2: 42, 3: 54, 4: 54 } },
        )
        if (list.length > 40) this.note(`${list.length - 40} more anomalies are listed in the app.`)
        break
      }
      case 'creatives': {
        const all = d.creatives?.rows ?? []
        const rows = all.slice(0, 12)
        if (rows.length === 0) return this.emptyBox(empty ? noData : 'No creative delivered in this period.')
        this.chart(
          fatigueOption(all, d.creatives?.currency ?? this.currency, p),
          0.26,
          `Spend of the ${all.length} highest-spending ads by fatigue state: ads whose click-through rate has fallen since launch need new creative.`,
        )
        this.table(
          ['Ad', 'Format', 'Spend', 'CTR', 'ROAS', 'Fatigue'],
          rows.map((r) => [
            r.name,
            String(r.format),
            formatMoney(r.totals.spendMicros, d.creatives?.currency ?? this.currency),
            formatKpi('ctr', r.kpis.ctr, this.currency),
            formatKpi('roas', r.kpis.roas, this.currency),
            r.fatigue.state.replace(/_/g, ' '),
          ]),
          { rightFrom: 2, widths: { 1: 60, 5: 70 } },
        )
        this.note(
          'Fatigue compares each ad’s click-through rate now with its rate at launch, against cumulative impressions.',
        )
        break
      }
      case 'pacing': {
        const rows = d.pacing?.rows ?? []
        if (rows.length === 0) return this.emptyBox('No account has data this month.')
        const month = rows[0]?.month
        if (month)
          this.note(`Where this month (${month}) stands as of the latest synced day, whatever the report's period.`)
        if (rows.some((r) => r.budgetMicros)) {
          this.chart(
            pacingOption(rows, p),
            0.08 + 0.06 * rows.length,
            'Month-to-date spend and projected month-end spend as a share of each account’s monthly budget.',
          )
        }
        this.table(
          ['Account', 'Month', 'Spent', 'Budget', 'Projected', 'Status'],
          rows.map((r) => [
            r.name,
            r.month,
            formatMoney(r.spentMicros, r.currency),
            r.budgetMicros === null ? 'no budget' : formatMoney(r.budgetMicros, r.currency),
            formatMoney(r.projectedMicros, r.currency),
            r.status.replace(/_/g, ' '),
          ]),
          { rightFrom: 2 },
        )
        break
      }
      case 'forecast': {
        const list = d.forecasts ?? []
        if (list.length === 0) {
          return this.emptyBox('No forecast yet: train the forecast model in Predictions (or run `train` in the CLI).')
        }
        // A campaign the model does not forecast well (or a paused one) gets the seasonal baseline:
        // marked in the table, with the forecasting service's own reason below it.
        const fallbacks = list.filter(({ forecast: f }) => f.status === 'fallback')
        this.table(
          ['Campaign', 'Days', 'Daily spend', 'Conversions (80% interval)', 'Revenue (80% interval)', 'Basis'],
          list.map(({ name, forecast: f }) => [
            name,
            String(f.horizonDays),
            formatMoney(f.dailySpendMicros, f.currency),
            `${formatCount(round1(f.conversions.point))} (${formatCount(round1(f.conversions.lower))}–${formatCount(round1(f.conversions.upper))})`,
            `${formatMoney(f.revenueMicros.point, f.currency, { compact: true })} (${formatMoney(f.revenueMicros.lower, f.currency, { compact: true })}–${formatMoney(f.revenueMicros.upper, f.currency, { compact: true })})`,
            f.status === 'fallback' ? `Baseline (${fallbacks.findIndex((x) => x.forecast === f) + 1})` : 'Model',
          ]),
          { rightFrom: 1 },
        )
        const made = list
          .map((x) => x.forecast.createdAt)
          .sort()[0]
          ?.slice(0, 10)
        this.note(
          `Forecasts of the next ${list[0]?.forecast.horizonDays ?? 0} days for the largest campaigns at their current daily spend, made ${made ?? ''} with the active forecast model; each interval should contain the outcome 8 times in 10.`,
        )
        fallbacks.forEach(({ name, forecast: f }, i) =>
          this.note(`(${i + 1}) ${name}: ${(f.reasons ?? []).join(' ') || 'the seasonal baseline is used.'}`),
        )
        break
      }
      case 'recommendations': {
        const recs = d.recommendations
        if (!recs || recs.items.length === 0) {
          return this.emptyBox('No open recommendations for this workspace right now.')
        }
        this.table(
          ['Recommendation', 'Kind', 'Impact per week (80% interval)', 'Confidence'],
          recs.items.map((r) => [
            r.title,
            KIND_LABELS[r.kind],
            r.impact
              ? `${formatMoney(r.impact.point, r.currency, { compact: true })} (${formatMoney(r.impact.lower, r.currency, { compact: true })}–${formatMoney(r.impact.upper, r.currency, { compact: true })})`
              : 'not estimated',
            formatPercent(r.confidence, 0),
          ]),
          { rightFrom: 2 },
        )
        const c = recs.calibration
        this.note(
          `Open advice from the Recommendations page on ${this.generatedAt().slice(0, 10)}${recs.total > recs.items.length ? ` (the ${recs.items.length} of ${recs.total.toLocaleString('en-US')} with the highest priority)` : ''}, highest expected impact × confidence first; each is applied there through approval, with read-back and undo.` +
            (c.measured > 0
              ? ` Of ${c.measured} applied recommendation(s) measured so far, ${c.withinInterval} landed inside their 80% interval.`
              : ''),
        )
        for (const r of recs.items.slice(0, 4)) this.note(`• ${r.title}: ${r.body.summary}`)
        break
      }
      case 'commentary':
        this.paragraph(this.spec.commentary ?? '', { size: 10.5 })
        break
    }
  }

  /** Height of the first thing a section draws (chart, tiles or a few table rows). */
  firstBlockHeight(section: ReportSection, empty: boolean): number {
    const w = this.contentW
    if (empty) return 50
    switch (section) {
      case 'kpis':
        return 150
      case 'trend':
        return w * 0.42 + 30
      case 'platforms':
        return w * (0.08 + 0.07 * (this.data.platforms?.rows.length ?? 1)) + 30
      case 'top_campaigns':
        return w * (0.06 + 0.045 * (this.data.top?.rows.length ?? 1)) + 30
      case 'bottom_campaigns':
        return w * (0.06 + 0.045 * (this.data.bottom?.rows.length ?? 1)) + 30
      case 'pacing':
        return w * (0.08 + 0.06 * (this.data.pacing?.rows.length ?? 1)) + 30
      case 'creatives':
        return w * 0.26 + 30
      case 'commentary':
        return 60
      default:
        return 90
    }
  }

  campaignTable(rows: NonNullable<ReportData['campaigns']>['rows']): void {
    const compared = rows.some((r) => r.previousKpis)
    this.table(
      ['Campaign', 'Platform', 'Spend', 'Revenue', 'ROAS', 'Conv.', 'CPA', ...(compared ? ['ROAS change'] : [])],
      rows.map((r) => [
        r.name,
        PLATFORM_LABELS[r.platform ?? 'meta'] ?? '',
        formatMoney(r.totals.spendMicros, this.currency),
        formatMoney(r.totals.revenueMicros, this.currency),
        formatKpi('roas', r.kpis.roas, this.currency),
        formatCount(round1(r.kpis.conversions)),
        formatKpi('cpa', r.kpis.cpa, this.currency),
        ...(compared ? [r.previousKpis ? computeDelta('roas', r.kpis.roas, r.previousKpis.roas).label : 'new'] : []),
      ]),
      { rightFrom: 2, widths: { 1: 58 } },
    )
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10
}

function anomalyValue(metric: string, v: number, currency: string): string {
  if (metric === 'ctr') return formatPercent(v, 2)
  if (metric === 'roas') return formatRoas(v)
  if (metric === 'conversions') return formatCount(round1(v))
  return formatMoney(Math.round(v * 1e6), currency)
}

/** The data with every entity name passed through `printable` (text no font covers is marked, not blank). */
function printableNames(d: ReportData, printable: (t: string) => string): ReportData {
  const rows = <X extends { rows: { name: string }[] }>(x: X | null): X | null =>
    x && { ...x, rows: x.rows.map((r) => ({ ...r, name: printable(r.name) })) }
  return {
    ...d,
    workspace: { ...d.workspace, name: printable(d.workspace.name) },
    top: rows(d.top),
    bottom: rows(d.bottom),
    campaigns: rows(d.campaigns),
    creatives: d.creatives && {
      ...d.creatives,
      rows: d.creatives.rows.map((r) => ({ ...r, name: printable(r.name), campaignName: printable(r.campaignName) })),
    },
    anomalies: d.anomalies && {
      ...d.anomalies,
      anomalies: d.anomalies.anomalies.map((a) => ({ ...a, entityName: printable(a.entityName) })),
    },
    forecasts: d.forecasts && d.forecasts.map((f) => ({ ...f, name: printable(f.name) })),
    recommendations: d.recommendations && {
      ...d.recommendations,
      items: d.recommendations.items.map((r) => ({
        ...r,
        title: printable(r.title),
        body: { ...r.body, summary: printable(r.body.summary) },
      })),
    },
    pacing: d.pacing && { ...d.pacing, rows: d.pacing.rows.map((r) => ({ ...r, name: printable(r.name) })) },
  }
}

/** Renders a report's data to PDF bytes. */
export function renderReportPdf(spec: ParsedReportSpec, data: ReportData, opts: RenderOptions): RenderedReport {
  const logo = spec.branding?.logoPath ? loadLogo(spec.branding.logoPath) : null
  const r = new ReportDoc(spec, data, opts)
  r.cover(logo)
  const sections = data.sections.filter((s) => s !== 'commentary' || spec.commentary)
  if (sections.length) r.newPage()
  for (const s of sections) r.section(s)
  if (r.doc.getNumberOfPages() > 4) r.contents()
  r.frame()
  const warnings: string[] = []
  if (r.fonts.missing.size) {
    const sample = [...r.fonts.missing]
      .slice(0, 5)
      .map((t) => `"${t}"`)
      .join(', ')
    const fallback = r.fonts.fallbackFile
    warnings.push(
      fallback
        ? `${r.fonts.missing.size} text(s) use characters neither the report font nor the fallback font ${fallback} has (${sample}); they are marked [?] in the PDF. Install a TrueType font with those scripts to print them.`
        : `${r.fonts.missing.size} text(s) use characters the report font lacks and no fallback font was found on this machine (${sample}); they are marked [?] in the PDF. Install a TrueType font with those scripts (for example DroidSansFallbackFull.ttf) to print them.`,
    )
  }
  if (r.rasterCharts)
    warnings.push(`${r.rasterCharts} chart(s) were drawn as high-resolution images instead of vectors.`)
  const pdf = new Uint8Array(r.doc.output('arraybuffer'))
  return { pdf, pages: r.doc.getNumberOfPages(), charts: r.charts, rasterCharts: r.rasterCharts, warnings }
}
