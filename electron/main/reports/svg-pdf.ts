import { XMLParser } from 'fast-xml-parser'
import type { jsPDF } from 'jspdf'
import svgpath from 'svgpath'

/**
 * Draws the SVG that ECharts' server-side renderer produces into a jsPDF page as vectors (crisp at any
 * zoom, text selectable and searchable). It covers exactly what ECharts emits for our charts: groups,
 * paths, rects, circles, ellipses, lines, polylines, polygons and text, with transforms, opacity,
 * dashes and linear gradients (drawn as their mid colour). Anything else (images, patterns, filters)
 * throws `UnsupportedSvgError` so the caller can fall back to a PNG render of the same SVG.
 *
 * svg2pdf.js needs a browser DOM with layout (`getBBox`), which neither Electron's main process nor
 * Node has; this converter needs neither.
 */
export class UnsupportedSvgError extends Error {}

type Matrix = [number, number, number, number, number, number]
type Attrs = Record<string, string>
interface Node {
  tag: string
  attrs: Attrs
  children: Node[]
  text: string
}

export interface SvgFonts {
  /** jsPDF font family registered on the document with a 'normal' and a 'bold' style. */
  family: string
  /** The family that can draw a given text (a fallback face for scripts `family` lacks). */
  familyFor?: (text: string) => string
}

export interface DrawSvgOptions {
  x: number
  y: number
  width: number
  fonts: SvgFonts
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
})

function toNodes(raw: unknown[]): Node[] {
  const out: Node[] = []
  for (const item of raw as Record<string, unknown>[]) {
    const tag = Object.keys(item).find((k) => k !== ':@')
    if (!tag) continue
    if (tag === '#text') {
      out.push({ tag, attrs: {}, children: [], text: String(item[tag]) })
      continue
    }
    const attrs = (item[':@'] ?? {}) as Attrs
    out.push({ tag, attrs, children: toNodes((item[tag] as unknown[]) ?? []), text: '' })
  }
  return out
}

export function parseSvg(svg: string): Node {
  const root = toNodes(parser.parse(svg) as unknown[]).find((n) => n.tag === 'svg')
  if (!root) throw new UnsupportedSvgError('No <svg> element')
  return root
}

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0]

function mul(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ]
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]
}

function nums(s: string): number[] {
  return (s.match(/-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi) ?? []).map(Number)
}

export function parseTransform(t: string | undefined): Matrix {
  let m = IDENTITY
  if (!t) return m
  for (const [, fn, args] of t.matchAll(/(matrix|translate|scale|rotate)\s*\(([^)]*)\)/g)) {
    const a = nums(args ?? '')
    let n: Matrix
    if (fn === 'matrix') n = [a[0] ?? 1, a[1] ?? 0, a[2] ?? 0, a[3] ?? 1, a[4] ?? 0, a[5] ?? 0]
    else if (fn === 'translate') n = [1, 0, 0, 1, a[0] ?? 0, a[1] ?? 0]
    else if (fn === 'scale') n = [a[0] ?? 1, 0, 0, a[1] ?? a[0] ?? 1, 0, 0]
    else {
      const r = ((a[0] ?? 0) * Math.PI) / 180
      const [cx, cy] = [a[1] ?? 0, a[2] ?? 0]
      n = mul(mul([1, 0, 0, 1, cx, cy], [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]), [
        1,
        0,
        0,
        1,
        -cx,
        -cy,
      ])
    }
    m = mul(m, n)
  }
  return m
}

interface Rgba {
  r: number
  g: number
  b: number
  a: number
}

const NAMED: Record<string, string> = {
  black: '#000000',
  white: '#ffffff',
  red: '#ff0000',
  green: '#008000',
  blue: '#0000ff',
  gray: '#808080',
  grey: '#808080',
  transparent: 'rgba(0,0,0,0)',
}

