import { describe, expect, it } from 'vitest'
import { refText } from './record'

describe('refText: a ref target in the picker', () => {
  it('shows the name, title, label or floor-number with the id', () => {
    expect(refText({ id: 3, name: '晋江园' })).toBe('晋江园 (#3)')
    expect(refText({ id: 4, title: '闲置厂房' })).toBe('闲置厂房 (#4)')
    expect(refText({ id: 5, floor: 2, number: '201' })).toBe('2F-201 (#5)')
    expect(refText({ id: 6, number: 'A1' })).toBe('A1 (#6)')
    expect(refText({ id: 7 })).toBe('#7')
  })
})
