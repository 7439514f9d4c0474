// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { useRowWindows, type RowWindow } from './row-windows'

const list = (from: number, n: number, tag = ''): string[] => Array.from({ length: n }, (_, i) => `${tag}${from + i}`)

describe('useRowWindows', () => {
  it('fetches the windows of the rows in view once each, and drops answers for an older first window', async () => {
    const asked: number[] = []
    let tag = ''
    const fetchWindow = (offset: number): Promise<RowWindow<string>> => {
      asked.push(offset)
      return Promise.resolve({ rows: list(offset, 10, tag), total: 35 })
    }
    const first: RowWindow<string> = { rows: list(0, 10), total: 35 }
    const { result, rerender } = renderHook(({ f }) => useRowWindows(f, fetchWindow, 10), {
      initialProps: { f: first },
    })
    expect(result.current.count).toBe(35)
    expect(result.current.rowAt(3)).toBe('3')
    expect(result.current.rowAt(12)).toBeUndefined()
    act(() => result.current.onRange(8, 24))
    act(() => result.current.onRange(9, 25))
    await waitFor(() => expect(result.current.rowAt(24)).toBe('24'))
    expect(result.current.rowAt(12)).toBe('12')
    // Windows 10 and 20, each asked once; window 0 came with the page.
    expect(asked).toEqual([10, 20])
    // A refresh (a new first window in place of the old): the old windows are gone; those of the
    // rows last in view are asked again at once, the others as they come into view.
    tag = 'n'
    const next: RowWindow<string> = { rows: list(0, 10, 'n'), total: 35 }
    rerender({ f: next })
    expect(result.current.rowAt(12)).toBeUndefined()
    await waitFor(() => expect(result.current.rowAt(24)).toBe('n24'))
    expect(result.current.rowAt(12)).toBe('n12')
    act(() => result.current.onRange(30, 34))
    await waitFor(() => expect(result.current.rowAt(31)).toBe('n31'))
    expect(asked).toEqual([10, 20, 10, 20, 30])
  })

  it('after a refresh asks again the windows in view even if the grid reports no new range', async () => {
    const asked: number[] = []
    let total = 1000
    const fetchWindow = (offset: number): Promise<RowWindow<string>> => {
      asked.push(offset)
      return Promise.resolve({ rows: list(offset, 100), total })
    }
    const { result, rerender } = renderHook(({ f }) => useRowWindows(f, fetchWindow, 100), {
      initialProps: { f: { rows: list(0, 100), total } as RowWindow<string> | undefined },
    })
    // Scrolled to the middle.
    act(() => result.current.onRange(488, 527))
    await waitFor(() => expect(result.current.rowAt(527)).toBe('527'))
    expect(asked).toEqual([400, 500])
    // A sync rewrote the data: the page reloads the first window in the background.
    rerender({ f: { rows: list(0, 100), total } })
    await waitFor(() => expect(result.current.rowAt(527)).toBe('527'))
    expect(result.current.rowAt(488)).toBe('488')
    expect(asked).toEqual([400, 500, 400, 500])
    // A shorter list: nothing is asked past its end.
    total = 450
    rerender({ f: { rows: list(0, 100), total } })
    await waitFor(() => expect(result.current.rowAt(449)).toBe('449'))
    expect(asked).toEqual([400, 500, 400, 500, 400])
    // A new query goes through loading (no first window): the old range is not asked for it.
    rerender({ f: undefined })
    rerender({ f: { rows: list(0, 100), total } })
    expect(asked).toEqual([400, 500, 400, 500, 400])
  })
})
