import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import type { Role } from '@/api/types'
import { useSession } from '@/stores/session'
import { homeFor } from '@/nav'
import AppShell from '@/layout/AppShell.vue'
import LoginPage from '@/pages/LoginPage.vue'
import { APARTMENT_PUBLIC_ROUTES, APARTMENT_ROUTES } from '@/apartment/routes'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
    /** i18n key of the page title */
    title?: string
  }
}

const PARK_ROLES: Role[] = ['admin', 'city', 'region', 'operator', 'enterprise', 'viewer']
/** who works with buildings, units, enterprises, leases, rates, spaces and demands */
export const SPACE_ROLES: Role[] = ['admin', 'city', 'region', 'operator', 'viewer']
const EDIT_ROLES: Role[] = ['admin', 'city', 'region', 'operator']
/** the policy table (src/domain/account.c): an enterprise reads its own entry, leases and
 *  demands; operators do not see demands and create no enterprises or spaces */
const ENTERPRISE_ROLES: Role[] = [...SPACE_ROLES, 'enterprise']
const DEMAND_ROLES: Role[] = ['admin', 'city', 'region', 'viewer', 'enterprise']
const CITY_EDIT: Role[] = ['admin', 'city', 'region']

const ListPage = () => import('@/pages/ListPage.vue')
const FormPage = () => import('@/pages/ResourceFormPage.vue')

