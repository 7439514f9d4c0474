import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { extname, join, resolve, sep } from 'node:path'
import { principalLabel, type CallContext } from '../../../shared/domain/caller'
import type { SmtpSettings } from '../../../shared/domain/alerts'
import {
  REPORT_TEMPLATE_TITLES,
  REPORT_TEMPLATES,
  RETENTION_DAYS,
  ReportOptionsSchema,
  SavedTemplateInputSchema,
  ScheduleInputSchema,
  TEMPLATE_SECTIONS,
  type Branding,
  type HistoryEntry,
  type ReportOptions,
  type ReportSettings,
  type ReportTemplate,
  type SavedTemplate,
  type Schedule,
  type StoredBranding,
} from '../../../shared/domain/reports'
import type { ChannelInput, ChannelOutput } from '../../../shared/ipc/contract'
import { MAX_LOGO_BYTES, MAX_REPORT_FILE_BYTES } from '../../../shared/ipc/contracts/reports'
import { AppError } from '../../../shared/ipc/result'
import type { CoreServices } from '../core-services'
import type { Dispatch } from '../ipc/router'
import { createSmtpTransport, type SmtpConfig, type SmtpTransport } from '../email/smtp-transport'
import { ReportsRepo, type ReportRow } from '../store/repos/reports-repo'
import { loadLogo } from './report-pdf'
import type { AnalyticsService } from '../analytics/analytics-service'
import { reportCreativesReader } from './report-creatives'
import { ReportService } from './report-service'
import { checkTimeZone, nextRunAfter, scheduledRange } from './schedule-time'

/** What the settings row keeps per workspace (kv `reports.settings.<id>`). */
interface StoredSettings {
  branding: Omit<StoredBranding, 'logoName'> & { logoFile?: string; logoName?: string }
  retentionDays: number
  email: SmtpSettings | null
}

const DEFAULT_SETTINGS: StoredSettings = { branding: {}, retentionDays: RETENTION_DAYS.default, email: null }

export interface ReportCenterOptions {
  /** Builds the SMTP transport (tests shorten timeouts). */
  transport?: (config: SmtpConfig) => SmtpTransport
  /** Fallback font for scripts the embedded one lacks (tests); see ReportServiceDeps. */
  fallbackFont?: string | null
}

/** A failed delivery, for whoever reports it (the alerts service once it exists). */
export interface DeliveryFailure {
  workspaceId: number
  /** null: generating failed, nothing was written. */
  reportId: number | null
  scheduleId: number | null
  title: string
  error: string
}

/** A report that went out (clears an earlier failure of the same report or schedule). */
export interface Delivered {
  workspaceId: number
  reportId: number
  scheduleId: number | null
}

/**
 * The reports domain: saved templates, branding, generation into the history, schedules that
 * generate and email reports in their time zone, re-send and retention. Every change goes through
 * the mutation wrapper (serialised, audited, `data:changed`).
 */
export class ReportCenter {
  readonly repo: ReportsRepo
  private readonly renderer: ReportService
  private ticking: Promise<void> | null = null
  private readonly failureListeners = new Set<(f: DeliveryFailure) => void>()
  private readonly deliveredListeners = new Set<(d: Delivered) => void>()

  constructor(
    private readonly core: CoreServices,
    analytics: AnalyticsService,
    private readonly opts: ReportCenterOptions = {},
  ) {
    this.repo = new ReportsRepo(core.store.sqlite)
    this.renderer = new ReportService({
      // Set by the module once the core's dispatcher exists (report data is read through it).
      dispatch: (channel, input, ctx) => {
        if (!this.dispatch) throw new Error('The reports module is not started')
        return this.dispatch(channel, input, ctx)
      },
      creatives: reportCreativesReader(analytics, core.store.sqlite),
      resourcesDir: core.platform.paths.resourcesDir,
      dataDir: core.platform.paths.dataDir,
      now: () => this.now(),
      ...(opts.fallbackFont !== undefined ? { fallbackFont: opts.fallbackFont } : {}),
    })
  }

