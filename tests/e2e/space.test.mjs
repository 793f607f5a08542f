// Browser test of the space pages (issue 3) against a running parkbrain (node --test tests/e2e/):
// a building with units, a lease signed on the unit map, the unit's colour and the park's
// absorption rate (去化率) changing, moving in, a demand's matches with their reasons, the CSV
// import report, the enterprise timeline and a list on a phone.
//   PB_BASE_URL    http://127.0.0.1:PORT of a server that serves web/dist and /api/v1
//   PB_E2E_USER2   an admin with a settled (not one-time) password; tests/e2e/run.sh creates
//   PB_E2E_PASS2   one, so this file does not depend on parks.test.mjs's password change
//   PB_E2E_OUT     where screenshots go (default build/e2e, never the source tree)
// Same browser settings as parks.test.mjs (Debian Chromium via playwright-core).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
const BASE = (process.env.PB_BASE_URL || '').replace(/\/$/, '')
const USER = process.env.PB_E2E_USER2 || ''
const PASS = process.env.PB_E2E_PASS2 || ''
const OUT = resolve(process.env.PB_E2E_OUT || join(HERE, '..', '..', 'build', 'e2e'))
const CHROMIUM = process.env.PB_CHROMIUM || '/usr/bin/chromium'
const T = 30_000

const configured = !!(BASE && USER && PASS)
const RUN = Date.now().toString(36)
const PARK = `E2E租控园区-${RUN}`
const BUILDING = `E2E-1号厂房-${RUN}`
const ENTERPRISE = `E2E签约企业-${RUN}`

let ctx, page, profile
const csp = []
const consoleErrors = []
let failed = ''
let parkId = null
let enterpriseId = null

