import { defineStore } from 'pinia'
import { api, ApiError } from '@/shell/api/client'
import type { SessionAnswer, User, Role } from '@/shell/api/types'

// The session cookie is HttpOnly, so the page cannot see whether one exists. Without a hint every
// first page of a visit would ask GET /me and log a 401 before anyone signed in: this tab-shared
// marker says a login happened here and no logout or 401 has ended it since. It carries no secret;
// the cookie alone authenticates.
const HINT_KEY = 'pb.signedIn'

function hint(on?: boolean): boolean {
  try {
    const ls = globalThis.localStorage
    if (on === true) ls?.setItem(HINT_KEY, '1')
    else if (on === false) ls?.removeItem(HINT_KEY)
    return ls?.getItem(HINT_KEY) === '1'
  } catch {
    /* storage unavailable (private mode): probe, as without the hint */
    return true
  }
}

export const useSession = defineStore('session', {
  state: () => ({
    user: null as User | null,
    /** true once GET /me has answered (user or 401) for this page load */
    checked: false,
  }),
  getters: {
    loggedIn: (s) => !!s.user,
    role: (s): Role | null => s.user?.role ?? null,
    mustChange: (s) => !!s.user?.must_change_password,
  },
  actions: {
    /** GET /api/v1/me: the user, or null on 401. Other errors are thrown. Not asked when no
     *  login happened in this browser since the last logout or 401 (see HINT_KEY). */
    async load(): Promise<User | null> {
      if (!hint()) {
        this.user = null
        this.checked = true
        return null
      }
      try {
        const r = await api.get<User>('/me', { silent: true })
        this.user = r.data
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          this.user = null
          hint(false)
        } else throw e
      } finally {
        this.checked = true
      }
      return this.user
    },
    async login(username: string, password: string): Promise<User> {
      const r = await api.post<SessionAnswer>('/session', { username, password }, { silent: true })
      this.user = r.data.user
      this.checked = true
      hint(true)
      return r.data.user
    },
    async logout(): Promise<void> {
      try {
        await api.del('/session', null, { silent: true })
      } catch {
        /* the session may already be gone */
      }
      this.user = null
      hint(false)
    },
    async changePassword(current: string, next: string): Promise<void> {
      await api.post('/me/password', { current_password: current, new_password: next }, { silent: true })
      if (this.user) this.user = { ...this.user, must_change_password: false }
      // the server may have renewed the session; read the user again
      try {
        await this.load()
      } catch {
        /* keep the local copy */
      }
    },
    forget(): void {
      this.user = null
      hint(false)
    },
  },
})
