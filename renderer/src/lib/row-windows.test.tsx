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
    // A new query (or a refresh): the old windows are gone and are asked again for the new one.
    tag = 'n'
    const next: RowWindow<string> = { rows: list(0, 10, 'n'), total: 35 }
    rerender({ f: next })
    expect(result.current.rowAt(12)).toBeUndefined()
    act(() => result.current.onRange(30, 34))
    await waitFor(() => expect(result.current.rowAt(31)).toBe('n31'))
    expect(asked).toEqual([10, 20, 30])
  })
})
