// Pages of the core services no business module owns: the audit log.
import { Document } from '@element-plus/icons-vue'
import type { PbModule } from '@/shell/module'
import { page, read } from '@/shell/routing'
import zhCN from './i18n/zh-CN.json'
import en from './i18n/en.json'

export const core: PbModule = {
  name: 'core',
  routes: [page('audit', 'audit', () => import('./pages/AuditPage.vue'), read('audit'), 'audit.title')],
  nav: [{ key: 'audit', to: '/audit', label: 'nav.audit', icon: Document, need: read('audit') }],
  messages: { 'zh-CN': zhCN, en },
}
