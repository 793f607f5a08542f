import { describe, expect, it } from 'vitest'
import { fromScaled, groupDecimal, isDecimalString, m2ToMu, normalizeDecimalInput, toScaled } from './decimal'
import { createBody, patchBody, toForm, toWire } from './record'
import type { FieldMeta } from '@/shell/api/types'

describe('normalizeDecimalInput', () => {
  it('turns full-width digits and separators into ASCII', () => {
    expect(normalizeDecimalInput('１２．３４')).toBe('12.34')
    expect(normalizeDecimalInput('１，３１５，２００。５')).toBe('1315200.5')
  })
  it('drops blanks and thousands separators', () => {
    expect(normalizeDecimalInput(' 1,315,200.50 ')).toBe('1315200.50')
    expect(normalizeDecimalInput('1\u3000000')).toBe('1000')
  })
  it('keeps what only the server may judge', () => {
    expect(normalizeDecimalInput('12.345')).toBe('12.345') // too many decimals: the server says so
    expect(normalizeDecimalInput('12,34')).toBe('12,34') // not a thousands pattern: left alone
    expect(normalizeDecimalInput('abc')).toBe('abc')
  })
  it('treats null and numbers', () => {
    expect(normalizeDecimalInput(null)).toBe('')
    expect(normalizeDecimalInput(5)).toBe('5')
  })
})

describe('groupDecimal', () => {
  it('groups the integer part only, exactly', () => {
    expect(groupDecimal('1315200.50')).toBe('1,315,200.50')
    expect(groupDecimal('68990000.00')).toBe('68,990,000.00')
    expect(groupDecimal('-1234')).toBe('-1,234')
    expect(groupDecimal('999')).toBe('999')
    // beyond 2^53 a float would lose the last digits
    expect(groupDecimal('12345678901234567890.12')).toBe('12,345,678,901,234,567,890.12')
  })
  it('leaves what is not a decimal', () => {
    expect(groupDecimal('n/a')).toBe('n/a')
    expect(groupDecimal(null)).toBe('')
  })
})

describe('exact arithmetic', () => {
  it('isDecimalString checks the scale', () => {
    expect(isDecimalString('12.34', 2)).toBe(true)
    expect(isDecimalString('12.345', 2)).toBe(false)
    expect(isDecimalString('1e3')).toBe(false)
    expect(isDecimalString('.5')).toBe(false)
  })
  it('toScaled / fromScaled round half away from zero without floats', () => {
    expect(toScaled('0.105', 2)).toBe(11n)
    expect(toScaled('-0.105', 2)).toBe(-11n)
    expect(toScaled('0.1', 2)).toBe(10n)
    expect(fromScaled(5n, 2)).toBe('0.05')
    expect(fromScaled(-123n, 2)).toBe('-1.23')
    expect(fromScaled(toScaled('99999999999999999.99', 2)!, 2)).toBe('99999999999999999.99')
  })
  it('m² → 亩 is 3/2000, rounded to 2 places', () => {
    expect(m2ToMu('666.67')).toBe('1.00')
    expect(m2ToMu('2000')).toBe('3.00')
    expect(m2ToMu('1315200.50')).toBe('1972.80') // 1972.80075
    expect(m2ToMu('12.34')).toBe('0.02') // 0.01851
    expect(m2ToMu('0.1')).toBe('0.00')
    expect(m2ToMu('x')).toBeNull()
  })
})

const F = (name: string, type: FieldMeta['type'], extra: Partial<FieldMeta> = {}): FieldMeta => ({
  name,
  type,
  label: name,
  ...extra,
})
const fields: FieldMeta[] = [
  F('id', 'int', { readonly: true }),
  F('name', 'text', { required: true }),
  F('land_m2', 'area'),
  F('land_mu', 'area', { readonly: true }),
  F('pilot', 'bool'),
  F('kind', 'enum'),
  F('opened_on', 'date'),
  F('lng', 'lng'),
  F('version', 'int'),
]

describe('form ⇄ wire', () => {
  it('sends decimals as strings, never numbers', () => {
    expect(toWire(F('land_m2', 'area'), '１２．３４')).toBe('12.34')
    expect(toWire(F('land_m2', 'area'), '12.345')).toBe('12.345')
    expect(toWire(F('land_m2', 'area'), '')).toBeNull()
    expect(toWire(F('n', 'int'), '42')).toBe(42)
    expect(toWire(F('n', 'int'), '4.2')).toBe('4.2')
  })
  it('toForm shows server decimals as they came', () => {
    const v = toForm(fields, { id: 1, name: 'A', land_m2: '1315200.50', pilot: true, kind: null, opened_on: null, lng: '118.589421' })
    expect(v.land_m2).toBe('1315200.50')
    expect(v.lng).toBe('118.589421')
    expect(v.pilot).toBe(true)
    expect(v.kind).toBeNull()
  })
  it('createBody leaves out read-only, system and empty fields, keeps false', () => {
    const body = createBody(fields, { id: 9, name: '园区', land_m2: '12.345', land_mu: '1', pilot: false, kind: null, opened_on: '', lng: '', version: '3' })
    expect(body).toEqual({ name: '园区', land_m2: '12.345', pilot: false })
  })
  it('patchBody sends only what changed, and null for a cleared field', () => {
    const orig = { id: 1, name: 'A', land_m2: '100.00', pilot: false, kind: 'new_build', opened_on: '2024-01-02', lng: null }
    const form = toForm(fields, orig)
    expect(patchBody(fields, orig, form)).toEqual({})
    form.land_m2 = '100.5'
    form.kind = null
    form.pilot = true
    expect(patchBody(fields, orig, form)).toEqual({ land_m2: '100.5', kind: null, pilot: true })
  })
})
