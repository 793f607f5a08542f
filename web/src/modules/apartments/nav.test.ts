import { describe, expect, it } from 'vitest'
import { homeFor, navFor } from '@/shell/nav'
import { POLICY } from '@/shell/policy.fixture'

describe('talent-apartment navigation', () => {
  it('shows applicants only their own pages', () => {
    expect(navFor('applicant', POLICY).map((i) => i.key)).toEqual(['apt-me', 'apt-apply', 'account'])
    expect(homeFor('applicant', POLICY)).toBe('/apt/me')
  })
  it('shows the desk its pages and no park or audit page', () => {
    expect(navFor('apartment_desk', POLICY).map((i) => i.key)).toEqual([
      'apt-applications',
      'apt-arrivals',
      'apt-board',
      'apt-stats',
      'apt-records',
      'account',
    ])
  })
  it('lets only admins edit the calendar, and viewers read the statistics', () => {
    for (const r of ['city', 'region', 'apartment_desk', 'viewer', 'applicant'] as const)
      expect(navFor(r, POLICY).map((i) => i.key)).not.toContain('calendar')
    expect(navFor('admin', POLICY).map((i) => i.key)).toContain('calendar')
    expect(navFor('viewer', POLICY).map((i) => i.key)).toContain('apt-stats')
    expect(navFor('viewer', POLICY).map((i) => i.key)).not.toContain('apt-applications')
    for (const r of ['operator', 'enterprise', 'auditor'] as const) expect(navFor(r, POLICY).some((i) => i.key.startsWith('apt-'))).toBe(false)
  })
})
