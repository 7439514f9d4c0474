/**
 * Money is integer micros (1 unit = 1,000,000 micros) of the account currency. Conversions from
 * platform encodings use string/integer arithmetic, never binary floats.
 */

export const MICROS_PER_UNIT = 1_000_000

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d*))?$/

/**
 * Parse a decimal string ("14.35", "-0.5", "1e3" is refused) into integer micros, rounding half
 * away from zero beyond the sixth decimal. Throws on anything that is not a plain decimal.
 */
export function decimalToMicros(value: string | number): number {
  const s = typeof value === 'number' ? numberToPlainString(value) : value.trim()
  const m = DECIMAL_RE.exec(s)
  if (!m) throw new Error(`Not a decimal amount: ${JSON.stringify(value)}`)
  const sign = m[1] === '-' ? -1 : 1
  const whole = m[2] ?? '0'
  const frac = (m[3] ?? '').padEnd(7, '0')
  let micros = BigInt(whole) * 1_000_000n + BigInt(frac.slice(0, 6))
  if (Number(frac[6]) >= 5) micros += 1n
  const n = Number(micros)
  if (!Number.isSafeInteger(n)) throw new Error(`Amount out of range: ${JSON.stringify(value)}`)
  return sign * n
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite amount: ${n}`)
  // toFixed(7) gives a plain decimal for any value we can hold; the 7th digit drives rounding.
  return n.toFixed(7)
}

/** Parse an integer-micros string ("2500000000") or number into micros. */
export function parseMicros(value: string | number): number {
  const s = typeof value === 'number' ? String(value) : value.trim()
  if (!/^-?\d+$/.test(s)) throw new Error(`Not an integer micros amount: ${JSON.stringify(value)}`)
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new Error(`Micros out of range: ${JSON.stringify(value)}`)
  return n
}

/** Micros as an exact decimal string with up to 6 decimals ("14.35"). */
export function microsToDecimalString(micros: number, minDecimals = 2): string {
  const neg = micros < 0
  const abs = Math.abs(micros)
  const whole = Math.floor(abs / MICROS_PER_UNIT)
  let frac = String(abs % MICROS_PER_UNIT)
    .padStart(6, '0')
    .replace(/0+$/, '')
  if (frac.length < minDecimals) frac = frac.padEnd(minDecimals, '0')
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`
}

/** Micros as a float number of currency units, for display and ratios only. */
export function microsToUnits(micros: number): number {
  return micros / MICROS_PER_UNIT
}

/** Number of minor-unit decimals per ISO currency (the ones that differ from 2). */
const MINOR_DIGITS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  HUF: 2,
  TWD: 2,
  IDR: 2,
  KWD: 3,
  BHD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
}

/** Decimal places of the currency's minor unit (2 for USD/EUR, 0 for JPY). */
export function currencyMinorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2
}

/** Micros to the currency's minor units (cents for USD, yen for JPY), rounding half up. */
export function microsToMinorUnits(micros: number, currency: string): number {
  const factor = 10 ** (6 - currencyMinorDigits(currency))
  return Math.round(micros / factor)
}

/** Minor units (cents) to micros. */
export function minorUnitsToMicros(minor: number, currency: string): number {
  return minor * 10 ** (6 - currencyMinorDigits(currency))
}

/** Format micros for display in a currency, e.g. "$1,234.50". */
export function formatMoney(micros: number, currency: string, opts: { compact?: boolean } = {}): string {
  return moneyFormat(currency, opts.compact === true).format(microsToUnits(micros))
}

const moneyFormats = new Map<string, Intl.NumberFormat>()

/** One Intl.NumberFormat per currency and notation: building one costs far more than formatting (a PDF table formats thousands). */
export function moneyFormat(currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${currency}|${compact ? 'c' : 's'}`
  let f = moneyFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      notation: compact ? 'compact' : 'standard',
      maximumFractionDigits: compact ? 1 : currencyMinorDigits(currency),
      minimumFractionDigits: compact ? 0 : currencyMinorDigits(currency),
      // Compact: at most three significant digits as well ("€300", not "€299.7"; "$7.3K"; "$12.8").
      ...(compact ? { maximumSignificantDigits: 3, roundingPriority: 'lessPrecision' as const } : {}),
    })
    moneyFormats.set(key, f)
  }
  return f
}
