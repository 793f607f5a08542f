import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import { useSession } from './stores/session'
import { useMeta } from './stores/meta'
import { homeFor } from './nav'
import { admits } from './policy'
import { page } from './routing'
import AppShell from './AppShell.vue'
import LoginPage from './pages/LoginPage.vue'
import { MODULES } from '@/modules'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: 'login.title' } },
    ...MODULES.flatMap((m) => m.publicRoutes || []),
    {
      path: '/',
      component: AppShell,
      children: [
        // where '/' leads depends on the role, known only after GET /me: see the guard
        { path: '', name: 'home', component: { render: () => null } },
        page('password', 'password', () => import('./pages/PasswordPage.vue'), undefined, 'password.title'),
        ...MODULES.flatMap((m) => m.routes),
        page('account', 'account', () => import('./pages/AccountPage.vue'), undefined, 'account.title'),
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
  // the login page never asks /me: whoever opens it is about to sign in
  if (!s.checked && to.name !== 'login') {
    try {
      await s.load()
    } catch {
      /* server unreachable: treat as signed out; the login page says why when it fails */
    }
  }
  // the policy table decides the pages and the navigation: known before either is shown (a
  // user who must change the password first sees only that page, and /meta would refuse)
  const m = useMeta()
  if (s.loggedIn && !s.mustChange && !m.policy) {
    try {
      await m.ensureMeta()
    } catch {
      /* no table: only pages without a policy need open (fail closed) */
    }
  }
  const home = () => homeFor(s.role, m.policy)
  if (to.meta.public) {
    if (to.name === 'login' && s.loggedIn) return s.mustChange ? { name: 'password' } : home()
    return true
  }
  const keep = to.name !== 'home' && to.name !== 'password' ? { redirect: to.fullPath } : undefined
  if (!s.loggedIn) return { name: 'login', query: keep }
  if (s.mustChange && to.name !== 'password') return { name: 'password', query: keep }
  if (to.name === 'home') return home()
  if (!admits(to.meta, s.role, m.policy)) return home()
  return true
})