  /** The core's dispatcher (reports read their figures through it, as the caller). */
  dispatch: Dispatch | null = null

  /** Subscribe to delivery failures (alerts raise them); returns an unsubscribe function. */
  onDeliveryFailure(cb: (f: DeliveryFailure) => void): () => void {
    this.failureListeners.add(cb)
    return () => this.failureListeners.delete(cb)
  }

  /** Subscribe to successful deliveries (alerts resolve the failure they raised); returns an unsubscribe function. */
  onDelivered(cb: (d: Delivered) => void): () => void {
    this.deliveredListeners.add(cb)
    return () => this.deliveredListeners.delete(cb)
  }

  private now(): Date {
    return this.core.platform.clock.now()
  }

  private get reportsDir(): string {
    return resolve(this.core.platform.paths.dataDir, 'reports')
  }

  // ── settings: branding, retention, SMTP ──

  private stored(workspaceId: number): StoredSettings {
    return { ...DEFAULT_SETTINGS, ...this.core.kv.get<Partial<StoredSettings>>(`reports.settings.${workspaceId}`, {}) }
  }

  private secretRef(workspaceId: number): string {
    return `reports.smtp.${workspaceId}`
  }

  async settings(workspaceId: number): Promise<ReportSettings> {
    this.workspace(workspaceId)
    const s = this.stored(workspaceId)
    const { logoFile: _f, logoName, ...branding } = s.branding
    const hasPassword = s.email ? (await this.core.platform.secrets.get(this.secretRef(workspaceId))) !== null : false
    return {
      branding: { ...branding, logoName: logoName ?? null },
      retentionDays: s.retentionDays,
      email: s.email
        ? {
            host: s.email.host,
            port: s.email.port,
            security: s.email.security,
            ...(s.email.username ? { username: s.email.username } : {}),
            from: s.email.from,
            hasPassword,
          }
        : null,
    }
  }

  async saveBranding(input: ChannelInput<'reports:saveBranding'>, ctx: CallContext): Promise<ReportSettings> {
    const { workspaceId, logo, ...fields } = input
    this.workspace(workspaceId)
    // The logo is checked before anything is stored: a broken file is refused and the old logo kept.
    let logoFile: { file: string; name: string } | null | undefined
    if (logo === null) logoFile = null
    else if (logo) logoFile = this.storeLogo(workspaceId, logo.fileName, logo.base64)
    await this.core.mutations.run(
      { action: 'reports.branding', ctx, tables: ['settings'], workspaceId, detail: () => ({ ...fields }) },
      () => {
        const s = this.stored(workspaceId)
        const branding: StoredSettings['branding'] = {}
        const next = { ...s.branding, ...fields }
        for (const k of ['companyName', 'primaryColor', 'accentColor', 'footerText'] as const) {
          const v = next[k]?.trim()
          if (v) branding[k] = v
        }
        const old = s.branding.logoFile
        if (logoFile === undefined) {
          if (old) {
            branding.logoFile = old
            if (s.branding.logoName) branding.logoName = s.branding.logoName
          }
        } else if (logoFile) {
          branding.logoFile = logoFile.file
          branding.logoName = logoFile.name
        }
        if (old && old !== branding.logoFile) rmSync(join(this.reportsDir, 'branding', old), { force: true })
        this.core.kv.set(`reports.settings.${workspaceId}`, { ...s, branding })
      },
    )
    return this.settings(workspaceId)
  }

