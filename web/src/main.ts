import { createApp } from 'vue'
import { createPinia } from 'pinia'
// the components' CSS comes with each component (vite.config.ts); these two are services called
// from scripts, never named in a template
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './shell/styles/app.css'
import App from './App.vue'
import { i18n } from './shell/i18n'
import { router } from './shell/router'
import { setApiHooks } from './shell/api/client'
import { useSession } from './shell/stores/session'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)

setApiHooks({
  onUnauthorized: () => {
    const s = useSession(pinia)
    const wasIn = s.loggedIn
    s.forget()
    const cur = router.currentRoute.value
    if (cur.name !== 'login')
      router.push({ name: 'login', query: { redirect: cur.fullPath, ...(wasIn ? { expired: '1' } : {}) } })
  },
  onPasswordChangeRequired: () => {
    const s = useSession(pinia)
    if (s.user) s.user = { ...s.user, must_change_password: true }
    router.push({ name: 'password' })
  },
})

app.mount('#app')
