import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useSession } from './session'
import { setFetch } from '@/shell/api/client'

const store = new Map<string, string>()
globalThis.localStorage = {
  getItem: (k: string) => store.get(k) ?? null,
  setItem: (k: string, v: string) => void store.set(k, String(v)),
  removeItem: (k: string) => void store.delete(k),
  clear: () => store.clear(),
  key: () => null,
  length: 0,
} as Storage

const USER = { id: 1, username: 'u', role: 'city', must_change_password: false }
let asked: string[] = []
let signedIn = false

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

beforeEach(() => {
  store.clear()
  asked = []
  signedIn = false
  setActivePinia(createPinia())
  setFetch((async (u: string, init: RequestInit) => {
    const path = new URL(u, 'http://x').pathname
    asked.push(`${init.method || 'GET'} ${path}`)
    if (path.endsWith('/session') && init.method === 'POST') return (signedIn = true), json(200, { user: USER, token: 't' })
    if (path.endsWith('/session') && init.method === 'DELETE') return (signedIn = false), new Response(null, { status: 204 })
    if (path.endsWith('/me')) return signedIn ? json(200, USER) : json(401, { title: 'unauthorized', status: 401 })
    return json(404, {})
  }) as unknown as typeof fetch)
})

describe('session hint', () => {
  it('asks /me only after a login happened in this browser', async () => {
    const s = useSession()
    expect(await s.load()).toBeNull()
    expect(s.checked).toBe(true)
    expect(asked).toEqual([])
    await s.login('u', 'p')
    await useSession(createPinia()).load()
    expect(asked).toEqual(['POST /api/v1/session', 'GET /api/v1/me'])
  })
  it('forgets the hint on logout, and on a 401 (an expired session)', async () => {
    const s = useSession()
    await s.login('u', 'p')
    await s.logout()
    asked = []
    expect(await useSession(createPinia()).load()).toBeNull()
    expect(asked).toEqual([])

    await s.login('u', 'p')
    signedIn = false // the server let the session expire
    asked = []
    const again = useSession(createPinia())
    expect(await again.load()).toBeNull()
    expect(asked).toEqual(['GET /api/v1/me'])
    asked = []
    await useSession(createPinia()).load()
    expect(asked).toEqual([])
  })
})