  /** Writes an uploaded logo into `reports/branding/` once it is checked; returns its file name. */
  private storeLogo(workspaceId: number, fileName: string, base64: string): { file: string; name: string } {
    const ext = extname(fileName).toLowerCase()
    if (ext !== '.png' && ext !== '.svg')
      throw new AppError('VALIDATION', `The logo must be a PNG or SVG file, not "${ext || 'a file without extension'}"`)
    const bytes = Buffer.from(base64, 'base64')
    if (bytes.length === 0) throw new AppError('VALIDATION', `The logo file ${fileName} is empty`)
    if (bytes.length > MAX_LOGO_BYTES)
      throw new AppError('VALIDATION', `The logo file ${fileName} is over ${MAX_LOGO_BYTES / 1024 / 1024} MB`)
    const dir = join(this.reportsDir, 'branding')
    mkdirSync(dir, { recursive: true })
    const file = `logo-${workspaceId}-${this.now().getTime().toString(36)}${ext}`
    const tmp = join(dir, `upload-${process.pid}${ext}`)
    writeFileSync(tmp, bytes, { mode: 0o600 })
    try {
      loadLogo(tmp)
    } catch (err) {
      rmSync(tmp, { force: true })
      const message = err instanceof Error ? err.message.split(tmp).join(fileName) : String(err)
      throw new AppError('VALIDATION', message)
    }
    renameSync(tmp, join(dir, file))
    return { file, name: fileName.slice(0, 120) }
  }

  async saveDelivery(input: ChannelInput<'reports:saveDelivery'>, ctx: CallContext): Promise<ReportSettings> {
    const { workspaceId, smtp, password, retentionDays } = input
    this.workspace(workspaceId)
    await this.core.mutations.run(
      {
        action: 'reports.delivery',
        ctx,
        tables: ['settings'],
        workspaceId,
        detail: () => ({
          ...(smtp !== undefined ? { smtp: smtp ? `${smtp.host}:${smtp.port}` : null } : {}),
          ...(password !== undefined ? { password: password === null ? 'removed' : 'changed' } : {}),
          ...(retentionDays !== undefined ? { retentionDays } : {}),
        }),
      },
      async () => {
        const s = this.stored(workspaceId)
        if (password === null || smtp === null) await this.core.platform.secrets.delete(this.secretRef(workspaceId))
        else if (password) await this.core.platform.secrets.set(this.secretRef(workspaceId), password)
        this.core.kv.set(`reports.settings.${workspaceId}`, {
          ...s,
          ...(smtp !== undefined ? { email: smtp } : {}),
          ...(retentionDays !== undefined ? { retentionDays } : {}),
        })
      },
    )
    if (retentionDays !== undefined) this.purge(workspaceId)
    return this.settings(workspaceId)
  }

  private async smtpConfig(workspaceId: number): Promise<SmtpConfig | null> {
    const s = this.stored(workspaceId)
    if (!s.email) return null
    return { ...s.email, password: await this.core.platform.secrets.get(this.secretRef(workspaceId)) }
  }

  private transport(config: SmtpConfig): SmtpTransport {
    return this.opts.transport ? this.opts.transport(config) : createSmtpTransport(config)
  }

  async testEmail(workspaceId: number, to: string): Promise<{ ok: boolean; message: string }> {
    const config = await this.smtpConfig(workspaceId)
    if (!config) return { ok: false, message: 'No email server is set up for reports yet' }
    const t = this.transport(config)
    try {
      const r = await t.send({
        to: [to],
        subject: 'Marketing Engine: test email for scheduled reports',
        text: `This is a test from Marketing Engine. Scheduled reports of workspace "${this.workspace(workspaceId).name}" will be sent through ${config.host}:${config.port}.`,
      })
      return r.ok ? { ok: true, message: `Sent to ${to} (${r.detail ?? 'accepted'})` } : { ok: false, message: r.error }
    } finally {
      t.close()
    }
  }

  // ── templates ──

  listTemplates(workspaceId: number): ChannelOutput<'reports:listTemplates'> {
    this.workspace(workspaceId)
    return {
      builtIn: REPORT_TEMPLATES.map((t) => ({
        template: t,
        title: REPORT_TEMPLATE_TITLES[t],
        sections: [...TEMPLATE_SECTIONS[t]],
      })),
      saved: this.repo.listTemplates(workspaceId),
    }
  }

