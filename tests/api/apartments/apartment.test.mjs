// apartment.test.mjs: the talent-apartment service over HTTP against the real binary, on
// SQLite or PostgreSQL (PB_API_DB): register, apply, review, be refused a too-early date with
// the earliest date across the 2026 Spring Festival, book, check in at the desk with a wrong
// and then the right ID number, see the door code once (never in a staff answer, never in the
// server's output), verify it offline with `parkbrain lock verify`, check out early and see
// the residual offline window; the calendar routes; masking and unmasking; the outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, BIN } from './apt_harness.mjs';

const ADMIN_PW = 'Admin-Passw0rd-42';
const DESK_PW = 'Desk-Passw0rd-42';
const APPL_PW = 'Applicant-Pass-9';
const ID = '350503199505051119'; // computed check character
const OTHER_ID = '350582199001019997';

let s;
const staffTexts = []; // every staff answer, to look for the door code in
let admin, desk, appl, aptId, roomId, bedId, appId, bookingId, doorCode;

async function staff(method, path, opts) {
  const r = await s.req(method, path, opts);
  staffTexts.push(r.text);
  return r;
}

before(async () => {
  s = await new Server().init();
  s.user('boss', 'admin', ADMIN_PW);
  s.user('desk1', 'apartment_desk', DESK_PW, '--region', '350503');
  // Thursday 2026-02-12, two days before the Spring Festival make-up Saturday.
  await s.start('2026-02-12T09:00:00+08:00');
  admin = await s.login('boss', ADMIN_PW);
  desk = await s.login('desk1', DESK_PW);
});

after(async () => {
  await s.stop();
  s.cleanup();
});

test('the ID used below is valid', () => {
  // sanity: the fixture's check character (ISO 7064 MOD 11-2)
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...ID.slice(0, 17)].reduce((a, c, i) => a + Number(c) * w[i], 0);
  assert.equal('10X98765432'[sum % 11], ID[17]);
});

