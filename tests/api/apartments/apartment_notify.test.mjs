// apartment_notify.test.mjs: notifications actually sent. A local HTTP server stands for the
// SMS gateway and the WeCom/DingTalk robot, a fake SMTP server for the mail relay (both on
// 127.0.0.1); `parkbrain apartment notify` (the cron dispatcher) delivers the outbox through
// the channel configured by URL, retries a failure after its back-off (fake clock), records
// attempts and the last error, writes the reminders (the day before check-in, the check-out
// day) once, and never prints a phone number. SQLite or PostgreSQL (PB_API_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { Server, BIN } from './apt_harness.mjs';

const ADMIN_PW = 'Admin-Passw0rd-42';
const DESK_PW = 'Desk-Passw0rd-42';
const APPL_PW = 'Applicant-Pass-9';
const ID = '350503199505051119';
const PHONE = '13812345678';

let s, admin, desk, appl, aptId, bedId, appId, bookingId;
let web, smtp;
const hits = [];          // HTTP requests received: {url, body}
const statuses = [];      // queued HTTP statuses to answer (default 200)
const mails = [];         // SMTP messages: {from, to, data: [lines]}

function listen(srv) {
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)));
}

// The dispatcher, run as cron would, with the server's fake clock; async so that the HTTP and
// SMTP servers of this process can answer meanwhile.
function notify(fakeNow) {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['apartment', 'notify', '--db', s.db], { env: { ...process.env, PARKBRAIN_FAKE_NOW: fakeNow } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ code, out }));
  });
}

const outbox = async () => (await s.req('GET', '/api/v1/apartment/outbox', { token: admin })).body.items;

before(async () => {
  web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      hits.push({ url: req.url, body: JSON.parse(body), type: req.headers['content-type'] });
      const st = statuses.shift() || 200;
      res.writeHead(st, { 'Content-Type': 'application/json' });
      res.end(req.url.startsWith('/robot') ? '{"errcode":0,"errmsg":"ok"}' : '{"ok":true}');
    });
  });
  smtp = net.createServer((sock) => {
    let buf = '';
    let cur = null;
    let inData = false;
    sock.write('220 fake.test ESMTP\r\n');
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') { inData = false; mails.push(cur); sock.write('250 2.0.0 queued\r\n'); } else cur.data.push(line);
          continue;
        }
        const up = line.toUpperCase();
        if (up.startsWith('HELO ')) sock.write('250-fake.test\r\n250 HELP\r\n');
        else if (up.startsWith('MAIL FROM:')) { cur = { from: line.slice(10), data: [] }; sock.write('250 ok\r\n'); }
        else if (up.startsWith('RCPT TO:')) { cur.to = line.slice(8); sock.write('250 ok\r\n'); }
        else if (up === 'DATA') { inData = true; sock.write('354 go ahead\r\n'); }
        else if (up === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('502 no\r\n');
      }
    });
    sock.on('error', () => {});
  });
  web.port = await listen(web);
  smtp.port = await listen(smtp);
  s = await new Server().init();
  s.user('boss', 'admin', ADMIN_PW);
  s.user('desk1', 'apartment_desk', DESK_PW, '--region', '350503');
  await s.start('2026-02-12T09:00:00+08:00');
  admin = await s.login('boss', ADMIN_PW);
  desk = await s.login('desk1', DESK_PW);
});

after(async () => {
  await s.stop();
  s.cleanup();
  web.close();
  smtp.close();
});

test('channel URLs are checked: sms+http, webhook+http, smtp with from; no TLS schemes', async () => {
  for (const [k, v] of [
    ['notify_sms_url', 'https://sms.example.com/send'],
    ['notify_webhook_url', 'sms+http://127.0.0.1/x'],
    ['notify_email_url', 'smtp://127.0.0.1:25'],
    ['notify_email_url', 'smtps://mail.example.com?from=a@b.c'],
    ['notify_sms_url', 'sms+http://127.0.0.1:99999/x'],
  ]) {
    const r = await s.req('PUT', '/api/v1/apartment/settings', { token: admin, body: { [k]: v } });
    assert.equal(r.status, 422, `${k}=${v}`);
    assert.equal(r.body.errors[0].code, 'invalid_url');
  }
  const r = await s.req('PUT', '/api/v1/apartment/settings', {
    token: admin, body: { notify_sms_url: `sms+http://127.0.0.1:${web.port}/sms?token=t0k` },
  });
  assert.equal(r.status, 200, r.text);
  // the audit says that a channel changed, not to what (it may hold a token)
  const a = await s.req('GET', '/api/v1/audit?limit=5', { token: admin });
  assert.ok(!a.text.includes('t0k'));
});

