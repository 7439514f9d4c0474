import { readFileSync } from 'node:fs'
import { analyzeExperiment, type ExperimentAnalysis } from '../../../shared/experiments/analysis'
import { planTest } from '../../../shared/experiments/stats'
import { decimalToMicros, microsToDecimalString } from '../../../shared/domain/money'
import { controlOf, csvText, ExperimentCsvError, readExperimentCsv } from '../../main/experiments/csv'
import { CliError, type ParsedArgs } from '../args'
import type { CliCommand } from '../command'

function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name)
  if (v === true) throw new CliError(`--${name} needs a value`, 2)
  return v
}

/** A number flag within (min, max), or the default. */
function num(args: ParsedArgs, name: string, def: number | undefined, min: number, max: number): number | undefined {
  const v = args.flags.get(name)
  if (v === undefined) return def
  const n = v === true ? NaN : Number(v)
  if (!Number.isFinite(n) || n <= min || n >= max)
    throw new CliError(
      `--${name} needs a number between ${min} and ${max} (exclusive), got ${v === true ? 'nothing' : JSON.stringify(v)}`,
      2,
    )
  return n
}

/** A level given as 0.95 or 95. */
function level(args: ParsedArgs, name: string, def: number): number {
  const v = num(args, name, def, 0, 100) as number
  const l = v >= 1 ? v / 100 : v
  if (!(l > 0.5 && l < 1)) throw new CliError(`--${name} must be between 0.5 and 1 (or 50 and 100), got ${v}`, 2)
  return l
}

/** The JSON the issue names (a stable interface): exactly these keys. */
export function analysisJson(a: ExperimentAnalysis): Record<string, unknown> {
  return {
    variants: a.variants.map((v) => ({ name: v.name, n: v.n, conversions: v.conversions, rate: v.rate })),
    p_value: a.pValue,
    significant: a.significant,
    prob_to_beat: a.probToBeat,
    srm_p_value: a.srm.pValue,
    verdict: a.verdict.text,
  }
}

function analysisText(a: ExperimentAnalysis): string {
  const w = Math.max(7, ...a.variants.map((v) => v.name.length))
  const lines = [
    `${'variant'.padEnd(w)}  ${'n'.padStart(10)}  ${'conversions'.padStart(11)}  rate`,
    ...a.variants.map(
      (v) =>
        `${v.name.padEnd(w)}  ${v.n.toLocaleString('en-US').padStart(10)}  ${v.conversions.toLocaleString('en-US').padStart(11)}  ${(v.rate * 100).toFixed(2)}%${v.name === a.control ? '  (control)' : ''}`,
    ),
    '',
  ]
  for (const c of a.comparisons) {
    lines.push(
      `${c.variant} vs ${a.control}: lift ${c.relativeLift === null ? 'n/a' : `${(c.relativeLift * 100).toFixed(2)}%`}, p = ${c.pValue.toPrecision(3)}${a.comparisons.length > 1 ? ` (adjusted ${c.adjustedPValue.toPrecision(3)})` : ''}, P(beat) = ${(c.probToBeat * 100).toFixed(1)}%, expected loss ${(c.expectedLoss * 100).toFixed(3)} points${c.sequentialPValue !== null ? `, always-valid p = ${c.sequentialPValue.toPrecision(3)}` : ''}`,
    )
    if (c.revenuePerUser)
      lines.push(
        `  revenue per user: ${c.revenuePerUser.diff.toFixed(4)} (Welch p = ${c.revenuePerUser.pValue.toPrecision(3)})`,
      )
    if (c.cpa)
      lines.push(
        `  CPA: ${microsToDecimalString(Math.round(c.cpa.ratioA))} → ${microsToDecimalString(Math.round(c.cpa.ratioB))} (delta-method p = ${c.cpa.pValue.toPrecision(3)})`,
      )
    if (c.roas)
      lines.push(
        `  ROAS: ${c.roas.ratioA.toFixed(2)} → ${c.roas.ratioB.toFixed(2)} (delta-method p = ${c.roas.pValue.toPrecision(3)})`,
      )
  }
  lines.push(`sample-ratio check p = ${a.srm.pValue.toPrecision(3)}`, '', a.verdict.text)
  return lines.join('\n')
}

