import * as echarts from 'echarts/core'
import { toCsv, type ExportColumn } from '../../../shared/export/csv'

export { toCsv, type ExportColumn }

/**
 * Save a file. Both hosts go through an anchor download: the browser preview downloads it and
 * Electron's default download handler asks where to save it (a native save dialog).
 */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Save the rows exactly as shown (after filters and sort) through the shared, formula-safe CSV writer. */
export function downloadCsv<T>(filename: string, columns: ExportColumn<T>[], rows: readonly T[]): void {
  saveBlob(filename, new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }))
}

/** PNG of the chart drawn inside `container` (the wrapper's canvas host), at 2x for sharpness. */
export function downloadChartPng(filename: string, container: HTMLElement | null): boolean {
  const host = container?.querySelector<HTMLElement>('.chart > div')
  const instance = host ? echarts.getInstanceByDom(host) : undefined
  if (!instance) return false
  const bg = getComputedStyle(document.body).backgroundColor || '#ffffff'
  const url = instance.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: bg })
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  return true
}
