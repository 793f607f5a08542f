// GET /api/v1/meta (labels in the request language) and GET /api/v1/regions, cached per
// language; both are reference data every page needs.
import { defineStore } from 'pinia'
import { api, type Lang } from '@/shell/api/client'
import { currentLang, i18n } from '@/shell/i18n'
import type { FieldMeta, FieldType, Industry, MetaAnswer, PolicyTable, Region, ResourceMeta } from '@/shell/api/types'
import { regionLabel } from '@/shell/utils/format'

export const CITY_CODE = '350500'

/** Fields every record has (docs/api.md) that /meta does not describe. */
const SYSTEM: { name: string; type: FieldType; sortable: boolean }[] = [
  { name: 'id', type: 'int', sortable: true },
  { name: 'version', type: 'int', sortable: false },
  { name: 'created_at', type: 'time', sortable: true },
  { name: 'updated_at', type: 'time', sortable: true },
  { name: 'archived_at', type: 'time', sortable: false },
]

export const useMeta = defineStore('meta', {
  state: () => ({
    byLang: {} as Partial<Record<Lang, MetaAnswer>>,
    /** the server's policy table (the same in every language): null until /meta answered */
    policy: null as PolicyTable | null,
    regions: [] as Region[],
    industries: {} as Record<string, Industry | null>,
    loadingMeta: {} as Partial<Record<Lang, Promise<MetaAnswer>>>,
    loadingRegions: null as Promise<Region[]> | null,
  }),
  getters: {
    meta: (s) => s.byLang[currentLang()] || s.byLang['zh-CN'] || s.byLang.en || null,
  },
  actions: {
    async ensureMeta(): Promise<MetaAnswer> {
      const lang = currentLang()
      const have = this.byLang[lang]
      if (have) return have
      let p = this.loadingMeta[lang]
      if (!p) {
        p = api
          .get<MetaAnswer>('/meta')
          .then((r) => {
            this.byLang[lang] = r.data
            if (r.data.policy) this.policy = r.data.policy
            return r.data
          })
          .finally(() => {
            delete this.loadingMeta[lang]
          })
        this.loadingMeta[lang] = p
      }
      return p
    },
    resource(name: string): ResourceMeta | null {
      const m = this.byLang[currentLang()] || this.byLang['zh-CN'] || this.byLang.en
      return m?.resources?.[name] || null
    },
    /** The resource's fields from /meta, then the system fields it leaves out (labels from i18n). */
    fields(resource: string): FieldMeta[] {
      const own = this.resource(resource)?.fields || []
      if (!own.length) return own
      const have = new Set(own.map((f) => f.name))
      const t = i18n.global.t
      return [
        ...own,
        ...SYSTEM.filter((f) => !have.has(f.name)).map(
          (f): FieldMeta => ({ ...f, label: t(`fields.${f.name}`), readonly: true, required: false }),
        ),
      ]
    },
    field(resource: string, name: string): FieldMeta | undefined {
      return this.fields(resource).find((f) => f.name === name)
    },
    /** GB/T 4754 names of these codes (cached; unknown codes map to null). */
    async ensureIndustries(codes: string[]): Promise<void> {
      const missing = [...new Set(codes.filter((c) => c && !(c in this.industries)))]
      await Promise.all(
        missing.map(async (code) => {
          this.industries[code] = null
          try {
            const r = await api.get<{ items: Industry[] }>('/industries', { query: { q: code, limit: 20 } })
            this.industries[code] = (r.data.items || []).find((i) => i.code === code) || null
          } catch {
            delete this.industries[code]
          }
        }),
      )
    },
    industryName(code: string | null | undefined): string {
      if (!code) return ''
      const i = this.industries[code]
      if (!i) return ''
      return currentLang() === 'en' && i.name_en ? i.name_en : i.name
    },
    async ensureRegions(): Promise<Region[]> {
      if (this.regions.length) return this.regions
      if (!this.loadingRegions) {
        this.loadingRegions = api
          .get<{ items: Region[] }>('/regions')
          .then((r) => {
            this.regions = r.data.items || []
            return this.regions
          })
          .finally(() => {
            this.loadingRegions = null
          })
      }
      return this.loadingRegions
    },
    regionName(code: string): string {
      return regionLabel(
        this.regions.find((r) => r.code === code),
        currentLang(),
      )
    },
    /** Regions a park can be in: counties and zones, not the city itself. */
    parkRegions(limitTo?: string[]): Region[] {
      return this.regions.filter(
        (r) =>
          r.code !== CITY_CODE &&
          r.kind !== 'city' &&
          r.kind !== 'province' &&
          (!limitTo || limitTo.length === 0 || limitTo.includes(r.code) || (r.rollup_code ? limitTo.includes(r.rollup_code) : false)),
      )
    },
  },
})
