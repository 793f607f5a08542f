// Cursor paging (docs/api.md): the server hands out next_cursor only, so "previous" is a
// stack of the cursors of the pages already seen. Answers that arrive after a newer request
// was made are dropped, so quick clicks never show an older page.
import { computed, ref, shallowRef } from 'vue'
import type { Page } from '@/shell/api/types'

export function useCursorPager<T>(load: (cursor: string | null) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([])
  const total = ref<number | null>(null) // null: the server did not count
  const loading = ref(false)
  const error = shallowRef<unknown>(null)
  const stack = ref<(string | null)[]>([null]) // cursor of each page up to the current one
  const nextCursor = ref<string | null>(null)
  let seq = 0

  async function fetchAt(cursor: string | null, newStack: (string | null)[]): Promise<boolean> {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const page = await load(cursor)
      if (mine !== seq) return false
      items.value = page.items || []
      total.value = typeof page.total === 'number' ? page.total : null
      nextCursor.value = page.next_cursor || null
      stack.value = newStack
      return true
    } catch (e) {
      if (mine === seq) error.value = e
      throw e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  return {
    items,
    total,
    loading,
    error,
    page: computed(() => stack.value.length),
    hasPrev: computed(() => stack.value.length > 1),
    hasNext: computed(() => !!nextCursor.value),
    /** First page (after a change of filters or sort). */
    reset: () => fetchAt(null, [null]),
    /** The current page again (after an edit elsewhere). */
    reload: () => fetchAt(stack.value[stack.value.length - 1], [...stack.value]),
    next: () => (nextCursor.value ? fetchAt(nextCursor.value, [...stack.value, nextCursor.value]) : Promise.resolve(false)),
    prev: () => {
      if (stack.value.length <= 1) return Promise.resolve(false)
      const s = stack.value.slice(0, -1)
      return fetchAt(s[s.length - 1], s)
    },
  }
}
