import { describe, expect, it } from 'vitest'
import { homeFor, navFor } from './nav'

describe('navigation by role', () => {
  it('shows the audit log to admin and auditor only', () => {
    expect(navFor('admin').map((i) => i.key)).toEqual(
      expect.arrayContaining(['parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'demands', 'import', 'audit', 'account']),
    )
    expect(navFor('admin').map((i) => i.key)).toEqual(
      expect.arrayContaining(['parks', 'dashboard', 'projects', 'lateReports', 'bulletin', 'targets', 'audit', 'account']),
    )
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
    expect(homeFor('apartment_desk')).toBe('/apt/applications')
    expect(navFor(null).map((i) => i.key)).toEqual(['account'])
  })
  it('shows the space pages as the server policy allows; import only to those who edit', () => {
    const keys = (r: Parameters<typeof navFor>[0]) => navFor(r).map((i) => i.key)
    const space = ['space', 'enterprises', 'leases', 'rates', 'spaces', 'demands']
    for (const r of ['city', 'region'] as const) expect(keys(r)).toEqual(expect.arrayContaining([...space, 'import']))
    expect(keys('operator')).toEqual(expect.arrayContaining(['space', 'enterprises', 'leases', 'rates', 'spaces', 'import']))
    expect(keys('operator')).not.toContain('demands')
    expect(keys('viewer')).toEqual(expect.arrayContaining(space))
    expect(keys('viewer')).not.toContain('import')
    expect(keys('enterprise')).toEqual(['parks', 'enterprises', 'leases', 'demands', 'account'])
    expect(keys('operator')).toEqual(expect.arrayContaining(['parks', 'projects', 'account']))
    for (const r of ['auditor', 'apartment_desk'] as const) for (const k of [...space, 'import']) expect(keys(r)).not.toContain(k)
  })
  it('shows the projects pages to project staff, targets and the bulletin not to operators', () => {
    expect(navFor('operator').map((i) => i.key)).not.toContain('targets')
    expect(navFor('operator').map((i) => i.key)).not.toContain('bulletin')
    expect(navFor('enterprise').map((i) => i.key)).not.toContain('projects')
    expect(navFor('region').map((i) => i.key)).toEqual(
      expect.arrayContaining(['dashboard', 'parks', 'projects', 'lateReports', 'bulletin', 'targets', 'account']),
    )
    expect(navFor('region')[0].key).toBe('dashboard')
  })
})
