// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/react'
import { useCallback } from 'react'
import { describe, expect, it } from 'vitest'
import { useRowWindows, type RowWindow } from './row-windows'
import { BADGE_IDS_PER_REQUEST, useWindowBadges } from './window-badges'

/** A model's badges: the badge of row `id` under model `model` reads `m<model>:<id>`. */
function model(n: number) {
  const asked: number[][] = []
  const fetch = async (ids: number[]): Promise<Map<string, string>> => {
    asked.push(ids)
    return new Map(ids.map((id) => [String(id), `m${n}:${id}`]))
  }
  return { asked, fetch }
}

describe('useWindowBadges', () => {
  it('keeps the badges of later windows after a retraining: they are asked again for the new model', async () => {
    let current = model(1)
    const fetchBadges = (ids: number[]): Promise<Map<string, string>> => current.fetch(ids)
    const list = { rows: 'first window' }
    const first1 = new Map([['1', 'm1:1']])
    const { result, rerender } = renderHook(
      ({ first, l }: { first: ReadonlyMap<string, string> | undefined; l: unknown }) =>
        useWindowBadges(first, l, fetchBadges),
      { initialProps: { first: first1 as ReadonlyMap<string, string> | undefined, l: list as unknown } },
    )
    // Two later windows load (rows 201-400 and 401-600).
    const later = Array.from({ length: 400 }, (_, i) => 201 + i)
    act(() => {
      result.current.loaded(later.slice(0, 200))
      result.current.loaded(later.slice(200))
    })
    await waitFor(() => expect(result.current.badges.get('600')).toBe('m1:600'))
    expect(result.current.badges.get('1')).toBe('m1:1')

    // A retraining: the first window's badges are reloaded (a new map); the later rows keep theirs, of the new model.
    current = model(2)
    const first2 = new Map([['1', 'm2:1']])
    rerender({ first: first2, l: list })
    await waitFor(() => expect(result.current.badges.get('600')).toBe('m2:600'))
    expect(result.current.badges.get('201')).toBe('m2:201')
    expect(result.current.badges.get('1')).toBe('m2:1')
    expect(current.asked.flat().sort((a, b) => a - b)).toEqual(later)
  })

  it('asks in requests of at most the core limit, and forgets the ids when the list is replaced', async () => {
    let current = model(1)
    const fetchBadges = (ids: number[]): Promise<Map<string, string>> => current.fetch(ids)
    const { result, rerender } = renderHook(
      ({ first, l }: { first: ReadonlyMap<string, string> | undefined; l: unknown }) =>
        useWindowBadges(first, l, fetchBadges),
      { initialProps: { first: new Map([['1', 'm1:1']]) as ReadonlyMap<string, string>, l: 'list A' as unknown } },
    )
    const many = Array.from({ length: 2500 }, (_, i) => 2 + i)
    act(() => result.current.loaded(many))
    await waitFor(() => expect(result.current.badges.size).toBe(2501))
    expect(current.asked.map((a) => a.length)).toEqual([BADGE_IDS_PER_REQUEST, BADGE_IDS_PER_REQUEST, 500])

    // A new query (another list): its later windows are not loaded yet; a retraining asks nothing more.
    current = model(2)
    rerender({ first: new Map([['1', 'm1:1']]), l: 'list B' })
    rerender({ first: new Map([['1', 'm2:1']]), l: 'list B' })
    await waitFor(() => expect(result.current.badges.get('1')).toBe('m2:1'))
    expect(current.asked).toEqual([])
    expect(result.current.badges.size).toBe(1)
  })

  it('rows scrolled to keep their badges when the list is refreshed before a retraining (as the explorer wires it)', async () => {
    let current = model(1)
    const fetchBadges = (ids: number[]): Promise<Map<string, string>> => current.fetch(ids)
    // 1,000 rows in windows of 200; row i is entity i + 1.
    const windowAt = async (offset: number): Promise<RowWindow<number>> => ({
      rows: Array.from({ length: 200 }, (_, i) => offset + i + 1),
      total: 1000,
    })
    const firstWindow = (): RowWindow<number> => ({ rows: Array.from({ length: 200 }, (_, i) => i + 1), total: 1000 })
    const firstBadges = (n: number): Map<string, string> => new Map([['1', `m${n}:1`]])
    const { result, rerender } = renderHook(
      ({ list, first }: { list: RowWindow<number>; first: ReadonlyMap<string, string> }) => {
        const { badges, loaded } = useWindowBadges(first, list, fetchBadges)
        const fetchWindow = useCallback(
          async (offset: number) => {
            const w = await windowAt(offset)
            loaded(w.rows)
            return w
          },
          [loaded],
        )
        return { rows: useRowWindows(list, fetchWindow, 200), badges }
      },
      { initialProps: { list: firstWindow(), first: firstBadges(1) as ReadonlyMap<string, string> } },
    )
    const badgeAt = (i: number): string | undefined => {
      const id = result.current.rows.rowAt(i)
      return id === undefined ? undefined : result.current.badges.get(String(id))
    }
    // Scrolled to the middle: rows 390-430 in view (windows 1 and 2).
    act(() => result.current.rows.onRange(390, 430))
    await waitFor(() => expect(badgeAt(430)).toBe('m1:431'))
    expect(badgeAt(390)).toBe('m1:391')

    // A sync's data:changed refreshes the first window (same query, a new answer); the grid stays
    // where it is and reports no new range.
    const refreshed = firstWindow()
    rerender({ list: refreshed, first: firstBadges(1) })
    // Then a model is trained: the first window's badges are reloaded.
    current = model(2)
    rerender({ list: refreshed, first: firstBadges(2) })
    await waitFor(() => expect(badgeAt(390)).toBe('m2:391'))
    expect(badgeAt(430)).toBe('m2:431')
  })
})
