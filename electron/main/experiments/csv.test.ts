import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzeExperiment } from '../../../shared/experiments/analysis'
import { csvText, readExperimentCsv } from './csv'

const UDACITY = join(import.meta.dirname, 'fixtures/udacity_ab_data.csv.gz')

describe('experiment CSV', () => {
  it('cleans the Udacity data to the published 12.04% vs 11.88%, p ≈ 0.19', () => {
    const data = readExperimentCsv(csvText(readFileSync(UDACITY)), {
      variantColumn: 'group',
      outcomeColumn: 'converted',
      consistentWith: 'landing_page',
      uniqueBy: 'user_id',
      dateColumn: 'timestamp',
    })
    expect(data.rows).toBe(294478)
    // 3,893 rows have a group/landing_page mismatch; then one user is repeated.
    expect(data.dropped).toEqual({ inconsistent: 3893, duplicates: 1 })
    expect(data.pairing).toEqual({ control: 'old_page', treatment: 'new_page' })
    const a = analyzeExperiment({ variants: data.variants, days: data.days, control: 'control' })
    expect(a.variants.map((v) => [v.name, v.n, v.conversions])).toEqual([
      ['control', 145274, 17489],
      ['treatment', 145310, 17264],
    ])
    expect(a.variants[0]?.rate).toBeCloseTo(0.1204, 4)
    expect(a.variants[1]?.rate).toBeCloseTo(0.1188, 4)
    expect(a.pValue).toBeCloseTo(0.19, 2)
    expect(a.significant).toBe(false)
    expect(a.srm.pValue).toBeGreaterThan(0.5)
    expect(a.verdict.kind).toBe('no_difference')
    // 23 days of January 2017 give the cumulative lift its days; the band always covers 0 here.
    expect(a.days).toBe(23)
    const cum = a.comparisons[0]?.cumulative ?? []
    expect(cum).toHaveLength(23)
    for (const p of cum.slice(3)) {
      expect(p.lower as number).toBeLessThan(0)
      expect(p.upper as number).toBeGreaterThan(0)
    }
  })

  it('accepts TRUE/FALSE, true/false, 1/0 and yes/no outcomes', () => {
    const csv = 'v,o\nA,TRUE\nA,false\nA,1\nA,no\nB,yes\nB,0\nB,True\nB,FALSE\n'
    const d = readExperimentCsv(csv, { variantColumn: 'v', outcomeColumn: 'o' })
    expect(d.variants).toEqual([
      { name: 'A', n: 4, conversions: 2 },
      { name: 'B', n: 4, conversions: 2 },
    ])
  })

  it('refuses a missing column, a non-binary outcome and bad aggregates, naming them', () => {
    const csv = 'v,o\nA,1\nB,2\n'
    expect(() => readExperimentCsv(csv, { variantColumn: 'variant', outcomeColumn: 'o' })).toThrow(
      'no column "variant" in the CSV (columns: v, o)',
    )
    expect(() => readExperimentCsv(csv, { variantColumn: 'v', outcomeColumn: 'o' })).toThrow(
      /column "o" is not a binary outcome: line 3 has "2"/,
    )
    expect(() =>
      readExperimentCsv('d,v,t,c\n2026-01-01,A,10,11\n', {
        variantColumn: 'v',
        trialsColumn: 't',
        conversionsColumn: 'c',
      }),
    ).toThrow(/column "c" line 2/)
    expect(() => readExperimentCsv('v,o\n', { variantColumn: 'v', outcomeColumn: 'o' })).toThrow(/no rows/)
    expect(() => readExperimentCsv(csv, { variantColumn: 'v' })).toThrow(/--outcome-column/)
    expect(() =>
      readExperimentCsv('v,o,p\nA,1,x\nB,0,x\n', { variantColumn: 'v', outcomeColumn: 'o', consistentWith: 'p' }),
    ).toThrow(/does not tell the variants apart/)
  })

  it('reads daily aggregates with spend and revenue into CPA and ROAS by the delta method', () => {
    const lines = ['date,variant,clicks,conversions,spend,revenue']
    for (let d = 1; d <= 14; d++) {
      const day = `2026-03-${String(d).padStart(2, '0')}`
      lines.push(`${day},A,1000,${40 + (d % 5)},${200 + d},${2000 + 10 * d}`)
      lines.push(`${day},B,1000,${52 + (d % 4)},${205 + d},${2600 + 12 * d}`)
    }
    const data = readExperimentCsv(lines.join('\n'), {
      variantColumn: 'variant',
      trialsColumn: 'clicks',
      conversionsColumn: 'conversions',
      dateColumn: 'date',
      spendColumn: 'spend',
      revenueColumn: 'revenue',
    })
    expect(data.format).toBe('daily')
    expect(data.days).toHaveLength(14)
    const a = analyzeExperiment({ variants: data.variants, days: data.days, control: 'A' })
    const c = a.comparisons[0]
    expect(c?.variant).toBe('B')
    // CPA = Σspend / Σconversions (micros per conversion), ROAS = Σrevenue / Σspend.
    const spendA = lines
      .slice(1)
      .filter((l) => l.includes(',A,'))
      .reduce((s, l) => s + Number(l.split(',')[4]), 0)
    const convA = lines
      .slice(1)
      .filter((l) => l.includes(',A,'))
      .reduce((s, l) => s + Number(l.split(',')[3]), 0)
    expect(c?.cpa?.ratioA).toBeCloseTo((spendA * 1e6) / convA, 6)
    expect(c?.roas?.ratioB).toBeGreaterThan(c?.roas?.ratioA as number)
    expect(c?.roas?.pValue).toBeLessThan(0.001)
    expect(a.verdict.kind).toBe('winner')
    expect(a.verdict.text).toMatch(/^B wins/)
  })
})

