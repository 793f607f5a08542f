// Stage labels (谋划/开工/在建/部分投用/投用) come from the server's meta, in the UI language.
import { useMeta } from '@/shell/stores/meta'
import type { Stage } from '@/modules/projects/api'

export function useStageLabel() {
  const meta = useMeta()
  return (s: Stage | string | null | undefined): string => {
    if (!s) return ''
    const f = meta.field('projects', 'stage')
    return f?.options?.find((o) => o.value === s)?.label || String(s)
  }
}