test('set up an apartment; an application is received and its SMS fails, then is retried and sent', async () => {
  let r = await s.req('POST', '/api/v1/apartments', { token: admin, body: { name: '丰泽人才驿站', region_code: '350503' } });
  aptId = r.body.id;
  r = await s.req('POST', '/api/v1/apartment_rooms', { token: admin, body: { apartment_id: aptId, region_code: '350503', number: '301' } });
  r = await s.req('POST', '/api/v1/apartment_beds', { token: admin, body: { room_id: r.body.id, region_code: '350503', label: 'A', slot: 0 } });
  bedId = r.body.id;
  r = await s.req('POST', '/api/v1/apartment/register', { body: { username: 'lisi', password: APPL_PW, phone: PHONE } });
  assert.equal(r.status, 201);
  appl = await s.login('lisi', APPL_PW);
  r = await s.req('POST', '/api/v1/apartment/applications', {
    token: appl,
    body: { apartment_id: aptId, name: '李四', id_number: ID, phone: PHONE, category: 'graduate', cert_numbers: 'GD-1', purpose: 'job_seeking' },
  });
  assert.equal(r.status, 201);
  appId = r.body.id;
  let [m] = await outbox();
  assert.deepEqual([m.kind, m.channel, m.status, m.attempts, m.recipient], ['application_received', 'sms', 'pending', 0, '138****5678']);

  statuses.push(500);
  let run = await notify('2026-02-12T09:01:00+08:00');
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /sent: 0, retrying: 1/);
  assert.ok(!run.out.includes(PHONE), 'the dispatcher printed a phone number');
  [m] = await outbox();
  assert.deepEqual([m.status, m.attempts, m.last_error], ['pending', 1, 'HTTP 500']);
  assert.equal(m.next_attempt_at, '2026-02-12T01:06:00.000Z'); // 5 minutes of back-off
  assert.equal(hits.length, 1);

  run = await notify('2026-02-12T09:03:00+08:00'); // not yet due
  assert.match(run.out, /sent: 0, retrying: 0/);
  assert.equal(hits.length, 1);

  run = await notify('2026-02-12T09:06:30+08:00');
  assert.match(run.out, /sent: 1/);
  [m] = await outbox();
  assert.deepEqual([m.status, m.attempts, m.last_error], ['sent', 2, null]);
  assert.ok(m.sent_at);
  const h = hits[1];
  assert.equal(h.url, '/sms?token=t0k');
  assert.match(h.type, /application\/json/);
  assert.equal(h.body.phone, PHONE);
  assert.equal(h.body.kind, 'application_received');
  assert.match(h.body.text, /已提交/);
  assert.ok(!JSON.stringify(h.body).includes(ID));
});

test('the webhook robot gets the approval as a text message without the phone', async () => {
  let r = await s.req('PUT', '/api/v1/apartment/settings', {
    token: admin, body: { notify_sms_url: '', notify_webhook_url: `webhook+http://127.0.0.1:${web.port}/robot/send?key=k1` },
  });
  assert.equal(r.status, 200);
  r = await s.req('POST', `/api/v1/apartment/applications/${appId}/review`, { token: desk, body: { decision: 'approve' } });
  assert.equal(r.status, 200);
  const run = await notify('2026-02-12T09:10:00+08:00');
  assert.match(run.out, /sent: 1/);
  const h = hits.at(-1);
  assert.equal(h.url, '/robot/send?key=k1');
  assert.equal(h.body.msgtype, 'text');
  assert.match(h.body.text.content, /已通过审核/);
  assert.ok(!JSON.stringify(h.body).includes(PHONE));
  const [m] = await outbox();
  assert.deepEqual([m.kind, m.channel, m.status], ['application_approved', 'webhook', 'sent']);
});

