import { onBeforeUnmount, onMounted, ref } from 'vue'

/** true on phone-sized screens (≤ 768 px), following resizes. */
export function useNarrow(query = '(max-width: 768px)') {
  const narrow = ref(false)
  let mq: MediaQueryList | null = null
  const on = () => (narrow.value = !!mq?.matches)
  onMounted(() => {
    mq = window.matchMedia(query)
    on()
    mq.addEventListener('change', on)
  })
  onBeforeUnmount(() => mq?.removeEventListener('change', on))
  return narrow
}
