#!/usr/bin/env node
// A stand-in for the parkbrain server, for UI work before (or without) the real binary:
// serves web/dist with the server's Content-Security-Policy and fakes /api/v1 after
// docs/api.md (sessions, must-change password, meta, regions, industries, parks CRUD with
// ETag/If-Match, cursor paging, CSV/XLSX export, audit). In memory; not a test of the server.
//
//   node scripts/mock-server.mjs [--port 8080] [--dist dist]
//   user admin / Init-Passw0rd-1 (must change at first login)
import { createServer } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve } from 'node:path'
import { randomBytes, randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((a, v, i, arr) => (v.startsWith('--') ? [...a, [v.slice(2), arr[i + 1]]] : a), []),
)
const PORT = Number(args.port || process.env.PORT || 8080)
const HERE = fileURLToPath(new URL('.', import.meta.url))
const DIST = resolve(args.dist || join(HERE, '..', 'dist'))
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
const CSP_HEADER = process.env.PB_CSP || CSP

const users = new Map([
  ['admin', { id: 1, username: 'admin', display_name: '管理员', role: 'admin', password: 'Init-Passw0rd-1', must_change_password: true, regions: [], parks: [] }],
  ['auditor', { id: 2, username: 'auditor', display_name: '审计', role: 'auditor', password: 'Audit-Passw0rd-1', must_change_password: false, regions: [], parks: [] }],
])
if (process.env.PB_E2E_USER) {
  users.set(process.env.PB_E2E_USER, {
    id: 3, username: process.env.PB_E2E_USER, display_name: null, role: 'admin',
    password: process.env.PB_E2E_PASS || 'Init-Passw0rd-1', must_change_password: true, regions: [], parks: [],
  })
}
const sessions = new Map()
const failures = new Map()

const regions = [
  { code: '350500', name: '泉州市', name_en: 'Quanzhou', kind: 'city', parent_code: '350000', rollup_code: '350500' },
  { code: '350502', name: '鲤城区', name_en: 'Licheng', kind: 'district', parent_code: '350500', rollup_code: '350502' },
  { code: '350503', name: '丰泽区', name_en: 'Fengze', kind: 'district', parent_code: '350500', rollup_code: '350503' },
  { code: '350581', name: '石狮市', name_en: 'Shishi', kind: 'county_city', parent_code: '350500', rollup_code: '350581' },
  { code: '350582', name: '晋江市', name_en: 'Jinjiang', kind: 'county_city', parent_code: '350500', rollup_code: '350582' },
  { code: '350583', name: '南安市', name_en: "Nan'an", kind: 'county_city', parent_code: '350500', rollup_code: '350583' },
  { code: '350521', name: '惠安县', name_en: "Hui'an", kind: 'county', parent_code: '350500', rollup_code: '350521' },
  { code: 'QZKFQ', name: '泉州开发区', name_en: 'Quanzhou Development Zone', kind: 'zone', parent_code: '350500', rollup_code: '350503' },
  { code: 'QZTTQ', name: '泉州台商投资区', name_en: 'Quanzhou Taiwanese Investment Zone', kind: 'zone', parent_code: '350500', rollup_code: '350521' },
]
const industries = [
  { code: '17', level: 2, section: 'C', name: '纺织业' },
  { code: '1713', level: 4, section: 'C', name: '棉印染精加工' },
  { code: '18', level: 2, section: 'C', name: '纺织服装、服饰业' },
  { code: '19', level: 2, section: 'C', name: '皮革、毛皮、羽毛及其制品和制鞋业' },
  { code: '1952', level: 4, section: 'C', name: '纺织面料鞋制造' },
  { code: '3562', level: 4, section: 'C', name: '半导体器件专用设备制造' },
  { code: '3976', level: 4, section: 'C', name: '光电子器件制造' },
]