function step(name, fn) {
  test(name, { timeout: 120_000, skip: configured ? false : 'PB_BASE_URL, PB_E2E_USER2 and PB_E2E_PASS2 are not set' }, async (t) => {
    if (failed) return t.skip(`an earlier step failed: ${failed}`)
    try {
      await fn(t)
    } catch (e) {
      failed = name
      await shot(`FAILED-space-${name.replace(/\W+/g, '_').slice(0, 40)}`).catch(() => {})
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

const item = (field) => page.locator(`.el-form-item[data-field="${field}"]`)

async function pick(field, text, scope = page) {
  await scope.locator(`.el-form-item[data-field="${field}"] .el-select__wrapper`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

/** A valid unified social credit code (GB 32100 check character) with a random body. */
function uscc() {
  const A = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  let body = '91350582'
  while (body.length < 17) body += A[Math.floor(Math.random() * 10)]
  let s = 0
  for (let i = 0; i < 17; i++) s += A.indexOf(body[i]) * W[i]
  return body + A[(31 - (s % 31)) % 31]
}

async function api(method, path, data) {
  const r = await page.request.fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: data ? { 'Content-Type': 'application/json' } : {},
    data: data ? JSON.stringify(data) : undefined,
  })
  const text = await r.text()
  assert.ok(r.ok(), `${method} ${path} → ${r.status()} ${text}`)
  return text ? JSON.parse(text) : null
}

const unitCell = (number) => page.locator(`[data-testid="unit-map"] [data-unit="${number}"]`)
const bg = (loc) => loc.evaluate((el) => getComputedStyle(el).backgroundColor)

before(async () => {
  if (!configured) return
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
    acceptDownloads: true,
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

step('sign in; a park and an enterprise exist (made through the API)', async () => {
  await page.goto(`${BASE}/login`)
  await page.locator('input[name=username]').fill(USER)
  await page.locator('input[name=password]').fill(PASS)
  await page.getByTestId('login-submit').click()
  await page.waitForURL(/\/parks$/)
  await page.getByTestId('nav-space').waitFor()
  const park = await api('POST', '/parks', { name: PARK, region_code: '350582', kind: 'new_build', status: 'operating' })
  parkId = park.id
  const ent = await api('POST', '/enterprises', { name: ENTERPRISE, uscc: uscc(), region_code: '350582', contact_phone: '13912345678' })
  enterpriseId = ent.id
  assert.equal(ent.contact_phone, '139****5678', 'the phone comes masked')
})

step('from the park page to its unit map; a new building through the form', async () => {
  await page.goto(`${BASE}/parks/${parkId}`)
  await page.getByTestId('park-title').filter({ hasText: PARK }).waitFor()
  // no units yet: no rate (the denominator is 0)
  await page.getByTestId('absorption-rate').filter({ hasText: '—' }).waitFor()
  await page.getByTestId('park-space').click()
  await page.waitForURL(new RegExp(`/space\\?.*park=${parkId}`))
  await page.getByText('该园区还没有楼栋').waitFor()
  await page.getByTestId('building-new').click()
  await page.waitForURL(/\/buildings\/new\?/)
  // the park is prefilled, shown by name in the remote-search picker of the ref field
  await item('park_id').locator('.el-select__selected-item', { hasText: `${PARK} (#${parkId})` }).waitFor()
  await item('name').locator('input').fill(BUILDING)
  await pick('kind', '标准厂房')
  await item('floors').locator('input').fill('2')
  await item('floor_m2').locator('input').fill('2000.00')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/buildings') && r.request().method() === 'POST'),
    page.getByTestId('form-save').click(),
  ])
  assert.equal(res.status(), 201, await res.text())
  assert.equal(JSON.parse(res.request().postData()).floor_m2, '2000.00', 'areas go as decimal strings')
  await page.waitForURL(/\/space\?/)
  await page.getByTestId('building-tabs').getByText(BUILDING).waitFor()
  await page.getByText('该楼栋还没有单元').waitFor()
})

step('a unit through the form, three more through the API: the map shows them vacant', async () => {
  await page.getByTestId('unit-new').click()
  await page.waitForURL(/\/units\/new\?/)
  await item('floor').locator('input').fill('1')
  await item('number').locator('input').fill('101')
  await item('area_m2').locator('input').fill('500.00')
  await item('floor_load').locator('input').fill('8')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/units') && r.request().method() === 'POST'),
    page.getByTestId('form-save').click(),
  ])
  assert.equal(res.status(), 201, await res.text())
  const u101 = await res.json()
  assert.equal(u101.status, 'vacant')
  for (const [floor, number] of [
    [1, '102'],
    [2, '201'],
    [2, '202'],
  ])
    await api('POST', '/units', { building_id: u101.building_id, floor, number, area_m2: '500.00', status: 'vacant', floor_load: '8' })
  await page.waitForURL(/\/space\?/)
  await page.reload()
  await unitCell('202').waitFor()
  assert.equal(await page.locator('[data-testid="unit-map"] [data-unit]').count(), 4)
  // top floor first
  const order = await page.locator('[data-testid="unit-map"] [data-unit]').evaluateAll((els) => els.map((e) => e.dataset.unit))
  assert.deepEqual(order, ['201', '202', '101', '102'])
  assert.equal(await unitCell('101').getAttribute('data-status'), 'vacant')
  await page.getByTestId('absorption-rate').filter({ hasText: '0.00%' }).waitFor()
  await shot('space-01-unit-map-vacant')
})

step('a lease signed on unit 101 turns it "signed" and moves the absorption rate to 25.00%', async () => {
  const before = await bg(unitCell('101'))
  await page.getByTestId('select-units').click()
  await unitCell('101').click()
  await page.getByTestId('sign-lease').click()
  const dlg = page.locator('.el-dialog', { has: page.getByTestId('lease-save') })
  await dlg.getByText('101').first().waitFor()
  await dlg.locator('.el-form-item[data-field="enterprise_id"] .el-select__wrapper').click()
  await page.keyboard.type(ENTERPRISE.slice(0, 8))
  await page.locator('.el-select-dropdown__item:visible', { hasText: ENTERPRISE }).first().click()
  await dlg.locator('.el-form-item[data-field="end_on"] input').fill('2030-12-31')
  await dlg.locator('.el-form-item[data-field="end_on"] input').press('Enter')
  await dlg.locator('.el-form-item[data-field="rent_fen"] input').fill('18.50')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/leases') && r.request().method() === 'POST'),
    page.getByTestId('lease-save').click(),
  ])
  assert.equal(res.status(), 201, await res.text())
  const sent = JSON.parse(res.request().postData())
  assert.equal(sent.rent_fen, '18.50', 'rent goes as a decimal string')
  assert.equal(sent.enterprise_id, enterpriseId)
  await page.locator('[data-testid="unit-map"] [data-unit="101"][data-status="signed"]').waitFor()
  assert.notEqual(await bg(unitCell('101')), before, 'the colour of unit 101 changed')
  assert.equal(await unitCell('102').getAttribute('data-status'), 'vacant')
  await page.getByTestId('absorption-rate').filter({ hasText: '25.00%' }).waitFor()
  await page.getByTestId('occupancy-rate').filter({ hasText: '0.00%' }).waitFor()
  await shot('space-02-unit-map-signed')
})

