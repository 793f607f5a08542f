// Routes of the talent-apartment module (spread into src/router/index.ts).
import type { RouteRecordRaw } from 'vue-router'
import { APT_STAFF } from './nav'

export const APARTMENT_PUBLIC_ROUTES: RouteRecordRaw[] = [
  {
    path: '/apt/register',
    name: 'apt-register',
    component: () => import('./pages/RegisterPage.vue'),
    meta: { public: true, title: 'apt.register.title' },
  },
]

export const APARTMENT_ROUTES: RouteRecordRaw[] = [
  { path: 'apt/me', name: 'apt-me', component: () => import('./pages/MyStayPage.vue'), meta: { roles: ['applicant'], title: 'apt.nav.me' } },
  { path: 'apt/apply', name: 'apt-apply', component: () => import('./pages/ApplyPage.vue'), meta: { roles: ['applicant'], title: 'apt.nav.apply' } },
  {
    path: 'apt/applications',
    name: 'apt-applications',
    component: () => import('./pages/ReviewPage.vue'),
    meta: { roles: APT_STAFF, title: 'apt.nav.applications' },
  },
  { path: 'apt/arrivals', name: 'apt-arrivals', component: () => import('./pages/ArrivalsPage.vue'), meta: { roles: APT_STAFF, title: 'apt.nav.arrivals' } },
  { path: 'apt/board', name: 'apt-board', component: () => import('./pages/BoardPage.vue'), meta: { roles: APT_STAFF, title: 'apt.nav.board' } },
  {
    path: 'apt/stats',
    name: 'apt-stats',
    component: () => import('./pages/StatsPage.vue'),
    meta: { roles: [...APT_STAFF, 'viewer'], title: 'apt.nav.stats' },
  },
  { path: 'apt/records', name: 'apt-records', component: () => import('./pages/RecordsPage.vue'), meta: { roles: APT_STAFF, title: 'apt.nav.records' } },
  { path: 'calendar', name: 'calendar', component: () => import('./pages/CalendarPage.vue'), meta: { roles: ['admin'], title: 'apt.nav.calendar' } },
]
