// Browser test of the projects pages (issue 4) against a running parkbrain (node --test tests/e2e/).
//   PB_BASE_URL                              the server (web/dist + /api/v1), as for parks.test.mjs
//   PB_E2E_CITY_USER / PB_E2E_CITY_PASS      a city user (市园区办: confirms reports), ordinary password
//   PB_E2E_REGION_USER / PB_E2E_REGION_PASS  a region user scoped to 晋江市 350582 (submits reports)
//   PB_E2E_OUT                               screenshots (default build/e2e)
// The project it reports on is made here through the API as the city user: a park in 晋江市, a
// project planned in January 2025 and started in February, and a confirmed March report of
// 1,000,000.00 yuan. Then in the browser: the region user submits April with a stated cumulative
// that falls (900,000.00 after 1,000,000.00), sees the server's error beside that input, fixes it
// (1,500,000.00) and submits; the city user sees 100.00万元 for 1—4月 on the dashboard, confirms
// April, and sees 150.00万元.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
const BASE = (process.env.PB_BASE_URL || '').replace(/\/$/, '')
const CITY = [process.env.PB_E2E_CITY_USER || '', process.env.PB_E2E_CITY_PASS || '']
const REGION = [process.env.PB_E2E_REGION_USER || '', process.env.PB_E2E_REGION_PASS || '']
const OUT = resolve(process.env.PB_E2E_OUT || join(HERE, '..', '..', 'build', 'e2e'))
const CHROMIUM = process.env.PB_CHROMIUM || '/usr/bin/chromium'
const T = 30_000

const configured = !!(BASE && CITY[0] && CITY[1] && REGION[0] && REGION[1])
const TAG = Date.now().toString(36)
const PROJECT = `E2E标准化项目-${TAG}`
const MONTH = '2025-04' // April: 1—4月 is published (January alone is not)

let ctx, page, profile, projectId
const csp = []
const consoleErrors = []
let failed = ''

function step(name, fn) {
  test(name, { timeout: 120_000, skip: configured ? false : 'PB_BASE_URL and the PB_E2E_CITY_*/PB_E2E_REGION_* users are not set' }, async (t) => {
    if (failed) return t.skip(`an earlier step failed: ${failed}`)
    try {
      await fn(t)
    } catch (e) {
      failed = name
      await shot(`FAILED-projects-${name.replace(/\W+/g, '_').slice(0, 40)}`).catch(() => {})
      throw e
    }
  })
}

async function shot(name) {
  mkdirSync(OUT, { recursive: true })
  const file = join(OUT, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/** JSON call to the API as a bearer-token script (not through the page). */
async function call(token, method, path, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  const data = text ? JSON.parse(text) : null
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`)
  return data
}

async function signIn([user, pass]) {
  await ctx.clearCookies()
  await page.goto(`${BASE}/login`)
  await page.locator('input[name=username]').fill(user)
  await page.locator('input[name=password]').fill(pass)
  await page.getByTestId('login-submit').click()
  await page.waitForURL(/\/dashboard/)
}

const field = (name) => page.locator(`[data-testid="report-form"] .el-form-item[data-field="${name}"]`)

before(async () => {
  if (!configured) return
  // the fixture, through the API as the city user
  const s = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: CITY[0], password: CITY[1] }),
  })
  assert.equal(s.status, 200, `city sign-in: ${await s.clone().text()}`)
  const token = (await s.json()).token
  const park = await call(token, 'POST', '/parks', { name: `E2E项目园区-${TAG}`, region_code: '350582', kind: 'new_build' })
  const project = await call(token, 'POST', '/projects', {
    name: PROJECT,
    region_code: '350582',
    park_id: park.id,
    kind: 'new_build',
    invest_plan_yuan: '100000000.00',
    plan_factory_m2: '50000',
    plan_supporting_m2: '10000',
  })
  projectId = project.id
  await call(token, 'POST', `/projects/${projectId}/transitions`, { stage: 'planned', date: '2025-01-10', evidence: '立项批复 E2E-1', evidence_kind: 'document' })
  await call(token, 'POST', `/projects/${projectId}/transitions`, { stage: 'started', date: '2025-02-15', evidence: '施工许可 E2E-2', evidence_kind: 'permit' })
  await call(token, 'PUT', `/projects/${projectId}/reports/2025-03`, { invest_done_yuan: '1000000.00', topped_out_m2: '0', completed_m2: '0' })
  await call(token, 'POST', `/projects/${projectId}/reports/2025-03/confirm`)
  await call(token, 'DELETE', '/session').catch(() => {})

  mkdirSync(OUT, { recursive: true })
  profile = mkdtempSync(join(tmpdir(), 'pb-e2e-chromium-'))
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1366, height: 860 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  ctx.setDefaultTimeout(T)
  await ctx.addInitScript(() => {
    window.__csp = []
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile || ''}:${e.lineNumber || ''}`),
    )
  })
  page = ctx.pages()[0] || (await ctx.newPage())
  page.on('console', (m) => {
    if (m.type() === 'error') {
      consoleErrors.push(m.text())
      if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text())
    }
  })
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`))
})

after(async () => {
  if (page) csp.push(...(await page.evaluate(() => window.__csp || []).catch(() => [])))
  await ctx?.close().catch(() => {})
  if (profile) rmSync(profile, { recursive: true, force: true })
})

step('region staff land on the dashboard of their region', async () => {
  await signIn(REGION)
  await page.getByRole('heading', { name: /智慧大脑.*晋江市/ }).waitFor()
  await page.getByTestId('kpi-projects').waitFor()
  await page.getByTestId('nav-dashboard').waitFor()
  assert.equal(await page.getByTestId('nav-audit').count(), 0)
})

step('the project is found in the list and shows its stage timeline', async () => {
  await page.getByTestId('nav-projects').click()
  await page.waitForURL(/\/projects$/)
  await page.locator('input[data-testid="project-search"], [data-testid="project-search"] input').first().fill(PROJECT)
  await page.getByTestId('project-total').filter({ hasText: '共 1 个' }).waitFor()
  await page.locator('.el-table__body tr', { hasText: PROJECT }).first().click()
  await page.waitForURL(new RegExp(`/projects/${projectId}$`))
  await page.getByTestId('project-stage').filter({ hasText: '开工' }).waitFor()
  await page.getByRole('tab', { name: '阶段进程' }).click()
  await page.getByTestId('stage-timeline').getByText('施工许可 E2E-2').waitFor()
})

step('a report whose stated cumulative falls gets the server error beside that input', async () => {
  await page.goto(`${BASE}/projects/${projectId}?month=${MONTH}`)
  await page.getByTestId('report-panel').waitFor()
  await page.locator(`.pb-month-cell[data-month="2025-03"]`).getByText('已确认').waitFor()
  await field('invest_done_yuan').locator('input').fill('500000.00')
  await field('invest_cum_yuan').locator('input').fill('900000.00') // below March's 1,000,000.00
  await field('topped_out_m2').locator('input').fill('0')
  await field('completed_m2').locator('input').fill('0')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/projects/${projectId}/reports/${MONTH}`) && r.request().method() === 'PUT'),
    page.getByTestId('report-submit').click(),
  ])
  const sent = JSON.parse(res.request().postData())
  assert.equal(sent.invest_done_yuan, '500000.00', 'amounts go as strings, exactly as typed')
  assert.equal(sent.invest_cum_yuan, '900000.00')
  assert.equal(res.status(), 422, await res.text())
  const body = await res.json()
  const err = (body.errors || []).find((e) => e.field === 'invest_cum_yuan')
  assert.ok(err?.message, `an invest_cum_yuan error in ${JSON.stringify(body)}`)
  assert.equal(err.code, 'cumulative_falls')
  const shown = field('invest_cum_yuan').locator('.el-form-item__error')
  await shown.waitFor()
  assert.equal((await shown.innerText()).trim(), err.message)
  assert.equal(await field('invest_done_yuan').locator('.el-form-item__error').count(), 0, 'only the named field is marked')
  await shot('10-report-error-beside-field-zh')
})