test('calendar routes', async () => {
  let r = await s.req('GET', '/api/v1/calendar/workday-after?date=2026-02-12&n=3', { token: desk });
  assert.equal(r.status, 200);
  assert.equal(r.body.date, '2026-02-24');
  assert.equal(r.body.published, true);
  r = await s.req('GET', '/api/v1/calendar/2026', { token: desk });
  assert.equal(r.status, 200);
  assert.ok(r.body.entries.some((e) => e.date === '2026-02-14' && e.kind === 'workday'));
  r = await s.req('GET', '/api/v1/calendar/2027', { token: desk });
  assert.equal(r.body.published, false);
  r = await s.req('GET', '/api/v1/calendar/workday-after?date=2027-01-01&n=3', { token: desk });
  assert.deepEqual([r.body.date, r.body.published], ['2027-01-06', false]);
  r = await s.req('PUT', '/api/v1/calendar/2027', { token: desk, body: { entries: [] } });
  assert.equal(r.status, 403);
  r = await s.req('PUT', '/api/v1/calendar/2027', {
    token: admin,
    body: { source: 'test', entries: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.published, true);
  r = await s.req('GET', '/api/v1/calendar/workday-after?date=2026-12-31&n=1', { token: desk });
  assert.equal(r.body.date, '2027-01-04');
  // the CLI answers the same (shipped data when no database is named)
  const cli = spawnSync(BIN, ['calendar', 'workday-after', '2025-01-24', '3', '--db', 'sqlite:/nonexistent/x.db'], { encoding: 'utf8' });
  assert.equal(cli.stdout.trim(), '2025-02-05');
});

test('staff set up a building, a room and beds', async () => {
  let r = await staff('POST', '/api/v1/apartments', {
    token: admin, body: { name: '丰泽人才驿站', region_code: '350503', desk_phone: '28355001' },
  });
  assert.equal(r.status, 201);
  aptId = r.body.id;
  r = await staff('POST', '/api/v1/apartment_rooms', {
    token: admin,
    body: { apartment_id: aptId, region_code: '350503', number: '301', amenities: '空调,热水器' },
  });
  assert.equal(r.status, 201);
  roomId = r.body.id;
  assert.equal(r.body.lock_key, undefined);
  r = await staff('POST', '/api/v1/apartment_beds', {
    token: admin, body: { room_id: roomId, region_code: '350503', label: 'A', slot: 0 },
  });
  assert.equal(r.status, 201);
  bedId = r.body.id;
});

test('the public directory lists apartments with beds available, without a session', async () => {
  let r = await s.req('GET', '/api/v1/apartment/directory');
  assert.equal(r.status, 200, r.text);
  const a = r.body.items.find((x) => x.id === aptId);
  assert.deepEqual(
    [a.name, a.desk_phone, a.status, a.beds_available, a.beds_free_tonight],
    ['丰泽人才驿站', '28355001', 'available', 1, 1],
  );
  assert.equal(r.body.date, '2026-02-12');
  assert.equal(a.lock_key, undefined);
  // a bed out of service is not available
  r = await staff('POST', '/api/v1/apartment_beds', {
    token: admin, body: { room_id: roomId, region_code: '350503', label: 'B', slot: 1, status: 'out_of_service' },
  });
  assert.equal(r.status, 201);
  r = await s.req('GET', '/api/v1/apartment/directory');
  assert.equal(r.body.items.find((x) => x.id === aptId).beds_available, 1);
  r = await s.req('GET', '/api/v1/apartment/directory?x=1');
  assert.equal(r.status, 400);
});

test('an applicant registers, applies and is approved', async () => {
  let r = await s.req('POST', '/api/v1/apartment/register', {
    body: { username: 'zhangsan', password: APPL_PW, phone: '13812345678' },
  });
  assert.equal(r.status, 201);
  appl = await s.login('zhangsan', APPL_PW);
  const app = {
    apartment_id: aptId, name: '张三', id_number: '350502200102299987', phone: '13812345678',
    category: 'graduate', cert_numbers: 'GD-2025-0001', purpose: 'job_seeking',
  };
  r = await s.req('POST', '/api/v1/apartment/applications', { token: appl, body: app });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'id_number');
  assert.equal(r.body.errors[0].code, 'bad_date');
  r = await s.req('POST', '/api/v1/apartment/applications', {
    token: appl, body: { ...app, id_number: ID },
  });
  assert.equal(r.status, 201);
  appId = r.body.id;
  assert.equal(r.body.id_number, '350503********1119');
  r = await staff('GET', '/api/v1/apartment/applications?status=pending', { token: desk });
  assert.equal(r.status, 200);
  assert.equal(r.body.items[0].phone, '138****5678');
  assert.ok(!r.text.includes(ID));
  r = await staff('POST', `/api/v1/apartment/applications/${appId}/unmask`, {
    token: desk, body: { field: 'id_number' },
  });
  assert.equal(r.status, 422);
  r = await staff('POST', `/api/v1/apartment/applications/${appId}/unmask`, {
    token: desk, body: { field: 'id_number', reason: '核对证件原件' },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.value, ID);
  // a certificate file: JSON with base64 data, the type found from the bytes
  const pdf = Buffer.from('%PDF-1.4\n% test certificate\n%%EOF\n');
  r = await s.req('POST', `/api/v1/apartment/applications/${appId}/certificates`, {
    token: appl, body: { filename: '毕业证书.pdf', data: pdf.toString('base64') },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.content_type, 'application/pdf');
  const certId = r.body.id;
  r = await s.req('POST', `/api/v1/apartment/applications/${appId}/certificates`, {
    token: appl, body: { filename: 'x.exe', data: Buffer.from('MZ\x90\x00').toString('base64') },
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].code, 'unsupported_type');
  r = await staff('GET', `/api/v1/apartment/applications/${appId}/certificates`, { token: desk });
  assert.equal(r.body.total, 1);
  r = await staff('GET', `/api/v1/apartment/certificates/${certId}`, { token: desk });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), /^attachment/);
  assert.equal(r.text, pdf.toString());
  r = await staff('POST', `/api/v1/apartment/applications/${appId}/review`, {
    token: desk, body: { decision: 'approve' },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'approved');
  r = await s.req('GET', '/api/v1/apartment/me', { token: appl });
  assert.equal(r.body.applications[0].status, 'approved');
});

test('a too-early check-in is refused with the earliest date; a later one is booked', async () => {
  let r = await s.req('POST', '/api/v1/apartment/bookings', {
    token: appl, body: { bed_id: bedId, check_in: '2026-02-20', check_out: '2026-02-23' },
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'check_in');
  assert.equal(r.body.errors[0].earliest, '2026-02-24');
  assert.match(r.body.errors[0].message, /2026-02-24/);
  r = await s.req('POST', '/api/v1/apartment/bookings', {
    token: appl, headers: { 'Accept-Language': 'en' },
    body: { bed_id: bedId, check_in: '2026-02-20', check_out: '2026-02-23' },
  });
  assert.match(r.body.errors[0].message, /earliest check-in date is 2026-02-24/);
  r = await s.req('POST', '/api/v1/apartment/bookings', {
    token: appl, body: { bed_id: bedId, check_in: '2026-02-24', check_out: '2026-02-27', guests: 1 },
  });
  assert.equal(r.status, 400);
  r = await s.req('POST', '/api/v1/apartment/bookings', {
    token: appl, body: { bed_id: bedId, check_in: '2026-02-24', check_out: '2026-02-27' },
  });
  assert.equal(r.status, 201);
  bookingId = r.body.id;
  r = await s.req('POST', '/api/v1/apartment/bookings', {
    token: appl, body: { bed_id: bedId, check_in: '2026-03-02', check_out: '2026-03-04' },
  });
  assert.equal(r.status, 409);
  assert.equal(r.body.errors[0].code, 'active_booking');
  r = await s.req('GET', `/api/v1/apartment/board?apartment_id=${aptId}&from=2026-02-23&days=5`, { token: appl });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.beds[0].nights, ['free', 'booked', 'booked', 'booked', 'free']);
  assert.equal(r.body.beds[0].bookings, undefined);
});

test('check-in at the desk: wrong ID refused, right ID issues the code, shown once to the applicant', async () => {
  await s.restart('2026-02-24T15:00:00+08:00');
  admin = await s.login('boss', ADMIN_PW);
  desk = await s.login('desk1', DESK_PW);
  appl = await s.login('zhangsan', APPL_PW);
  let r = await staff('GET', '/api/v1/apartment/arrivals', { token: desk });
  assert.equal(r.body.items.length, 1);
  // the desk's "today" is the server's CST date (the fake clock), named in the answer
  assert.deepEqual([r.body.date, r.body.today], ['2026-02-24', '2026-02-24']);
  const other = await staff('GET', '/api/v1/apartment/arrivals?date=2026-02-25', { token: desk });
  assert.deepEqual([other.body.items.length, other.body.date, other.body.today], [0, '2026-02-25', '2026-02-24']);
  assert.equal(r.body.items[0].id_number, '350503********1119');
  r = await staff('POST', `/api/v1/apartment/bookings/${bookingId}/check-in`, {
    token: desk, body: { id_number: OTHER_ID, agreement_version: '2025-03' },
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'id_number');
  r = await staff('POST', `/api/v1/apartment/bookings/${bookingId}/check-in`, {
    token: desk, body: { id_number: ID, agreement_version: '2025-03' },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'checked_in');
  assert.equal(r.body.door_code_issued, true);
  assert.equal(r.body.code, undefined);
  assert.ok(r.body.agreement_accepted_at);
  r = await staff('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: desk });
  assert.equal(r.status, 403);
  r = await staff('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: admin });
  assert.equal(r.status, 403);
  r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: appl });
  assert.equal(r.status, 200);
  assert.match(r.body.code, /^\d{10}$/);
  assert.match(r.headers.get('cache-control'), /no-store/);
  doorCode = r.body.code;
  assert.equal(r.body.valid_until, '2026-02-27T12:00:00+08:00');
  r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: appl });
  assert.equal(r.status, 409);
  r = await s.req('GET', '/api/v1/apartment/me', { token: appl });
  assert.ok(!r.text.includes(doorCode));
});

test('the door code verifies online and offline inside the stay only', async () => {
  let r = await staff('POST', '/api/v1/apartment/door-codes/verify', {
    token: desk, body: { room_id: roomId, code: doorCode },
  });
  assert.equal(r.body.valid, true, r.text);
  r = await staff('GET', `/api/v1/apartment/rooms/${roomId}/lock-key`, { token: desk });
  assert.equal(r.status, 403);
  r = await s.req('GET', `/api/v1/apartment/rooms/${roomId}/lock-key`, { token: admin });
  assert.equal(r.status, 200);
  assert.match(r.text, /^key = [0-9a-f]{64}$/m);
  const keyFile = join(s.dir, 'room.key');
  writeFileSync(keyFile, r.text);
  const verify = (at) => spawnSync(BIN, ['lock', 'verify', '--key-file', keyFile, '--code', doorCode, '--at', at]).status;
  assert.equal(verify('2026-02-24 14:00'), 0);
  assert.equal(verify('2026-02-24 13:59'), 1);
  assert.equal(verify('2026-02-27 11:59'), 0);
  assert.equal(verify('2026-02-27 12:00'), 1);
});

test('re-keying the lock stops the old code; the desk re-issues, the applicant sees the new code once', async () => {
  const oldCode = doorCode;
  let r = await staff('POST', `/api/v1/apartment/rooms/${roomId}/re-key`, { token: desk });
  assert.equal(r.status, 403);
  r = await staff('POST', `/api/v1/apartment/rooms/${roomId}/re-key`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.bookings_to_reissue, [bookingId]);
  assert.equal(r.body.key, undefined);
  r = await staff('POST', '/api/v1/apartment/door-codes/verify', { token: desk, body: { room_id: roomId, code: oldCode } });
  assert.equal(r.body.valid, false);
  r = await s.req('GET', `/api/v1/apartment/rooms/${roomId}/lock-key`, { token: admin });
  const keyFile = join(s.dir, 'room2.key');
  writeFileSync(keyFile, r.text);
  const verify = (code) => spawnSync(BIN, ['lock', 'verify', '--key-file', keyFile, '--code', code, '--at', '2026-02-24 16:00']).status;
  assert.equal(verify(oldCode), 1, 'the old code opens a re-keyed lock');
  r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: appl });
  assert.equal(r.status, 409);
  r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/reissue-code`, { token: appl });
  assert.equal(r.status, 403);
  r = await staff('POST', `/api/v1/apartment/bookings/${bookingId}/reissue-code`, { token: desk });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.door_code_shown_at, null);
  assert.equal(r.body.code, undefined);
  r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: appl });
  assert.equal(r.status, 200, r.text);
  doorCode = r.body.code;
  assert.notEqual(doorCode, oldCode);
  assert.equal(verify(doorCode), 0);
  r = await staff('POST', '/api/v1/apartment/door-codes/verify', { token: desk, body: { room_id: roomId, code: doorCode } });
  assert.equal(r.body.valid, true);
  r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/door-code`, { token: appl });
  assert.equal(r.status, 409);
  r = await staff('GET', '/api/v1/audit?limit=50', { token: admin });
  const actions = r.body.items.map((x) => x.action);
  assert.ok(actions.includes('lock_rekey') && actions.includes('door_code_reissue'));
  for (const t of staffTexts) assert.ok(!t.includes(oldCode) && !t.includes(doorCode), 'a staff answer held a code');
});

