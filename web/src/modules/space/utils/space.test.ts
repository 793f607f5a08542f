import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatRate,
  leaseOfUnit,
  matchPlace,
  matchReasons,
  parseIdList,
  rateBar,
  rateText,
  sumAreas,
  unitMapLayout,
  unitStatusClass,
} from './space'

const u = (id: number, floor: number, number: string, status = 'vacant') => ({ id, floor, number, status, area_m2: '100.00' })

describe('unit map layout', () => {
  it('draws floors top first and units in natural number order', () => {
    const l = unitMapLayout([u(1, 1, '102'), u(2, 2, '201', 'signed'), u(3, 1, '101', 'occupied'), u(4, 1, '110')])
    expect(l.rows.map((r) => r.floor)).toEqual([2, 1])
    expect(l.rows[1].cells.map((c) => c?.number)).toEqual(['101', '102', '110'])
    expect(l.columns).toBe(3)
    // shorter floors are padded so that columns line up
    expect(l.rows[0].cells.map((c) => c?.number ?? null)).toEqual(['201', null, null])
    expect(l.counts).toEqual({ vacant: 2, reserved: 0, signed: 1, occupied: 1, unavailable: 0 })
  })
  it('keeps empty floors up to the building height, and basements, but no floor 0', () => {
    const l = unitMapLayout([u(1, -1, 'B1-1'), u(2, 2, '201')], 4)
    expect(l.rows.map((r) => r.floor)).toEqual([4, 3, 2, 1, -1])
    expect(l.rows[0].cells).toEqual([null])
  })
  it('sorts "A-2" before "A-10" and takes floors given as strings', () => {
    const l = unitMapLayout([
      { id: 1, floor: '3', number: 'A-10' },
      { id: 2, floor: '3', number: 'A-2' },
    ])
    expect(l.rows[0].floor).toBe(3)
    expect(l.rows[0].cells.map((c) => c?.number)).toEqual(['A-2', 'A-10'])
  })
  it('copes with no units', () => {
    expect(unitMapLayout([])).toEqual({
      rows: [],
      columns: 0,
      counts: { vacant: 0, reserved: 0, signed: 0, occupied: 0, unavailable: 0 },
    })
  })
  it('maps statuses to classes, unknown ones to a neutral class', () => {
    expect(unitStatusClass('signed')).toBe('pb-unit--signed')
    expect(unitStatusClass('weird')).toBe('pb-unit--unknown')
    expect(unitStatusClass(null)).toBe('pb-unit--unknown')
  })
})

describe('rates', () => {
  it('shows exactly two decimals', () => {
    expect(formatRate(95.19)).toBe('95.19')
    expect(formatRate(33.3)).toBe('33.30')
    expect(formatRate(0)).toBe('0.00')
    expect(formatRate(100)).toBe('100.00')
    expect(formatRate(0.1 + 0.2)).toBe('0.30')
    expect(formatRate('7')).toBe('7.00')
    expect(formatRate('12.5')).toBe('12.50')
  })
  it('shows no rate when the denominator is 0 (null)', () => {
    expect(formatRate(null)).toBe('')
    expect(rateText(null)).toBe('—')
    expect(rateText(33.33)).toBe('33.33%')
    expect(rateBar(null)).toBe(0)
    expect(rateBar(120)).toBe(100)
    expect(rateBar(95.19)).toBe(95.19)
  })
})

describe('match reasons', () => {
  const labels: Record<string, string> = { floor_load: '楼面荷载', area_m2: '面积', ground_floor: '首层' }
  const item = {
    space_id: 3,
    score: 87.27,
    meets: ['area_m2', 'clear_height'],
    misses: [
      { requirement: 'floor_load', wanted: '10.00', offered: '8.00', shortfall: '2.00' },
      { requirement: 'ground_floor', wanted: 'true', offered: 'false', shortfall: null },
      { requirement: 'area_m2', wanted: '12000.00', offered: '10000.50', shortfall: '1999.50' },
    ],
  }
  it('names the requirements met, falling back to the raw name', () => {
    const r = matchReasons(item, (k) => labels[k] || '')
    expect(r.meets).toEqual([
      { requirement: 'area_m2', label: '面积' },
      { requirement: 'clear_height', label: 'clear_height' },
    ])
  })
  it('lists each miss with wanted, offered and the shortfall, exact', () => {
    const yesNo = (_r: string, v: unknown) => (v === 'true' ? 'yes' : v === 'false' ? 'no' : String(v))
    const r = matchReasons(item, (k) => labels[k] || '', yesNo)
    expect(r.misses[0]).toEqual({ requirement: 'floor_load', label: '楼面荷载', wanted: '10.00', offered: '8.00', shortfall: '2.00' })
    expect(r.misses[1]).toEqual({ requirement: 'ground_floor', label: '首层', wanted: 'yes', offered: 'no', shortfall: '' })
    // default display groups decimals and keeps every digit
    expect(matchReasons(item, () => '').misses[2]).toMatchObject({ wanted: '12,000.00', offered: '10,000.50', shortfall: '1,999.50' })
  })
  it('copes with missing lists', () => {
    expect(matchReasons({ space_id: 1, score: 0 }, () => '')).toEqual({ meets: [], misses: [] })
  })
})

describe('leases and areas', () => {
  it('parses unit id lists', () => {
    expect(parseIdList('12,13')).toEqual(['12', '13'])
    expect(parseIdList(' 1， 2 x,3')).toEqual(['1', '2', '3'])
    expect(parseIdList(null)).toEqual([])
  })
  it('finds the live lease of a unit', () => {
    const leases = [
      { id: 1, unit_ids: '1,2', status: 'ended' },
      { id: 2, unit_ids: '2,3', status: 'signed' },
      { id: 3, unit_ids: '4', status: 'occupied', archived_at: '2026-01-01T00:00:00Z' },
    ]
    expect(leaseOfUnit(leases, 2)?.id).toBe(2)
    expect(leaseOfUnit(leases, 1)).toBeNull()
    expect(leaseOfUnit(leases, 4)).toBeNull()
  })
  it('adds areas exactly', () => {
    expect(sumAreas(['500.25', '500.25'])).toBe('1000.50')
    expect(sumAreas(['0.1', '0.2'])).toBe('0.30')
    expect(sumAreas([])).toBe('0.00')
    expect(sumAreas(['1', null, 'x'])).toBe('1.00')
  })
})

describe('dates', () => {
  it('gives today in China Standard Time', async () => {
    const { todayCST } = await import('./space')
    expect(todayCST(new Date('2026-11-21T16:30:00Z'))).toBe('2026-11-22')
    expect(todayCST(new Date('2026-11-21T15:59:59Z'))).toBe('2026-11-21')
  })
})

describe('matches and files', () => {
  it('places a park unit by park, building and floor-unit, any other space by its address', () => {
    const unit = { title: 'x', region_code: '350582', park_id: 3, park_name: '晋江园', building_name: '1号厂房', unit_number: '201', floor: 2 }
    expect(matchPlace(unit)).toBe('晋江园 · 1号厂房 · 2F-201')
    expect(matchPlace({ title: 'y', region_code: '350582', park_id: null, address: '安海镇' })).toBe('安海镇')
    expect(matchPlace(null)).toBe('')
  })
  it('gives file sizes in B, KB and MB', () => {
    expect(formatBytes(980)).toBe('980 B')
    expect(formatBytes(12_595)).toBe('12.3 KB')
    expect(formatBytes(10 * 1024 * 1024)).toBe('10.0 MB')
    expect(formatBytes(-1)).toBe('')
  })
})
