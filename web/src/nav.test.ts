import { describe, expect, it } from 'vitest'
import { homeFor, navFor } from './nav'

describe('navigation by role', () => {
  it('shows the audit log to admin and auditor only', () => {
    expect(navFor('admin').map((i) => i.key)).toEqual(expect.arrayContaining(['parks', 'audit', 'account']))
    expect(navFor('auditor').map((i) => i.key)).toEqual(['audit', 'account'])
    for (const r of ['city', 'region', 'operator', 'enterprise', 'viewer', 'apartment_desk'] as const)
      expect(navFor(r).map((i) => i.key)).not.toContain('audit')
  })
  it('lands each role on its first entry', () => {
    expect(homeFor('city')).toBe('/parks')
    expect(homeFor('auditor')).toBe('/audit')
    expect(homeFor('apartment_desk')).toBe('/apt/applications')
    expect(navFor(null).map((i) => i.key)).toEqual(['account'])
  })
})
