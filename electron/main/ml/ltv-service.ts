import Papa from 'papaparse'
import { isIsoDate, toEpochDay, fromEpochDay } from '../../../shared/domain/dates'
import { decimalToMicros } from '../../../shared/domain/money'
import type { Ltv, LtvGroup } from '../../../shared/ipc/contracts/ml'
import { AppError } from '../../../shared/ipc/result'
import type { EventBus } from '../events'
import type { OrderRow, OrdersRepo } from '../store/repos/orders-repo'
import { bgNbdExpected, fitBgNbd, fitGammaGamma, gammaGammaExpectedSpend, summarise, type OrderLike } from './btyd'

const HEADER_ALIASES: Record<string, string> = {
  customer_id: 'customer_id',
  customer: 'customer_id',
  date: 'date',
  order_date: 'date',
  revenue: 'revenue',
  amount: 'revenue',
  value: 'revenue',
  currency: 'currency',
  campaign_id: 'campaign_id',
  utm_source: 'utm_source',
  utm_campaign: 'utm_campaign',
}

/**
 * Orders import and customer lifetime value. Import is all-or-nothing: the whole file is parsed
 * and validated first (line numbers in errors), then written in one transaction.
 */
export class LtvService {
  constructor(
    private readonly orders: OrdersRepo,
    private readonly events: EventBus,
  ) {}

  /** Parse, validate and store an orders CSV; `replace` drops the workspace's previous orders in the same transaction. */
  importOrders(input: { workspaceId: number; csv: string; currency?: string | undefined; replace: boolean }): {
    imported: number
    customers: number
    from: string
    to: string
  } {
    const ws = this.orders.reportingCurrency(input.workspaceId)
    if (ws === null) throw new AppError('NOT_FOUND', `No workspace ${input.workspaceId}`)
    const parsed = Papa.parse<Record<string, string>>(input.csv.replace(/^\uFEFF/, ''), {
      header: true,
      skipEmptyLines: true,
      transformHeader: (h) => HEADER_ALIASES[h.trim().toLowerCase()] ?? h.trim().toLowerCase(),
    })
    if (parsed.errors.length) {
      const e = parsed.errors[0] as Papa.ParseError
      throw new AppError('VALIDATION', `Orders CSV line ${(e.row ?? 0) + 2}: ${e.message}`)
    }
    const fields = parsed.meta.fields ?? []
    for (const need of ['customer_id', 'date', 'revenue']) {
      if (!fields.includes(need))
        throw new AppError('VALIDATION', `Orders CSV is missing the "${need}" column (found: ${fields.join(', ')})`)
    }
    const rows: OrderRow[] = parsed.data.map((r, i) => {
      const line = i + 2
      const customerId = (r.customer_id ?? '').trim()
      const date = (r.date ?? '').trim().slice(0, 10)
      if (!customerId) throw new AppError('VALIDATION', `Orders CSV line ${line}: empty customer_id`)
      if (!isIsoDate(date))
        throw new AppError('VALIDATION', `Orders CSV line ${line}: date "${r.date ?? ''}" is not YYYY-MM-DD`)
      let revenueMicros: number
      try {
        revenueMicros = decimalToMicros((r.revenue ?? '').trim())
      } catch {
        throw new AppError(
          'VALIDATION',
          `Orders CSV line ${line}: revenue "${r.revenue ?? ''}" is not a decimal amount`,
        )
      }
      if (revenueMicros < 0) throw new AppError('VALIDATION', `Orders CSV line ${line}: negative revenue`)
      const currency = ((r.currency ?? '').trim() || input.currency || ws).toUpperCase()
      if (!/^[A-Z]{3}$/.test(currency))
        throw new AppError('VALIDATION', `Orders CSV line ${line}: currency "${currency}" is not an ISO 4217 code`)
      const opt = (v: string | undefined): string | null => (v && v.trim() ? v.trim() : null)
      return {
        customerId,
        date,
        revenueMicros,
        currency,
        campaignId: opt(r.campaign_id),
        utmSource: opt(r.utm_source),
        utmCampaign: opt(r.utm_campaign),
      }
    })
    if (!rows.length) throw new AppError('VALIDATION', 'Orders CSV has no rows')
    this.orders.insert(input.workspaceId, rows, input.replace)
    this.events.emit('data:changed', { tables: ['orders'], workspaceId: input.workspaceId })
    const dates = rows.map((r) => r.date).sort()
    return {
      imported: rows.length,
      customers: new Set(rows.map((r) => r.customerId)).size,
      from: dates[0] as string,
      to: dates[dates.length - 1] as string,
    }
  }

