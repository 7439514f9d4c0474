import { join } from 'node:path'
import { TEST_CALLER } from '../electron/main/test-support'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { callThrough, gatherReportData } from '../electron/main/reports/report-data'
import { reportCreativesReader } from '../electron/main/reports/report-creatives'
import { renderReportPdf } from '../electron/main/reports/report-pdf'
import { ReportService } from '../electron/main/reports/report-service'
import { ReportSpecSchema } from '../shared/domain/reports'
import { buildBenchWorld } from './store'
import type { Bench } from './types'

const RUNS = 3

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/**
 * Reports bench (issue 15): the monthly report of the last full month on a 10,000-campaign x
 * 365-day store built by the real demo pipeline. `pdf_s` is the whole generation a user waits for
 * (data through the channels + layout + charts + file), median of 3; `data_s` and `render_s` split it.
 */
export const reportsBench: Bench = {
  name: 'reports',
  description: 'monthly PDF report on a 10k campaigns x 365 days store (pages, charts, seconds, size)',
  async run({ tmpDir, log }) {
    const campaigns = Number(process.env.ME_BENCH_CAMPAIGNS ?? 10_000)
    const days = Number(process.env.ME_BENCH_DAYS ?? 365)
    const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir })
    const core = createCore(platform, { dbPath: join(tmpDir, 'bench-reports.db') })
    try {
      const endDate = '2026-10-31'
      log(`  building ${campaigns.toLocaleString()} campaigns x ${days} days`)
      const { workspaceId } = await buildBenchWorld(core, { campaigns, days, endDate, log })
      const spec = { workspaceId, template: 'monthly' as const, range: { from: '2026-10-01', to: '2026-10-31' } }
      const creatives = reportCreativesReader(core.services.analytics, core.store.sqlite)
      const service = new ReportService({
        dispatch: core.dispatch,
        creatives,
        resourcesDir: platform.paths.resourcesDir,
        dataDir: tmpDir,
        now: () => platform.clock.now(),
      })
      const total: number[] = []
      const data: number[] = []
      const render: number[] = []
      let last = { pages: 0, charts: 0, bytes: 0 }
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now()
        const r = await service.generate(spec, TEST_CALLER, join(tmpDir, `monthly-${i}.pdf`))
        total.push((performance.now() - t0) / 1000)
        last = r
        // The same work split in two, to say where the time goes.
        const parsed = ReportSpecSchema.parse(spec)
        const t1 = performance.now()
        const d = await gatherReportData(parsed, callThrough(core.dispatch, TEST_CALLER), creatives)
        const t2 = performance.now()
        renderReportPdf(parsed, d, { resourcesDir: platform.paths.resourcesDir, now: platform.clock.now() })
        data.push((t2 - t1) / 1000)
        render.push((performance.now() - t2) / 1000)
        log(`  run ${i + 1}: ${total[i]?.toFixed(2)} s, ${r.pages} pages, ${r.charts} charts`)
      }
      const r2 = (x: number): number => Math.round(x * 100) / 100
      return {
        campaigns,
        days,
        pages: last.pages,
        charts: last.charts,
        pdf_s: r2(median(total)),
        pdf_kb: Math.round(last.bytes / 1024),
        data_s: r2(median(data)),
        render_s: r2(median(render)),
      }
    } finally {
      await core.close()
    }
  },
}
