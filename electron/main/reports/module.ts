import { AppError } from '../../../shared/ipc/result'
import type { REPORTS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/reports'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts, ServiceRegistry } from '../module'
import { ReportCenter, type ReportCenterOptions } from './report-center'

type Channel = (typeof REPORTS_INVOKE_CHANNELS)[number]
type Provides = 'reports'

/** How often the schedules are checked (a run fires within this of its local time). */
const TICK_MS = 30_000

/**
 * The reports domain: saved templates and branding, generation with history, schedules that email
 * the PDF through the shared SMTP transport. Figures are read through the core's dispatcher as the
 * caller (a schedule reads as `system:report-schedule:<id>`), so they equal the dashboard's.
 */
export function reportsModule(opts: ReportCenterOptions = {}): CoreModule<Provides, 'alerts' | 'analytics', Channel> {
  return {
    name: 'reports',
    provides: ['reports'],
    requires: ['alerts', 'analytics'],
    create: (core, needs) => createReportsModule(core, needs, opts),
  }
}

function createReportsModule(
  core: CoreServices,
  { alerts, analytics }: Pick<ServiceRegistry, 'alerts' | 'analytics'>,
  opts: ReportCenterOptions,
): ModuleParts<Provides, Channel> {
  const center = new ReportCenter(core, analytics, opts)
  // A report that could not be generated or delivered is an alert (source 'report'), deduped per
  // schedule (or per report sent by hand) so a server that stays down makes one alert with a count.
  center.onDeliveryFailure((f) => {
    alerts.raise({
      source: 'report',
      severity: 'error',
      workspaceId: f.workspaceId,
      title:
        f.reportId === null
          ? `Scheduled report "${f.title}" could not be generated`
          : `Report "${f.title}" was not delivered`,
      body: `${f.error}. The report${f.reportId === null ? '' : ' is in the history and'} can be sent again from Reports → History.`,
      dedupeKey: f.scheduleId !== null ? `report:schedule:${f.scheduleId}` : `report:${f.reportId}`,
      link: f.reportId === null ? '/reports' : `/reports?history=${f.reportId}`,
    })
  })
  // A report that went out clears the failure alert of that report, and of its schedule.
  center.onDelivered((d) => {
    alerts.resolveByKey(d.workspaceId, `report:${d.reportId}`)
    if (d.scheduleId !== null) alerts.resolveByKey(d.workspaceId, `report:schedule:${d.scheduleId}`)
  })
  let timer: NodeJS.Timeout | null = null
  return {
    services: { reports: center },
    handlers: {
      'reports:listTemplates': ({ workspaceId }) => center.listTemplates(workspaceId),
      'reports:saveTemplate': (input, ctx) => center.saveTemplate(input, ctx),
      'reports:deleteTemplate': ({ workspaceId, id }, ctx) => center.deleteTemplate(workspaceId, id, ctx),
      'reports:generate': async (input, ctx) => {
        const { row, result } = await center.generate(input, ctx)
        const { pdf: _pdf, file: _file, ...rest } = result
        return { ...rest, historyId: row.id, fileName: center.entry(row).fileName }
      },
      'reports:getSettings': ({ workspaceId }) => center.settings(workspaceId),
      'reports:saveBranding': (input, ctx) => center.saveBranding(input, ctx),
      'reports:saveDelivery': (input, ctx) => center.saveDelivery(input, ctx),
      'reports:testEmail': ({ workspaceId, to }) => center.testEmail(workspaceId, to),
      'reports:listSchedules': ({ workspaceId }) => center.schedules(workspaceId),
      'reports:saveSchedule': (input, ctx) => center.saveSchedule(input, ctx),
      'reports:deleteSchedule': ({ workspaceId, id }, ctx) => center.deleteSchedule(workspaceId, id, ctx),
      'reports:runSchedule': ({ workspaceId, id }, ctx) => {
        const s = center.repo.getSchedule(workspaceId, id)
        if (!s) throw new AppError('NOT_FOUND', `No schedule ${id} in this workspace`)
        // Run now as the person who asked; the schedule's own times stay as they are.
        return center.runSchedule(s, core.platform.clock.now(), ctx)
      },
      'reports:listHistory': ({ workspaceId, limit, scheduleId }) => center.history(workspaceId, limit, scheduleId),
      'reports:getFile': ({ workspaceId, id }) => center.file(workspaceId, id),
      'reports:openFile': ({ workspaceId, id }) => center.open(workspaceId, id),
      'reports:resend': ({ workspaceId, id, recipients }, ctx) => center.send(workspaceId, id, recipients, ctx),
    },
    start() {
      // Tests drive the schedules with their own clock through `tick()`.
      if (core.platform.host === 'test' || core.platform.host === 'cli') return
      const loop = (): void => {
        void center.tick().finally(() => {
          timer = setTimeout(loop, TICK_MS)
          timer.unref()
        })
      }
      timer = setTimeout(loop, TICK_MS)
      timer.unref()
    },
    stop() {
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}
