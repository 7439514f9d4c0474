import { useEffect, useState, type JSX } from 'react'
import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist'
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url'
import { Skeleton } from '../../components/States'

GlobalWorkerOptions.workerSrc = workerUrl

/** Pages drawn at most (a 40-page report previews its first pages; the file has them all). */
const MAX_PAGES = 24
/** Preview width in CSS pixels (drawn at twice that for sharp text on high-density screens). */
const WIDTH = 300

interface PageImage {
  n: number
  src: string
  w: number
  h: number
}

/** The report's pages as images, drawn by pdf.js from the generated PDF itself. */
export function PdfPreview({ bytes, title }: { bytes: Uint8Array; title: string }): JSX.Element {
  const [pages, setPages] = useState<PageImage[] | null>(null)
  const [total, setTotal] = useState(0)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let cancelled = false
    setPages(null)
    setError(null)
    // pdf.js takes ownership of the buffer it is given: hand it a copy.
    const task = getDocument({ data: bytes.slice(), isEvalSupported: false })
    void (async () => {
      try {
        const doc = await task.promise
        if (cancelled) return
        setTotal(doc.numPages)
        const out: PageImage[] = []
        for (let n = 1; n <= Math.min(doc.numPages, MAX_PAGES); n++) {
          const page = await doc.getPage(n)
          const base = page.getViewport({ scale: 1 })
          const viewport = page.getViewport({ scale: (WIDTH * 2) / base.width })
          const canvas = document.createElement('canvas')
          canvas.width = Math.round(viewport.width)
          canvas.height = Math.round(viewport.height)
          const ctx = canvas.getContext('2d')
          if (!ctx) throw new Error('This browser cannot draw the preview (no 2D canvas)')
          await page.render({ canvasContext: ctx, viewport }).promise
          if (cancelled) return
          out.push({
            n,
            src: canvas.toDataURL('image/png'),
            w: WIDTH,
            h: Math.round((WIDTH * base.height) / base.width),
          })
          setPages([...out])
        }
        await doc.destroy()
      } catch (err) {
        if (!cancelled) setError(err instanceof Error ? err.message : String(err))
      }
    })()
    return () => {
      cancelled = true
      void task.destroy()
    }
  }, [bytes])

  if (error)
    return <p className="field__error">The preview could not be drawn ({error}); the PDF itself is fine to download.</p>
  return (
    <div className="report-pages" data-testid="report-preview" data-pages={pages?.length ?? 0}>
      {(pages ?? []).map((p) => (
        <figure key={p.n} className="report-page">
          <img src={p.src} width={p.w} height={p.h} alt={`${title}, page ${p.n} of ${total}`} />
          <figcaption>
            Page {p.n} of {total}
          </figcaption>
        </figure>
      ))}
      {pages === null || pages.length < Math.min(total || 1, MAX_PAGES) ? (
        <figure className="report-page" aria-busy="true">
          <Skeleton width={WIDTH} height={Math.round(WIDTH * 1.414)} />
        </figure>
      ) : null}
      {total > MAX_PAGES ? (
        <p className="field__hint">
          Showing the first {MAX_PAGES} of {total} pages; download the PDF to see them all.
        </p>
      ) : null}
    </div>
  )
}
