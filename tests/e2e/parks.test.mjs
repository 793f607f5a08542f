// Browser test of the parks UI against a running parkbrain (node --test tests/e2e/).
//   PB_BASE_URL   http://127.0.0.1:PORT of a server that serves web/dist and /api/v1
//   PB_E2E_USER   an admin whose password is one-time (must change at first login)
//   PB_E2E_PASS   that one-time password
//   PB_E2E_NEW_PASS  the new password to set (default E2e-New-Passw0rd!)
//   PB_E2E_OUT    where screenshots and downloads go (default build/e2e, never the source tree)
// Debian's Chromium at /usr/bin/chromium (PB_CHROMIUM to override), driven by playwright-core.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
const BASE = (process.env.PB_BASE_URL || '').replace(/\/$/, '')
const USER = process.env.PB_E2E_USER || ''
const PASS = process.env.PB_E2E_PASS || ''
const NEW_PASS = process.env.PB_E2E_NEW_PASS || 'E2e-New-Passw0rd!'
const OUT = resolve(process.env.PB_E2E_OUT || join(HERE, '..', '..', 'build', 'e2e'))
const CHROMIUM = process.env.PB_CHROMIUM || '/usr/bin/chromium'
const T = 30_000 // generous: the server is local, the machine may be busy

const configured = !!(BASE && USER && PASS)
const PARK = `E2E测试园区-${Date.now().toString(36)}`

let ctx, page, profile
const csp = [] // Content-Security-Policy violations seen by the page
const consoleErrors = []
let failed = ''
let parkId = null // first failed step: later steps are skipped, so the report names the cause

function step(name, fn) {
  test(name, { timeout: 120_000, skip: configured ? false : 'PB_BASE_URL, PB_E2E_USER and PB_E2E_PASS are not set' }, async (t) => {
    if (failed) return t.skip(`an earlier step failed: ${failed}`)
    try {
      await fn(t)
    } catch (e) {
      failed = name
      await shot(`FAILED-${name.replace(/\W+/g, '_').slice(0, 40)}`).catch(() => {})
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

/** The el-form-item of a field (ResourceForm marks each with data-field). */
const item = (field) => page.locator(`.el-form-item[data-field="${field}"]`)

/** The list's search box (el-input passes data-testid to its <input>). */
const search = () => page.locator('input[data-testid="park-search"], [data-testid="park-search"] input').first()

/** Opens an el-select and clicks the visible option with this text. */
async function pick(field, text) {
  await item(field).locator('.el-select__wrapper').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

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
  // Record CSP violations the way the browser reports them to the page.
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

step('the app opens on the sign-in page (zh-CN)', async () => {
  await page.goto(`${BASE}/`)
  await page.waitForURL(/\/login/)
  await page.getByRole('heading', { name: '园区智慧大脑' }).waitFor()
  await page.getByRole('button', { name: '登录' }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
})

step('a wrong password shows the server message', async () => {
  await page.locator('input[name=username]').fill(USER)
  await page.locator('input[name=password]').fill(`${PASS}-wrong`)
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
    page.getByTestId('login-submit').click(),
  ])
  assert.equal(res.status(), 401)
  const detail = (await res.json()).detail
  const shown = await page.getByTestId('login-error').innerText()
  assert.ok(detail && shown.includes(detail), `shown "${shown}" should include the server's "${detail}"`)
})

step('sign in with the one-time password leads to the forced password change', async () => {
  await page.locator('input[name=password]').fill(PASS)
  await page.getByTestId('login-submit').click()
  await page.waitForURL(/\/password/)
  await page.getByText('首次登录请修改密码').waitFor()
  // the navigation is hidden until the password is changed
  assert.equal(await page.getByTestId('nav-parks').count(), 0)
})

step('the forced password change shows server field errors, then succeeds', async () => {
  // too short for the server (the client leaves that to the server)
  await page.locator('input[name=current_password]').fill(PASS)
  await page.locator('input[name=new_password]').fill('short1!')
  await page.locator('input[name=confirm_password]').fill('short1!')
  const [bad] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me/password')),
    page.getByTestId('password-submit').click(),
  ])
  assert.ok([400, 422].includes(bad.status()), `weak password answered ${bad.status()}`)
  const body = await bad.json()
  const err = (body.errors || []).find((e) => e.field === 'new_password')
  assert.ok(err, `a new_password error in ${JSON.stringify(body)}`)
  await item('new_password').locator('.el-form-item__error', { hasText: err.message }).waitFor()

  await page.locator('input[name=new_password]').fill(NEW_PASS)
  await page.locator('input[name=confirm_password]').fill(NEW_PASS)
  const [ok] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me/password')),
    page.getByTestId('password-submit').click(),
  ])
  assert.equal(ok.status(), 204)
  await page.waitForURL(/\/parks$/)
  await page.getByRole('heading', { name: '园区列表' }).waitFor()
  await page.getByTestId('nav-audit').waitFor() // admin sees the audit log
})

