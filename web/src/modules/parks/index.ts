// Parks (issue 1): the park list, a park's page and the generic park form.
import { OfficeBuilding } from '@element-plus/icons-vue'
import type { PbModule } from '@/shell/module'
import { create, formPage, page, read, update } from '@/shell/routing'
import zhCN from './i18n/zh-CN.json'
import en from './i18n/en.json'

/** parks use the generic form with their own titles and message */
const PARK_FORM = {
  resource: 'parks',
  list: 'parks',
  detail: 'park',
  textareas: ['policy_guide', 'description'],
  labels: { createTitle: 'parks.createTitle', editTitle: 'parks.editTitle', created: 'parks.created' },
}

export const parks: PbModule = {
  name: 'parks',
  routes: [
    page('parks', 'parks', () => import('./pages/ParksList.vue'), read('parks'), 'parks.title'),
    formPage('parks/new', 'park-new', create('parks'), 'parks.createTitle', PARK_FORM),
    page('parks/:id', 'park', () => import('./pages/ParkDetail.vue'), read('parks'), 'parks.detailTitle'),
    formPage('parks/:id/edit', 'park-edit', update('parks'), 'parks.editTitle', PARK_FORM),
  ],
  nav: [{ key: 'parks', to: '/parks', label: 'nav.parks', icon: OfficeBuilding, need: read('parks') }],
  messages: { 'zh-CN': zhCN, en },
}
