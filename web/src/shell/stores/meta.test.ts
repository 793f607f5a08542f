import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useMeta, CITY_CODE } from './meta'
import { setLang } from '@/shell/i18n'
import { setFetch } from '@/shell/api/client'
import type { Region } from '@/shell/api/types'

const R = (code: string, kind: string, rollup = code): Region => ({ code, name: code, name_en: `en-${code}`, kind, rollup_code: rollup })

beforeEach(() => {
  setActivePinia(createPinia())
  setLang('zh-CN')
})

describe('meta store', () => {
  it('adds the system fields /meta leaves out, labelled in the UI language', () => {
    const m = useMeta()
    m.byLang['zh-CN'] = { resources: { parks: { label: '园区', fields: [{ name: 'name', type: 'text', label: '园区名称' }] } } }
    m.byLang.en = { resources: { parks: { label: 'Parks', fields: [{ name: 'name', type: 'text', label: 'Park name' }] } } }
    const zh = m.fields('parks')
    expect(zh.map((f) => f.name)).toEqual(['name', 'id', 'version', 'created_at', 'updated_at', 'archived_at'])
    expect(m.field('parks', 'updated_at')).toMatchObject({ type: 'time', label: '更新时间', readonly: true, sortable: true })
    setLang('en')
    expect(m.field('parks', 'name')?.label).toBe('Park name')
    expect(m.field('parks', 'updated_at')?.label).toBe('Updated')
    expect(m.fields('nope')).toEqual([])
  })

  it('fetches /meta once per language, with that language', async () => {
    const langs: string[] = []
    setFetch((async (_u: string, init: RequestInit) => {
      langs.push(new Headers(init.headers).get('Accept-Language')!)
      return new Response(JSON.stringify({ resources: {} }), { headers: { 'Content-Type': 'application/json' } })
    }) as unknown as typeof fetch)
    try {
      const m = useMeta()
      await Promise.all([m.ensureMeta(), m.ensureMeta()])
      await m.ensureMeta()
      setLang('en')
      await m.ensureMeta()
      expect(langs).toEqual(['zh-CN', 'en'])
    } finally {
      setFetch(null)
    }
  })

  it('offers parks counties and zones, never the city, within a region user’s scope', () => {
    const m = useMeta()
    m.regions = [R(CITY_CODE, 'city'), R('350582', 'county_city'), R('350521', 'county'), R('QZ-TSQ', 'zone', '350521')]
    expect(m.parkRegions().map((r) => r.code)).toEqual(['350582', '350521', 'QZ-TSQ'])
    expect(m.parkRegions(['350521']).map((r) => r.code)).toEqual(['350521', 'QZ-TSQ'])
    expect(m.regionName('350582')).toBe('350582')
    setLang('en')
    expect(m.regionName('350582')).toBe('en-350582')
  })
})
