import { describe, expect, it } from 'vitest'
import { useCursorPager } from './cursorPager'
import type { Page } from '@/shell/api/types'

// three pages of a fake collection: cursors "c2", "c3"
const PAGES: Record<string, Page<number>> = {
  '': { items: [1, 2], next_cursor: 'c2', total: 5 },
  c2: { items: [3, 4], next_cursor: 'c3', total: 5 },
  c3: { items: [5], next_cursor: null, total: 5 },
}

describe('useCursorPager', () => {
  it('walks forward with next_cursor and back with the stack', async () => {
    const asked: (string | null)[] = []
    const p = useCursorPager<number>(async (c) => {
      asked.push(c)
      return PAGES[c ?? '']
    })
    await p.reset()
    expect(p.items.value).toEqual([1, 2])
    expect(p.total.value).toBe(5)
    expect(p.hasPrev.value).toBe(false)
    expect(p.hasNext.value).toBe(true)
    await p.next()
    await p.next()
    expect(p.items.value).toEqual([5])
    expect(p.page.value).toBe(3)
    expect(p.hasNext.value).toBe(false)
    expect(await p.next()).toBe(false) // nothing after the last page
    await p.prev()
    expect(p.items.value).toEqual([3, 4])
    expect(p.page.value).toBe(2)
    await p.reload()
    expect(p.items.value).toEqual([3, 4])
    await p.prev()
    expect(p.items.value).toEqual([1, 2])
    expect(p.hasPrev.value).toBe(false)
    expect(asked).toEqual([null, 'c2', 'c3', 'c2', 'c2', null])
  })

  it('drops an answer that arrives after a newer request', async () => {
    const pending: ((p: Page<number>) => void)[] = []
    const p = useCursorPager<number>(() => new Promise((res) => pending.push(res)))
    const older = p.reset()
    const newer = p.reset() // e.g. the filter changed again before the first answer
    pending[1]({ items: [7], next_cursor: null, total: 1 })
    await newer
    pending[0]({ items: [9], next_cursor: 'x', total: 99 }) // late answer to the older request
    await older
    expect(p.items.value).toEqual([7])
    expect(p.total.value).toBe(1)
    expect(p.hasNext.value).toBe(false)
    expect(p.loading.value).toBe(false)
  })

  it('keeps the page when a load fails', async () => {
    let fail = false
    const p = useCursorPager<number>(async (c) => {
      if (fail) throw new Error('boom')
      return PAGES[c ?? '']
    })
    await p.reset()
    fail = true
    await expect(p.next()).rejects.toThrow('boom')
    expect(p.page.value).toBe(1)
    expect(p.items.value).toEqual([1, 2])
    expect(p.error.value).toBeInstanceOf(Error)
  })
})
