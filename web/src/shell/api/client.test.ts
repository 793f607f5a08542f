import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  api,
  ApiError,
  buildQuery,
  dispositionFilename,
  fieldErrorMap,
  NetworkError,
  parseRetryAfter,
  setApiHooks,
  setApiLang,
  setFetch,
} from './client'

interface Call {
  url: string
  init: RequestInit
}

function problem(status: number, body: object, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  })
}

function json(status: number, body: object, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

let calls: Call[] = []
let answers: (() => Response | Promise<Response>)[] = []

beforeEach(() => {
  calls = []
  answers = []
  setApiLang('zh-CN')
  setApiHooks({ onUnauthorized: null, onPasswordChangeRequired: null })
  setFetch((async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    const next = answers.shift()
    if (!next) throw new Error('no answer queued')
    return next()
  }) as unknown as typeof fetch)
})
afterEach(() => setFetch(null))

function header(c: Call, name: string): string | null {
  return new Headers(c.init.headers).get(name)
}

describe('problem+json', () => {
  it('maps errors[].field to messages and keeps detail, status and request id', async () => {
    answers.push(() =>
      problem(422, {
        type: 'https://parkbrain.invalid/problems/validation',
        title: 'Unprocessable Content',
        status: 422,
        detail: '请检查标出的字段',
        request_id: 'req-1',
        errors: [
          { field: 'land_m2', code: 'scale', message: '最多两位小数' },
          { field: 'region_code', code: 'unknown_region', message: '行政区划代码 350599 不存在' },
          { field: 'region_code', code: 'out_of_scope', message: '不在您的管辖范围' },
          { field: 'bogus', code: 'unknown_field', message: '未知字段 bogus' },
        ],
      }),
    )
    const err = await api.post('/parks', { land_m2: '12.345' }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect(e.status).toBe(422)
    expect(e.message).toBe('请检查标出的字段')
    expect(e.requestId).toBe('req-1')
    expect(e.fieldErrors).toEqual({
      land_m2: '最多两位小数',
      region_code: '行政区划代码 350599 不存在; 不在您的管辖范围',
      bogus: '未知字段 bogus',
    })
    expect(e.otherErrors(['land_m2', 'region_code']).map((x) => x.field)).toEqual(['bogus'])
    expect(e.hasCode('unknown_field')).toBe(true)
    expect(e.hasCode('read_only')).toBe(false)
  })

  it('sends a JSON body with Content-Type and the method asked for', async () => {
    answers.push(() => json(201, { id: 7 }, { ETag: '"7-1"' }))
    const r = await api.post<{ id: number }>('/parks', { name: '晋江经济开发区', land_m2: '12.34' })
    expect(r.status).toBe(201)
    expect(r.data.id).toBe(7)
    expect(calls[0].url).toBe('/api/v1/parks')
    expect(calls[0].init.method).toBe('POST')
    expect(header(calls[0], 'Content-Type')).toBe('application/json')
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ name: '晋江经济开发区', land_m2: '12.34' })
  })

  it('keeps the bare status when the error body is not JSON', async () => {
    answers.push(() => new Response('gateway down', { status: 502, headers: { 'X-Request-Id': 'abc' } }))
    const e = (await api.get('/parks').catch((x) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(502)
    expect(e.fieldErrors).toEqual({})
    expect(e.requestId).toBe('abc')
  })

  it('reads Retry-After of a 429 as seconds', async () => {
    answers.push(() =>
      problem(429, { status: 429, detail: '登录尝试过于频繁' }, { 'Retry-After': '30' }),
    )
    const e = (await api.post('/session', { username: 'a', password: 'b' }).catch((x) => x)) as ApiError
    expect(e.status).toBe(429)
    expect(e.retryAfter).toBe(30)
    expect(e.message).toBe('登录尝试过于频繁')
  })

  it('runs the 401 hook, except for silent calls', async () => {
    const seen: number[] = []
    setApiHooks({ onUnauthorized: (e) => seen.push(e.status) })
    answers.push(() => problem(401, { status: 401, detail: '请先登录' }))
    await api.get('/parks').catch(() => {})
    answers.push(() => problem(401, { status: 401, detail: '用户名或密码错误' }))
    await api.post('/session', {}, { silent: true }).catch(() => {})
    expect(seen).toEqual([401])
  })

  it('runs the password-change hook on 403 password_change_required only', async () => {
    const seen: string[] = []
    setApiHooks({ onPasswordChangeRequired: (e) => seen.push(e.problem.errors![0].code) })
    answers.push(() =>
      problem(403, { status: 403, errors: [{ field: '', code: 'password_change_required', message: '请先修改密码' }] }),
    )
    await api.get('/parks').catch(() => {})
    answers.push(() => problem(403, { status: 403, detail: '无权' }))
    await api.get('/audit').catch(() => {})
    expect(seen).toEqual(['password_change_required'])
  })

  it('turns a failed fetch into a NetworkError', async () => {
    answers.push(() => Promise.reject(new TypeError('Failed to fetch')))
    await expect(api.get('/me')).rejects.toBeInstanceOf(NetworkError)
  })

  it('fieldErrorMap ignores errors without a field', () => {
    expect(fieldErrorMap([{ field: '', code: 'x', message: 'm' }])).toEqual({})
    expect(fieldErrorMap(undefined)).toEqual({})
  })
})

describe('Accept-Language', () => {
  it('is sent on every call and follows the UI language', async () => {
    answers.push(() => json(200, { items: [] }))
    answers.push(() => json(200, { items: [] }))
    answers.push(() => new Response(null, { status: 204 }))
    await api.get('/regions')
    setApiLang('en')
    await api.get('/meta')
    await api.del('/session')
    expect(calls.map((c) => header(c, 'Accept-Language'))).toEqual(['zh-CN', 'en', 'en'])
  })
})

describe('ETag and If-Match', () => {
  it('returns the ETag of a GET and sends it back as If-Match on PATCH', async () => {
    answers.push(() => json(200, { id: 5, name: 'A', version: 3 }, { ETag: '"5-3"' }))
    const got = await api.get<{ id: number }>('/parks/5')
    expect(got.etag).toBe('"5-3"')

    answers.push(() => json(200, { id: 5, name: 'B', version: 4 }, { ETag: '"5-4"' }))
    const put = await api.patch('/parks/5', { name: 'B' }, got.etag)
    expect(header(calls[1], 'If-Match')).toBe('"5-3"')
    expect(calls[1].init.method).toBe('PATCH')
    expect(put.etag).toBe('"5-4"')
  })

  it('reports a stale If-Match as a 412 ApiError', async () => {
    answers.push(() => problem(412, { status: 412, detail: '记录已被修改' }))
    const e = (await api.patch('/parks/5', { name: 'C' }, '"5-3"').catch((x) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(412)
  })

  it('sends no If-Match when there is no ETag', async () => {
    answers.push(() => new Response(null, { status: 204 }))
    await api.del('/parks/5')
    expect(header(calls[0], 'If-Match')).toBeNull()
  })
})

describe('helpers', () => {
  it('buildQuery leaves out empty filters and encodes the rest', () => {
    expect(buildQuery({ q: '', region_code: '350582', pilot: true, kind: null, cursor: undefined, limit: 20 })).toBe(
      '?region_code=350582&pilot=true&limit=20',
    )
    expect(buildQuery({ q: '智能 装备&' })).toBe('?q=%E6%99%BA%E8%83%BD+%E8%A3%85%E5%A4%87%26')
    expect(buildQuery({})).toBe('')
  })

  it('parseRetryAfter takes seconds or an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120)
    expect(parseRetryAfter(null)).toBeNull()
    expect(parseRetryAfter('soon')).toBeNull()
    const now = Date.parse('2026-11-22T00:00:00Z')
    expect(parseRetryAfter('Sun, 22 Nov 2026 00:00:45 GMT', now)).toBe(45)
  })

  it('dispositionFilename prefers filename* (UTF-8)', () => {
    expect(
      dispositionFilename(`attachment; filename="parks.csv"; filename*=UTF-8''%E5%9B%AD%E5%8C%BA.csv`, 'x'),
    ).toBe('园区.csv')
    expect(dispositionFilename('attachment; filename="parks.xlsx"', 'x')).toBe('parks.xlsx')
    expect(dispositionFilename(null, 'fallback.csv')).toBe('fallback.csv')
  })
})

describe('no floats on the wire', () => {
  it('a decimal string goes out byte for byte', async () => {
    answers.push(() => json(201, { id: 1 }))
    await api.post('/parks', { land_m2: '0.10', planned_floor_m2: '99999999999999.99' })
    expect(String(calls[0].init.body)).toBe('{"land_m2":"0.10","planned_floor_m2":"99999999999999.99"}')
  })
})

vi.useRealTimers()
