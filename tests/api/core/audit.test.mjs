// The audit log: one record per login, logout, change and denial, with the request id; no
// route changes it; `parkbrain check` verifies the hash chain and finds an edited record.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  describe, it, before, after, startServer, DB_KIND, PASSWORD, JINJIANG, NANAN, assertProblem,
  assertFieldError, parkBody, ISO_INSTANT, psqlRun,
} from '../harness.mjs';

const tag = randomBytes(3).toString('hex');
const WRONG = `Wrong-Secret-${tag}`;
let srv;
let t0;
const ev = {}; // event name → {rid, ...}
const secrets = []; // strings that must never appear in the audit log
let auditor;

function rid(name) {
  return `aud-${name}-${tag}`;
}

before(async () => {
  srv = await startServer();
  t0 = Date.now() - 1000;
  const hdr = (name) => ({ 'x-request-id': rid(name) });
  const sent = { loginOk: rid('login-ok'), loginFail: rid('login-fail'), create: rid('create'), update: rid('update'),
    archive: rid('archive'), deny404: rid('deny404'), deny403: rid('deny403'), logout: rid('logout') };

  let r = await srv.api('POST', '/api/v1/session', { body: { username: 'city1', password: PASSWORD }, headers: hdr('login-ok') });
  assert.equal(r.status, 200, String(r));
  const city = r.json.token;
  secrets.push(city, PASSWORD, WRONG);
  ev.loginOk = { rid: r.requestId };

  r = await srv.api('POST', '/api/v1/session', { body: { username: 'city1', password: WRONG }, headers: hdr('login-fail') });
  assert.equal(r.status, 401, String(r));
  ev.loginFail = { rid: r.requestId };

  r = await srv.api('POST', '/api/v1/parks', { token: city, body: parkBody({ name: `审计测试园-${tag}` }), headers: hdr('create') });
  assert.equal(r.status, 201, String(r));
  const park = r.json;
  ev.create = { rid: r.requestId, id: park.id };

  r = await srv.api('PATCH', `/api/v1/parks/${park.id}`, {
    token: city,
    headers: { ...hdr('update'), 'if-match': r.headers.get('etag') },
    body: { name: `审计测试园-改名-${tag}`, land_m2: '12345.67' },
  });
  assert.equal(r.status, 200, String(r));
  ev.update = { rid: r.requestId, id: park.id, before: park, after: r.json };

  r = await srv.api('DELETE', `/api/v1/parks/${park.id}`, { token: city, headers: hdr('archive') });
  assert.equal(r.status, 204, String(r));
  ev.archive = { rid: r.requestId, id: park.id };

  r = await srv.api('POST', '/api/v1/parks', { token: city, body: parkBody({ name: `南安审计园-${tag}`, region_code: NANAN }) });
  assert.equal(r.status, 201, String(r));
  const nanan = r.json;

  const jj = (await srv.login('jj1')).token;
  secrets.push(jj);
  r = await srv.api('GET', `/api/v1/parks/${nanan.id}`, { token: jj, headers: hdr('deny404') });
  assert.equal(r.status, 404, String(r));
  ev.deny404 = { rid: r.requestId, id: nanan.id };

  const viewer = (await srv.login('viewer1')).token;
  secrets.push(viewer);
  r = await srv.api('POST', '/api/v1/parks', { token: viewer, body: parkBody(), headers: hdr('deny403') });
  assert.equal(r.status, 403, String(r));
  ev.deny403 = { rid: r.requestId };

  r = await srv.api('DELETE', '/api/v1/session', { token: city, headers: hdr('logout') });
  assert.equal(r.status, 204, String(r));
  ev.logout = { rid: r.requestId };

  auditor = (await srv.login('auditor1')).token;
  secrets.push(auditor);
  for (const [k, v] of Object.entries(sent)) ev[k].sent = v;
});

after(async () => {
  if (srv) await srv.cleanup();
});

async function byRid(r) {
  const res = await srv.api('GET', `/api/v1/audit?request_id=${encodeURIComponent(r)}`, { token: auditor });
  assert.equal(res.status, 200, String(res));
  return res.json;
}

const rec = {}; // event name → its audit record

