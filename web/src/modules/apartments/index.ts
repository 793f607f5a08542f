// Talent apartments (issue 5): applications, arrivals, the bed board, statistics, the desk's
// records, an applicant's own pages and registration, and the working-day calendar.
import { Calendar, DataLine, Grid, House, Tickets, Checked, Files, EditPen } from '@element-plus/icons-vue'
import type { PbModule } from '@/shell/module'
import { page, read, update } from '@/shell/routing'
import zhCN from './i18n/zh-CN.json'
import en from './i18n/en.json'

/** the desk's working pages: who keeps room, bed and stay status (viewers only read) */
const DESK = update('apartments')

export const apartments: PbModule = {
  name: 'apartments',
  publicRoutes: [
    {
      path: '/apt/register',
      name: 'apt-register',
      component: () => import('./pages/RegisterPage.vue'),
      meta: { public: true, title: 'apt.register.title' },
    },
  ],
  // Applicants reach their own pages through their own routes, which no policy key covers; the
  // calendar is the admin's. Both keep a role list until the server has keys for them.
  routes: [
    page('apt/me', 'apt-me', () => import('./pages/MyStayPage.vue'), ['applicant'], 'apt.nav.me'),
    page('apt/apply', 'apt-apply', () => import('./pages/ApplyPage.vue'), ['applicant'], 'apt.nav.apply'),
    page('apt/applications', 'apt-applications', () => import('./pages/ReviewPage.vue'), DESK, 'apt.nav.applications'),
    page('apt/arrivals', 'apt-arrivals', () => import('./pages/ArrivalsPage.vue'), DESK, 'apt.nav.arrivals'),
    page('apt/board', 'apt-board', () => import('./pages/BoardPage.vue'), DESK, 'apt.nav.board'),
    page('apt/stats', 'apt-stats', () => import('./pages/StatsPage.vue'), read('apartments'), 'apt.nav.stats'),
    page('apt/records', 'apt-records', () => import('./pages/RecordsPage.vue'), DESK, 'apt.nav.records'),
    page('calendar', 'calendar', () => import('./pages/CalendarPage.vue'), ['admin'], 'apt.nav.calendar'),
  ],
  nav: [
    { key: 'apt-me', to: '/apt/me', label: 'apt.nav.me', icon: House, roles: ['applicant'] },
    { key: 'apt-apply', to: '/apt/apply', label: 'apt.nav.apply', icon: EditPen, roles: ['applicant'] },
    { key: 'apt-applications', to: '/apt/applications', label: 'apt.nav.applications', icon: Tickets, need: DESK },
    { key: 'apt-arrivals', to: '/apt/arrivals', label: 'apt.nav.arrivals', icon: Checked, need: DESK },
    { key: 'apt-board', to: '/apt/board', label: 'apt.nav.board', icon: Grid, need: DESK },
    { key: 'apt-stats', to: '/apt/stats', label: 'apt.nav.stats', icon: DataLine, need: read('apartments') },
    { key: 'apt-records', to: '/apt/records', label: 'apt.nav.records', icon: Files, need: DESK },
    { key: 'calendar', to: '/calendar', label: 'apt.nav.calendar', icon: Calendar, roles: ['admin'] },
  ],
  messages: { 'zh-CN': zhCN, en },
}