/** new and edit routes of a resource edited with the generic form */
function formRoutes(path: string, name: string, resource: string, list: string, detail = '') {
  return [
    { path: `${path}/new`, name: `${name}-new`, component: FormPage, props: { resource, list, detail }, meta: { roles: EDIT_ROLES, title: 'list.form' } },
    { path: `${path}/:id/edit`, name: `${name}-edit`, component: FormPage, props: { resource, list, detail }, meta: { roles: EDIT_ROLES, title: 'list.form' } },
  ]
}
/** parks use the generic form with their own titles and message */
const PARK_FORM = {
  resource: 'parks',
  list: 'parks',
  detail: 'park',
  textareas: ['policy_guide', 'description'],
  labels: { createTitle: 'parks.createTitle', editTitle: 'parks.editTitle', created: 'parks.created' },
}
const PROJECT_STAFF: Role[] = ['admin', 'city', 'region', 'viewer']
const PROJECT_ROLES: Role[] = [...PROJECT_STAFF, 'operator']
const PROJECT_EDITORS: Role[] = ['admin', 'city', 'region']

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: 'login.title' } },
    ...APARTMENT_PUBLIC_ROUTES,
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
          component: FormPage,
          props: PARK_FORM,
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
          component: FormPage,
          props: PARK_FORM,
          meta: { roles: PARK_ROLES, title: 'parks.editTitle' },
        },
        {
          path: 'space',
          name: 'space',
          component: () => import('@/pages/SpacePage.vue'),
          meta: { roles: SPACE_ROLES, title: 'space.title' },
        },
        ...formRoutes('buildings', 'building', 'buildings', 'space'),
        ...formRoutes('units', 'unit', 'units', 'space'),
        {
          path: 'enterprises',
          name: 'enterprises',
          component: ListPage,
          props: {
            resource: 'enterprises',
            title: 'enterprises.title',
            columns: [
              { key: 'name', minWidth: 180, fixed: 'left' },
              { key: 'uscc', minWidth: 180 },
              { key: 'region_code', minWidth: 90 },
              { key: 'industry_code', minWidth: 110 },
              { key: 'chain', minWidth: 100 },
              { key: 'stage', minWidth: 80 },
              { key: 'stage_on', minWidth: 100 },
              { key: 'contact_name', minWidth: 90 },
              { key: 'contact_phone', minWidth: 120 },
              { key: 'above_scale', minWidth: 80 },
            ],
            filters: ['region_code', 'stage', 'chain_position', 'above_scale'],
            create: 'enterprise-new',
            open: 'enterprise',
            createRoles: CITY_EDIT,
          },
          meta: { roles: ENTERPRISE_ROLES, title: 'enterprises.title' },
        },
        ...formRoutes('enterprises', 'enterprise', 'enterprises', 'enterprises', 'enterprise'),
        {
          path: 'enterprises/:id',
          name: 'enterprise',
          component: () => import('@/pages/EnterpriseDetail.vue'),
          meta: { roles: ENTERPRISE_ROLES, title: 'enterprises.detailTitle' },
        },
        ...formRoutes('honours', 'honour', 'enterprise_honours', 'enterprises'),
        ...formRoutes('figures', 'figure', 'enterprise_figures', 'enterprises'),
        {
          path: 'leases',
          name: 'leases',
          component: () => import('@/pages/LeasesPage.vue'),
          meta: { roles: ENTERPRISE_ROLES, title: 'leases.title' },
        },
        {
          path: 'rates',
          name: 'rates',
          component: () => import('@/pages/RatesPage.vue'),
          meta: { roles: SPACE_ROLES, title: 'rates.title' },
        },
        {
          path: 'spaces',
          name: 'spaces',
          component: ListPage,
          props: {
            resource: 'spaces',
            title: 'spaces.title',
            columns: [
              { key: 'title', minWidth: 200, fixed: 'left' },
              { key: 'region_code', minWidth: 90 },
              { key: 'source', minWidth: 100 },
              { key: 'status', minWidth: 80 },
              { key: 'floor_m2', minWidth: 110 },
              { key: 'floor_load', minWidth: 100 },
              { key: 'clear_height', minWidth: 90 },
              { key: 'power_kva', minWidth: 100 },
              { key: 'rent_fen', minWidth: 110 },
              { key: 'available_from', minWidth: 100 },
              { key: 'owner_name', minWidth: 120 },
            ],
            filters: ['region_code', 'source', 'status', 'ground_floor', 'crane'],
            create: 'space-new',
            open: 'space-detail',
            createRoles: CITY_EDIT,
          },
          meta: { roles: SPACE_ROLES, title: 'spaces.title' },
        },
        ...formRoutes('spaces', 'space', 'spaces', 'spaces', 'space-detail'),
        {
          path: 'spaces/:id',
          name: 'space-detail',
          component: () => import('@/pages/SpaceDetail.vue'),
          meta: { roles: SPACE_ROLES, title: 'spaces.title' },
        },
        {
          path: 'demands',
          name: 'demands',
          component: ListPage,
          props: {
            resource: 'demands',
            title: 'demands.title',
            columns: [
              { key: 'title', minWidth: 180, fixed: 'left' },
              { key: 'region_code', minWidth: 90 },
              { key: 'kind', minWidth: 80 },
              { key: 'applicant_name', minWidth: 120 },
              { key: 'area_min_m2', minWidth: 110 },
              { key: 'area_max_m2', minWidth: 110 },
              { key: 'budget_rent_fen', minWidth: 110 },
              { key: 'move_in_by', minWidth: 100 },
              { key: 'status', minWidth: 80 },
            ],
            filters: ['region_code', 'kind', 'status'],
            create: 'demand-new',
            open: 'demand',
            createRoles: CITY_EDIT,
          },
          meta: { roles: DEMAND_ROLES, title: 'demands.title' },
        },
        ...formRoutes('demands', 'demand', 'demands', 'demands', 'demand'),
        {
          path: 'demands/:id',
          name: 'demand',
          component: () => import('@/pages/DemandDetail.vue'),
          meta: { roles: DEMAND_ROLES, title: 'demands.detailTitle' },
        },
        {
          path: 'import',
          name: 'import',
          component: () => import('@/pages/ImportPage.vue'),
          meta: { roles: EDIT_ROLES, title: 'import.title' },
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
          component: ListPage,
          props: {
            resource: 'projects',
            title: 'projects.title',
            columns: [
              { key: 'name', minWidth: 220, fixed: 'left' },
              { key: 'region_code', minWidth: 100 },
              { key: 'stage', minWidth: 90 },
              { key: 'stage_date', minWidth: 110 },
              { key: 'kind', minWidth: 110 },
              { key: 'invest_plan_yuan', minWidth: 140 },
              { key: 'plan_finish', minWidth: 110 },
              { key: 'pilot', minWidth: 80 },
              { key: 'updated_at', minWidth: 140 },
            ],
            filters: ['region_code', 'stage', 'kind', 'pilot', 'county_only'],
            create: 'project-new',
            open: 'project',
            createRoles: PROJECT_EDITORS,
            createLabel: 'projects.new',
            testid: 'project',
            plainTestids: true,
            labels: { search: 'projects.searchPlaceholder', total: 'projects.total', exported: 'projects.exported' },
          },
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
        ...APARTMENT_ROUTES,
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
