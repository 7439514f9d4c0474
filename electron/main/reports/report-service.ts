import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { CallContext } from '../../../shared/domain/caller'
import { ReportSpecSchema, type ReportResult, type ReportSpec } from '../../../shared/domain/reports'
import type { Dispatch } from '../ipc/router'
import type { CreativesReader } from './report-creatives'
import { callThrough, gatherReportData } from './report-data'
import { renderReportPdf } from './report-pdf'

export interface ReportServiceDeps {
  dispatch: Dispatch
  /** The creatives section's ads (`reportCreativesReader` over the analytics service). */
  creatives: CreativesReader
  resourcesDir: string
  dataDir: string
  now(): Date
  /** Override the system fallback font for scripts the embedded font lacks (tests); null = none. */
  fallbackFont?: string | null
}

/**
 * Generates PDF reports. The figures come through the same channels as the app's pages, called as
 * the person (or schedule) that asked, so a viewer can render a report and the numbers match the
 * dashboard to the cent.
 */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /** The default file for a report: `<data folder>/reports/<template>-<workspace>-<from>_<to>.pdf`. */
  defaultFile(spec: { template: string; workspaceId: number; range: { from: string; to: string } }): string {
    return join(
      this.deps.dataDir,
      'reports',
      `${spec.template}-${spec.workspaceId}-${spec.range.from}_${spec.range.to}.pdf`,
    )
  }

  async generate(input: ReportSpec, ctx: CallContext, out?: string): Promise<ReportResult & { pdf: Uint8Array }> {
    const t0 = performance.now()
    const spec = ReportSpecSchema.parse(input)
    const data = await gatherReportData(spec, callThrough(this.deps.dispatch, ctx), this.deps.creatives)
    const r = renderReportPdf(spec, data, {
      resourcesDir: this.deps.resourcesDir,
      now: this.deps.now(),
      ...(this.deps.fallbackFont !== undefined ? { fallbackFont: this.deps.fallbackFont } : {}),
    })
    const file = out ?? this.defaultFile(spec)
    writeAtomic(file, r.pdf)
    return {
      file,
      pages: r.pages,
      charts: r.charts,
      rasterCharts: r.rasterCharts,
      bytes: r.pdf.byteLength,
      ms: Math.round(performance.now() - t0),
      warnings: r.warnings,
      pdf: r.pdf,
    }
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves half a PDF under the real name. */
function writeAtomic(file: string, bytes: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, bytes)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}
