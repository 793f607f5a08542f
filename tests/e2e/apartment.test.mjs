// Browser test of the talent-apartment pages on a phone-sized viewport (375×667), against two
// servers on one database (tests/e2e/run.sh): PB_BASE_URL runs on the real clock (apply, review,
// book), PB_DAY_URL has its clock frozen at 15:00 of PB_CHECKIN_DAY, the earliest check-in day of
// a booking made today (check-in at the desk happens on the day).
//   PB_E2E_OFFICE / PB_E2E_DESK / PB_E2E_STAFF_PASS  a region office and an apartment desk of
//   350503 (丰泽区) with a known, non-temporary password.
//   PB_E2E_OUT  screenshots (default build/e2e)
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
const BASE = (process.env.PB_BASE_URL || '').replace(/\/$/, '')
const DAY = (process.env.PB_DAY_URL || '').replace(/\/$/, '')
const CHECKIN_DAY = process.env.PB_CHECKIN_DAY || ''
const OFFICE = process.env.PB_E2E_OFFICE || ''
const DESK = process.env.PB_E2E_DESK || ''
const STAFF_PASS = process.env.PB_E2E_STAFF_PASS || ''
const ADMIN2 = process.env.PB_E2E_USER2 || ''
const ADMIN2_PASS = process.env.PB_E2E_PASS2 || ''
const OUT = resolve(process.env.PB_E2E_OUT || join(HERE, '..', '..', 'build', 'e2e'))
const CHROMIUM = process.env.PB_CHROMIUM || '/usr/bin/chromium'
const T = 30_000
const configured = !!(BASE && DAY && CHECKIN_DAY && OFFICE && DESK && STAFF_PASS)

const SUFFIX = Date.now().toString(36)
const APPLICANT = `e2eapp${SUFFIX}`
const APPLICANT_PASS = 'Applicant-Passw0rd-9'
const ID_RIGHT = '350503198506159960' // reference.md §2, valid
const ID_BAD_CHECK = '350503198506159961' // wrong check character
const ID_OTHER = '350582199001019997' // valid, another person

let browser, applicant, desk
let apartmentId, bookingId
let failed = ''
const consoleErrors = []
const cspViolations = [] // Content-Security-Policy violations (the server's CSP header)
const pages = []

function step(name, fn) {
  test(name, { timeout: 120_000, skip: configured ? false : 'run through tests/e2e/run.sh (PB_DAY_URL, PB_CHECKIN_DAY, staff accounts)' }, async (t) => {
    if (failed) return t.skip(`an earlier step failed: ${failed}`)
    try {
      await fn(t)
    } catch (e) {
      failed = name
      for (const [who, p] of [['applicant', applicant], ['desk', desk]])
        if (p) await shot(p, `apt-FAILED-${who}-${name.replace(/\W+/g, '_').slice(0, 40)}`).catch(() => {})
      throw e
    }
  })
}

async function shot(page, name) {
  mkdirSync(OUT, { recursive: true })
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true })
}

async function api(base, method, path, { token, body } = {}) {
  const h = { 'Content-Type': 'application/json' }
  if (token) h.Authorization = `Bearer ${token}`
  const r = await fetch(`${base}/api/v1${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  let json = null
  try {
    json = JSON.parse(text)
  } catch {
    /* not JSON */
  }
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
  return json
}

const todayCST = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

async function newPhonePage() {
  const ctx = await browser.newContext({
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
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
  const page = await ctx.newPage()
  pages.push(page)
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text())
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`))
  return page
}

