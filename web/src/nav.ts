// The side navigation as data: later modules (projects, enterprises, apartments …) add an
// entry here with the roles that may see it.
import type { Component } from 'vue'
import { OfficeBuilding, Document, User } from '@element-plus/icons-vue'
import type { Role } from '@/api/types'
import { APARTMENT_NAV } from '@/apartment/nav'

export interface NavItem {
  key: string
  to: string
  /** i18n key of the label */
  label: string
  icon: Component
  /** roles that see the entry; absent = every role */
  roles?: Role[]
}

export const NAV: NavItem[] = [
  {
    key: 'parks',
    to: '/parks',
    label: 'nav.parks',
    icon: OfficeBuilding,
    roles: ['admin', 'city', 'region', 'operator', 'enterprise', 'viewer'],
  },
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