test('early check-out revokes the code on the server and shows the offline window', async () => {
  await s.restart('2026-02-25T10:00:00+08:00');
  desk = await s.login('desk1', DESK_PW);
  admin = await s.login('boss', ADMIN_PW);
  let r = await staff('POST', `/api/v1/apartment/bookings/${bookingId}/check-out`, { token: desk });
  assert.equal(r.status, 200);
  assert.equal(r.body.early, true);
  assert.equal(r.body.offline_window.until, '2026-02-27T12:00:00+08:00');
  assert.equal(r.body.offline_window.seconds, 2 * 86400 + 2 * 3600);
  r = await staff('POST', '/api/v1/apartment/door-codes/verify', {
    token: desk, body: { room_id: roomId, code: doorCode },
  });
  assert.equal(r.body.valid, false, r.text);
  r = await staff('GET', '/api/v1/apartment/stats?from=2026-02-01&to=2026-02-28', { token: desk });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.occupied_beds_per_night, [{ night: '2026-02-24', beds: 1 }]);
  assert.equal(r.body.average_stay_nights, '1.00');
  r = await staff('GET', '/api/v1/apartment/outbox', { token: admin });
  assert.ok(r.body.items.some((m) => m.kind === 'door_code_ready' && m.status === 'logged'));
  r = await staff('GET', '/api/v1/audit?limit=200', { token: admin });
  r = await staff('GET', `/api/v1/apartment/bookings/${bookingId}`, { token: desk });
  assert.equal(r.body.status, 'checked_out');
});

