import { describe, expect, it } from 'vitest'
import { homeFor, navFor } from './nav'
import { POLICY } from './policy.fixture'
import type { Role } from './api/types'

describe('navigation by role', () => {
  it('shows the audit log to admin and auditor only', () => {
    expect(navFor('admin', POLICY).map((i) => i.key)).toEqual(
      expect.arrayContaining(['parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'demands', 'import', 'audit', 'account']),
    )
    expect(navFor('admin', POLICY).map((i) => i.key)).toEqual(
      expect.arrayContaining(['parks', 'dashboard', 'projects', 'lateReports', 'bulletin', 'targets', 'audit', 'account']),
    )
    expect(navFor('auditor', POLICY).map((i) => i.key)).toEqual(['audit', 'account'])
    for (const r of ['city', 'region', 'operator', 'enterprise', 'viewer', 'apartment_desk'] as const)
      expect(navFor(r, POLICY).map((i) => i.key)).not.toContain('audit')
  })
  it('lands each role on its first entry', () => {
    expect(homeFor('city', POLICY)).toBe('/dashboard')
    expect(homeFor('region', POLICY)).toBe('/dashboard')
    expect(homeFor('viewer', POLICY)).toBe('/dashboard')
    expect(homeFor('admin', POLICY)).toBe('/parks')
    expect(homeFor('operator', POLICY)).toBe('/parks')
    expect(homeFor('auditor', POLICY)).toBe('/audit')
    expect(homeFor('apartment_desk', POLICY)).toBe('/apt/applications')
    expect(navFor(null, POLICY).map((i) => i.key)).toEqual(['account'])
  })
  it('shows the space pages as the server policy allows; import only to those who edit', () => {
    const keys = (r: Parameters<typeof navFor>[0]) => navFor(r, POLICY).map((i) => i.key)
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
    expect(navFor('operator', POLICY).map((i) => i.key)).not.toContain('targets')
    expect(navFor('operator', POLICY).map((i) => i.key)).not.toContain('bulletin')
    expect(navFor('enterprise', POLICY).map((i) => i.key)).not.toContain('projects')
    expect(navFor('region', POLICY).map((i) => i.key)).toEqual(
      expect.arrayContaining(['dashboard', 'parks', 'projects', 'lateReports', 'bulletin', 'targets', 'account']),
    )
    expect(navFor('region', POLICY)[0].key).toBe('dashboard')
  })
  it('gives every role the entries the former UI-side role lists gave it', () => {
    const before: Record<Role, string[]> = {
      admin: ['parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'demands', 'import', 'dashboard', 'projects', 'lateReports', 'bulletin', 'targets', 'audit', 'apt-applications', 'apt-arrivals', 'apt-board', 'apt-stats', 'apt-records', 'calendar', 'account'],
      city: ['dashboard', 'parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'demands', 'import', 'projects', 'lateReports', 'bulletin', 'targets', 'apt-applications', 'apt-arrivals', 'apt-board', 'apt-stats', 'apt-records', 'account'],
      region: ['dashboard', 'parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'demands', 'import', 'projects', 'lateReports', 'bulletin', 'targets', 'apt-applications', 'apt-arrivals', 'apt-board', 'apt-stats', 'apt-records', 'account'],
      operator: ['parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'import', 'projects', 'account'],
      enterprise: ['parks', 'enterprises', 'leases', 'demands', 'account'],
      viewer: ['dashboard', 'parks', 'space', 'enterprises', 'leases', 'rates', 'spaces', 'demands', 'projects', 'lateReports', 'bulletin', 'targets', 'apt-stats', 'account'],
      auditor: ['audit', 'account'],
      apartment_desk: ['apt-applications', 'apt-arrivals', 'apt-board', 'apt-stats', 'apt-records', 'account'],
      applicant: ['apt-me', 'apt-apply', 'account'],
    }
    for (const [role, keys] of Object.entries(before)) expect(navFor(role as Role, POLICY).map((i) => i.key), role).toEqual(keys)
  })
  it('shows nothing the policy table gates while the table is unknown', () => {
    expect(navFor('admin', null).map((i) => i.key)).toEqual(['import', 'dashboard', 'lateReports', 'bulletin', 'calendar', 'account'])
    expect(navFor('enterprise', null).map((i) => i.key)).toEqual(['account'])
    expect(homeFor('enterprise', null)).toBe('/account')
  })
})
