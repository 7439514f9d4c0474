import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from '@playwright/test'
import { windowRows, type RowWindowQuery } from '../shared/domain/row-window'
import { syntheticBreakdown, syntheticCampaignRows, syntheticCreativeRows } from '../e2e/synthetic-rows'
import type { Bench } from './types'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Rows the grid scrolls through (the large demo's ad count). */
const ROWS = Number(process.env.ME_BENCH_SCROLL_ROWS ?? 128_000)
/** A task on the renderer's main thread longer than this is a long task (the bar). */
const LONG_TASK_MS = 50

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts: number
  dur?: number
  /** The thread's CPU time in the event (µs), when the trace has thread timing. */
  tdur?: number
  args?: { name?: string }
}

/** Start the browser preview (`electron/web/main.ts`) on a scratch data folder; resolves with its login URL. */
function startWeb(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('npx', ['tsx', 'electron/web/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ME_DATA_DIR: dataDir,
      ME_WEB_PORT: '0',
      ME_SECRETS_KEYRING: 'off',
      ME_SECRETS_KEY_DIR: `${dataDir}-keys`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the web host did not print its URL within 120 s')), 120_000)
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ url: m[1] as string, child })
      }
    })
    child.on('exit', (code) => reject(new Error(`the web host exited with ${code}`)))
  })
}

/**
 * Tasks on the renderer's main thread (CrRendererMain) longer than LONG_TASK_MS: by wall time (what
 * the trace's long tasks are) and by the thread's CPU time (on a loaded machine a task waits for a
 * core: wall time then counts the wait, CPU time only the work).
 */
function longTasks(events: TraceEvent[]): {
  count: number
  countCpu: number
  tasks: number
  maxMs: number
  maxCpuMs: number
} {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  if (!main) throw new Error('the trace has no renderer main thread (CrRendererMain)')
  const tasks = events.filter(
    (e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'RunTask' && e.dur !== undefined,
  )
  const ms = tasks.map((e) => (e.dur as number) / 1000)
  const cpu = tasks.map((e) => (e.tdur ?? e.dur ?? 0) / 1000)
  const round = (x: number): number => Math.round(x * 10) / 10
  return {
    count: ms.filter((m) => m > LONG_TASK_MS).length,
    countCpu: cpu.filter((m) => m > LONG_TASK_MS).length,
    tasks: tasks.length,
    maxMs: round(Math.max(0, ...ms)),
    maxCpuMs: round(Math.max(0, ...cpu)),
  }
}

/**
 * Item 5 of issue 18: the explorer's grid (the real renderer in Chromium, the real web host) scrolled
 * through 128,000 rows answered window by window as the core answers them (`windowRows` over synthetic
 * rows; the large demo's store is not needed for the renderer's side). A Chromium trace of the scroll
 * (wheel steps through the top, jumps across the whole list, wheel steps at the end) counts the
 * renderer main thread's tasks over 50 ms; the renderer's JS heap is read from the DevTools protocol.
 */
/** One grid of the real renderer: its page, the test ids of its grid, scroller and rows. */
interface Grid {
  hash: string
  grid: string
  scroller: string
  row: string
}

interface ScrollFigures {
  windows_requested: number
  scroll_s: number
  long_tasks: number
  longest_task_ms: number
  long_tasks_cpu: number
  longest_task_cpu_ms: number
  renderer_heap_mb: number
  renderer_heap_before_mb: number
}

/**
 * Open a grid's page and scroll it under a Chromium trace: wheel steps through the top, jumps across
 * the whole list (the scrollbar dragged), wheel steps back up from the end.
 */
async function scrollGrid(
  browser: Browser,
  url: string,
  g: Grid,
  route: (page: Page) => Promise<() => number>,
  traceFile: string | undefined,
): Promise<ScrollFigures> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  try {
    const windows = await route(page)
    const u = new URL(url)
    await page.goto(`${u.origin}${u.pathname}${u.search}#/${g.hash}`)
    const grid = page.getByTestId(g.grid)
    await grid.waitFor({ timeout: 120_000 })
    for (let i = 0; i < 600 && (await grid.getAttribute('data-rows')) !== String(ROWS); i++)
      await page.waitForTimeout(200)
    if ((await grid.getAttribute('data-rows')) !== String(ROWS))
      throw new Error(`the ${g.hash} grid did not list ${ROWS} rows`)
    const scroller = page.getByTestId(g.scroller)
    const box = await scroller.boundingBox()
    if (!box) throw new Error(`the ${g.hash} grid has no box`)
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const heap = async (): Promise<number> => {
      const m = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
      return Math.round((m.metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024)
    }
    const heapBefore = await heap()
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] })
    const t0 = performance.now()
    // Wheel steps from the top, as a user reads down the list.
    for (let i = 0; i < 120; i++) {
      await page.mouse.wheel(0, 400)
      await page.waitForTimeout(16)
    }
    // Jumps across the whole list (the scrollbar dragged), each waiting for its rows.
    for (let j = 1; j <= 40; j++) {
      const index = Math.floor((ROWS - 1) * (j / 40) ** 1.3)
      await scroller.evaluate((el, f) => el.scrollTo({ top: (el.scrollHeight - el.clientHeight) * f }), index / ROWS)
      await page.waitForTimeout(120)
    }
    await page.locator(`[data-testid="${g.row}"][data-index="${ROWS - 1}"]`).waitFor({ timeout: 30_000 })
    // And wheel steps back up from the end.
    for (let i = 0; i < 120; i++) {
      await page.mouse.wheel(0, -400)
      await page.waitForTimeout(16)
    }
    const scrollS = (performance.now() - t0) / 1000
    const raw = await browser.stopTracing()
    if (traceFile) writeFileSync(traceFile, raw)
    const trace = JSON.parse(raw.toString('utf8')) as { traceEvents: TraceEvent[] }
    const heapAfter = await heap()
    const long = longTasks(trace.traceEvents)
    return {
      windows_requested: windows(),
      scroll_s: Math.round(scrollS * 10) / 10,
      long_tasks: long.count,
      longest_task_ms: long.maxMs,
      // The same by the renderer thread's CPU time (the machine's load left out).
      long_tasks_cpu: long.countCpu,
      longest_task_cpu_ms: long.maxCpuMs,
      renderer_heap_mb: heapAfter,
      renderer_heap_before_mb: heapBefore,
    }
  } finally {
    await page.close()
  }
}