test('an applicant withdraws an application before review; not after, and not someone else\'s', async () => {
  appl = await s.login('zhangsan', APPL_PW);
  let r = await s.req('POST', '/api/v1/apartment/register', { body: { username: 'wangwu', password: APPL_PW, phone: '13912345678' } });
  assert.equal(r.status, 201);
  const w = await s.login('wangwu', APPL_PW);
  const body = {
    apartment_id: aptId, name: '王五', id_number: OTHER_ID, phone: '13912345678',
    category: 'skill_cert', cert_numbers: 'S-1', purpose: 'startup',
  };
  r = await s.req('POST', '/api/v1/apartment/applications', { token: w, body });
  assert.equal(r.status, 201);
  const wid = r.body.id;
  r = await staff('POST', `/api/v1/apartment/applications/${wid}/withdraw`, { token: desk });
  assert.equal(r.status, 403);
  r = await s.req('POST', `/api/v1/apartment/applications/${wid}/withdraw`, { token: appl });
  assert.equal(r.status, 404);
  r = await s.req('POST', `/api/v1/apartment/applications/${wid}/withdraw`, { token: w });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'withdrawn');
  r = await s.req('POST', `/api/v1/apartment/applications/${wid}/withdraw`, { token: w });
  assert.equal(r.status, 409);
  assert.equal(r.body.errors[0].code, 'not_pending');
  r = await staff('POST', `/api/v1/apartment/applications/${wid}/review`, { token: desk, body: { decision: 'approve' } });
  assert.equal(r.status, 409);
  // an approved application cannot be withdrawn (cancel the booking instead)
  r = await s.req('POST', `/api/v1/apartment/applications/${appId}/withdraw`, { token: appl });
  assert.equal(r.status, 409);
  // applying again is allowed once nothing is pending
  r = await s.req('POST', '/api/v1/apartment/applications', { token: w, body });
  assert.equal(r.status, 201);
  r = await staff('GET', '/api/v1/audit?limit=50', { token: admin });
  assert.ok(r.body.items.some((x) => x.action === 'withdraw' && x.object_id === String(wid)));
});

