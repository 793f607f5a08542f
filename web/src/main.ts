import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/dist/index.css'
import './styles/app.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { installElement } from './plugins/element'
import { setApiHooks } from './api/client'
import { useSession } from './stores/session'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)
installElement(app)

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
