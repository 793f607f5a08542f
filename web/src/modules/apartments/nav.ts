// Navigation entries of the talent-apartment module (spread into NAV in src/nav.ts).
import { Calendar, DataLine, Grid, House, Tickets, Checked, Files, EditPen } from '@element-plus/icons-vue'
import type { NavItem } from '@/shell/nav'
import type { Role } from '@/shell/api/types'

export const APT_STAFF: Role[] = ['admin', 'city', 'region', 'apartment_desk']

export const APARTMENT_NAV: NavItem[] = [
  { key: 'apt-me', to: '/apt/me', label: 'apt.nav.me', icon: House, roles: ['applicant'] },
  { key: 'apt-apply', to: '/apt/apply', label: 'apt.nav.apply', icon: EditPen, roles: ['applicant'] },
  { key: 'apt-applications', to: '/apt/applications', label: 'apt.nav.applications', icon: Tickets, roles: APT_STAFF },
  { key: 'apt-arrivals', to: '/apt/arrivals', label: 'apt.nav.arrivals', icon: Checked, roles: APT_STAFF },
  { key: 'apt-board', to: '/apt/board', label: 'apt.nav.board', icon: Grid, roles: APT_STAFF },
  { key: 'apt-stats', to: '/apt/stats', label: 'apt.nav.stats', icon: DataLine, roles: [...APT_STAFF, 'viewer'] },
  { key: 'apt-records', to: '/apt/records', label: 'apt.nav.records', icon: Files, roles: APT_STAFF },
  { key: 'calendar', to: '/calendar', label: 'apt.nav.calendar', icon: Calendar, roles: ['admin'] },
]
