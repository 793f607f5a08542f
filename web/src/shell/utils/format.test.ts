import { describe, expect, it } from 'vitest'
import { dayBoundInstant, formatInstant, formatValue } from './format'
import type { FieldMeta } from '@/shell/api/types'

describe('times are shown in China Standard Time', () => {
  it('formats UTC instants as UTC+8 whatever the machine zone', () => {
    expect(formatInstant('2026-11-22T02:13:46.123Z')).toBe('2026-11-22 10:13')
    expect(formatInstant('2026-11-21T16:00:00Z', true)).toBe('2026-11-22 00:00:00')
    expect(formatInstant(null)).toBe('')
  })
  it('turns a civil date range into instants', () => {
    expect(dayBoundInstant('2026-11-22', false)).toBe('2026-11-21T16:00:00.000Z')
    expect(dayBoundInstant('2026-11-22', true)).toBe('2026-11-22T15:59:59.999Z')
  })
})

describe('formatValue', () => {
  const ctx = { t: (k: string) => ({ 'common.yes': '是', 'common.no': '否' })[k] || k, regionName: (c: string) => (c === '350582' ? '晋江市' : '') }
  const kind: FieldMeta = { name: 'kind', type: 'enum', label: '类型', options: [{ value: 'new_build', label: '新建' }] }
  it('shows enum labels, region names, yes/no and grouped decimals', () => {
    expect(formatValue(kind, 'new_build', ctx)).toBe('新建')
    expect(formatValue(kind, 'other', ctx)).toBe('other')
    expect(formatValue({ name: 'r', type: 'region', label: '' }, '350582', ctx)).toBe('晋江市')
    expect(formatValue({ name: 'r', type: 'region', label: '' }, '350599', ctx)).toBe('350599')
    expect(formatValue({ name: 'p', type: 'bool', label: '' }, true, ctx)).toBe('是')
    expect(formatValue({ name: 'p', type: 'bool', label: '' }, false, ctx)).toBe('否')
    expect(formatValue({ name: 'a', type: 'area', label: '' }, '1315200.50', ctx)).toBe('1,315,200.50')
    expect(formatValue({ name: 'a', type: 'area', label: '' }, null, ctx)).toBe('')
  })
})