async function analyze(args: ParsedArgs): Promise<void> {
  const file = args.positional[2]
  if (!file)
    throw new CliError(
      'experiment analyze needs a CSV file: experiment analyze <file.csv> --variant-column COL --outcome-column COL',
      2,
    )
  const variantColumn = str(args, 'variant-column')
  if (!variantColumn) throw new CliError('experiment analyze needs --variant-column COL', 2)
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const opt = (name: string): string | undefined => str(args, name)
  try {
    const data = readExperimentCsv(csvText(bytes), {
      variantColumn,
      outcomeColumn: opt('outcome-column'),
      trialsColumn: opt('trials-column'),
      conversionsColumn: opt('conversions-column'),
      dateColumn: opt('date-column'),
      revenueColumn: opt('revenue-column'),
      spendColumn: opt('spend-column'),
      consistentWith: opt('consistent-with'),
      uniqueBy: opt('unique-by'),
    })
    if (data.dropped.inconsistent || data.dropped.duplicates)
      process.stderr.write(
        `cleaning: ${data.rows.toLocaleString('en-US')} rows, dropped ${data.dropped.inconsistent.toLocaleString('en-US')} whose variant disagrees with "${opt('consistent-with') ?? ''}"${
          data.pairing
            ? ` (${Object.entries(data.pairing)
                .map(([v, p]) => `${v} ↔ ${p}`)
                .join(', ')})`
            : ''
        } and ${data.dropped.duplicates.toLocaleString('en-US')} repeated "${opt('unique-by') ?? ''}"\n`,
      )
    const analysis = analyzeExperiment({
      variants: data.variants,
      days: data.days,
      control: controlOf(data, opt('control'), variantColumn),
      confidence: level(args, 'confidence', 0.95),
      relativeMde: num(args, 'mde', 0.1, 0, 10),
    })
    console.log(args.flags.has('json') ? JSON.stringify(analysisJson(analysis)) : analysisText(analysis))
  } catch (err) {
    if (err instanceof ExperimentCsvError || err instanceof RangeError) throw new CliError(err.message)
    throw err
  }
}

function power(args: ParsedArgs): void {
  const baseRate = num(args, 'base-rate', undefined, 0, 1)
  const dailyTrials = num(args, 'daily-trials', undefined, 0, Infinity)
  if (baseRate === undefined || dailyTrials === undefined)
    throw new CliError('experiment power needs --base-rate R (e.g. 0.04) and --daily-trials N (traffic per day)', 2)
  const spend = str(args, 'daily-spend')
  let dailySpendMicros: number | undefined
  if (spend !== undefined) {
    try {
      dailySpendMicros = decimalToMicros(spend)
    } catch {
      throw new CliError(`--daily-spend needs an amount like 250 or 99.50, got ${JSON.stringify(spend)}`, 2)
    }
  }
  const variants = num(args, 'variants', 2, 1, 101) as number
  if (!Number.isInteger(variants)) throw new CliError(`--variants needs a whole number, got ${variants}`, 2)
  const input = {
    baseRate,
    relativeMde: num(args, 'mde', 0.1, 0, 10) as number,
    confidence: level(args, 'confidence', 0.95),
    power: level(args, 'power', 0.8),
    variants,
    dailyTrials,
    ...(dailySpendMicros !== undefined ? { dailySpendMicros } : {}),
  }
  let plan
  try {
    plan = planTest(input)
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 2)
  }
  if (args.flags.has('json')) {
    console.log(JSON.stringify({ ...input, ...plan }))
    return
  }
  console.log(
    [
      `To detect a ${(input.relativeMde * 100).toFixed(1)}% lift on a ${(baseRate * 100).toFixed(2)}% rate (to ${(plan.targetRate * 100).toFixed(2)}%)`,
      `at ${(input.confidence * 100).toFixed(0)}% confidence and ${(input.power * 100).toFixed(0)}% power with ${variants} variants:`,
      `  ${plan.nPerVariant.toLocaleString('en-US')} trials per variant, ${plan.totalTrials.toLocaleString('en-US')} in all`,
      `  about ${plan.days} days at ${dailyTrials.toLocaleString('en-US')} trials a day`,
      ...(plan.budgetMicros !== null ? [`  budget about ${microsToDecimalString(plan.budgetMicros)}`] : []),
    ].join('\n'),
  )
}

/** CLI commands of experiments (A/B tests). */
export const experimentCommands: CliCommand[] = [
  {
    name: 'experiment',
    role: 'viewer',
    usage: `experiment analyze <file.csv[.gz]> --variant-column COL --outcome-column COL [--control NAME] [--json]
      [--date-column COL] [--revenue-column COL] [--confidence 0.95] [--mde 0.1]
      [--consistent-with COL] [--unique-by COL]     A/B test from one row per user (binary outcome)
  experiment analyze <file.csv> --variant-column COL --trials-column COL --conversions-column COL
      [--date-column COL] [--spend-column COL] [--revenue-column COL] ...   from daily aggregates per variant
  experiment power --base-rate R --daily-trials N [--mde 0.1] [--confidence 0.95] [--power 0.8]
      [--variants 2] [--daily-spend X] [--json]     Days and budget to detect a lift`,
    async run() {
      // Never reached: both subcommands are standalone (no store needed).
    },
    async standalone(args) {
      const sub = args.positional[1]
      if (sub === 'analyze') return analyze(args)
      if (sub === 'power') return power(args)
      throw new CliError(`experiment needs a subcommand: analyze or power${sub ? ` (got "${sub}")` : ''}`, 2)
    },
  },
]
