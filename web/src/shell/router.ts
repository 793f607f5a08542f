import { createRouter, createWebHistory, type RouteComponent, type RouteLocationRaw, type RouteRecordRaw } from 'vue-router'
import type { Role } from './api/types'
import { useSession } from './stores/session'
import { homeFor } from './nav'
import AppShell from './AppShell.vue'
import LoginPage from './pages/LoginPage.vue'
import { APARTMENT_PUBLIC_ROUTES, APARTMENT_ROUTES } from '@/modules/apartments/routes'

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

const ListPage = () => import('./pages/ListPage.vue')
const FormPage = () => import('./pages/ResourceFormPage.vue')

/** a page of the shell: who may open it (undefined: anyone signed in) and the i18n key of its title */
function page(
  path: string,
  name: string,
  component: RouteComponent | (() => Promise<unknown>),
  roles: Role[] | undefined,
  title: string,
  props?: Record<string, unknown>,
): RouteRecordRaw {
  return { path, name, component: component as RouteComponent, ...(props ? { props } : {}), meta: roles ? { roles, title } : { title } }
}
/** the generic list page of a resource, named like its path, titled by its `title` */
function listPage(path: string, roles: Role[], props: Record<string, unknown> & { title: string }): RouteRecordRaw {
  return page(path, path, ListPage, roles, props.title, props)
}

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
        page('password', 'password', () => import('./pages/PasswordPage.vue'), undefined, 'password.title'),
        page('parks', 'parks', () => import('@/modules/parks/pages/ParksList.vue'), PARK_ROLES, 'parks.title'),
        page('parks/new', 'park-new', FormPage, PARK_ROLES, 'parks.createTitle', PARK_FORM),
        page('parks/:id', 'park', () => import('@/modules/parks/pages/ParkDetail.vue'), PARK_ROLES, 'parks.detailTitle'),
        page('parks/:id/edit', 'park-edit', FormPage, PARK_ROLES, 'parks.editTitle', PARK_FORM),
        page('space', 'space', () => import('@/modules/space/pages/SpacePage.vue'), SPACE_ROLES, 'space.title'),
        ...formRoutes('buildings', 'building', 'buildings', 'space'),
        ...formRoutes('units', 'unit', 'units', 'space'),
        listPage('enterprises', ENTERPRISE_ROLES, {
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
        }),
        ...formRoutes('enterprises', 'enterprise', 'enterprises', 'enterprises', 'enterprise'),
        page('enterprises/:id', 'enterprise', () => import('@/modules/space/pages/EnterpriseDetail.vue'), ENTERPRISE_ROLES, 'enterprises.detailTitle'),
        ...formRoutes('honours', 'honour', 'enterprise_honours', 'enterprises'),
        ...formRoutes('figures', 'figure', 'enterprise_figures', 'enterprises'),
        page('leases', 'leases', () => import('@/modules/space/pages/LeasesPage.vue'), ENTERPRISE_ROLES, 'leases.title'),
        page('rates', 'rates', () => import('@/modules/space/pages/RatesPage.vue'), SPACE_ROLES, 'rates.title'),
        listPage('spaces', SPACE_ROLES, {
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
        }),
        ...formRoutes('spaces', 'space', 'spaces', 'spaces', 'space-detail'),
        page('spaces/:id', 'space-detail', () => import('@/modules/space/pages/SpaceDetail.vue'), SPACE_ROLES, 'spaces.title'),
        listPage('demands', DEMAND_ROLES, {
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
        }),
        ...formRoutes('demands', 'demand', 'demands', 'demands', 'demand'),
        page('demands/:id', 'demand', () => import('@/modules/space/pages/DemandDetail.vue'), DEMAND_ROLES, 'demands.detailTitle'),
        page('import', 'import', () => import('@/modules/space/pages/ImportPage.vue'), EDIT_ROLES, 'import.title'),
        page('dashboard', 'dashboard', () => import('@/modules/projects/pages/DashboardPage.vue'), PROJECT_STAFF, 'dashboard.title'),
        listPage('projects', PROJECT_ROLES, {
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
        }),
        page('projects/new', 'project-new', () => import('@/modules/projects/pages/ProjectFormPage.vue'), PROJECT_EDITORS, 'projects.createTitle'),
        page('projects/:id', 'project', () => import('@/modules/projects/pages/ProjectDetail.vue'), PROJECT_ROLES, 'projects.detailTitle'),
        page('projects/:id/edit', 'project-edit', () => import('@/modules/projects/pages/ProjectFormPage.vue'), PROJECT_EDITORS, 'projects.editTitle'),
        page('reports/late', 'late-reports', () => import('@/modules/projects/pages/LateReportsPage.vue'), PROJECT_STAFF, 'reports.lateTitle'),
        page('reports/monthly', 'bulletin', () => import('@/modules/projects/pages/BulletinPage.vue'), PROJECT_STAFF, 'bulletin.title'),
        page('targets', 'targets', () => import('@/modules/projects/pages/TargetsPage.vue'), PROJECT_STAFF, 'targets.title'),
        page('audit', 'audit', () => import('@/modules/core/pages/AuditPage.vue'), ['admin', 'auditor'], 'audit.title'),
        page('account', 'account', () => import('./pages/AccountPage.vue'), undefined, 'account.title'),
        ...APARTMENT_ROUTES,
        {
          path: ':rest(.*)*',
          name: 'not-found',
          component: () => import('./pages/NotFoundPage.vue'),
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