describe('audit records', () => {

  it('the server echoed our request ids', () => {
    for (const [k, e] of Object.entries(ev)) assert.equal(e.rid, e.sent, `${k}: X-Request-Id echoed`);
  });

  it('exactly one record per event, matched by request id', async () => {
    for (const [k, e] of Object.entries(ev)) {
      const page = await byRid(e.rid);
      assert.equal(page.items.length, 1, `${k}: one record for request ${e.rid}: ${JSON.stringify(page)}`);
      rec[k] = page.items[0];
      assert.equal(rec[k].request_id, e.rid);
    }
  });

  it('the audit list is a collection: items, next_cursor and total', async () => {
    const page = await byRid(ev.create.rid);
    assert.deepEqual(Object.keys(page).sort(), ['items', 'next_cursor', 'total']);
    assert.equal(page.total, 1, 'total of ?request_id=');
    assert.equal(page.next_cursor, null);
    const all = await srv.api('GET', '/api/v1/audit?limit=2', { token: auditor });
    assert.equal(typeof all.json.total, 'number', `total: ${all}`);
    assert.ok(all.json.total >= Object.keys(ev).length);
  });

  it('every record has the documented fields', () => {
    for (const [k, r] of Object.entries(rec)) {
      for (const f of ['id', 'chain', 'seq', 'at', 'account_id', 'username', 'role', 'region_code', 'action', 'resource',
        'object_id', 'result', 'changes', 'client_addr', 'request_id', 'hash']) {
        assert.ok(f in r, `${k} record has ${f}: ${JSON.stringify(r)}`);
      }
      assert.match(r.at, ISO_INSTANT, `${k}.at is an ISO UTC instant`);
      assert.ok(Date.parse(r.at) >= t0 && Date.parse(r.at) <= Date.now() + 1000, `${k}.at is now`);
      assert.equal(r.client_addr, '127.0.0.1', `${k}.client_addr`);
      assert.equal(typeof r.hash, 'string');
      assert.ok(r.hash.length >= 32, `${k}.hash`);
      assert.ok(Number.isInteger(Number(r.seq)), `${k}.seq`);
      assert.equal(typeof r.action, 'string');
      assert.ok(r.action.length > 0);
    }
  });

  it('results: the successes share one value, failures and denials another', () => {
    const ok = rec.create.result;
    assert.ok(typeof ok === 'string' && ok.length > 0, 'result is a string');
    for (const k of ['loginOk', 'create', 'update', 'archive', 'logout']) assert.equal(rec[k].result, ok, `${k} succeeded`);
    for (const k of ['loginFail', 'deny404', 'deny403']) assert.notEqual(rec[k].result, ok, `${k} did not succeed`);
  });

  it('actions name the event', () => {
    assert.match(rec.loginOk.action, /login/i);
    assert.match(rec.loginFail.action, /login/i);
    assert.match(rec.logout.action, /logout/i);
    assert.match(rec.create.action, /create/i);
    assert.match(rec.update.action, /update/i);
    assert.match(rec.archive.action, /archive/i);
  });

  it('park changes: who, role, resource, object and region', () => {
    for (const k of ['loginOk', 'loginFail', 'create', 'update', 'archive', 'logout']) {
      assert.equal(rec[k].username, 'city1', `${k}.username`);
    }
    for (const k of ['create', 'update', 'archive', 'logout']) {
      assert.equal(rec[k].role, 'city', `${k}.role`);
      assert.equal(Number(rec[k].account_id), srv.users.city1.id, `${k}.account_id`);
    }
    for (const k of ['create', 'update', 'archive']) {
      assert.equal(rec[k].resource, 'parks', `${k}.resource`);
      assert.equal(String(rec[k].object_id), String(ev.create.id), `${k}.object_id`);
      assert.equal(rec[k].region_code, JINJIANG, `${k}.region_code`);
    }
  });

  it('denials: the 404 out of scope and the 403 of the role', () => {
    assert.equal(rec.deny404.username, 'jj1');
    assert.equal(rec.deny404.role, 'region');
    assert.equal(Number(rec.deny404.account_id), srv.users.jj1.id);
    assert.equal(rec.deny404.resource, 'parks');
    assert.equal(String(rec.deny404.object_id), String(ev.deny404.id));
    assert.equal(rec.deny403.username, 'viewer1');
    assert.equal(rec.deny403.role, 'viewer');
    assert.equal(rec.deny403.resource, 'parks');
  });

  it('a successful login is attributed to the account that logged in', () => {
    assert.equal(Number(rec.loginOk.account_id), srv.users.city1.id, 'loginOk.account_id');
    assert.equal(rec.loginOk.role, 'city', 'loginOk.role');
  });

  it('an update holds before → after', () => {
    const c = rec.update.changes;
    const s = typeof c === 'string' ? c : JSON.stringify(c);
    assert.ok(s.includes('name'), `changes name the field: ${s}`);
    assert.ok(s.includes(ev.update.before.name), `changes hold the old name: ${s}`);
    assert.ok(s.includes(ev.update.after.name), `changes hold the new name: ${s}`);
    assert.ok(s.includes('land_m2'), `changes name land_m2: ${s}`);
    assert.ok(/12345\.67|1234567/.test(s), `changes hold the new area: ${s}`);
    assert.ok(!s.includes('"description"'), `unchanged fields are not listed: ${s}`);
  });

  it('the log holds no passwords or tokens', async () => {
    const res = await srv.api('GET', '/api/v1/audit?limit=500', { token: auditor });
    assert.equal(res.status, 200);
    for (const s of secrets) assert.ok(!res.text.includes(s), 'a secret leaked into the audit log');
  });

  it('filters and paging', async () => {
    const q = async (qs) => {
      const r = await srv.api('GET', `/api/v1/audit?${qs}`, { token: auditor });
      assert.equal(r.status, 200, `?${qs}: ${r}`);
      return r.json;
    };
    const byObj = await q(`resource=parks&object_id=${ev.create.id}&limit=500`);
    assert.deepEqual(byObj.items.map((x) => x.request_id).sort(), [ev.create.rid, ev.update.rid, ev.archive.rid].sort());
    const byAction = await q(`action=${encodeURIComponent(rec.update.action)}&limit=500`);
    assert.ok(byAction.items.length >= 1 && byAction.items.every((x) => x.action === rec.update.action));
    const byUser = await q('username=jj1&limit=500');
    assert.ok(byUser.items.every((x) => x.username === 'jj1'));
    assert.ok(byUser.items.some((x) => x.request_id === ev.deny404.rid));
    const failed = await q(`result=${encodeURIComponent(rec.loginFail.result)}&limit=500`);
    assert.ok(failed.items.every((x) => x.result === rec.loginFail.result));
    assert.ok(failed.items.some((x) => x.request_id === ev.loginFail.rid));
    const byRegion = await q('region_code=350582&limit=500');
    assert.ok(byRegion.items.every((x) => x.region_code === JINJIANG));
    const future = new Date(Date.now() + 3600e3).toISOString();
    assert.equal((await q(`at_min=${encodeURIComponent(future)}`)).items.length, 0, 'nothing in the future');
    const window = await q(`at_min=${encodeURIComponent(new Date(t0).toISOString())}&at_max=${encodeURIComponent(future)}&limit=500`);
    assert.ok(window.items.length >= Object.keys(ev).length);
    const past = await q(`at_max=${encodeURIComponent(new Date(t0).toISOString())}&limit=500`);
    assert.ok(past.items.every((x) => Date.parse(x.at) <= t0), 'at_max bounds');

    const all = await q('limit=500');
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const p = await q(`limit=2${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
      seen.push(...p.items.map((x) => x.id));
      cursor = p.next_cursor;
      assert.ok(++pages < 500);
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no record twice');
    assert.ok(seen.length >= all.items.length, 'every record reached');

    assertFieldError(await srv.api('GET', '/api/v1/audit?bogus=1', { token: auditor }), 400, 'bogus', null, 'unknown param');
  });

  it('no route changes or deletes a record: /api/v1/audit/{id} → 405', async () => {
    const id = rec.create.id;
    for (const m of ['PATCH', 'DELETE', 'POST', 'PUT']) {
      const r = await srv.api(m, `/api/v1/audit/${id}`, { token: auditor, body: m === 'DELETE' ? undefined : { result: 'x' } });
      assertProblem(r, 405, `${m} /api/v1/audit/${id}`);
      assert.ok(r.headers.get('allow') !== null, `${m}: Allow header`);
      assert.ok(!r.headers.get('allow').toUpperCase().includes(m), `${m} not allowed: ${r.headers.get('allow')}`);
    }
    const again = await byRid(ev.create.rid);
    assert.deepEqual(again.items[0], rec.create, 'record unchanged');
  });

  it('no route changes or deletes a record: /api/v1/audit → 405 Allow: GET', async () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await srv.api(m, '/api/v1/audit', { token: auditor, body: m === 'DELETE' ? undefined : {} });
      assertProblem(r, 405, `${m} /api/v1/audit`);
      assert.match(r.headers.get('allow') ?? '', /\bGET\b/);
    }
    const again = await byRid(ev.create.rid);
    assert.deepEqual(again.items[0], rec.create, 'record unchanged');
  });
});

describe('parkbrain check', () => {
  it('the server stops with exit 0 and the chain verifies', async () => {
    await srv.stop();
    const r = srv.check();
    assert.equal(r.code, 0, `parkbrain check: ${r.stdout}${r.stderr}`);
  });

  const sqlite = (file, sql) => spawnSync('sqlite3', [file, sql], { encoding: 'utf8', timeout: 30000 });
  const q1 = (file, sql) => {
    const r = sqlite(file, sql);
    assert.equal(r.status, 0, `sqlite3 ${sql}: ${r.stderr}`);
    return r.stdout.trim();
  };

  it('SQLite: triggers refuse edits; an edited copy fails check naming the record', { skip: DB_KIND !== 'sqlite' }, async () => {
    const file = srv.db.file;
    // The audit table: the one with a hash column.
    const tables = q1(file, "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%audit%'").split('\n').filter(Boolean);
    const table = tables.find((t) => /\bhash\b/.test(q1(file, `SELECT group_concat(name, ' ') FROM pragma_table_info('${t}')`)));
    assert.ok(table, `an audit table with a hash column among ${tables}`);
    const triggers = q1(file, `SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='${table}'`).split('\n').filter(Boolean);
    assert.ok(triggers.length >= 1, 'the audit table has triggers');

    const target = rec.update.id;
    const row = () => q1(file, `SELECT username || '|' || hash FROM ${table} WHERE id = ${target}`);
    const orig = row();
    assert.match(orig, /^city1\|/);
    const upd = sqlite(file, `PRAGMA busy_timeout=2000; UPDATE ${table} SET username = 'mallory' WHERE id = ${target};`);
    assert.ok(upd.status !== 0 || upd.stderr.length > 0, `UPDATE refused: ${upd.stdout}${upd.stderr}`);
    const del = sqlite(file, `PRAGMA busy_timeout=2000; DELETE FROM ${table} WHERE id = ${target};`);
    assert.ok(del.status !== 0 || del.stderr.length > 0, `DELETE refused: ${del.stdout}${del.stderr}`);
    assert.equal(row(), orig, 'row unchanged');
    assert.equal(srv.check().code, 0, 'still verifies');

    const copy = (name) => {
      const dst = join(srv.dir, `copy-${name}.db`);
      q1(file, `.backup '${dst}'`);
      return dst;
    };
    const control = copy('control');
    const rc = srv.check('sqlite:' + control);
    assert.equal(rc.code, 0, `an untouched copy verifies: ${rc.stdout}${rc.stderr}`);

    const cols = q1(file, `SELECT group_concat(name, ' ') FROM pragma_table_info('${table}')`).split(' ');
    const edits = [
      ['username', `UPDATE ${table} SET username = 'dity1' WHERE id = ${target}`, true],
      ['changes', `UPDATE ${table} SET changes = coalesce(changes, '') || ' ' WHERE id = ${target}`, true],
      ['hash', `UPDATE ${table} SET hash = substr(hash, 1, length(hash) - 1) || CASE WHEN substr(hash, -1) = '0' THEN '1' ELSE '0' END WHERE id = ${target}`, true],
      ['result', `UPDATE ${table} SET result = '${rec.create.result}' WHERE id = ${rec.loginFail.id}`, rec.loginFail.id],
      ['delete', `DELETE FROM ${table} WHERE id = ${rec.create.id}`, false],
    ];
    if (cols.includes('at')) {
      edits.push(['at', `UPDATE ${table} SET at = CASE typeof(at) WHEN 'integer' THEN at + 1 ELSE replace(at, 'Z', '1Z') END WHERE id = ${target}`, true]);
    }
    for (const [name, sql, names] of edits) {
      const dst = copy(name);
      const drops = triggers.map((t) => `DROP TRIGGER "${t}";`).join(' ');
      q1(dst, `${drops} ${sql};`);
      const r = srv.check('sqlite:' + dst);
      const out = `${r.stdout}\n${r.stderr}`;
      assert.notEqual(r.code, 0, `check must fail after the ${name} edit: ${out}`);
      if (names) {
        const id = names === true ? target : names;
        assert.match(out, new RegExp(`(record|id|#)\\D{0,3}${id}(\\D|$)`, 'i'), `check names record ${id} after the ${name} edit: ${out}`);
      }
    }
  });
  it('PostgreSQL: triggers refuse edits; an edited copy fails check naming the record', { skip: DB_KIND !== 'pg' }, async () => {
    const url = srv.db.url;
    const base = process.env.PB_TEST_PG_URL;
    const q1 = (u, sql) => {
      const r = psqlRun(u, sql);
      assert.equal(r.code, 0, `psql ${sql}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const table = q1(url, "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'hash' AND table_name LIKE '%audit%' ORDER BY 1 LIMIT 1");
    assert.ok(table, 'an audit table with a hash column');
    const triggers = q1(url, `SELECT tgname FROM pg_trigger WHERE tgrelid = '${table}'::regclass AND NOT tgisinternal`).split('\n').filter(Boolean);
    assert.ok(triggers.length >= 1, 'the audit table has triggers');

    const target = rec.update.id;
    const row = () => q1(url, `SELECT username || '|' || hash FROM ${table} WHERE id = ${target}`);
    const orig = row();
    assert.match(orig, /^city1\|/);
    const upd = psqlRun(url, `UPDATE ${table} SET username = 'mallory' WHERE id = ${target}`);
    assert.notEqual(upd.code, 0, `UPDATE refused: ${upd.stdout}${upd.stderr}`);
    const del = psqlRun(url, `DELETE FROM ${table} WHERE id = ${target}`);
    assert.notEqual(del.code, 0, `DELETE refused: ${del.stdout}${del.stderr}`);
    const trunc = psqlRun(url, `TRUNCATE ${table}`);
    assert.ok(trunc.code !== 0 || q1(url, `SELECT count(*) FROM ${table}`) !== '0', `TRUNCATE refused: ${trunc.stderr}`);
    assert.equal(row(), orig, 'row unchanged');
    assert.equal(srv.check().code, 0, 'still verifies');

    const copies = [];
    const copy = (name) => {
      const db = `${srv.db.name}_${name}`;
      q1(base, `CREATE DATABASE ${db} TEMPLATE ${srv.db.name}`);
      copies.push(db);
      const u = new URL(base);
      u.pathname = '/' + db;
      return u.toString();
    };
    try {
      const control = copy('control');
      const rc = srv.check(control);
      assert.equal(rc.code, 0, `an untouched copy verifies: ${rc.stdout}${rc.stderr}`);
      const edits = [
        ['username', `UPDATE ${table} SET username = 'dity1' WHERE id = ${target}`, target],
        ['changes', `UPDATE ${table} SET changes = changes || ' ' WHERE id = ${target}`, target],
        ['hash', `UPDATE ${table} SET hash = left(hash, -1) || CASE WHEN right(hash, 1) = '0' THEN '1' ELSE '0' END WHERE id = ${target}`, target],
        ['result', `UPDATE ${table} SET result = '${rec.create.result}' WHERE id = ${rec.loginFail.id}`, rec.loginFail.id],
        ['at', `UPDATE ${table} SET at = at + 1 WHERE id = ${target}`, target],
        ['delete', `DELETE FROM ${table} WHERE id = ${rec.create.id}`, null],
      ];
      for (const [name, sql, id] of edits) {
        const u = copy(name);
        const drops = triggers.map((t) => `DROP TRIGGER "${t}" ON ${table};`).join(' ');
        q1(u, `${drops} ${sql}`);
        const r = srv.check(u);
        const out = `${r.stdout}\n${r.stderr}`;
        assert.notEqual(r.code, 0, `check must fail after the ${name} edit: ${out}`);
        if (id) assert.match(out, new RegExp(`(record|id|#)\\D{0,3}${id}(\\D|$)`, 'i'), `check names record ${id} after the ${name} edit: ${out}`);
      }
    } finally {
      for (const db of copies) psqlRun(base, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  });
});