test('mail goes over SMTP (HELO, MAIL FROM, RCPT TO, DATA); a refused connection is retried', async () => {
  let r = await s.req('PUT', '/api/v1/apartment/settings', {
    token: admin,
    body: { notify_webhook_url: '', notify_email_url: `smtp://127.0.0.1:${smtp.port}?from=noreply@pb.test&to=desk@pb.test` },
  });
  assert.equal(r.status, 200, r.text);
  r = await s.req('POST', '/api/v1/apartment/bookings', {
    token: appl, body: { bed_id: bedId, check_in: '2026-02-24', check_out: '2026-02-27' },
  });
  assert.equal(r.status, 201, r.text);
  bookingId = r.body.id;
  // the relay is down: a closed port
  const closed = net.createServer();
  const deadPort = await listen(closed);
  await new Promise((res) => closed.close(res));
  await s.req('PUT', '/api/v1/apartment/settings', {
    token: admin, body: { notify_email_url: `smtp://127.0.0.1:${deadPort}?from=noreply@pb.test&to=desk@pb.test` },
  });
  let run = await notify('2026-02-12T09:20:00+08:00');
  assert.match(run.out, /retrying: 1/);
  let [m] = await outbox();
  assert.equal(m.kind, 'booking_confirmed');
  assert.equal(m.booking_id, bookingId);
  assert.match(m.last_error, /^connect: /);
  await s.req('PUT', '/api/v1/apartment/settings', {
    token: admin, body: { notify_email_url: `smtp://127.0.0.1:${smtp.port}?from=noreply@pb.test&to=desk@pb.test` },
  });
  run = await notify('2026-02-12T09:26:00+08:00');
  assert.match(run.out, /sent: 1/, run.out);
  [m] = await outbox();
  assert.deepEqual([m.status, m.attempts], ['sent', 2]);
  const mail = mails.at(-1);
  assert.equal(mail.from, '<noreply@pb.test>');
  assert.equal(mail.to, '<desk@pb.test>');
  const sep = mail.data.indexOf('');
  assert.ok(mail.data.slice(0, sep).includes('Content-Transfer-Encoding: base64'));
  const text = Buffer.from(mail.data.slice(sep + 1).join(''), 'base64').toString('utf8');
  assert.match(text, /预订成功/);
  assert.match(text, /2026-02-24 入住/);
});

test('reminders: the day before check-in and on the check-out day, once each', async () => {
  let run = await notify('2026-02-23T08:00:00+08:00');
  assert.match(run.out, /reminders: 1, sent: 1/, run.out);
  run = await notify('2026-02-23T20:00:00+08:00');
  assert.match(run.out, /reminders: 0, sent: 0/);
  let [m] = await outbox();
  assert.deepEqual([m.kind, m.booking_id, m.status], ['reminder_check_in', bookingId, 'sent']);
  let text = Buffer.from(mails.at(-1).data.slice(mails.at(-1).data.indexOf('') + 1).join(''), 'base64').toString('utf8');
  assert.match(text, /明天（2026-02-24）入住，14:00 起/);
  // check in on the day, then the check-out day's reminder
  await s.restart('2026-02-24T15:00:00+08:00');
  desk = await s.login('desk1', DESK_PW);
  admin = await s.login('boss', ADMIN_PW);
  let r = await s.req('POST', `/api/v1/apartment/bookings/${bookingId}/check-in`, {
    token: desk, body: { id_number: ID, agreement_version: '2025-03' },
  });
  assert.equal(r.status, 200, r.text);
  run = await notify('2026-02-26T23:00:00+08:00'); // the door-code message; no reminder yet
  assert.match(run.out, /reminders: 0, sent: 1/);
  run = await notify('2026-02-27T07:00:00+08:00');
  assert.match(run.out, /reminders: 1, sent: 1/);
  [m] = await outbox();
  assert.equal(m.kind, 'reminder_check_out');
  text = Buffer.from(mails.at(-1).data.slice(mails.at(-1).data.indexOf('') + 1).join(''), 'base64').toString('utf8');
  assert.match(text, /今天（2026-02-27）12:00 前退房/);
  const kinds = (await outbox()).map((x) => x.kind);
  assert.equal(kinds.filter((k) => k === 'reminder_check_in').length, 1);
  assert.equal(kinds.filter((k) => k === 'reminder_check_out').length, 1);
});

test('only admins read the outbox; nothing personal in the server output', async () => {
  const r = await s.req('GET', '/api/v1/apartment/outbox', { token: desk });
  assert.equal(r.status, 403);
  await s.stop();
  assert.ok(!s.log.includes(PHONE));
  assert.ok(!s.log.includes(ID));
});