step('a new park with land area "12.345" gets the server error beside that input', async () => {
  await page.getByTestId('park-new').click()
  await page.waitForURL(/\/parks\/new$/)
  await item('name').locator('input').fill(PARK)
  await pick('region_code', '晋江市')
  await pick('kind', '新建')
  await item('land_m2').locator('input').fill('12.345')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/parks') && r.request().method() === 'POST'),
    page.getByTestId('form-save').click(),
  ])
  assert.equal(JSON.parse(res.request().postData()).land_m2, '12.345', 'sent as typed, a string')
  assert.ok([400, 422].includes(res.status()), `answered ${res.status()}`)
  const body = await res.json()
  const err = (body.errors || []).find((e) => e.field === 'land_m2')
  assert.ok(err?.message, `a land_m2 error in ${JSON.stringify(body)}`)
  const shown = item('land_m2').locator('.el-form-item__error')
  await shown.waitFor()
  assert.equal((await shown.innerText()).trim(), err.message)
  assert.match(err.message, /小数/, 'the message is the Chinese one')
  await shot('01-park-form-server-error-zh')
})

step('fixed to "12.34" the park saves and its page shows it', async () => {
  await item('land_m2').locator('input').fill('12.34')
  // the error goes as soon as the field is edited
  await item('land_m2').locator('.el-form-item__error').waitFor({ state: 'detached' })
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/parks') && r.request().method() === 'POST'),
    page.getByTestId('form-save').click(),
  ])
  assert.equal(res.status(), 201, await res.text())
  const rec = await res.json()
  assert.equal(rec.land_m2, '12.34')
  parkId = rec.id
  await page.waitForURL(new RegExp(`/parks/${rec.id}$`))
  await page.getByTestId('park-title').filter({ hasText: PARK }).waitFor()
  await page.locator('[data-field="land_m2"]', { hasText: '12.34' }).waitFor()
  await page.locator('[data-field="region_code"]', { hasText: '晋江市' }).waitFor()
  await shot('02-park-detail-zh')
})