export function parseColor(value: string | undefined): Rgba | null {
  if (!value) return null
  let v = value.trim().toLowerCase()
  if (v === 'none' || v === '') return null
  v = NAMED[v] ?? v
  const hex = /^#([0-9a-f]{3,8})$/.exec(v)?.[1]
  if (hex) {
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex
    const a = full.length === 8 ? parseInt(full.slice(6, 8), 16) / 255 : 1
    return {
      r: parseInt(full.slice(0, 2), 16),
      g: parseInt(full.slice(2, 4), 16),
      b: parseInt(full.slice(4, 6), 16),
      a,
    }
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(v)?.[1]
  if (fn) {
    const [r = 0, g = 0, b = 0, a = 1] = fn
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number)
    return { r, g, b, a }
  }
  throw new UnsupportedSvgError(`Unsupported colour "${value}"`)
}

function styleMap(node: Node): Attrs {
  const out: Attrs = {}
  for (const decl of (node.attrs.style ?? '').split(';')) {
    const i = decl.indexOf(':')
    if (i > 0) out[decl.slice(0, i).trim()] = decl.slice(i + 1).trim()
  }
  return out
}

interface Paint {
  fill: string | undefined
  stroke: string | undefined
  fillOpacity: number
  strokeOpacity: number
  opacity: number
  strokeWidth: number
  dash: string | undefined
  lineCap: string | undefined
  lineJoin: string | undefined
  fontSize: number
  fontWeight: string
}

const DEFAULT_PAINT: Paint = {
  fill: '#000000',
  stroke: undefined,
  fillOpacity: 1,
  strokeOpacity: 1,
  opacity: 1,
  strokeWidth: 1,
  dash: undefined,
  lineCap: undefined,
  lineJoin: undefined,
  fontSize: 12,
  fontWeight: 'normal',
}

function inherit(parent: Paint, node: Node): Paint {
  const a = { ...node.attrs, ...styleMap(node) }
  const num = (v: string | undefined, d: number): number => {
    if (v === undefined) return d
    const n = parseFloat(v)
    return Number.isFinite(n) ? n : d
  }
  return {
    fill: a.fill ?? parent.fill,
    stroke: a.stroke ?? parent.stroke,
    fillOpacity: num(a['fill-opacity'], parent.fillOpacity),
    strokeOpacity: num(a['stroke-opacity'], parent.strokeOpacity),
    // Group opacity multiplies down the tree.
    opacity: parent.opacity * num(a.opacity, 1),
    strokeWidth: num(a['stroke-width'], parent.strokeWidth),
    dash: a['stroke-dasharray'] ?? parent.dash,
    lineCap: a['stroke-linecap'] ?? parent.lineCap,
    lineJoin: a['stroke-linejoin'] ?? parent.lineJoin,
    fontSize: num(a['font-size'], parent.fontSize),
    fontWeight: a['font-weight'] ?? parent.fontWeight,
  }
}

/** Draws ECharts SSR SVG onto the current page of `doc` at (x, y), scaled to `width` points. Returns the height used. */
export function drawSvg(doc: jsPDF, svg: string, opts: DrawSvgOptions): number {
  const root = parseSvg(svg)
  const w = parseFloat(root.attrs.width ?? '0')
  const h = parseFloat(root.attrs.height ?? '0')
  if (!(w > 0 && h > 0)) throw new UnsupportedSvgError('The SVG has no size')
  const s = opts.width / w
  const gradients = new Map<string, string>()
  collectGradients(root, gradients)
  const ctx = new Drawer(doc, gradients, opts.fonts)
  doc.saveGraphicsState()
  ctx.walk(root.children, [s, 0, 0, s, opts.x, opts.y], DEFAULT_PAINT)
  doc.restoreGraphicsState()
  return h * s
}

/** A linear gradient is drawn as the colour halfway along it (ECharts uses them for soft area fills). */
function collectGradients(node: Node, out: Map<string, string>): void {
  for (const c of node.children) {
    if (c.tag === 'linearGradient' || c.tag === 'radialGradient') {
      const stops = c.children
        .filter((x) => x.tag === 'stop')
        .map((x) => parseColor({ ...x.attrs, ...styleMap(x) }['stop-color'] ?? '#000'))
        .filter((x): x is Rgba => x !== null)
      const first = stops[0]
      const last = stops[stops.length - 1] ?? first
      if (first && last && c.attrs.id) {
        const mid = (k: keyof Rgba): number => (first[k] + last[k]) / 2
        out.set(c.attrs.id, `rgba(${mid('r')},${mid('g')},${mid('b')},${mid('a')})`)
      }
    } else collectGradients(c, out)
  }
}