async function login(page, base, user, pass) {
  await page.goto(`${base}/login`)
  await page.locator('input[name=username]').fill(user)
  await page.locator('input[name=password]').fill(pass)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** Confirms the open Element Plus message box (its primary button). */
async function confirmBox(page) {
  const btn = page.locator('.el-message-box__btns .el-button--primary')
  await btn.click()
  await btn.waitFor({ state: 'detached' }).catch(() => {})
}

before(async () => {
  if (!configured) return
  mkdirSync(OUT, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  applicant = await newPhonePage()
  desk = await newPhonePage()
})

after(async () => {
  await browser?.close().catch(() => {})
})

step('the region office sets up an apartment in 丰泽区 (API)', async () => {
  const s = await api(BASE, 'POST', '/session', { body: { username: OFFICE, password: STAFF_PASS } })
  const token = s.token
  const apt = await api(BASE, 'POST', '/apartments', {
    token,
    body: { name: `丰泽人才公寓-${SUFFIX}`, region_code: '350503', address: '丰泽区东海街道', status: 'available' },
  })
  apartmentId = apt.id
  const room = await api(BASE, 'POST', '/apartment_rooms', {
    token,
    body: { apartment_id: apt.id, region_code: '350503', number: '101', gender_rule: 'any', status: 'available' },
  })
  for (const [slot, label] of [[0, 'A'], [1, 'B']])
    await api(BASE, 'POST', '/apartment_beds', { token, body: { room_id: room.id, region_code: '350503', label, slot, status: 'available' } })
  await api(BASE, 'DELETE', '/session', { token }).catch(() => {})
})

step('an applicant registers on the phone and lands on the application form', async () => {
  await applicant.goto(`${BASE}/login`)
  await applicant.getByTestId('apt-register-link').click()
  await applicant.waitForURL(/\/apt\/register/)
  await applicant.locator('[data-testid=reg-username] input, input[data-testid=reg-username]').first().fill(APPLICANT)
  await applicant.locator('[data-testid=reg-password] input, input[data-testid=reg-password]').first().fill(APPLICANT_PASS)
  await applicant.locator('[data-testid=reg-password2] input, input[data-testid=reg-password2]').first().fill(APPLICANT_PASS)
  await applicant.locator('[data-testid=reg-phone] input, input[data-testid=reg-phone]').first().fill('13800138000')
  await shot(applicant, 'apt-01-register')
  await applicant.getByTestId('reg-submit').click()
  await applicant.waitForURL(/\/apt\/apply/)
  // the phone layout: no horizontal scrolling
  const overflow = await applicant.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, `the application form is ${overflow}px wider than the phone`)
})

const field = (page, testid) => page.locator(`[data-testid=${testid}] input, input[data-testid=${testid}], textarea[data-testid=${testid}], [data-testid=${testid}] textarea`).first()

step('the application shows the server\'s message for a wrong ID check character, then goes through', async () => {
  const p = applicant
  // the apartment is picked from the server's directory (GET /apartment/directory)
  await p.getByTestId('apply-apartment').click()
  await p.getByTestId(`apply-apartment-${apartmentId}`).click()
  await p.getByTestId('apply-apartment-info').waitFor()
  await field(p, 'apply-name').fill('林晓丰')
  await field(p, 'apply-id').fill(ID_BAD_CHECK)
  await field(p, 'apply-phone').fill('13800138000')
  await p.getByTestId('cat-graduate').click()
  await field(p, 'apply-cert').fill('学位证书 1039 4120 2400 1234')
  await p.getByTestId('apply-submit').click()
  const err = p.locator('.el-form-item[data-field=id_number] .el-form-item__error')
  await err.waitFor()
  assert.match(await err.innerText(), /校验|check/i)
  await shot(p, 'apt-02-apply-id-error')
  await field(p, 'apply-id').fill(ID_RIGHT)
  await p.getByTestId('apply-submit').click()
  await p.waitForURL(/\/apt\/me/)
  await p.getByTestId('application-status').filter({ hasText: '待审核' }).waitFor()
  await shot(p, 'apt-03-pending')
})

step('the desk approves the application (masked ID in the list)', async () => {
  await login(desk, BASE, DESK, STAFF_PASS)
  await desk.waitForURL(/\/apt\/applications/)
  const row = desk.locator('[data-testid=review-table] .el-table__row', { hasText: '林晓丰' }).first()
  await row.waitFor()
  const text = await row.innerText()
  assert.ok(!text.includes(ID_RIGHT), 'the full ID number is not listed')
  assert.match(text, /350503\*+9960/)
  await row.locator('[data-testid^=approve-]').click()
  await confirmBox(desk)
  await desk.locator('.el-message--success').first().waitFor()
})

step('the applicant sees the approval and is refused a too-early date with the earliest date', async () => {
  const p = applicant
  await p.reload()
  await p.getByTestId('application-status').filter({ hasText: '已通过' }).waitFor()
  const today = todayCST()
  const { date: earliest } = await api(BASE, 'GET', `/calendar/workday-after?date=${today}&n=3`, {
    token: (await api(BASE, 'POST', '/session', { body: { username: OFFICE, password: STAFF_PASS } })).token,
  })
  assert.equal(earliest, CHECKIN_DAY, 'run.sh and the server agree on the earliest check-in day')
  const tooEarly = addDays(today, 1)
  await field(p, 'book-in').fill(tooEarly)
  await field(p, 'book-out').fill(addDays(tooEarly, 2))
  await p.getByTestId('book-beds').waitFor()
  await p.getByTestId('book-submit').click()
  const refusal = p.getByTestId('book-refusal')
  await refusal.waitFor()
  assert.ok((await refusal.innerText()).includes(earliest), `the refusal names ${earliest}`)
  await shot(p, 'apt-04-too-early')
  await p.getByTestId('use-earliest').click()
  assert.equal(await field(p, 'book-in').inputValue(), earliest)
  assert.equal(await field(p, 'book-out').inputValue(), addDays(earliest, 2))
  await p.getByTestId('book-beds').waitFor()
  await p.getByTestId('book-submit').click()
  await p.getByTestId('booking-status').filter({ hasText: '已预约' }).waitFor()
  assert.equal((await p.getByTestId('booking-in').innerText()).slice(0, 10), earliest)
  await shot(p, 'apt-05-booked')
  const mine = await p.evaluate(() => fetch('/api/v1/apartment/me').then((r) => r.json()))
  bookingId = mine.bookings.find((b) => b.status === 'booked').id
})

step('on the day, the desk refuses a wrong ID number and checks in with the right one', async () => {
  await login(desk, DAY, DESK, STAFF_PASS)
  await desk.goto(`${DAY}/apt/arrivals`)
  // no date typed: the page takes "today" from the server, whose clock is the check-in day
  await desk.getByTestId(`checkin-${bookingId}`).click()
  assert.equal(await field(desk, 'arrivals-date').inputValue(), CHECKIN_DAY)
  const dlg = desk.getByTestId('checkin-dialog')
  await dlg.getByTestId('agreement').waitFor()
  // the agreement's text is the server's (settings → agreement), not a copy in the web bundle
  assert.match(await dlg.getByTestId('agreement-text').innerText(), /仅限申请人本人入住/)
  await field(desk, 'checkin-id').fill(ID_OTHER)
  await dlg.getByTestId('checkin-accept').click()
  await desk.getByTestId('checkin-submit').click()
  const err = dlg.locator('.el-form-item[data-field=id_number] .el-form-item__error')
  await err.waitFor()
  assert.ok((await err.innerText()).length > 0)
  await shot(desk, 'apt-06-id-mismatch')
  await field(desk, 'checkin-id').fill(ID_RIGHT)
  await desk.getByTestId('checkin-submit').click()
  await desk.locator('.el-message--success').first().waitFor()
  await desk.locator('[data-testid=inhouse-table] .el-table__row', { hasText: '林晓丰' }).waitFor()
  await shot(desk, 'apt-07-checked-in')
})

step('the applicant sees the door code once; a reload no longer shows it, and staff never see it', async () => {
  const p = applicant
  await login(p, DAY, APPLICANT, APPLICANT_PASS)
  await p.goto(`${DAY}/apt/me`)
  await p.getByTestId('door-code-reveal').click()
  await confirmBox(p)
  const digits = p.getByTestId('door-code')
  await digits.waitFor()
  const code = (await digits.innerText()).replace(/\s+/g, '')
  assert.match(code, /^\d{10}$/)
  assert.match(await p.getByTestId('door-code-valid').innerText(), new RegExp(`${CHECKIN_DAY} 14:00`))
  await p.getByTestId('door-code-warning').waitFor()
  await shot(p, 'apt-08-door-code')
  const stored = await p.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href)
  assert.ok(!stored.includes(code), 'the code is not kept in the browser')
  await p.reload()
  await p.getByTestId('door-code-gone').waitFor()
  assert.ok(!(await p.content()).includes(code))
  await shot(p, 'apt-09-code-gone')
  await desk.reload()
  await desk.locator('[data-testid=inhouse-table] .el-table__row', { hasText: '林晓丰' }).waitFor()
  assert.ok(!(await desk.content()).includes(code), 'the desk page does not show the code')
})

