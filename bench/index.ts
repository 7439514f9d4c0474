import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alertsBench } from './alerts'
import { experimentsBench } from './experiments'
import { memoryBench } from './memory'
import { mlBench } from './ml'
import { queriesBench } from './queries'
import { recommendBench } from './recommend'
import { importBench } from './import'
import { reportsBench } from './reports'
import { rulesBench } from './rules'
import { scaleBench } from './scale'
import { scaleScrollBench } from './scale-scroll'
import { ingestBench } from './ingest'
import { storeBench } from './store'
import type { Bench } from './types'

// Each domain adds its bench here; `--only` names are a stable interface.
const BENCHES: Bench[] = [
  storeBench,
  queriesBench,
  mlBench,
  ingestBench,
  importBench,
  reportsBench,
  experimentsBench,
  rulesBench,
  alertsBench,
  recommendBench,
  scaleBench,
  scaleScrollBench,
  memoryBench,
]

function usage(): string {
  return `Usage: npm run bench -- [--only NAME[,NAME]] [--json]\n\nBenches:\n${BENCHES.map((b) => `  ${b.name.padEnd(10)} ${b.description}`).join('\n')}`
}

function table(name: string, result: Record<string, unknown>): string {
  const rows = Object.entries(result).filter(([, v]) => typeof v !== 'object')
  const w = Math.max(...rows.map(([k]) => k.length))
  const lines = rows.map(
    ([k, v]) => `  ${k.padEnd(w)}  ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}`,
  )
  const nested = Object.entries(result).filter(([, v]) => typeof v === 'object')
  for (const [k, v] of nested)
    lines.push(
      `  ${k}:`,
      ...JSON.stringify(v, null, 2)
        .split('\n')
        .map((l) => `    ${l}`),
    )
  return `${name}\n${lines.join('\n')}`
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json')
  const i = argv.indexOf('--only')
  const onlyArg = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--only='))?.slice(7)
  if (argv.includes('--help')) {
    console.log(usage())
    return
  }
  const names = onlyArg ? onlyArg.split(',') : BENCHES.map((b) => b.name)
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n))
  if (unknown.length) {
    console.error(`Unknown bench: ${unknown.join(', ')}\n\n${usage()}`)
    process.exit(2)
  }
  const results: Record<string, Record<string, unknown>> = {}
  for (const name of names) {
    const bench = BENCHES.find((b) => b.name === name) as Bench
    const tmpDir = mkdtempSync(join(tmpdir(), `me-bench-${name}-`))
    console.error(`bench ${name}: ${bench.description}`)
    try {
      results[name] = await bench.run({ tmpDir, log: (m) => console.error(m) })
    } finally {
      rmSync(tmpDir, { recursive: true, force: true })
    }
    if (!json) console.log(table(name, results[name] as Record<string, unknown>))
  }
  if (json) console.log(JSON.stringify(names.length === 1 ? results[names[0] as string] : results))
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`)
  process.exit(1)
})