const L = (zh, en) => ({ zh, en })
const parkFields = [
  ['id', 'int', L('编号', 'ID'), { readonly: true, sortable: true }],
  ['name', 'text', L('园区名称', 'Park name'), { required: true, max_len: 100, filter: 'like', sortable: true }],
  ['region_code', 'region', L('所在区县', 'Region'), { required: true, filter: 'eq', sortable: true }],
  ['kind', 'enum', L('类型', 'Kind'), { required: true, filter: 'eq', options: [['new_build', L('新建', 'New build')], ['revitalized', L('盘活', 'Revitalized')]] }],
  ['leading_industry_code', 'industry', L('主导产业', 'Leading industry'), { filter: 'eq' }],
  ['industry_label', 'text', L('产业名称', 'Industry label'), { max_len: 100 }],
  ['land_m2', 'area', L('占地面积(m²)', 'Land area (m²)'), { filter: 'range', sortable: true }],
  ['land_mu', 'area', L('占地面积(亩)', 'Land area (mu)'), { readonly: true }],
  ['planned_floor_m2', 'area', L('规划建筑面积(m²)', 'Planned floor area (m²)'), {}],
  ['built_floor_m2', 'area', L('已建建筑面积(m²)', 'Built floor area (m²)'), {}],
  ['production_floor_m2', 'area', L('生产用房面积(m²)', 'Production floor area (m²)'), {}],
  ['living_floor_m2', 'area', L('配套用房面积(m²)', 'Supporting floor area (m²)'), {}],
  ['production_share', 'area', L('生产用房占比(%)', 'Production share (%)'), { readonly: true, sortable: true }],
  ['operator_name', 'text', L('运营主体', 'Operator'), { max_len: 200 }],
  ['address', 'text', L('地址', 'Address'), { max_len: 200 }],
  ['lng', 'lng', L('经度', 'Longitude'), {}],
  ['lat', 'lat', L('纬度', 'Latitude'), {}],
  ['status', 'enum', L('状态', 'Status'), { filter: 'eq', sortable: true, options: [['planning', L('谋划', 'Planning')], ['building', L('在建', 'Building')], ['operating', L('运营', 'Operating')], ['closed', L('关闭', 'Closed')]] }],
  ['opened_on', 'date', L('开园日期', 'Opened on'), { filter: 'range', sortable: true }],
  ['policy_guide', 'text', L('一园一策', 'Policy guide'), { max_len: 20000 }],
  ['pilot', 'bool', L('试点园区', 'Pilot'), { filter: 'eq' }],
  ['description', 'text', L('简介', 'Description'), { max_len: 5000 }],
  ['version', 'int', L('版本', 'Version'), { readonly: true }],
  ['created_at', 'time', L('创建时间', 'Created'), { readonly: true, sortable: true }],
  ['updated_at', 'time', L('更新时间', 'Updated'), { readonly: true, sortable: true }],
  ['archived_at', 'time', L('归档时间', 'Archived'), { readonly: true }],
]
function meta(lang) {
  const pick = (l) => (lang === 'en' ? l.en : l.zh)
  return {
    resources: {
      parks: {
        label: pick(L('园区', 'Parks')),
        fields: parkFields.map(([name, type, label, o]) => ({
          name, type, label: pick(label), required: !!o.required, readonly: !!o.readonly, filter: o.filter || '',
          sortable: !!o.sortable, max_len: o.max_len || 0,
          ...(o.options ? { options: o.options.map(([value, l]) => ({ value, label: pick(l) })) } : {}),
        })),
      },
    },
    // the part of the server's policy table the faked routes cover (parks and the audit log)
    policy: {
      parks: { admin: ['read', 'create', 'update', 'archive', 'export'] },
      audit: { admin: ['read', 'export'], auditor: ['read', 'export'] },
    },
  }
}

const parks = []
const audit = []
let nextId = 1
function now() { return new Date().toISOString() }
function log(req, user, action, resource, object_id, result, changes) {
  audit.push({ id: audit.length + 1, chain: '350500', seq: audit.length + 1, at: now(), account_id: user?.id ?? null, username: user?.username ?? null,
    role: user?.role ?? null, region_code: null, action, resource, object_id, result, changes, client_addr: req.socket.remoteAddress,
    request_id: req.rid, hash: randomBytes(16).toString('hex') })
}