step('an early check-out by the applicant shows the residual offline window', async () => {
  const p = applicant
  await p.getByTestId('booking-checkout').click()
  await confirmBox(p)
  await p.getByTestId('offline-window').waitFor()
  await shot(p, 'apt-10-offline-window')
})

/** The CSP violations a page recorded since its last navigation (collect before leaving it). */
async function collectCsp(page) {
  cspViolations.push(...(await page.evaluate(() => (window.__csp || []).splice(0)).catch(() => [])))
}

step('the desk\'s availability board renders beds by day', async () => {
  await collectCsp(desk)
  await desk.goto(`${DAY}/apt/board`)
  await desk.getByTestId('board-apartment').click()
  await desk.locator('.el-select-dropdown__item', { hasText: `丰泽人才公寓-${SUFFIX}` }).click()
  const grid = desk.getByTestId('board-grid')
  await grid.waitFor()
  await grid.locator('td.apt-cell').first().waitFor()
  assert.ok((await grid.locator('td.apt-cell').count()) >= 2 * 14, 'a cell per bed and day (2 beds, 14 days)')
  await shot(desk, 'apt-11-board')
  await collectCsp(desk)
})

step('the statistics page draws its charts', async () => {
  await desk.goto(`${DAY}/apt/stats`)
  await desk.getByTestId('avg-stay').waitFor()
  await desk.locator('[data-testid=chart-nights] canvas, [data-testid=chart-nights] svg').first().waitFor()
  await desk.locator('[data-testid=chart-apps] canvas, [data-testid=chart-apps] svg').first().waitFor()
  await shot(desk, 'apt-12-stats')
  await collectCsp(desk)
})

step('the admin\'s working-day calendar page lists the year\'s holidays', async (t) => {
  if (!ADMIN2) return t.skip('no second admin (PB_E2E_USER2)')
  const admin = await newPhonePage()
  await login(admin, BASE, ADMIN2, ADMIN2_PASS)
  await admin.goto(`${BASE}/calendar`)
  const table = admin.getByTestId('calendar-table')
  await table.waitFor()
  await table.locator('.el-table__row').first().waitFor()
  assert.ok((await table.locator('.el-table__row').count()) > 5, 'the year has holidays and make-up days')
  await admin.getByTestId('calendar-year').waitFor()
  await shot(admin, 'apt-13-calendar')
  await collectCsp(admin)
})

step('no Content-Security-Policy violations on the apartment pages', async () => {
  for (const p of pages) await collectCsp(p)
  assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations')
})

step('no console errors on the apartment pages', async () => {
  const real = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of (4\d\d)/.test(m))
  assert.deepEqual(real, [])
})