test('agreement texts: the current one comes with the settings; accepted versions are frozen; changes audited', async () => {
  appl = await s.login('zhangsan', APPL_PW);
  let r = await s.req('GET', '/api/v1/apartment/settings', { token: appl });
  assert.equal(r.status, 200);
  assert.equal(r.body.agreement.version, '2025-03');
  assert.match(r.body.agreement.text_zh, /仅限申请人本人入住/);
  assert.match(r.body.agreement.text_en, /Only I stay/);
  r = await staff('GET', '/api/v1/apartment/agreements', { token: desk });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((x) => [x.version, x.accepted_by_bookings, x.current]), [['2025-03', 1, true]]);
  // the accepted version no longer changes
  r = await staff('POST', '/api/v1/apartment/agreements', {
    token: admin, body: { version: '2025-03', text_zh: '改', text_en: 'changed' },
  });
  assert.equal(r.status, 409);
  assert.equal(r.body.errors[0].code, 'accepted');
  r = await staff('POST', '/api/v1/apartment/agreements', {
    token: desk, body: { version: '2026-03', text_zh: '新', text_en: 'new' },
  });
  assert.equal(r.status, 403);
  r = await staff('PUT', '/api/v1/apartment/settings', { token: admin, body: { agreement_version: '2026-03' } });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].code, 'unknown_version');
  r = await staff('POST', '/api/v1/apartment/agreements', {
    token: admin, body: { version: '2026-03', text_zh: '第一条\n第二条', text_en: 'One\nTwo' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.current, false);
  r = await staff('POST', '/api/v1/apartment/agreements', {
    token: admin, body: { version: '2026-03', text_zh: '第一条\n第二条\n第三条', text_en: 'One\nTwo\nThree', make_current: true },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.current, true);
  r = await s.req('GET', '/api/v1/apartment/settings', { token: appl });
  assert.deepEqual([r.body.agreement_version, r.body.agreement.text_en], ['2026-03', 'One\nTwo\nThree']);
  r = await staff('GET', '/api/v1/audit?resource=apartment_agreements&limit=10', { token: admin });
  assert.equal(r.status, 200);
  const recs = (r.body.items || []).filter((x) => x.resource === 'apartment_agreements');
  assert.deepEqual(recs.map((x) => x.action).sort(), ['create', 'update']);
});

test('the door code never appeared in a staff answer nor in the server output', async () => {
  assert.ok(doorCode);
  await s.stop(); // the whole output, including anything printed at exit
  assert.ok(!/AddressSanitizer|LeakSanitizer|runtime error/.test(s.log), s.log.slice(-2000));
  for (const t of staffTexts) assert.ok(!t.includes(doorCode), 'a staff answer held the code');
  assert.ok(!s.log.includes(doorCode), 'the server output held the code');
  assert.ok(!s.log.includes(ID), 'the server output held an ID number');
  assert.match(s.log, /notification in the outbox/);
});