const T = {
  detail422: L('请检查标出的字段', 'Please check the marked fields'),
  scale: L('最多两位小数', 'At most 2 decimals'),
  notDecimal: L('不是数字', 'Not a number'),
  required: L('必填', 'Required'),
  badLogin: L('用户名或密码错误', 'Wrong username or password'),
  throttled: L('登录尝试过多，请稍后再试', 'Too many attempts, try again later'),
  needLogin: L('请先登录', 'Please sign in'),
  mustChange: L('请先修改密码', 'Change your password first'),
  short: L('新密码至少 12 位', 'The new password needs at least 12 characters'),
  hasUser: L('新密码不能包含用户名', 'The new password must not contain the username'),
  wrongCur: L('当前密码不正确', 'The current password is wrong'),
  stale: L('记录已被他人修改', 'The record has changed'),
  needIfMatch: L('缺少 If-Match', 'If-Match is required'),
  notFound: L('记录不存在', 'Not found'),
  unknownField: L('未知字段', 'Unknown field'),
  readOnly: L('只读字段', 'Read-only field'),
  unknownRegion: L('行政区划代码不存在', 'Unknown region code'),
  forbidden: L('无权访问', 'Forbidden'),
  badEnum: L('取值无效', 'Invalid value'),
}

function langOf(req, url) {
  const q = url.searchParams.get('lang')
  if (q) return q.startsWith('en') ? 'en' : 'zh'
  return (req.headers['accept-language'] || '').toLowerCase().startsWith('en') ? 'en' : 'zh'
}
function send(res, status, body, headers = {}) {
  const data = body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers })
  res.end(data)
}
function problem(res, req, status, detail, errors, headers = {}) {
  send(res, status, { type: `https://parkbrain.invalid/problems/${status}`, title: String(status), status, detail, request_id: req.rid, ...(errors ? { errors } : {}) },
    { 'Content-Type': 'application/problem+json; charset=utf-8', ...headers })
}
async function body(req) {
  const chunks = []
  for await (const c of req) chunks.push(c)
  const s = Buffer.concat(chunks).toString('utf8')
  return s ? JSON.parse(s) : {}
}
function cookieSession(req) {
  const m = /(?:^|;\s*)pb_session=([^;]+)/.exec(req.headers.cookie || '')
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization || '')
  const tok = m?.[1] || auth?.[1]
  return tok ? sessions.get(tok) : undefined
}
const etagOf = (p) => `"${p.id}-${p.version}"`
const DEC = /^-?\d+(\.\d+)?$/
function toMu(m2) {
  const [i, f = ''] = m2.split('.')
  const v = BigInt(i + f.padEnd(2, '0').slice(0, 2)) * 3n // hundredths × 3
  const mu100 = (v * 100n + 100000n) / 200000n
  const s = mu100.toString().padStart(3, '0')
  return `${s.slice(0, -2)}.${s.slice(-2)}`
}
function share(p) {
  if (!p.production_floor_m2 || !p.living_floor_m2) return null
  const a = Number(p.production_floor_m2), b = Number(p.living_floor_m2)
  return a + b > 0 ? ((a * 100) / (a + b)).toFixed(2) : null
}