step('clicking the unit shows its lease; moving in makes it "occupied" and moves the occupancy rate', async () => {
  await unitCell('101').click()
  const drawer = page.locator('.el-drawer', { has: page.getByTestId('unit-lease') })
  await drawer.getByText('已签约').first().waitFor()
  await drawer.getByText(ENTERPRISE).waitFor() // the lessee by name
  const signedBg = await bg(unitCell('101'))
  await page.getByTestId('lease-move-in').click()
  const box = page.locator('.el-message-box')
  await box.locator('input').waitFor()
  const [res] = await Promise.all([
    page.waitForResponse((r) => /\/api\/v1\/leases\/\d+\/move_in$/.test(r.url())),
    box.getByRole('button', { name: '确定' }).click(),
  ])
  assert.equal(res.status(), 200, await res.text())
  await page.locator('[data-testid="unit-map"] [data-unit="101"][data-status="occupied"]').waitFor()
  assert.notEqual(await bg(unitCell('101')), signedBg)
  await page.getByTestId('occupancy-rate').filter({ hasText: '25.00%' }).waitFor()
  await page.getByTestId('absorption-rate').filter({ hasText: '25.00%' }).waitFor()
})

step('the park page and the rates page show the new absorption rate', async () => {
  await page.goto(`${BASE}/parks/${parkId}`)
  await page.getByTestId('absorption-rate').filter({ hasText: '25.00%' }).waitFor()
  await page.getByTestId('nav-rates').click()
  await page.waitForURL(/\/rates$/)
  const row = page.locator('[data-testid="rates-table"] .el-table__body tr', { hasText: '晋江市' })
  await row.first().waitFor()
  assert.match(await row.first().innerText(), /\d+\.\d\d%/)
  // the charts: rates by county and by park, vacant area by spec band (ECharts on a canvas)
  for (const id of ['chart-regions', 'chart-parks', 'chart-bands']) await page.getByTestId(id).locator('canvas').first().waitFor()
  await page.getByTestId('chart-bands-spec').getByText('净高').click()
  await page.getByTestId('chart-bands-spec').locator('.is-active', { hasText: '净高' }).waitFor()
  await page.getByTestId('chart-parks').scrollIntoViewIfNeeded()
  await shot('space-02b-rates-charts')
  // before the lease, at a past date, the park had nothing signed
  const date = page.getByTestId('rates-date').locator('input')
  await date.fill('2000-01-01')
  await date.press('Enter')
  await page.locator('[data-testid="rates-card"]', { hasText: '2000-01-01' }).first().waitFor()
})

