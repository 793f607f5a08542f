import { describe, expect, it } from 'vitest'
import { areaUnitFor, m2In, moneyUnitFor, moneyUnitForAll, previousMonth, showArea, showMoney, yuanIn } from './units'

describe('amounts in 亿元 / 万元', () => {
  it('reproduces the seed: 6,899,000,000.00 yuan is 68.99亿元', () => {
    expect(yuanIn('6899000000.00', 'yi')).toBe('68.99')
    expect(showMoney('6899000000.00')).toEqual({ n: '68.99', key: 'units.yi' })
  })
  it('rounds half up on the exact value, never through a float', () => {
    expect(yuanIn('3449499999.48', 'yi')).toBe('34.49')
    expect(yuanIn('3449500000.00', 'yi')).toBe('34.50') // exactly half: up
    expect(yuanIn('3449499999.99', 'yi')).toBe('34.49')
    expect(yuanIn('123456789012345678.99', 'yi')).toBe('1234567890.12') // beyond 2^53
    expect(yuanIn('0.1', 'wan')).toBe('0.00')
    expect(yuanIn('50.00', 'wan')).toBe('0.01')
    expect(yuanIn('1500000', 'wan')).toBe('150.00')
    expect(yuanIn('-50.00', 'wan')).toBe('-0.01')
    expect(yuanIn('12.34', 'yuan')).toBe('12.34')
  })
  it('uses 亿元 from exactly 1亿元 up, like the server', () => {
    expect(moneyUnitFor('100000000.00')).toBe('yi')
    expect(moneyUnitFor('99999999.99')).toBe('wan')
    expect(showMoney('99999999.99')).toEqual({ n: '10000.00', key: 'units.wan' })
    expect(moneyUnitForAll(['1.00', null, '250000000'])).toBe('yi')
    expect(moneyUnitForAll(['1.00', undefined])).toBe('wan')
  })
  it('gives null for what is not a decimal', () => {
    expect(yuanIn(null, 'yi')).toBeNull()
    expect(yuanIn('abc', 'yi')).toBeNull()
    expect(showMoney(undefined)).toBeNull()
  })
})

describe('areas in 万平方米', () => {
  it('reproduces the seed: 1,315,200.00 m² is 131.52万平方米', () => {
    expect(m2In('1315200.00', 'wanM2')).toBe('131.52')
    expect(showArea('1315200.00')).toEqual({ n: '131.52', key: 'units.wanM2' })
  })
  it('below 1万 m² shows whole square metres, half up', () => {
    expect(areaUnitFor('9999.99')).toBe('m2')
    expect(areaUnitFor('10000')).toBe('wanM2')
    expect(showArea('5000.50')).toEqual({ n: '5001', key: 'units.m2' })
    expect(showArea('5000.49')).toEqual({ n: '5000', key: 'units.m2' })
    expect(m2In('658209.60', 'wanM2')).toBe('65.82')
    expect(m2In('15000', 'wanM2')).toBe('1.50')
  })
})

describe('previousMonth', () => {
  it('is the month before, in China Standard Time', () => {
    expect(previousMonth(new Date('2026-11-22T03:00:00Z'))).toBe('2026-10')
    expect(previousMonth(new Date('2026-01-05T00:00:00Z'))).toBe('2025-12')
    // 31 Dec 17:00 UTC is already 1 Jan in Quanzhou
    expect(previousMonth(new Date('2025-12-31T17:00:00Z'))).toBe('2025-12')
  })
})
