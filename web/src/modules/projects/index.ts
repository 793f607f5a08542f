// Standardization projects (issue 4): the dashboard (智慧大脑), projects and their stages,
// monthly reports, the bulletin and the targets.
import { DataAnalysis, Histogram, AlarmClock, Aim, Tickets } from '@element-plus/icons-vue'
import type { Role } from '@/shell/api/types'
import type { PbModule } from '@/shell/module'
import { create, listPage, page, read, update } from '@/shell/routing'
import zhCN from './i18n/zh-CN.json'
import en from './i18n/en.json'

/** The dashboard, late reports and the bulletin are for project staff, not operators, who do
 *  read reports: no server policy key says so yet, hence a role list. */
const PROJECT_STAFF: Role[] = ['admin', 'city', 'region', 'viewer']

export const projects: PbModule = {
  name: 'projects',
  routes: [
    page('dashboard', 'dashboard', () => import('./pages/DashboardPage.vue'), PROJECT_STAFF, 'dashboard.title'),
    listPage('projects', read('projects'), {
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
      createLabel: 'projects.new',
      testid: 'project',
      plainTestids: true,
      labels: { search: 'projects.searchPlaceholder', total: 'projects.total', exported: 'projects.exported' },
    }),
    page('projects/new', 'project-new', () => import('./pages/ProjectFormPage.vue'), create('projects'), 'projects.createTitle'),
    page('projects/:id', 'project', () => import('./pages/ProjectDetail.vue'), read('projects'), 'projects.detailTitle'),
    page('projects/:id/edit', 'project-edit', () => import('./pages/ProjectFormPage.vue'), update('projects'), 'projects.editTitle'),
    page('reports/late', 'late-reports', () => import('./pages/LateReportsPage.vue'), PROJECT_STAFF, 'reports.lateTitle'),
    page('reports/monthly', 'bulletin', () => import('./pages/BulletinPage.vue'), PROJECT_STAFF, 'bulletin.title'),
    page('targets', 'targets', () => import('./pages/TargetsPage.vue'), read('targets'), 'targets.title'),
  ],
  nav: [
    // 智慧大脑 is the landing page of city and region staff and viewers; the admin keeps the
    // parks first and finds the dashboard after the space pages (one entry per role set).
    { key: 'dashboard', to: '/dashboard', label: 'nav.dashboard', icon: DataAnalysis, roles: ['city', 'region', 'viewer'], first: true },
    { key: 'dashboard', to: '/dashboard', label: 'nav.dashboard', icon: DataAnalysis, roles: ['admin'] },
    { key: 'projects', to: '/projects', label: 'nav.projects', icon: Histogram, need: read('projects') },
    { key: 'lateReports', to: '/reports/late', label: 'nav.lateReports', icon: AlarmClock, roles: PROJECT_STAFF },
    { key: 'bulletin', to: '/reports/monthly', label: 'nav.bulletin', icon: Tickets, roles: PROJECT_STAFF },
    { key: 'targets', to: '/targets', label: 'nav.targets', icon: Aim, need: read('targets') },
  ],
  messages: { 'zh-CN': zhCN, en },
}