step('the enterprise page shows the lease; an event joins the timeline; unmasking asks why', async () => {
  await page.goto(`${BASE}/enterprises/${enterpriseId}`)
  await page.getByTestId('enterprise-title').filter({ hasText: ENTERPRISE }).waitFor()
  await page.locator('[data-field="contact_phone"]', { hasText: '139****5678' }).waitFor()
  await page.getByTestId('event-add').click()
  const dlg = page.locator('.el-dialog', { has: page.getByTestId('event-save') })
  await pick('stage', '签约', dlg)
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/enterprises/${enterpriseId}/events`)),
    page.getByTestId('event-save').click(),
  ])
  assert.equal(res.status(), 201, await res.text())
  await page.getByTestId('timeline').getByText('签约').waitFor()
  await page.getByTestId('unmask').click()
  const box = page.locator('.el-message-box')
  await box.locator('input').fill('电话回访')
  const [um] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/enterprises/${enterpriseId}/unmask`)),
    box.getByRole('button', { name: '确定' }).click(),
  ])
  assert.equal(um.status(), 200, await um.text())
  assert.deepEqual(JSON.parse(um.request().postData()), { reason: '电话回访' })
  await page.locator('[data-field="contact_phone"]', { hasText: '13912345678' }).waitFor()
  await shot('space-03-enterprise')
})

step('a demand lists matching spaces with score, met and missed requirements and the shortfall', async () => {
  const d = await api('POST', '/demands', {
    title: `E2E扩产需求-${RUN}`,
    region_code: '350582',
    area_min_m2: '400',
    area_max_m2: '800',
    min_floor_load: '10',
    status: 'open',
  })
  await page.goto(`${BASE}/demands/${d.id}`)
  const first = page.getByTestId('match').first()
  await first.waitFor()
  assert.match(await first.getByTestId('match-score').innerText(), /\d+\.\d\d/)
  const miss = first.getByTestId('match-miss').filter({ hasText: '10.00' })
  await miss.first().waitFor()
  const text = await miss.first().innerText()
  assert.match(text, /需要 10\.00，提供 8\.00/)
  assert.match(text, /差 2\.00/)
  await shot('space-04-matches')
})