describe('analysis verdicts', () => {
  it('says keep running with the days needed when the test is too small', () => {
    const days = Array.from({ length: 5 }, (_, i) => ({
      date: `2026-01-0${i + 1}`,
      variants: [
        { name: 'A', n: 100, conversions: 5 },
        { name: 'B', n: 100, conversions: 6 },
      ],
    }))
    const a = analyzeExperiment({
      variants: [
        { name: 'A', n: 500, conversions: 25 },
        { name: 'B', n: 500, conversions: 30 },
      ],
      days,
      control: 'A',
    })
    expect(a.verdict.kind).toBe('keep_running')
    // 31,234 per variant for +10% on 5% at 95%/80%: (31,234 − 500)·2 / 200 a day ≈ 308 more days.
    expect(a.plan?.nPerVariant).toBe(31234)
    expect(a.daysMore).toBe(Math.ceil(((31234 - 500) * 2) / 200))
    expect(a.verdict.text).toContain(`about ${a.daysMore} more days`)
  })

  it('flags a sample-ratio mismatch before anything else', () => {
    const a = analyzeExperiment({
      variants: [
        { name: 'A', n: 10000, conversions: 500 },
        { name: 'B', n: 11000, conversions: 800 },
      ],
      control: 'A',
    })
    expect(a.srm.pValue).toBeLessThan(0.001)
    expect(a.verdict.kind).toBe('sample_ratio_mismatch')
    expect(() => analyzeExperiment({ variants: a.variants, control: 'C' })).toThrow(
      'unknown control "C": the variants are A, B',
    )
  })

  it('adjusts for several challengers and names the best', () => {
    const a = analyzeExperiment({
      variants: [
        { name: 'A', n: 20000, conversions: 1000 },
        { name: 'B', n: 20000, conversions: 1010 },
        { name: 'C', n: 20000, conversions: 1200 },
      ],
      control: 'A',
    })
    expect(a.best).toBe('C')
    const c = a.comparisons.find((x) => x.variant === 'C')
    expect(c?.adjustedPValue).toBeCloseTo(Math.min(1, 2 * (c?.pValue as number)), 12)
    expect(a.verdict.kind).toBe('winner')
  })
})