/** Answer the explorer's campaign breakdown window by window from synthetic rows, as the core does. */
async function explorerRows(page: Page): Promise<() => number> {
  const rows = syntheticCampaignRows(ROWS)
  let windows = 0
  await page.route('**/api/analytics:getBreakdown', async (route) => {
    const input = route.request().postDataJSON() as { level?: string; range: unknown; window?: RowWindowQuery }
    if (input.level !== 'campaign') return route.continue()
    windows++
    return route.fulfill({ json: syntheticBreakdown(rows, input) })
  })
  return () => windows
}

/** Answer the Creatives page's list window by window from synthetic ads (and an empty format comparison). */
async function creativeRows(page: Page): Promise<() => number> {
  const rows = syntheticCreativeRows(ROWS)
  let windows = 0
  await page.route('**/api/analytics:listCreatives', async (route) => {
    const input = route.request().postDataJSON() as { window?: RowWindowQuery }
    windows++
    const w = input.window ? windowRows(rows, input.window) : { rows, total: rows.length }
    return route.fulfill({
      json: {
        ok: true,
        value: { currency: 'USD', convertedFrom: [], rows: w.rows, total: w.total, offset: input.window?.offset ?? 0 },
      },
    })
  })
  await page.route('**/api/analytics:compareFormats', (route) =>
    route.fulfill({ json: { ok: true, value: { currency: 'USD', rows: [] } } }),
  )
  return () => windows
}

/**
 * Item 5 of issue 18: the explorer's grid and the Creatives grid (the real renderer in Chromium, the
 * real web host) scrolled through 128,000 rows answered window by window as the core answers them
 * (`windowRows` over synthetic rows; the large demo's store is not needed for the renderer's side). A
 * Chromium trace of each scroll counts the renderer main thread's tasks over 50 ms; the renderer's JS
 * heap is read from the DevTools protocol. The explorer's figures are the top-level keys; the
 * Creatives grid's the same keys under `creatives`.
 */
export const scaleScrollBench: Bench = {
  name: 'scale-scroll',
  description:
    'the explorer and creatives grids scrolled through 128,000 rows in Chromium: long tasks (> 50 ms) in a trace, renderer heap',
  async run({ tmpDir, log }) {
    const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
    if (build.status !== 0) throw new Error('electron-vite build failed')
    const { url, child } = await startWeb(join(tmpDir, 'data'))
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    })
    try {
      // ME_BENCH_SCROLL_TRACE=<file>: keep the explorer's trace (<file>.creatives the Creatives grid's).
      const traceFile = process.env.ME_BENCH_SCROLL_TRACE
      const explorer = await scrollGrid(
        browser,
        url,
        { hash: 'campaigns', grid: 'explorer-grid', scroller: 'explorer-scroll', row: 'explorer-row' },
        explorerRows,
        traceFile,
      )
      const creatives = await scrollGrid(
        browser,
        url,
        { hash: 'creatives', grid: 'creative-table', scroller: 'creative-scroll', row: 'creative-row' },
        creativeRows,
        traceFile ? `${traceFile}.creatives` : undefined,
      )
      for (const [name, f] of [
        ['explorer', explorer],
        ['creatives', creatives],
      ] as const)
        log(
          `  ${name}, ${ROWS} rows: ${f.windows_requested} windows asked in ${f.scroll_s} s of scrolling, ` +
            `longest task ${f.longest_task_ms} ms (CPU ${f.longest_task_cpu_ms} ms), over 50 ms: ${f.long_tasks} ` +
            `(CPU: ${f.long_tasks_cpu}); JS heap ${f.renderer_heap_before_mb} -> ${f.renderer_heap_mb} MB`,
        )
      return { rows: ROWS, ...explorer, creatives }
    } finally {
      await browser.close()
      if (child.pid) process.kill(-child.pid, 'SIGTERM')
    }
  },
}
