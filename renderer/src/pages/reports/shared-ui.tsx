import { lazy, Suspense, useEffect, useState, type JSX } from 'react'
import {
  REPORT_SECTION_TITLES,
  REPORT_SECTIONS,
  type HistoryEntry,
  type ReportSection,
} from '../../../../shared/domain/reports'
import { Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatBytes } from '../../lib/format'
import {
  canOpenInTab,
  canOpenWithSystem,
  downloadPdf,
  fetchReportPdf,
  openPdf,
  openWithSystem,
  type ReportPdf,
} from './report-files'

const PdfPreview = lazy(async () => ({ default: (await import('./PdfPreview')).PdfPreview }))

/** Sections in order, each on or off, moved with Up/Down buttons (keyboard reachable, no drag needed). */
export function SectionsEditor({
  value,
  onChange,
}: {
  value: ReportSection[]
  onChange: (next: ReportSection[]) => void
}): JSX.Element {
  const rest = REPORT_SECTIONS.filter((s) => !value.includes(s))
  const move = (i: number, d: -1 | 1): void => {
    const next = [...value]
    const [s] = next.splice(i, 1)
    next.splice(i + d, 0, s as ReportSection)
    onChange(next)
  }
  return (
    <fieldset className="report-sections" data-testid="report-sections">
      <legend className="field__label">Sections (in order)</legend>
      <ol>
        {value.map((s, i) => (
          <li key={s}>
            <label>
              <input
                type="checkbox"
                checked
                disabled={value.length === 1}
                onChange={() => onChange(value.filter((x) => x !== s))}
              />
              {REPORT_SECTION_TITLES[s]}
            </label>
            <span className="report-sections__moves">
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                disabled={i === 0}
                aria-label={`Move ${REPORT_SECTION_TITLES[s]} up`}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                disabled={i === value.length - 1}
                aria-label={`Move ${REPORT_SECTION_TITLES[s]} down`}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ol>
      {rest.length ? (
        <div className="report-sections__rest">
          {rest.map((s) => (
            <label key={s}>
              <input type="checkbox" checked={false} onChange={() => onChange([...value, s])} />
              {REPORT_SECTION_TITLES[s]}
            </label>
          ))}
        </div>
      ) : null}
    </fieldset>
  )
}

/** A generated report: its preview pages and Download / Open. */
export function ReportViewer({
  workspaceId,
  entry,
}: {
  workspaceId: number
  entry: Pick<HistoryEntry, 'id' | 'title' | 'pages' | 'bytes' | 'warnings' | 'range'>
}): JSX.Element {
  const [pdf, setPdf] = useState<ReportPdf | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let cancelled = false
    setPdf(null)
    setError(null)
    fetchReportPdf(workspaceId, entry.id).then(
      (p) => !cancelled && setPdf(p),
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    )
    return () => {
      cancelled = true
    }
  }, [workspaceId, entry.id])
  return (
    <div className="report-viewer" data-testid="report-viewer">
      <div className="report-viewer__bar">
        <div>
          <strong>{entry.title}</strong>{' '}
          <span className="field__hint">
            {entry.range.from} – {entry.range.to} · {entry.pages} pages · {formatBytes(entry.bytes)}
          </span>
        </div>
        <div className="report-viewer__actions">
          <button
            type="button"
            className="btn btn--primary"
            disabled={!pdf}
            onClick={() => pdf && downloadPdf(pdf)}
            data-testid="report-download"
          >
            Download PDF
          </button>
          {canOpenInTab ? (
            <button type="button" className="btn" disabled={!pdf} onClick={() => pdf && openPdf(pdf)}>
              Open
            </button>
          ) : null}
          {canOpenWithSystem ? (
            <button
              type="button"
              className="btn"
              disabled={!pdf}
              onClick={() => {
                setError(null)
                openWithSystem(workspaceId, entry.id).catch((err: unknown) => setError(errorMessage(err)))
              }}
              data-testid="report-open"
              title="Open the PDF in the system's PDF viewer"
            >
              Open
            </button>
          ) : null}
        </div>
      </div>
      {entry.warnings.length ? (
        <ul className="report-warnings" data-testid="report-warnings">
          {entry.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {error ? <p className="field__error">{error}</p> : null}
      {pdf ? (
        <Suspense fallback={<Skeleton height={420} />}>
          <PdfPreview bytes={pdf.bytes} title={entry.title} />
        </Suspense>
      ) : error ? null : (
        <Skeleton height={420} />
      )}
    </div>
  )
}