function validatePark(input, lang, creating) {
  const errors = []
  const t = (x) => (lang === 'en' ? x.en : x.zh)
  const known = new Map(parkFields.map(([n, type, , o]) => [n, { type, o }]))
  for (const [k, v] of Object.entries(input)) {
    const f = known.get(k)
    if (!f) { errors.push({ field: k, code: 'unknown_field', message: `${t(T.unknownField)} ${k}`, status: 400 }); continue }
    if (f.o.readonly) { errors.push({ field: k, code: 'read_only', message: t(T.readOnly), status: 400 }); continue }
    if (v === null) continue
    if (['area', 'money'].includes(f.type)) {
      const s = String(v)
      if (!DEC.test(s)) errors.push({ field: k, code: 'not_decimal', message: t(T.notDecimal) })
      else if ((s.split('.')[1] || '').length > 2) errors.push({ field: k, code: 'scale', message: t(T.scale) })
    }
    if (f.type === 'enum' && !f.o.options.some(([o]) => o === v)) errors.push({ field: k, code: 'enum', message: t(T.badEnum) })
    if (f.type === 'region' && !regions.some((r) => r.code === v && r.kind !== 'city'))
      errors.push({ field: k, code: 'unknown_region', message: `${t(T.unknownRegion)} ${v}` })
  }
  if (creating) for (const [n, , , o] of parkFields) if (o.required && (input[n] === undefined || input[n] === null || input[n] === ''))
    errors.push({ field: n, code: 'required', message: t(T.required) })
  return errors
}

function listParks(url, res, req, lang) {
  const sp = url.searchParams
  const allowed = new Set(['q', 'sort', 'limit', 'cursor', 'include_archived', 'lang', 'format', 'region_code', 'kind', 'status', 'pilot', 'leading_industry_code', 'land_m2_min', 'land_m2_max', 'opened_on_min', 'opened_on_max', 'name'])
  for (const k of sp.keys()) if (!allowed.has(k)) return problem(res, req, 400, `unknown parameter ${k}`, [{ field: k, code: 'unknown_parameter', message: k }]) || null
  let items = parks.filter((p) => sp.get('include_archived') === '1' || !p.archived_at)
  const q = (sp.get('q') || '').toLowerCase()
  if (q) items = items.filter((p) => p.name.toLowerCase().includes(q))
  for (const k of ['region_code', 'kind', 'status', 'leading_industry_code']) if (sp.get(k)) items = items.filter((p) => p[k] === sp.get(k))
  if (sp.get('pilot')) items = items.filter((p) => p.pilot === (sp.get('pilot') === 'true' || sp.get('pilot') === '1'))
  const sort = sp.get('sort') || '-updated_at'
  const keys = sort.split(',').filter(Boolean)
  items = [...items].sort((a, b) => {
    for (const k of keys) {
      const d = k.startsWith('-') ? -1 : 1, f = k.replace(/^-/, '')
      const av = a[f] ?? '', bv = b[f] ?? ''
      const c = typeof av === 'number' ? av - bv : String(av).localeCompare(String(bv), 'zh')
      if (c) return c * d
    }
    return a.id - b.id
  })
  return items
}

function csvOf(items, lang) {
  const cols = parkFields.map(([n, , l]) => [n, lang === 'en' ? l.en : l.zh])
  const esc = (v) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))
  return '\uFEFF' + [cols.map((c) => esc(c[1])).join(','), ...items.map((p) => cols.map(([n]) => esc(p[n])).join(','))].join('\r\n') + '\r\n'
}