const SKIPPED = new Set(['defs', 'clipPath', 'linearGradient', 'radialGradient', 'title', 'desc', 'style', '#text'])

class Drawer {
  private readonly gstates = new Map<string, unknown>()

  constructor(
    private readonly doc: jsPDF,
    private readonly gradients: Map<string, string>,
    private readonly fonts: SvgFonts,
  ) {}

  walk(nodes: Node[], m: Matrix, paint: Paint): void {
    for (const node of nodes) {
      if (SKIPPED.has(node.tag)) continue
      const p = inherit(paint, node)
      const nm = mul(m, parseTransform(node.attrs.transform))
      switch (node.tag) {
        case 'g':
          this.walk(node.children, nm, p)
          break
        case 'path':
          this.shape(node.attrs.d ?? '', nm, p)
          break
        case 'rect':
          this.shape(rectPath(node.attrs), nm, p)
          break
        case 'circle':
        case 'ellipse':
          this.shape(ellipsePath(node.attrs), nm, p)
          break
        case 'line':
          this.shape(`M${node.attrs.x1 ?? 0} ${node.attrs.y1 ?? 0}L${node.attrs.x2 ?? 0} ${node.attrs.y2 ?? 0}`, nm, {
            ...p,
            fill: 'none',
          })
          break
        case 'polyline':
        case 'polygon': {
          const pts = nums(node.attrs.points ?? '')
          if (pts.length < 4) break
          let d = `M${pts[0]} ${pts[1]}`
          for (let i = 2; i + 1 < pts.length; i += 2) d += `L${pts[i]} ${pts[i + 1]}`
          this.shape(node.tag === 'polygon' ? `${d}Z` : d, nm, p)
          break
        }
        case 'text':
          this.text(node, nm, p)
          break
        default:
          throw new UnsupportedSvgError(`Unsupported SVG element <${node.tag}>`)
      }
    }
  }

