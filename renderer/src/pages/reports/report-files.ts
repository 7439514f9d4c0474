import { getClient } from '../../api/client'

export interface ReportPdf {
  fileName: string
  bytes: Uint8Array
}

/** A generated report's PDF, read through the API (token header, JSON, size-limited like every call). */
export async function fetchReportPdf(workspaceId: number, id: number): Promise<ReportPdf> {
  const f = await getClient().invoke('reports:getFile', { workspaceId, id })
  const bin = atob(f.base64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return { fileName: f.fileName, bytes }
}

function blobUrl(pdf: ReportPdf): string {
  return URL.createObjectURL(new Blob([pdf.bytes as BlobPart], { type: 'application/pdf' }))
}

/** Save the PDF: a download in the browser, the native save dialog in the desktop app. */
export function downloadPdf(pdf: ReportPdf): void {
  const url = blobUrl(pdf)
  const a = document.createElement('a')
  a.href = url
  a.download = pdf.fileName
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** Whether "Open" can show the PDF here: the browser opens it in a tab; the desktop window opens no tabs. */
export const canOpenInTab = typeof window !== 'undefined' && !window.api

/** Whether the system's PDF viewer can open the saved file: only in the desktop app (its core runs on this screen). */
export const canOpenWithSystem = typeof window !== 'undefined' && Boolean(window.api)

/** Open the generated file with the system's PDF viewer (desktop app). */
export async function openWithSystem(workspaceId: number, id: number): Promise<void> {
  await getClient().invoke('reports:openFile', { workspaceId, id })
}

/** Open the PDF in the browser's own viewer, in a new tab. */
export function openPdf(pdf: ReportPdf): void {
  const url = blobUrl(pdf)
  window.open(url, '_blank', 'noopener')
  setTimeout(() => URL.revokeObjectURL(url), 5 * 60_000)
}
