// Space and enterprises (issue 2): buildings and units, enterprises, leases, rates, the vacant
// space register, investment demands and their matches, and the bulk import of these records.
import { Grid, Suitcase, Tickets, DataLine, House, Search, Upload } from '@element-plus/icons-vue'
import type { Role } from '@/shell/api/types'
import type { PbModule } from '@/shell/module'
import { formRoutes, listPage, page, read } from '@/shell/routing'
import zhCN from './i18n/zh-CN.json'
import en from './i18n/en.json'

/** the server has no policy key for imports; these roles edit the imported records */
const IMPORT_ROLES: Role[] = ['admin', 'city', 'region', 'operator']

export const space: PbModule = {
  name: 'space',
  routes: [
    page('space', 'space', () => import('./pages/SpacePage.vue'), read('buildings'), 'space.title'),
    ...formRoutes('buildings', 'building', 'buildings', 'space'),
    ...formRoutes('units', 'unit', 'units', 'space'),
    listPage('enterprises', read('enterprises'), {
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
    }),
    ...formRoutes('enterprises', 'enterprise', 'enterprises', 'enterprises', 'enterprise'),
    page('enterprises/:id', 'enterprise', () => import('./pages/EnterpriseDetail.vue'), read('enterprises'), 'enterprises.detailTitle'),
    ...formRoutes('honours', 'honour', 'enterprise_honours', 'enterprises', '', 'enterprises'),
    ...formRoutes('figures', 'figure', 'enterprise_figures', 'enterprises', '', 'enterprises'),
    page('leases', 'leases', () => import('./pages/LeasesPage.vue'), read('leases'), 'leases.title'),
    page('rates', 'rates', () => import('./pages/RatesPage.vue'), read('units'), 'rates.title'),
    listPage('spaces', read('spaces'), {
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
    }),
    ...formRoutes('spaces', 'space', 'spaces', 'spaces', 'space-detail'),
    page('spaces/:id', 'space-detail', () => import('./pages/SpaceDetail.vue'), read('spaces'), 'spaces.title'),
    listPage('demands', read('demands'), {
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
    }),
    ...formRoutes('demands', 'demand', 'demands', 'demands', 'demand'),
    page('demands/:id', 'demand', () => import('./pages/DemandDetail.vue'), read('demands'), 'demands.detailTitle'),
    page('import', 'import', () => import('./pages/ImportPage.vue'), IMPORT_ROLES, 'import.title'),
  ],
  nav: [
    { key: 'space', to: '/space', label: 'nav.space', icon: Grid, need: read('buildings') },
    { key: 'enterprises', to: '/enterprises', label: 'nav.enterprises', icon: Suitcase, need: read('enterprises') },
    { key: 'leases', to: '/leases', label: 'nav.leases', icon: Tickets, need: read('leases') },
    { key: 'rates', to: '/rates', label: 'nav.rates', icon: DataLine, need: read('units') },
    { key: 'spaces', to: '/spaces', label: 'nav.spaces', icon: House, need: read('spaces') },
    { key: 'demands', to: '/demands', label: 'nav.demands', icon: Search, need: read('demands') },
    { key: 'import', to: '/import', label: 'nav.import', icon: Upload, roles: IMPORT_ROLES },
  ],
  messages: { 'zh-CN': zhCN, en },
}