  private colour(v: string | undefined): Rgba | null {
    const ref = v ? /^url\(#([^)]+)\)$/.exec(v.trim())?.[1] : undefined
    if (ref) return parseColor(this.gradients.get(ref) ?? 'none')
    return parseColor(v)
  }

  private alpha(fill: number, stroke: number): void {
    const key = `${fill.toFixed(3)}/${stroke.toFixed(3)}`
    let gs = this.gstates.get(key)
    if (!gs) {
      const Ctor = (this.doc as unknown as { GState: new (o: Record<string, number>) => unknown }).GState
      gs = new Ctor({ opacity: fill, 'stroke-opacity': stroke })
      this.gstates.set(key, gs)
    }
    ;(this.doc as unknown as { setGState(g: unknown): void }).setGState(gs)
  }

  private shape(d: string, m: Matrix, p: Paint): void {
    const fill = this.colour(p.fill)
    const stroke = p.strokeWidth > 0 ? this.colour(p.stroke) : null
    const fa = fill ? fill.a * p.fillOpacity * p.opacity : 0
    const sa = stroke ? stroke.a * p.strokeOpacity * p.opacity : 0
    if (fa <= 0 && sa <= 0) return
    const doc = this.doc
    let open = false
    let any = false
    svgpath(d)
      .matrix(m)
      .abs()
      .unarc()
      .unshort()
      .iterate((seg, _i, x, y) => {
        const [cmd, ...a] = seg as [string, ...number[]]
        switch (cmd) {
          case 'M':
            doc.moveTo(a[0] as number, a[1] as number)
            open = true
            break
          case 'L':
            doc.lineTo(a[0] as number, a[1] as number)
            break
          case 'H':
            doc.lineTo(a[0] as number, y)
            break
          case 'V':
            doc.lineTo(x, a[0] as number)
            break
          case 'C':
            doc.curveTo(...(a as [number, number, number, number, number, number]))
            break
          case 'Q': {
            const [qx, qy, ex, ey] = a as [number, number, number, number]
            doc.curveTo(
              x + (2 / 3) * (qx - x),
              y + (2 / 3) * (qy - y),
              ex + (2 / 3) * (qx - ex),
              ey + (2 / 3) * (qy - ey),
              ex,
              ey,
            )
            break
          }
          case 'Z':
          case 'z':
            if (open) doc.close()
            break
          default:
            throw new UnsupportedSvgError(`Unsupported path command ${cmd}`)
        }
        any = true
      })
    if (!any) return
    const scale = Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]))
    this.alpha(Math.min(1, fa), Math.min(1, sa))
    if (fill && fa > 0) doc.setFillColor(fill.r, fill.g, fill.b)
    if (stroke && sa > 0) {
      doc.setDrawColor(stroke.r, stroke.g, stroke.b)
      doc.setLineWidth(p.strokeWidth * scale)
      const dash = p.dash && p.dash !== 'none' ? nums(p.dash).map((v) => v * scale) : []
      doc.setLineDashPattern(dash, 0)
      doc.setLineCap(p.lineCap === 'round' ? 'round' : p.lineCap === 'square' ? 'square' : 'butt')
      doc.setLineJoin(p.lineJoin === 'round' ? 'round' : p.lineJoin === 'bevel' ? 'bevel' : 'miter')
    }
    if (fa > 0 && sa > 0) doc.fillStroke()
    else if (fa > 0) doc.fill()
    else doc.stroke()
  }

  private text(node: Node, m: Matrix, p: Paint): void {
    const content = collectText(node).replace(/\s+/g, ' ').trim()
    if (!content) return
    const fill = this.colour(p.fill)
    if (!fill) return
    const doc = this.doc
    const x = parseFloat(node.attrs.x ?? '0') || 0
    const y = parseFloat(node.attrs.y ?? '0') || 0
    const [px, py] = apply(m, x, y)
    const sx = Math.hypot(m[0], m[1])
    const angle = (-Math.atan2(m[1], m[0]) * 180) / Math.PI
    const bold = p.fontWeight === 'bold' || Number(p.fontWeight) >= 600
    doc.setFont(this.fonts.familyFor?.(content) ?? this.fonts.family, bold ? 'bold' : 'normal')
    doc.setFontSize(p.fontSize * sx)
    this.alpha(Math.min(1, fill.a * p.fillOpacity * p.opacity), 1)
    doc.setTextColor(fill.r, fill.g, fill.b)
    const anchor = node.attrs['text-anchor'] ?? 'start'
    const base = node.attrs['dominant-baseline'] ?? 'alphabetic'
    doc.text(content, px, py, {
      align: anchor === 'middle' ? 'center' : anchor === 'end' ? 'right' : 'left',
      baseline: base === 'central' || base === 'middle' ? 'middle' : base === 'hanging' ? 'top' : 'alphabetic',
      ...(Math.abs(angle) > 0.01 ? { angle } : {}),
    })
  }
}

function collectText(node: Node): string {
  if (node.tag === '#text') return node.text
  return node.children.map(collectText).join('')
}

function rectPath(a: Attrs): string {
  const x = parseFloat(a.x ?? '0') || 0
  const y = parseFloat(a.y ?? '0') || 0
  const w = parseFloat(a.width ?? '0') || 0
  const h = parseFloat(a.height ?? '0') || 0
  if (w <= 0 || h <= 0) return ''
  const r = Math.min(parseFloat(a.rx ?? a.ry ?? '0') || 0, w / 2, h / 2)
  if (r <= 0) return `M${x} ${y}H${x + w}V${y + h}H${x}Z`
  return (
    `M${x + r} ${y}H${x + w - r}A${r} ${r} 0 0 1 ${x + w} ${y + r}V${y + h - r}` +
    `A${r} ${r} 0 0 1 ${x + w - r} ${y + h}H${x + r}A${r} ${r} 0 0 1 ${x} ${y + h - r}V${y + r}A${r} ${r} 0 0 1 ${x + r} ${y}Z`
  )
}

function ellipsePath(a: Attrs): string {
  const cx = parseFloat(a.cx ?? '0') || 0
  const cy = parseFloat(a.cy ?? '0') || 0
  const rx = parseFloat(a.rx ?? a.r ?? '0') || 0
  const ry = parseFloat(a.ry ?? a.r ?? '0') || 0
  if (rx <= 0 || ry <= 0) return ''
  return `M${cx - rx} ${cy}A${rx} ${ry} 0 1 0 ${cx + rx} ${cy}A${rx} ${ry} 0 1 0 ${cx - rx} ${cy}Z`
}