  /**
   * Fit BG/NBD + Gamma-Gamma on all orders of the workspace (time in weeks, calibration through the
   * last order date) and average each customer's expected revenue over `horizonWeeks` by the
   * channel (utm_source) and campaign of their first order. Undiscounted; one currency only.
   */
  ltv(workspaceId: number, horizonWeeks: number): Ltv {
    const rows = this.orders.list(workspaceId)
    if (rows.length === 0)
      throw new AppError('NOT_FOUND', 'No orders imported for this workspace: import an orders CSV first')
    const currencies = new Set(rows.map((r) => r.currency))
    if (currencies.size > 1)
      throw new AppError('VALIDATION', `Orders use several currencies (${[...currencies].join(', ')}); LTV needs one`)
    const orders: OrderLike[] = rows.map((r) => ({ customerId: r.customerId, date: r.date, value: r.micros / 1e6 }))
    const acquisition = new Map<string, { channel: string; campaign: string }>()
    for (const r of rows)
      if (!acquisition.has(r.customerId)) acquisition.set(r.customerId, { channel: r.channel, campaign: r.campaign })
    const from = rows[0]?.date as string
    const to = rows[rows.length - 1]?.date as string
    const summaries = summarise(orders, to, 7)
    const customers = [...summaries.values()]
    const notEnough = (): AppError =>
      new AppError(
        'VALIDATION',
        `Not enough order history to estimate lifetime value: ${customers.length} customer${customers.length === 1 ? '' : 's'} ` +
          `from ${from} to ${to}. The model learns from how many customers come back; import orders of more customers.`,
      )
    if (customers.length < 2) throw notEnough()
    const bg = fitBgNbd(customers)
    if (![bg.r, bg.alpha, bg.a, bg.b].every((v) => Number.isFinite(v) && v > 0)) throw notEnough()
    let gg: ReturnType<typeof fitGammaGamma> | null = null
    try {
      gg = fitGammaGamma(customers)
    } catch {
      gg = null // too few repeat buyers: fall back to each customer's own mean order value
    }
    const historic = new Map<string, number>()
    for (const o of orders) historic.set(o.customerId, (historic.get(o.customerId) ?? 0) + o.value)
    const groups = { channel: new Map<string, LtvGroup>(), campaign: new Map<string, LtvGroup>() }
    for (const [id, c] of summaries) {
      const purchases = bgNbdExpected(bg, horizonWeeks, c.x, c.tx, c.T)
      const firstValue = (historic.get(id) ?? 0) - c.monetary * c.x
      const spend = gg && gg.q > 1 ? gammaGammaExpectedSpend(gg, c.x, c.monetary) : c.x > 0 ? c.monetary : firstValue
      const acq = acquisition.get(id) ?? { channel: '(unknown)', campaign: '(unknown)' }
      for (const [map, key] of [
        [groups.channel, acq.channel],
        [groups.campaign, acq.campaign],
      ] as const) {
        const g = map.get(key) ?? { key, customers: 0, ltvMicros: 0, historicMicros: 0, expectedPurchases: 0 }
        g.customers++
        g.ltvMicros += purchases * spend * 1e6
        g.historicMicros += (historic.get(id) ?? 0) * 1e6
        g.expectedPurchases += purchases
        map.set(key, g)
      }
    }
    const finish = (m: Map<string, LtvGroup>): LtvGroup[] =>
      [...m.values()]
        .map((g) => ({
          key: g.key,
          customers: g.customers,
          ltvMicros: Math.round(g.ltvMicros / g.customers),
          historicMicros: Math.round(g.historicMicros / g.customers),
          expectedPurchases: Math.round((g.expectedPurchases / g.customers) * 1000) / 1000,
        }))
        .sort((a, b) => b.customers - a.customers)
    return {
      currency: rows[0]?.currency as string,
      customers: customers.length,
      orders: rows.length,
      from: fromEpochDay(toEpochDay(from)),
      to,
      horizonWeeks,
      bgnbd: { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b },
      gammaGamma: gg ? { p: gg.p, q: gg.q, gamma: gg.gamma } : null,
      byChannel: finish(groups.channel),
      byCampaign: finish(groups.campaign),
    }
  }
}
