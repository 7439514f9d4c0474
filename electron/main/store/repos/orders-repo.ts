import type { Sqlite } from '../db'

/** One order of an imported orders CSV (money in micros of its currency). */
export interface OrderRow {
  customerId: string
  date: string
  revenueMicros: number
  currency: string
  campaignId: string | null
  utmSource: string | null
  utmCampaign: string | null
}

/** Orders behind lifetime value: imported per workspace, read back oldest first. */
export class OrdersRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** The workspace's reporting currency, or null when there is no such workspace. */
  reportingCurrency(workspaceId: number): string | null {
    const ws = this.sqlite.prepare('SELECT reporting_currency AS c FROM workspaces WHERE id = ?').get(workspaceId) as
      { c: string } | undefined
    return ws?.c ?? null
  }

  /** Stores the orders in one transaction; `replace` first drops the workspace's previous orders. */
  insert(workspaceId: number, rows: OrderRow[], replace: boolean): void {
    const ins = this.sqlite.prepare(
      `INSERT INTO orders (workspace_id, customer_id, order_date, revenue_micros, currency, campaign_external_id, utm_source, utm_campaign)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.sqlite
      .transaction(() => {
        if (replace) this.sqlite.prepare('DELETE FROM orders WHERE workspace_id = ?').run(workspaceId)
        for (const r of rows)
          ins.run(
            workspaceId,
            r.customerId,
            r.date,
            r.revenueMicros,
            r.currency,
            r.campaignId,
            r.utmSource,
            r.utmCampaign,
          )
      })
      .immediate()
  }

  /** Every order of the workspace, oldest first, with its acquisition channel and campaign. */
  list(workspaceId: number): {
    customerId: string
    date: string
    micros: number
    currency: string
    channel: string
    campaign: string
  }[] {
    return this.sqlite
      .prepare(
        `SELECT customer_id AS customerId, order_date AS date, revenue_micros AS micros, currency,
                coalesce(utm_source, '(unknown)') AS channel, coalesce(campaign_external_id, utm_campaign, '(unknown)') AS campaign
         FROM orders WHERE workspace_id = ? ORDER BY order_date, id`,
      )
      .all(workspaceId) as ReturnType<OrdersRepo['list']>
  }
}
