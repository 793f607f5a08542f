import { describe, expect, it } from 'vitest'
import { homeFor, navFor } from './nav'

describe('navigation by role', () => {
  it('shows the audit log to admin and auditor only', () => {
    expect(navFor('admin').map((i) => i.key)).toEqual(['parks', 'dashboard', 'projects', 'lateReports', 'bulletin', 'targets', 'audit', 'account'])
    expect(navFor('auditor').map((i) => i.key)).toEqual(['audit', 'account'])
    for (const r of ['city', 'region', 'operator', 'enterprise', 'viewer', 'apartment_desk'] as const)
      expect(navFor(r).map((i) => i.key)).not.toContain('audit')
  })
  it('lands each role on its first entry', () => {
    expect(homeFor('city')).toBe('/dashboard')
    expect(homeFor('region')).toBe('/dashboard')
    expect(homeFor('viewer')).toBe('/dashboard')
    expect(homeFor('admin')).toBe('/parks')
    expect(homeFor('operator')).toBe('/parks')
    expect(homeFor('auditor')).toBe('/audit')
    expect(homeFor('apartment_desk')).toBe('/account')
    expect(navFor(null).map((i) => i.key)).toEqual(['account'])
  })
  it('shows the projects pages to project staff, targets and the bulletin not to operators', () => {
    expect(navFor('operator').map((i) => i.key)).toEqual(['parks', 'projects', 'account'])
    expect(navFor('enterprise').map((i) => i.key)).not.toContain('projects')
    expect(navFor('region').map((i) => i.key)).toEqual(['dashboard', 'parks', 'projects', 'lateReports', 'bulletin', 'targets', 'account'])
  })
})