step('the staff shortlist a matched park unit, see the step, and turn the match into a lease', async () => {
  const d = await api('POST', '/demands', {
    title: `E2E签约需求-${RUN}`,
    region_code: '350582',
    kind: 'expansion',
    enterprise_id: enterpriseId,
    area_min_m2: '400',
    area_max_m2: '800',
    status: 'open',
  })
  await page.goto(`${BASE}/demands/${d.id}`)
  // the first park unit among the matches: its place is shown from the matches' summary
  const m = page.getByTestId('match').filter({ has: page.getByTestId('match-lease') }).first()
  await m.waitFor()
  assert.match(await m.getByTestId('match-place').innerText(), new RegExp(`${PARK} · ${BUILDING}`))
  const [sl] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/demands/${d.id}/shortlist`)),
    m.getByTestId('match-shortlist').click(),
  ])
  assert.equal(sl.status(), 201, await sl.text())
  await page.getByTestId('demand-step').filter({ hasText: '入围' }).waitFor()
  await page.locator('[data-field="status"]', { hasText: '已入围' }).waitFor()
  await m.getByTestId('match-lease').click()
  const dlg = page.locator('.el-dialog', { has: page.getByTestId('demand-lease-save') })
  // the demand's enterprise is preselected; the end date is missing: the server says so
  await dlg.locator('[data-field="enterprise_id"] .el-select__selected-item', { hasText: ENTERPRISE }).waitFor()
  const [bad] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/demands/${d.id}/lease`)),
    page.getByTestId('demand-lease-save').click(),
  ])
  assert.equal(bad.status(), 422, await bad.text())
  await dlg.locator('[data-field="end_on"] .el-form-item__error').waitFor()
  const end = dlg.locator('[data-field="end_on"] input')
  await end.fill('2030-12-31')
  await end.press('Enter')
  const [ok] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/demands/${d.id}/lease`)),
    page.getByTestId('demand-lease-save').click(),
  ])
  assert.equal(ok.status(), 201, await ok.text())
  const sent = JSON.parse(ok.request().postData())
  assert.equal(sent.end_on, '2030-12-31')
  await page.getByTestId('demand-step').filter({ hasText: '签约' }).waitFor()
  await page.locator('[data-field="status"]', { hasText: '已签约' }).waitFor()
  await shot('space-04b-demand-lease')
})

step('a space of the library takes a photo upload, lists it and downloads it', async () => {
  const sp = await api('POST', '/spaces', {
    title: `E2E闲置厂房-${RUN}`, region_code: '350582', floor_m2: '1200', source: 'idle_factory', status: 'available',
  })
  await page.goto(`${BASE}/spaces`)
  await page.locator('.el-table__body tr', { hasText: sp.title }).first().click()
  await page.waitForURL(new RegExp(`/spaces/${sp.id}$`))
  await page.getByTestId('space-title').filter({ hasText: sp.title }).waitFor()
  // the smallest valid PNG: signature + IHDR + IDAT + IEND
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000185d9d2fd0000000049454e44ae426082', 'hex')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/api/v1/spaces/${sp.id}/files`) && r.request().method() === 'POST'),
    page.getByTestId('space-file-input').setInputFiles({ name: '厂房外景.png', mimeType: 'image/png', buffer: png }),
  ])
  assert.equal(res.status(), 201, await res.text())
  const link = page.getByTestId('space-file-link').filter({ hasText: '厂房外景.png' })
  await link.waitFor()
  const href = await link.getAttribute('href')
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u)
    return { status: r.status, size: (await r.arrayBuffer()).byteLength, cd: r.headers.get('content-disposition') }
  }, href)
  assert.equal(got.status, 200)
  assert.equal(got.size, png.length)
  assert.match(got.cd || '', /attachment/)
  // a text file is refused with the server's reason
  const [bad] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/api/v1/spaces/${sp.id}/files`) && r.request().method() === 'POST'),
    page.getByTestId('space-file-input').setInputFiles({ name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }),
  ])
  assert.equal(bad.status(), 422)
  await shot('space-04c-space-files')
})

step('an import with a bad row writes nothing and reports that row', async () => {
  await page.getByTestId('nav-import').click()
  await page.waitForURL(/\/import$/)
  const csv = `name,uscc,region_code\nE2E导入企业甲-${RUN},${uscc()},350582\nE2E导入企业乙-${RUN},BAD,350582\n`
  await page.getByTestId('import-file').setInputFiles({ name: 'e.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/imports/enterprises')),
    page.getByTestId('import-submit').click(),
  ])
  assert.equal(res.status(), 422)
  const report = page.getByTestId('import-report')
  await report.getByText('有错误，未写入任何数据').waitFor()
  assert.equal((await page.getByTestId('import-rejected').innerText()).trim(), '1')
  await report.locator('.el-table__body tr').first().getByText('uscc').waitFor()
  await shot('space-05-import-report')
})

step('on a phone the enterprise list stays usable (no page-wide sideways scroll)', async () => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(`${BASE}/enterprises`)
  await page.locator('.el-table__body tr', { hasText: ENTERPRISE }).first().waitFor()
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 392, `page is ${wide}px wide on a 390px screen`)
  await shot('space-06-phone-enterprises')
  await page.locator('.el-table__body tr', { hasText: ENTERPRISE }).first().click()
  await page.waitForURL(new RegExp(`/enterprises/${enterpriseId}$`))
  await page.setViewportSize({ width: 1366, height: 860 })
})

step('the space pages ran under the server CSP without violations', async () => {
  csp.push(...(await page.evaluate(() => window.__csp.splice(0))))
  assert.deepEqual(csp, [], 'Content-Security-Policy violations')
  const real = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of (401|403|404|412|422|400)/.test(m))
  assert.deepEqual(real, [], 'console errors')
})
