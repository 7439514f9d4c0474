import { resolve } from 'node:path'
import { isIsoDate } from '../../../shared/domain/dates'
import { REPORT_TEMPLATES, ReportTemplateSchema } from '../../../shared/domain/reports'
import { AppError } from '../../../shared/ipc/result'
import { defaultRange } from '../../main/reports/report-data'
import { reportCreativesReader } from '../../main/reports/report-creatives'
import { ReportService } from '../../main/reports/report-service'
import { CliError } from '../args'
import type { CliCommand } from '../command'

const str = (v: string | true | undefined, name: string): string | undefined => {
  if (v === true) throw new CliError(`--${name} needs a value`, 2)
  return v
}

/** CLI commands of the reports domain. */
export const reportCommands: CliCommand[] = [
  {
    name: 'report',
    role: 'viewer',
    usage: `report --template ${REPORT_TEMPLATES.join('|')} [--workspace NAME] [--from YYYY-MM-DD --to YYYY-MM-DD] [--out file.pdf] [--paper a4|letter] [--landscape] [--company NAME] [--logo FILE] [--json]   A PDF report`,
    coreOptions: { claimStore: false },
    async run(core, args, caller) {
      const template = ReportTemplateSchema.safeParse(str(args.flags.get('template'), 'template'))
      if (!template.success) throw new CliError(`--template needs one of ${REPORT_TEMPLATES.join(', ')}`, 2)
      const name = str(args.flags.get('workspace'), 'workspace')
      const list = core.workspaces.list()
      const ws = name === undefined ? (list.find((w) => w.isDemo) ?? list[0]) : list.find((w) => w.name === name)
      if (!ws)
        throw new CliError(
          name
            ? `No workspace named ${JSON.stringify(name)} (see: npm run cli -- status)`
            : 'There is no workspace yet',
          2,
        )
      const from = str(args.flags.get('from'), 'from')
      const to = str(args.flags.get('to'), 'to')
      for (const [k, v] of [
        ['from', from],
        ['to', to],
      ] as const)
        if (v !== undefined && !isIsoDate(v))
          throw new CliError(`--${k} needs a date as YYYY-MM-DD, got ${JSON.stringify(v)}`, 2)
      if ((from === undefined) !== (to === undefined)) throw new CliError('Give both --from and --to, or neither', 2)
      const today = core.platform.clock.now().toISOString().slice(0, 10)
      const range = from && to ? { from, to } : defaultRange(template.data, today)
      const paper = str(args.flags.get('paper'), 'paper') ?? 'a4'
      if (paper !== 'a4' && paper !== 'letter') throw new CliError('--paper needs a4 or letter', 2)
      const company = str(args.flags.get('company'), 'company')
      const logo = str(args.flags.get('logo'), 'logo')
      const out = str(args.flags.get('out'), 'out')
      const service = new ReportService({
        dispatch: core.dispatch,
        creatives: reportCreativesReader(core.services.analytics, core.store.sqlite),
        resourcesDir: core.platform.paths.resourcesDir,
        dataDir: core.platform.paths.dataDir,
        now: () => core.platform.clock.now(),
      })
      let r
      try {
        r = await service.generate(
          {
            workspaceId: ws.id,
            template: template.data,
            range,
            paper,
            orientation: args.flags.has('landscape') ? 'landscape' : 'portrait',
            ...(company || logo
              ? {
                  branding: {
                    ...(company ? { companyName: company } : {}),
                    ...(logo ? { logoPath: resolve(logo) } : {}),
                  },
                }
              : {}),
          },
          caller,
          out ? resolve(out) : undefined,
        )
      } catch (err) {
        if (err instanceof AppError) throw new CliError(`${err.code}: ${err.message}`)
        throw err
      }
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`)
      if (args.flags.has('json')) {
        console.log(JSON.stringify({ file: r.file, pages: r.pages, charts: r.charts, bytes: r.bytes, ms: r.ms }))
      } else {
        console.log(`${r.file}: ${r.pages} pages, ${r.charts} charts, ${(r.bytes / 1024).toFixed(0)} KB in ${r.ms} ms`)
      }
    },
  },
]
