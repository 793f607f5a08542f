// The side navigation, assembled from the modules (src/modules/index.ts): the entries marked
// `first` (a role's landing page), then each module's entries in order, then the account.
import { User } from '@element-plus/icons-vue'
import type { PolicyTable, Role } from './api/types'
import type { NavItem } from './module'
import { admits } from './policy'
import { MODULES } from '@/modules'

export type { NavItem } from './module'

const all = MODULES.flatMap((m) => m.nav)

export const NAV: NavItem[] = [
  ...all.filter((i) => i.first),
  ...all.filter((i) => !i.first),
  { key: 'account', to: '/account', label: 'nav.account', icon: User },
]

/** The entries a role sees under the server's policy table (none gated by it while unknown). */
export function navFor(role: Role | null | undefined, policy: PolicyTable | null | undefined, items: NavItem[] = NAV): NavItem[] {
  return items.filter((i) => (!i.need && !i.roles) || (!!role && admits(i, role, policy)))
}

/** Where a role lands after login: its first entry. */
export function homeFor(role: Role | null | undefined, policy: PolicyTable | null | undefined): string {
  return navFor(role, policy)[0]?.to || '/account'
}