step('fixed, the report is submitted and waits for the city', async () => {
  await field('invest_cum_yuan').locator('input').fill('1500000.00')
  await field('invest_cum_yuan').locator('.el-form-item__error').waitFor({ state: 'detached' })
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/projects/${projectId}/reports/${MONTH}`) && r.request().method() === 'PUT'),
    page.getByTestId('report-submit').click(),
  ])
  assert.equal(res.status(), 200, await res.text())
  assert.equal((await res.json()).status, 'submitted')
  await page.getByTestId('report-status').filter({ hasText: '待确认' }).waitFor()
  await page.locator(`.pb-month-cell[data-month="${MONTH}"]`).getByText('待确认').waitFor()
  assert.equal(await page.getByTestId('report-confirm').count(), 0, 'region staff cannot confirm')
  await page.getByTestId('report-history').getByText('500,000.00').waitFor()
})

let before_ = ''
step('city staff see the confirmed figure on the dashboard', async () => {
  await signIn(CITY)
  await page.goto(`${BASE}/dashboard?month=${MONTH}`)
  await page.getByRole('heading', { name: /智慧大脑.*泉州市/ }).waitFor()
  const kpi = page.getByTestId('kpi-invest')
  await kpi.filter({ hasText: '万元' }).waitFor()
  before_ = (await kpi.innerText()).trim()
  assert.equal(before_, '100.00万元', 'only the confirmed March report counts so far')
  await page.getByText('1—4月累计完成投资额').waitFor()
})

step('city staff confirm the report, and the dashboard figure changes', async () => {
  await page.goto(`${BASE}/projects/${projectId}?month=${MONTH}`)
  await page.getByTestId('report-status').filter({ hasText: '待确认' }).waitFor()
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/projects/${projectId}/reports/${MONTH}/confirm`)),
    page.getByTestId('report-confirm').click(),
  ])
  assert.equal(res.status(), 200, await res.text())
  await page.getByTestId('report-status').filter({ hasText: '已确认' }).waitFor()
  await shot('11-report-confirmed-zh')

  await page.getByTestId('nav-dashboard').click()
  await page.waitForURL(/\/dashboard/)
  await page.goto(`${BASE}/dashboard?month=${MONTH}`)
  const kpi = page.getByTestId('kpi-invest')
  await kpi.filter({ hasText: '150.00万元' }).waitFor()
  assert.notEqual((await kpi.innerText()).trim(), before_)
  await page.locator('.pb-chart canvas').first().waitFor()
  await page.waitForTimeout(500) // let the charts' entry animation finish before the picture
  await shot('12-dashboard-after-confirm-zh')
})

step('the projects pages ran under the server CSP without violations', async () => {
  csp.push(...(await page.evaluate(() => window.__csp.splice(0))))
  assert.deepEqual(csp, [], 'Content-Security-Policy violations')
  const real = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of (401|403|404|412|422|400)/.test(m))
  assert.deepEqual(real, [], 'console errors')
})
