import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import type { Role } from '@/api/types'
import { useSession } from '@/stores/session'
import { homeFor } from '@/nav'
import AppShell from '@/layout/AppShell.vue'
import LoginPage from '@/pages/LoginPage.vue'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
    /** i18n key of the page title */
    title?: string
  }
}

const PARK_ROLES: Role[] = ['admin', 'city', 'region', 'operator', 'enterprise', 'viewer']
const PROJECT_STAFF: Role[] = ['admin', 'city', 'region', 'viewer']
const PROJECT_ROLES: Role[] = [...PROJECT_STAFF, 'operator']
const PROJECT_EDITORS: Role[] = ['admin', 'city', 'region']

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: 'login.title' } },
    {
      path: '/',
      component: AppShell,
      children: [
        // where '/' leads depends on the role, known only after GET /me: see the guard
        { path: '', name: 'home', component: { render: () => null } },
        {
          path: 'password',
          name: 'password',
          component: () => import('@/pages/PasswordPage.vue'),
          meta: { title: 'password.title' },
        },
        {
          path: 'parks',
          name: 'parks',
          component: () => import('@/pages/ParksList.vue'),
          meta: { roles: PARK_ROLES, title: 'parks.title' },
        },
        {
          path: 'parks/new',
          name: 'park-new',
          component: () => import('@/pages/ParkFormPage.vue'),
          meta: { roles: PARK_ROLES, title: 'parks.createTitle' },
        },
        {
          path: 'parks/:id',
          name: 'park',
          component: () => import('@/pages/ParkDetail.vue'),
          meta: { roles: PARK_ROLES, title: 'parks.detailTitle' },
        },
        {
          path: 'parks/:id/edit',
          name: 'park-edit',
          component: () => import('@/pages/ParkFormPage.vue'),
          meta: { roles: PARK_ROLES, title: 'parks.editTitle' },
        },
        {
          path: 'dashboard',
          name: 'dashboard',
          component: () => import('@/pages/DashboardPage.vue'),
          meta: { roles: PROJECT_STAFF, title: 'dashboard.title' },
        },
        {
          path: 'projects',
          name: 'projects',
          component: () => import('@/pages/ProjectsList.vue'),
          meta: { roles: PROJECT_ROLES, title: 'projects.title' },
        },
        {
          path: 'projects/new',
          name: 'project-new',
          component: () => import('@/pages/ProjectFormPage.vue'),
          meta: { roles: PROJECT_EDITORS, title: 'projects.createTitle' },
        },
        {
          path: 'projects/:id',
          name: 'project',
          component: () => import('@/pages/ProjectDetail.vue'),
          meta: { roles: PROJECT_ROLES, title: 'projects.detailTitle' },
        },
        {
          path: 'projects/:id/edit',
          name: 'project-edit',
          component: () => import('@/pages/ProjectFormPage.vue'),
          meta: { roles: PROJECT_EDITORS, title: 'projects.editTitle' },
        },
        {
          path: 'reports/late',
          name: 'late-reports',
          component: () => import('@/pages/LateReportsPage.vue'),
          meta: { roles: PROJECT_STAFF, title: 'reports.lateTitle' },
        },
        {
          path: 'reports/monthly',
          name: 'bulletin',
          component: () => import('@/pages/BulletinPage.vue'),
          meta: { roles: PROJECT_STAFF, title: 'bulletin.title' },
        },
        {
          path: 'targets',
          name: 'targets',
          component: () => import('@/pages/TargetsPage.vue'),
          meta: { roles: PROJECT_STAFF, title: 'targets.title' },
        },
        {
          path: 'audit',
          name: 'audit',
          component: () => import('@/pages/AuditPage.vue'),
          meta: { roles: ['admin', 'auditor'], title: 'audit.title' },
        },
        {
          path: 'account',
          name: 'account',
          component: () => import('@/pages/AccountPage.vue'),
          meta: { title: 'account.title' },
        },
        {
          path: ':rest(.*)*',
          name: 'not-found',
          component: () => import('@/pages/NotFoundPage.vue'),
        },
      ],
    },
  ],
})

router.beforeEach(async (to): Promise<boolean | RouteLocationRaw> => {
  const s = useSession()
  if (!s.checked) {
    try {
      await s.load()
    } catch {
      /* server unreachable: treat as signed out; the login page says why when it fails */
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && s.loggedIn) return s.mustChange ? { name: 'password' } : homeFor(s.role)
    return true
  }
  const keep = to.name !== 'home' && to.name !== 'password' ? { redirect: to.fullPath } : undefined
  if (!s.loggedIn) return { name: 'login', query: keep }
  if (s.mustChange && to.name !== 'password') return { name: 'password', query: keep }
  if (to.name === 'home') return homeFor(s.role)
  if (to.meta.roles && !(s.role && to.meta.roles.includes(s.role))) {
    return homeFor(s.role)
  }
  return true
})