  async saveTemplate(input: ChannelInput<'reports:saveTemplate'>, ctx: CallContext): Promise<SavedTemplate> {
    const t = SavedTemplateInputSchema.parse(input)
    this.workspace(t.workspaceId)
    return this.core.mutations.run(
      {
        action: t.id ? 'reports.template.update' : 'reports.template.create',
        ctx,
        tables: ['report_templates'],
        workspaceId: t.workspaceId,
        detail: (r) => ({ id: r.id, name: r.name, template: r.template }),
      },
      () => {
        const clash = this.repo.templateNamed(t.workspaceId, t.name)
        if (clash && clash.id !== t.id)
          throw new AppError('CONFLICT', `A saved template is already named "${t.name}" in this workspace`)
        const at = this.now().toISOString()
        let id = t.id
        if (id === undefined) id = this.repo.insertTemplate(t, at)
        else if (!this.repo.updateTemplate(id, t, at)) throw new AppError('NOT_FOUND', `No saved template ${id}`)
        return this.repo.getTemplate(t.workspaceId, id) as SavedTemplate
      },
    )
  }

  async deleteTemplate(workspaceId: number, id: number, ctx: CallContext): Promise<{ deleted: boolean }> {
    return this.core.mutations.run(
      { action: 'reports.template.delete', ctx, tables: ['report_templates'], workspaceId, detail: () => ({ id }) },
      () => ({ deleted: this.repo.deleteTemplate(workspaceId, id) }),
    )
  }

  // ── generation and history ──

  /** The branding a report is drawn with: the workspace's saved one, logo included. */
  branding(workspaceId: number): Branding {
    const b = this.stored(workspaceId).branding
    const logo = b.logoFile ? join(this.reportsDir, 'branding', b.logoFile) : null
    return {
      ...(b.companyName ? { companyName: b.companyName } : {}),
      ...(b.primaryColor ? { primaryColor: b.primaryColor } : {}),
      ...(b.accentColor ? { accentColor: b.accentColor } : {}),
      ...(b.footerText ? { footerText: b.footerText } : {}),
      ...(logo && existsSync(logo) ? { logoPath: logo } : {}),
    }
  }

  /**
   * Renders a report into `reports/<workspace>/` and records it. Reading happens as `ctx` (the
   * person, or the schedule's principal); the history row is written through the mutation wrapper.
   */
  async generate(
    req: {
      workspaceId: number
      template: ReportTemplate
      range: { from: string; to: string }
      options: ReportOptions
      scheduleId?: number | null
      recipients?: string[]
    },
    ctx: CallContext,
  ): Promise<{ row: ReportRow; result: Awaited<ReturnType<ReportService['generate']>> }> {
    this.workspace(req.workspaceId)
    const options = ReportOptionsSchema.parse(req.options)
    const createdAt = this.now().toISOString()
    const stamp = createdAt.replace(/[-:.]/g, '').slice(0, 18)
    const file = join(
      this.reportsDir,
      String(req.workspaceId),
      `${req.template}-${req.range.from}_${req.range.to}-${stamp}.pdf`,
    )
    const result = await this.renderer.generate(
      {
        workspaceId: req.workspaceId,
        template: req.template,
        range: req.range,
        ...options,
        branding: this.branding(req.workspaceId),
      },
      ctx,
      file,
    )
    const row = await this.core.mutations.run(
      {
        action: 'reports.generate',
        ctx,
        tables: ['reports'],
        workspaceId: req.workspaceId,
        detail: (r) => ({ id: r.id, template: r.template, range: r.range, bytes: r.bytes }),
      },
      () => {
        const id = this.repo.insertReport({
          workspaceId: req.workspaceId,
          scheduleId: req.scheduleId ?? null,
          template: req.template,
          title: REPORT_TEMPLATE_TITLES[req.template],
          range: req.range,
          file,
          bytes: result.bytes,
          pages: result.pages,
          charts: result.charts,
          warnings: result.warnings,
          requestedBy: principalLabel(ctx.principal),
          createdAt,
          recipients: req.recipients ?? [],
          delivery: 'not_sent',
        })
        return this.repo.getReport(req.workspaceId, id) as ReportRow
      },
    )
    this.purge(req.workspaceId)
    return { row, result }
  }

