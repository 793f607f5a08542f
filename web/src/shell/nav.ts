// The side navigation as data: later modules (projects, enterprises, apartments …) add an
// entry here with the roles that may see it.
import type { Component } from 'vue'
import { OfficeBuilding, Document, User, Grid, Suitcase, Tickets, DataLine, House, Search, Upload } from '@element-plus/icons-vue'
import { DataAnalysis, Histogram, AlarmClock, Aim } from '@element-plus/icons-vue'
import type { Role } from './api/types'
import { APARTMENT_NAV } from '@/modules/apartments/nav'

export interface NavItem {
  key: string
  to: string
  /** i18n key of the label */
  label: string
  icon: Component
  /** roles that see the entry; absent = every role */
  roles?: Role[]
}

const PROJECT_STAFF: Role[] = ['admin', 'city', 'region', 'viewer']

export const NAV: NavItem[] = [
  // 智慧大脑 is the landing page of city and region staff and viewers (issue 4); the admin keeps
  // the parks first and finds the dashboard after them (the same page, one entry per role set).
  { key: 'dashboard', to: '/dashboard', label: 'nav.dashboard', icon: DataAnalysis, roles: ['city', 'region', 'viewer'] },
  {
    key: 'parks',
    to: '/parks',
    label: 'nav.parks',
    icon: OfficeBuilding,
    roles: ['admin', 'city', 'region', 'operator', 'enterprise', 'viewer'],
  },
  { key: 'space', to: '/space', label: 'nav.space', icon: Grid, roles: ['admin', 'city', 'region', 'operator', 'viewer'] },
  {
    key: 'enterprises',
    to: '/enterprises',
    label: 'nav.enterprises',
    icon: Suitcase,
    roles: ['admin', 'city', 'region', 'operator', 'viewer', 'enterprise'],
  },
  { key: 'leases', to: '/leases', label: 'nav.leases', icon: Tickets, roles: ['admin', 'city', 'region', 'operator', 'viewer', 'enterprise'] },
  { key: 'rates', to: '/rates', label: 'nav.rates', icon: DataLine, roles: ['admin', 'city', 'region', 'operator', 'viewer'] },
  { key: 'spaces', to: '/spaces', label: 'nav.spaces', icon: House, roles: ['admin', 'city', 'region', 'operator', 'viewer'] },
  // operators have no access to demands (policy table, src/domain/account.c)
  { key: 'demands', to: '/demands', label: 'nav.demands', icon: Search, roles: ['admin', 'city', 'region', 'viewer', 'enterprise'] },
  { key: 'import', to: '/import', label: 'nav.import', icon: Upload, roles: ['admin', 'city', 'region', 'operator'] },
  { key: 'dashboard', to: '/dashboard', label: 'nav.dashboard', icon: DataAnalysis, roles: ['admin'] },
  { key: 'projects', to: '/projects', label: 'nav.projects', icon: Histogram, roles: [...PROJECT_STAFF, 'operator'] },
  { key: 'lateReports', to: '/reports/late', label: 'nav.lateReports', icon: AlarmClock, roles: PROJECT_STAFF },
  { key: 'bulletin', to: '/reports/monthly', label: 'nav.bulletin', icon: Tickets, roles: PROJECT_STAFF },
  { key: 'targets', to: '/targets', label: 'nav.targets', icon: Aim, roles: PROJECT_STAFF },
  { key: 'audit', to: '/audit', label: 'nav.audit', icon: Document, roles: ['admin', 'auditor'] },
  ...APARTMENT_NAV,
  { key: 'account', to: '/account', label: 'nav.account', icon: User },
]

export function navFor(role: Role | null | undefined, items: NavItem[] = NAV): NavItem[] {
  return items.filter((i) => !i.roles || (!!role && i.roles.includes(role)))
}

/** Where a role lands after login: its first entry. */
export function homeFor(role: Role | null | undefined): string {
  return navFor(role)[0]?.to || '/account'
}