step('an edit sends If-Match; a stale one gets the 412 message and a reload', async () => {
  await page.getByTestId('park-edit').click()
  await page.waitForURL(new RegExp(`/parks/${parkId}/edit$`))
  await item('operator_name').locator('input').fill('泉州园区运营有限公司')
  // someone else changes the park meanwhile (same session, behind the page's back)
  const cur = await page.request.get(`${BASE}/api/v1/parks/${parkId}`)
  const other = await page.request.patch(`${BASE}/api/v1/parks/${parkId}`, {
    headers: { 'If-Match': cur.headers()['etag'], 'Content-Type': 'application/json' },
    data: { address: '晋江市某路 1 号' },
  })
  assert.equal(other.status(), 200, await other.text())
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/parks/${parkId}`) && r.request().method() === 'PATCH'),
    page.getByTestId('form-save').click(),
  ])
  assert.equal(res.status(), 412)
  assert.equal(res.request().headers()['if-match'], cur.headers()['etag'], 'the ETag of the GET went back as If-Match')
  assert.deepEqual(JSON.parse(res.request().postData()), { operator_name: '泉州园区运营有限公司' }, 'only the changed field')
  const box = page.locator('.el-message-box')
  await box.getByText('该记录已被他人修改，请刷新后重试').waitFor()
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/parks/${parkId}`) && r.request().method() === 'GET'),
    box.getByRole('button', { name: '刷新' }).click(),
  ])
  // reloaded: the other change is there, ours is gone; do it again and it saves
  await page.waitForFunction(
    () => document.querySelector('.el-form-item[data-field="address"] input')?.value === '晋江市某路 1 号',
  )
  assert.equal(await item('operator_name').locator('input').inputValue(), '', 'our unsaved edit was dropped')
  await item('operator_name').locator('input').fill('泉州园区运营有限公司')
  const [ok] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/parks/${parkId}`) && r.request().method() === 'PATCH'),
    page.getByTestId('form-save').click(),
  ])
  assert.equal(ok.status(), 200, await ok.text())
  await page.waitForURL(new RegExp(`/parks/${parkId}$`))
  await page.locator('[data-field="operator_name"]', { hasText: '泉州园区运营有限公司' }).waitFor()
})

step('the park is found in the list by searching its name', async () => {
  await page.getByTestId('nav-parks').click()
  await page.waitForURL(/\/parks$/)
  await search().fill(PARK)
  const row = page.locator('.el-table__body tr', { hasText: PARK })
  await row.first().waitFor()
  await page.getByTestId('park-total').filter({ hasText: '共 1 个' }).waitFor()
  assert.equal(await page.locator('.el-table__body-wrapper tr.el-table__row').count(), 1)
  await shot('03-parks-list-zh')
})

step('switching to English changes the UI and the API language', async () => {
  const metaEn = page.waitForRequest((r) => r.url().includes('/api/v1/meta') && r.headers()['accept-language'] === 'en')
  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-en').click()
  await page.getByRole('heading', { name: 'Parks' }).waitFor()
  await page.getByTestId('nav-parks').filter({ hasText: 'Parks' }).waitFor()
  await page.getByRole('button', { name: 'Export CSV' }).waitFor()
  await metaEn
  assert.equal(await page.evaluate(() => localStorage.getItem('pb.lang')), 'en')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  // labels of the table come from /api/v1/meta in English now
  const headers = await page.locator('.el-table__header th').allInnerTexts()
  assert.ok(!headers.some((h) => /[\u4e00-\u9fff]/.test(h)), `English headers: ${headers.join(' | ')}`)
  // and the choice survives a reload
  await page.reload()
  await page.getByRole('heading', { name: 'Parks' }).waitFor()
  await search().fill(PARK)
  await page.locator('.el-table__body tr', { hasText: PARK }).first().waitFor()
  await page.getByTestId('park-total').filter({ hasText: '1 in total' }).waitFor()
  await shot('04-parks-list-en')
})

step('export to Excel downloads an .xlsx', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()])
  const file = join(OUT, `parks-${Date.now()}.xlsx`)
  await dl.saveAs(file)
  const bytes = readFileSync(file)
  assert.match(dl.suggestedFilename(), /\.xlsx$/)
  assert.ok(bytes.length > 100, `xlsx of ${bytes.length} bytes`)
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx is a zip')
})

step('export to CSV downloads UTF-8 with BOM containing the park', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
  const file = join(OUT, `parks-${Date.now()}.csv`)
  await dl.saveAs(file)
  const bytes = readFileSync(file)
  assert.match(dl.suggestedFilename(), /\.csv$/)
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM')
  const text = bytes.toString('utf8')
  assert.ok(text.includes(PARK), 'the CSV lists the park')
  assert.ok(text.includes('12.34'), 'with its land area')
})

step('archiving asks first, then hides the park unless archived ones are included', async () => {
  await page.locator('.el-table__body tr', { hasText: PARK }).first().click()
  await page.waitForURL(new RegExp(`/parks/${parkId}$`))
  await page.getByTestId('park-archive').click()
  const box = page.locator('.el-message-box')
  await box.getByText(PARK).waitFor()
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/parks/${parkId}`) && r.request().method() === 'DELETE'),
    box.getByRole('button', { name: 'Archive' }).click(),
  ])
  assert.equal(res.status(), 204)
  await page.waitForURL(/\/parks$/)
  await search().fill(PARK)
  await page.getByTestId('park-total').filter({ hasText: '0 in total' }).waitFor()
  await page.getByTestId('include-archived').click()
  await page.locator('.el-table__body tr', { hasText: PARK }).getByText('Archived').first().waitFor()
})

step('on a phone the side navigation folds into a drawer', async () => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.getByTestId('nav-toggle').waitFor()
  assert.equal(await page.locator('.pb-aside').count(), 0)
  await page.getByTestId('nav-toggle').click()
  await page.locator('.pb-drawer').getByText('Audit log').waitFor()
  await page.waitForTimeout(600) // let the drawer finish sliding in before the picture
  await shot('05-phone-drawer-en')
  await page.getByTestId('nav-parks').last().click()
  await page.setViewportSize({ width: 1366, height: 860 })
})

step('the pages ran under the server CSP without violations', async () => {
  await shot('06-final')
  csp.push(...(await page.evaluate(() => window.__csp.splice(0))))
  assert.deepEqual(csp, [], 'Content-Security-Policy violations')
  const real = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of (401|403|412|422|400)/.test(m))
  assert.deepEqual(real, [], 'console errors')
})
