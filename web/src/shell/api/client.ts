// The HTTP client for /api/v1 (docs/api.md). One function, request(), that
// - sends Accept-Language on every call (the UI language),
// - turns application/problem+json answers into an ApiError with a field → message map,
// - hands back the ETag of a response and sends If-Match when asked (PATCH, DELETE).
// The session travels as the HttpOnly cookie pb_session (same origin), never in JS.

export type Lang = 'zh-CN' | 'en'

export interface ProblemFieldError {
  field: string
  code: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  request_id?: string
  errors?: ProblemFieldError[]
  [k: string]: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  /** field name → message(s) joined with "；" / "; ". Errors without a field are not here. */
  readonly fieldErrors: Record<string, string>
  /** Seconds from Retry-After (429/503), or null. */
  readonly retryAfter: number | null
  readonly requestId: string | null

  constructor(status: number, problem: Problem, retryAfter: number | null, requestId: string | null) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.fieldErrors = fieldErrorMap(problem.errors)
    this.retryAfter = retryAfter
    this.requestId = problem.request_id || requestId
  }

  /** True when one of the errors carries this code (e.g. password_change_required). */
  hasCode(code: string): boolean {
    return (this.problem.errors || []).some((e) => e.code === code) || this.problem.code === code
  }

  /** Errors whose field is not in `known` (or have no field): shown in a summary. */
  otherErrors(known: Iterable<string>): ProblemFieldError[] {
    const set = new Set(known)
    return (this.problem.errors || []).filter((e) => !e.field || !set.has(e.field))
  }
}

/** Network failure or a non-JSON answer where JSON was expected. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NetworkError'
  }
}

export function fieldErrorMap(errors: ProblemFieldError[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors || []) {
    if (!e || !e.field) continue
    const msg = e.message || e.code || ''
    out[e.field] = out[e.field] ? `${out[e.field]}; ${msg}` : msg
  }
  return out
}

/** Retry-After is delta-seconds or an HTTP date. */
export function parseRetryAfter(v: string | null, now: number = Date.now()): number | null {
  if (v == null || v.trim() === '') return null
  const s = v.trim()
  if (/^\d+$/.test(s)) return parseInt(s, 10)
  const t = Date.parse(s)
  if (Number.isNaN(t)) return null
  return Math.max(0, Math.ceil((t - now) / 1000))
}

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue | QueryValue[]>

/** Builds ?a=1&b=2, skipping null, undefined and '' (an empty filter is no filter). */
export function buildQuery(q: Query | undefined): string {
  if (!q) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    const vals = Array.isArray(v) ? v : [v]
    for (const one of vals) {
      if (one === null || one === undefined || one === '') continue
      p.append(k, typeof one === 'boolean' ? (one ? 'true' : 'false') : String(one))
    }
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** a body sent as is (a CSV upload), with its Content-Type */
  rawBody?: Blob | ArrayBuffer | string
  contentType?: string
  ifMatch?: string | null
  headers?: Record<string, string>
  /** Do not run the global 401/403 handlers (the login form handles its own 401). */
  silent?: boolean
  signal?: AbortSignal
}

export interface ApiResponse<T> {
  status: number
  data: T
  etag: string | null
  headers: Headers
}

type Hook = (err: ApiError) => void

const state: {
  lang: Lang
  base: string
  onUnauthorized: Hook | null
  onPasswordChangeRequired: Hook | null
  fetchImpl: typeof fetch | null
} = {
  lang: 'zh-CN',
  base: '/api/v1',
  onUnauthorized: null,
  onPasswordChangeRequired: null,
  fetchImpl: null,
}

export function setApiLang(lang: Lang): void {
  state.lang = lang
}
export function getApiLang(): Lang {
  return state.lang
}
export function setApiBase(base: string): void {
  state.base = base.replace(/\/$/, '')
}
export function setApiHooks(h: { onUnauthorized?: Hook | null; onPasswordChangeRequired?: Hook | null }): void {
  if (h.onUnauthorized !== undefined) state.onUnauthorized = h.onUnauthorized
  if (h.onPasswordChangeRequired !== undefined) state.onPasswordChangeRequired = h.onPasswordChangeRequired
}
/** For tests. */
export function setFetch(f: typeof fetch | null): void {
  state.fetchImpl = f
}

export function apiUrl(path: string, query?: Query): string {
  return `${state.base}${path.startsWith('/') ? path : `/${path}`}${buildQuery(query)}`
}

function isJson(ct: string | null): boolean {
  return !!ct && /[/+]json\b/i.test(ct)
}

/** Reads a failed response into an ApiError (problem+json, or a bare status). */
export async function toApiError(res: Response): Promise<ApiError> {
  let problem: Problem = { status: res.status, title: res.statusText }
  const ct = res.headers.get('Content-Type')
  if (isJson(ct)) {
    try {
      const j = (await res.json()) as Problem
      if (j && typeof j === 'object') problem = { ...problem, ...j }
    } catch {
      /* keep the bare status */
    }
  }
  return new ApiError(
    res.status,
    problem,
    parseRetryAfter(res.headers.get('Retry-After')),
    res.headers.get('X-Request-Id'),
  )
}

/** The raw fetch with our headers; for downloads (blob) and the JSON helper below. */
export async function rawRequest(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'Accept-Language': state.lang,
    Accept: 'application/json',
    ...(opts.headers || {}),
  }
  let body: BodyInit | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  } else if (opts.rawBody !== undefined) {
    headers['Content-Type'] = opts.contentType || 'application/octet-stream'
    body = opts.rawBody
  }
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch
  const f = state.fetchImpl || globalThis.fetch.bind(globalThis)
  let res: Response
  try {
    res = await f(apiUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e
    throw new NetworkError((e as Error)?.message || 'network error')
  }
  if (!res.ok) {
    const err = await toApiError(res)
    if (!opts.silent) {
      if (err.status === 401 && state.onUnauthorized) state.onUnauthorized(err)
      else if (err.status === 403 && err.hasCode('password_change_required') && state.onPasswordChangeRequired)
        state.onPasswordChangeRequired(err)
    }
    throw err
  }
  return res
}

export async function request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const res = await rawRequest(method, path, opts)
  let data: unknown = null
  if (res.status !== 204 && isJson(res.headers.get('Content-Type'))) {
    try {
      data = await res.json()
    } catch {
      throw new NetworkError('invalid JSON')
    }
  }
  return { status: res.status, data: data as T, etag: res.headers.get('ETag'), headers: res.headers }
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, etag: string | null, opts?: RequestOptions) =>
    request<T>('PATCH', path, { ...opts, body, ifMatch: etag }),
  del: <T = null>(path: string, etag?: string | null, opts?: RequestOptions) =>
    request<T>('DELETE', path, { ...opts, ifMatch: etag ?? null }),
}

/** File name from Content-Disposition (RFC 6266: filename* wins over filename). */
export function dispositionFilename(cd: string | null, fallback: string): string {
  if (!cd) return fallback
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(cd)
  if (plain) return (plain[2] ?? plain[1]).trim()
  return fallback
}