  entry(r: ReportRow): HistoryEntry {
    return {
      id: r.id,
      workspaceId: r.workspaceId,
      scheduleId: r.scheduleId,
      template: r.template,
      title: r.title,
      range: r.range,
      fileName: r.file.split(sep).pop() ?? r.file,
      fileExists: existsSync(r.file),
      bytes: r.bytes,
      pages: r.pages,
      charts: r.charts,
      warnings: r.warnings,
      requestedBy: r.requestedBy,
      createdAt: r.createdAt,
      recipients: r.recipients,
      delivery: r.delivery,
      deliveryError: r.deliveryError,
      sentAt: r.sentAt,
    }
  }

  history(workspaceId: number, limit: number, scheduleId?: number): HistoryEntry[] {
    this.workspace(workspaceId)
    return this.repo.listReports(workspaceId, limit, scheduleId).map((r) => this.entry(r))
  }

  private report(workspaceId: number, id: number): ReportRow {
    const r = this.repo.getReport(workspaceId, id)
    if (!r) throw new AppError('NOT_FOUND', `No generated report ${id} in this workspace`)
    return r
  }

  /** A generated file's path, only in the data folder's reports folder, and only if it is still there. */
  private pdfPath(r: ReportRow): string {
    const file = resolve(r.file)
    if (!file.startsWith(this.reportsDir + sep))
      throw new AppError('FORBIDDEN', 'That report file is outside the reports folder')
    if (!existsSync(file))
      throw new AppError(
        'NOT_FOUND',
        `The file of report ${r.id} is gone (removed by retention or by hand): generate it again`,
      )
    return file
  }

  /** A generated file's bytes, only from the data folder's reports folder. */
  private readPdf(r: ReportRow): Buffer {
    const file = this.pdfPath(r)
    const size = statSync(file).size
    if (size > MAX_REPORT_FILE_BYTES)
      throw new AppError(
        'VALIDATION',
        `The report file is ${Math.round(size / 1024 / 1024)} MB, over the limit of ${MAX_REPORT_FILE_BYTES / 1024 / 1024} MB`,
      )
    return readFileSync(file)
  }

  file(workspaceId: number, id: number): { fileName: string; bytes: number; base64: string } {
    const r = this.report(workspaceId, id)
    const bytes = this.readPdf(r)
    return { fileName: this.entry(r).fileName, bytes: bytes.length, base64: bytes.toString('base64') }
  }

  /** Opens a generated PDF in the system's viewer (desktop app only). */
  async open(workspaceId: number, id: number): Promise<{ file: string }> {
    const file = this.pdfPath(this.report(workspaceId, id))
    const openPath = this.core.platform.openPath
    if (!openPath)
      throw new AppError(
        'FORBIDDEN',
        'Opening a file with the system viewer works in the desktop app only; download the PDF instead',
      )
    await openPath.call(this.core.platform, file)
    return { file }
  }

