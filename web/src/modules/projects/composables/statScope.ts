// The scope picker shared by the dashboard, the bulletin and the late list: month, and city or a
// region (region staff: only their regions, never the city, which the server answers with 404).
// Kept in the route query so that a page can be linked and reloaded as it is.
import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { useSession } from '@/shell/stores/session'
import { useMeta } from '@/shell/stores/meta'
import type { ScopeQuery } from '@/modules/projects/api'
import { previousMonth } from '@/modules/projects/utils/units'

export const CITY = 'city'

export function useStatScope() {
  const route = useRoute()
  const router = useRouter()
  const session = useSession()
  const meta = useMeta()

  const cityWide = computed(() => !!session.user?.all_regions || ['admin', 'city', 'viewer'].includes(session.role || ''))
  const q = (k: string) => (typeof route.query[k] === 'string' ? (route.query[k] as string) : '')
  const month = ref(/^\d{4}-\d{2}$/.test(q('month')) ? q('month') : previousMonth())
  const defaultScope = () => (cityWide.value ? CITY : session.user?.regions?.[0] || CITY)
  /** 'city' or a region code */
  const scope = ref(q('region') || defaultScope())

  const scopeOptions = computed(() => {
    const regions = meta.parkRegions(cityWide.value ? undefined : session.user?.regions || [])
    return regions.map((r) => ({ value: r.code, label: meta.regionName(r.code) || r.name }))
  })

  const query = computed<ScopeQuery>(() =>
    scope.value === CITY ? { month: month.value } : { month: month.value, scope: 'region', id: scope.value },
  )

  watch([month, scope], () => {
    router.replace({ query: { ...route.query, month: month.value, region: scope.value === CITY ? undefined : scope.value } })
  })

  return { month, scope, cityWide, scopeOptions, query }
}