async function api(req, res, url) {
  const lang = langOf(req, url)
  const t = (x) => (lang === 'en' ? x.en : x.zh)
  const path = url.pathname.replace(/^\/api\/v1/, '')
  const m = req.method
  const s = cookieSession(req)
  if (path === '/session' && m === 'POST') {
    const b = await body(req)
    const key = `${b.username}`
    const f = failures.get(key) || { n: 0, until: 0 }
    if (f.until > Date.now()) return problem(res, req, 429, t(T.throttled), null, { 'Retry-After': String(Math.ceil((f.until - Date.now()) / 1000)) })
    const u = users.get(b.username)
    if (!u || u.password !== b.password) {
      f.n++
      if (f.n >= 5) { f.until = Date.now() + 30_000; f.n = 0 }
      failures.set(key, f)
      log(req, null, 'login', 'session', null, 'denied', { username: b.username })
      return problem(res, req, 401, t(T.badLogin))
    }
    failures.delete(key)
    const tok = randomBytes(32).toString('base64url')
    sessions.set(tok, u.username)
    log(req, u, 'login', 'session', null, 'ok', null)
    const { password: _p, ...pub } = u
    return send(res, 200, { token: tok, user: pub }, { 'Set-Cookie': `pb_session=${tok}; Path=/; HttpOnly; SameSite=Strict` })
  }
  const user = s && users.get(s)
  if (!user) return problem(res, req, 401, t(T.needLogin))
  const pub = (() => { const { password: _p, ...rest } = user; return rest })()
  if (path === '/session' && m === 'DELETE') {
    for (const [k, v] of sessions) if (v === user.username && req.headers.cookie?.includes(k)) sessions.delete(k)
    return send(res, 204, undefined, { 'Set-Cookie': 'pb_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict' })
  }
  if (path === '/me' && m === 'GET') return send(res, 200, pub)
  if (path === '/me/password' && m === 'POST') {
    const b = await body(req)
    const errors = []
    if (b.current_password !== user.password) errors.push({ field: 'current_password', code: 'wrong', message: t(T.wrongCur) })
    if (!b.new_password || b.new_password.length < 12) errors.push({ field: 'new_password', code: 'too_short', message: t(T.short) })
    else if (b.new_password.toLowerCase().includes(user.username.toLowerCase())) errors.push({ field: 'new_password', code: 'contains_username', message: t(T.hasUser) })
    if (errors.length) return problem(res, req, 422, t(T.detail422), errors)
    user.password = b.new_password
    user.must_change_password = false
    log(req, user, 'password_change', 'account', String(user.id), 'ok', null)
    return send(res, 204)
  }
  if (user.must_change_password) return problem(res, req, 403, t(T.mustChange), [{ field: '', code: 'password_change_required', message: t(T.mustChange) }])
  if (path === '/meta' && m === 'GET') return send(res, 200, meta(lang))
  if (path === '/regions' && m === 'GET') return send(res, 200, { items: regions })
  if (path === '/industries' && m === 'GET') {
    const q = url.searchParams.get('q') || ''
    const lim = Number(url.searchParams.get('limit') || 20)
    return send(res, 200, { items: industries.filter((i) => i.code.startsWith(q) || i.name.includes(q)).slice(0, lim) })
  }
  if (path === '/audit' && m === 'GET') {
    if (!['admin', 'auditor'].includes(user.role)) return problem(res, req, 403, t(T.forbidden))
    const sp = url.searchParams
    let items = [...audit].reverse()
    for (const k of ['action', 'resource', 'username']) if (sp.get(k)) items = items.filter((a) => a[k] === sp.get(k))
    if (sp.get('at_min')) items = items.filter((a) => a.at >= sp.get('at_min'))
    if (sp.get('at_max')) items = items.filter((a) => a.at <= sp.get('at_max'))
    return page(res, items, sp)
  }
  if (path === '/parks' || path === '/parks/export') {
    if (m === 'GET') {
      const items = listParks(url, res, req, lang)
      if (!items) return
      if (path === '/parks/export') {
        const fmt = url.searchParams.get('format')
        if (fmt === 'csv') return send(res, 200, csvOf(items, lang), { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="parks.csv"; filename*=UTF-8''${encodeURIComponent('园区.csv')}` })
        if (fmt === 'xlsx') return send(res, 200, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(csvOf(items, lang))]), { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Content-Disposition': 'attachment; filename="parks.xlsx"' })
        return problem(res, req, 400, 'format', [{ field: 'format', code: 'enum', message: 'csv|xlsx' }])
      }
      return page(res, items, url.searchParams)
    }
    if (m === 'POST' && path === '/parks') {
      const b = await body(req)
      const errors = validatePark(b, lang, true)
      if (errors.length) return problem(res, req, errors.some((e) => e.status === 400) ? 400 : 422, t(T.detail422), errors.map(({ status: _s, ...e }) => e))
      const p = { id: nextId++, version: 1, created_at: now(), updated_at: now(), archived_at: null, pilot: false }
      for (const [n] of parkFields) if (!(n in p)) p[n] = null
      Object.assign(p, b)
      for (const k of ['land_m2', 'planned_floor_m2', 'built_floor_m2', 'production_floor_m2', 'living_floor_m2']) if (p[k] !== null) p[k] = Number(p[k]).toFixed(2)
      p.land_mu = p.land_m2 ? toMu(p.land_m2) : null
      p.production_share = share(p)
      parks.push(p)
      log(req, user, 'create', 'parks', String(p.id), 'ok', b)
      return send(res, 201, p, { Location: `/api/v1/parks/${p.id}`, ETag: etagOf(p) })
    }
  }
  const one = /^\/parks\/(\d+)$/.exec(path)
  if (one) {
    const p = parks.find((x) => x.id === Number(one[1]))
    if (!p || (p.archived_at && m === 'GET' && url.searchParams.get('include_archived') !== '1')) return problem(res, req, 404, t(T.notFound))
    if (m === 'GET') return send(res, 200, p, { ETag: etagOf(p) })
    if (m === 'PATCH' || m === 'DELETE') {
      const im = req.headers['if-match']
      if (m === 'PATCH' && !im) return problem(res, req, 428, t(T.needIfMatch))
      if (im && im !== etagOf(p)) return problem(res, req, 412, t(T.stale))
      if (m === 'DELETE') { p.archived_at = now(); p.version++; log(req, user, 'archive', 'parks', String(p.id), 'ok', null); return send(res, 204) }
      const b = await body(req)
      const errors = validatePark(b, lang, false)
      if (errors.length) return problem(res, req, errors.some((e) => e.status === 400) ? 400 : 422, t(T.detail422), errors.map(({ status: _s, ...e }) => e))
      const before = Object.fromEntries(Object.keys(b).map((k) => [k, p[k]]))
      Object.assign(p, b)
      p.land_mu = p.land_m2 ? toMu(p.land_m2) : null
      p.production_share = share(p)
      p.version++
      p.updated_at = now()
      log(req, user, 'update', 'parks', String(p.id), 'ok', { before, after: b })
      return send(res, 200, p, { ETag: etagOf(p) })
    }
  }
  return problem(res, req, 404, t(T.notFound))
}

function page(res, items, sp) {
  const limit = Math.min(500, Math.max(1, Number(sp.get('limit') || 50)))
  const start = sp.get('cursor') ? Number(Buffer.from(sp.get('cursor'), 'base64url').toString()) : 0
  const slice = items.slice(start, start + limit)
  const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64url') : null
  return send(res, 200, { items: slice, next_cursor: next, total: items.length })
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.json': 'application/json' }
async function staticFile(req, res, url) {
  let p = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '')
  let file = join(DIST, p)
  if (!file.startsWith(DIST)) return send(res, 404, 'not found', { 'Content-Type': 'text/plain' })
  try {
    if (!(await stat(file)).isFile()) throw new Error('dir')
  } catch {
    if (extname(p)) return send(res, 404, 'not found', { 'Content-Type': 'text/plain' })
    file = join(DIST, 'index.html') // the SPA's routes
  }
  const data = await readFile(file)
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable' })
  res.end(data)
}

export function start(port = PORT) {
  const server = createServer(async (req, res) => {
    req.rid = randomUUID()
    res.setHeader('X-Request-Id', req.rid)
    res.setHeader('Content-Security-Policy', CSP_HEADER)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    const url = new URL(req.url, 'http://localhost')
    try {
      if (url.pathname.startsWith('/api/v1/')) return await api(req, res, url)
      if (url.pathname === '/healthz') return send(res, 200, 'ok', { 'Content-Type': 'text/plain' })
      return await staticFile(req, res, url)
    } catch (e) {
      console.error(e)
      problem(res, req, 500, 'internal error')
    }
  })
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)))
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  start().then((s) => console.log(`mock parkbrain on http://127.0.0.1:${s.address().port} (dist: ${DIST})`))
}