  /** Emails a generated report; the outcome is recorded on its history row (and reported when it fails). */
  async send(
    workspaceId: number,
    id: number,
    recipients: string[] | undefined,
    ctx: CallContext,
  ): Promise<HistoryEntry> {
    const r = this.report(workspaceId, id)
    const to = recipients ?? r.recipients
    if (to.length === 0) throw new AppError('VALIDATION', 'Give at least one recipient')
    const config = await this.smtpConfig(workspaceId)
    let outcome: { ok: true; detail: string | null } | { ok: false; error: string }
    if (!config) outcome = { ok: false, error: 'No email server is set up for reports (Reports → Delivery)' }
    else {
      let pdf: Buffer | null = null
      try {
        pdf = this.readPdf(r)
      } catch (err) {
        outcome = { ok: false, error: err instanceof Error ? err.message : String(err) }
      }
      if (pdf) {
        const t = this.transport(config)
        try {
          const ws = this.workspace(workspaceId)
          const company = this.stored(workspaceId).branding.companyName ?? ws.name
          const period = r.range.from === r.range.to ? r.range.from : `${r.range.from} – ${r.range.to}`
          const res = await t.send({
            to,
            subject: `${r.title}: ${company}, ${period}`,
            text:
              `Attached: ${r.title} of ${company} for ${period} (${r.pages} pages, PDF).\n\n` +
              `Generated by Marketing Engine on ${r.createdAt.slice(0, 16).replace('T', ' ')} UTC.`,
            html:
              `<p>Attached: <b>${esc(r.title)}</b> of ${esc(company)} for ${esc(period)} (${r.pages} pages, PDF).</p>` +
              `<p style="color:#6b7280">Generated by Marketing Engine on ${esc(r.createdAt.slice(0, 16).replace('T', ' '))} UTC.</p>`,
            attachments: [
              { filename: this.entry(r).fileName, content: new Uint8Array(pdf), contentType: 'application/pdf' },
            ],
            headers: { 'X-Marketing-Engine-Report': String(r.id) },
          })
          outcome = res.ok ? { ok: true, detail: res.detail } : { ok: false, error: res.error }
        } finally {
          t.close()
        }
      } else outcome ??= { ok: false, error: 'The report file could not be read' }
    }
    const sentAt = this.now().toISOString()
    await this.core.mutations.run(
      {
        action: outcome.ok ? 'reports.send' : 'reports.send_failed',
        ctx,
        tables: ['reports'],
        workspaceId,
        detail: () => ({ id, to, ...(outcome.ok ? {} : { error: outcome.error }) }),
      },
      () =>
        this.repo.setDelivery(id, {
          recipients: to,
          delivery: outcome.ok ? 'sent' : 'failed',
          error: outcome.ok ? null : outcome.error,
          sentAt: outcome.ok ? sentAt : null,
        }),
    )
    if (!outcome.ok) {
      const failure = { workspaceId, reportId: id, scheduleId: r.scheduleId, title: r.title, error: outcome.error }
      for (const cb of this.failureListeners) {
        try {
          cb(failure)
        } catch (err) {
          console.error('[reports] delivery-failure listener failed', err)
        }
      }
    } else {
      const delivered = { workspaceId, reportId: id, scheduleId: r.scheduleId }
      for (const cb of this.deliveredListeners) {
        try {
          cb(delivered)
        } catch (err) {
          console.error('[reports] delivered listener failed', err)
        }
      }
    }
    return this.entry(this.report(workspaceId, id))
  }

  /** Removes reports (rows and files) older than the workspace's retention. */
  purge(workspaceId: number): number {
    const days = this.stored(workspaceId).retentionDays
    const before = new Date(this.now().getTime() - days * 86_400_000).toISOString()
    const old = this.repo.reportsBefore(workspaceId, before)
    if (old.length === 0) return 0
    for (const r of old) {
      const file = resolve(r.file)
      if (file.startsWith(this.reportsDir + sep)) {
        try {
          unlinkSync(file)
        } catch {
          // already gone
        }
      }
    }
    this.repo.deleteReports(old.map((r) => r.id))
    this.core.events.emit('data:changed', { tables: ['reports'], workspaceId })
    return old.length
  }

  // ── schedules ──

  schedules(workspaceId: number): Schedule[] {
    this.workspace(workspaceId)
    return this.repo.listSchedules(workspaceId)
  }

  /** The default time zone of a workspace's schedules: its first ad account's. */
  private defaultZone(workspaceId: number): string {
    return this.core.workspaces.accounts(workspaceId)[0]?.timeZone ?? 'UTC'
  }

  async saveSchedule(input: ChannelInput<'reports:saveSchedule'>, ctx: CallContext): Promise<Schedule> {
    const s = ScheduleInputSchema.parse(input)
    this.workspace(s.workspaceId)
    const timeZone = s.timeZone ?? this.defaultZone(s.workspaceId)
    checkTimeZone(timeZone)
    const timing = { cadence: s.cadence, weekday: s.weekday, dayOfMonth: s.dayOfMonth, time: s.time, timeZone }
    const nextRunAt = s.enabled ? nextRunAfter(timing, this.now()).toISOString() : null
    return this.core.mutations.run(
      {
        action: s.id ? 'reports.schedule.update' : 'reports.schedule.create',
        ctx,
        tables: ['report_schedules'],
        workspaceId: s.workspaceId,
        detail: (r) => ({ id: r.id, name: r.name, cadence: r.cadence, recipients: r.recipients.length }),
      },
      () => {
        const fields = {
          workspaceId: s.workspaceId,
          name: s.name,
          template: s.template,
          options: s.options,
          ...timing,
          recipients: s.recipients,
          enabled: s.enabled,
          nextRunAt,
        }
        const at = this.now().toISOString()
        let id = s.id
        if (id === undefined) id = this.repo.insertSchedule(fields, at)
        else if (!this.repo.updateSchedule(id, fields, at)) throw new AppError('NOT_FOUND', `No schedule ${id}`)
        return this.repo.getSchedule(s.workspaceId, id) as Schedule
      },
    )
  }

  async deleteSchedule(workspaceId: number, id: number, ctx: CallContext): Promise<{ deleted: boolean }> {
    return this.core.mutations.run(
      { action: 'reports.schedule.delete', ctx, tables: ['report_schedules'], workspaceId, detail: () => ({ id }) },
      () => ({ deleted: this.repo.deleteSchedule(workspaceId, id) }),
    )
  }

  /** The principal a schedule's runs read and send as (the audit says which schedule asked). */
  static scheduleContext(s: Pick<Schedule, 'id' | 'workspaceId'>): CallContext {
    return {
      principal: { kind: 'system', name: `report-schedule:${s.id}`, role: 'viewer' },
      workspaces: [s.workspaceId],
    }
  }

  /** Generate a schedule's report for the period before `at` and email it. */
  async runSchedule(s: Schedule, at: Date, ctx: CallContext = ReportCenter.scheduleContext(s)): Promise<HistoryEntry> {
    const range = scheduledRange(s.cadence, at, s.timeZone)
    let row: ReportRow
    try {
      ;({ row } = await this.generate(
        {
          workspaceId: s.workspaceId,
          template: s.template,
          range,
          options: s.options,
          scheduleId: s.id,
          recipients: s.recipients,
        },
        ctx,
      ))
    } catch (err) {
      const error = `Generating "${s.name}" failed: ${err instanceof Error ? err.message : String(err)}`
      for (const cb of this.failureListeners)
        cb({ workspaceId: s.workspaceId, reportId: null, scheduleId: s.id, title: s.name, error })
      throw err
    }
    return this.send(s.workspaceId, row.id, s.recipients, ctx)
  }

  /**
   * Runs every schedule that is due at the clock's now, once each (a run missed while the app was
   * closed happens once at the next tick), and moves each to its next local run. Only the store's
   * owner runs schedules.
   */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking
    const run = (async () => {
      await Promise.resolve()
      try {
        if (!this.core.ownership.isOwner) return
        const now = this.now()
        for (const s of this.repo.dueSchedules(now.toISOString())) {
          // Moved first: a run that fails or crashes is not repeated in a loop.
          this.repo.markRun(s.id, now.toISOString(), nextRunAfter(s, now).toISOString())
          this.core.events.emit('data:changed', { tables: ['report_schedules'], workspaceId: s.workspaceId })
          try {
            await this.runSchedule(s, now)
          } catch (err) {
            console.error(`[reports] schedule ${s.id} failed`, err)
          }
        }
      } finally {
        this.ticking = null
      }
    })()
    this.ticking = run
    return run
  }

  private workspace(id: number): { id: number; name: string } {
    const ws = this.core.workspaces.list().find((w) => w.id === id)
    if (!ws) throw new AppError('NOT_FOUND', `No workspace ${id}`)
    return ws
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
