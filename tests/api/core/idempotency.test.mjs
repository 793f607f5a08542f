// Idempotency-Key on writes (architecture §4; src/domain/idempotency.h): a repeated keyed write
// is never executed twice, its first answer is replayed, and a key reused for another request
// is refused. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, before, after, startServer, assertProblem, assertFieldError, parkBody } from '../harness.mjs';

let srv;
let city;
let jj;

before(async () => {
  srv = await startServer();
  city = (await srv.login('city1')).token;
  jj = (await srv.login('jj1')).token;
});
after(async () => {
  if (srv) await srv.finish();
});

const key = () => `k-${randomBytes(8).toString('hex')}`;
const post = (body, k, token = city) =>
  srv.api('POST', '/api/v1/parks', { token, body, headers: k ? { 'idempotency-key': k } : {} });

async function countNamed(name) {
  const r = await srv.api('GET', `/api/v1/parks?name=${encodeURIComponent(name)}&limit=500`, { token: city });
  assert.equal(r.status, 200, String(r));
  return r.json.items.filter((p) => p.name === name).length;
}

async function auditCreates(id) {
  const a = (await srv.login('auditor1')).token;
  const r = await srv.api('GET', `/api/v1/audit?resource=parks&action=create&object_id=${id}`, { token: a });
  assert.equal(r.status, 200, String(r));
  return r.json.total;
}

describe('Idempotency-Key', () => {
  it('the same keyed create twice: one park, the first answer replayed with its headers', async () => {
    const k = key();
    const body = parkBody({ name: `幂等-${k}` });
    const a = await post(body, k);
    assert.equal(a.status, 201, String(a));
    const b = await post(body, k);
    assert.equal(b.status, 201, String(b));
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.json.id, a.json.id);
    assert.equal(b.headers.get('location'), a.headers.get('location'));
    assert.equal(b.headers.get('etag'), a.headers.get('etag'));
    assert.equal(await countNamed(body.name), 1);
    assert.equal(await auditCreates(a.json.id), 1, 'one audit record, not two');
  });

  it('a key reused for a different request → 422 on the Idempotency-Key field, nothing written', async () => {
    const k = key();
    const first = parkBody({ name: `幂等A-${k}` });
    assert.equal((await post(first, k)).status, 201);
    const other = parkBody({ name: `幂等B-${k}` });
    assertFieldError(await post(other, k), 422, 'Idempotency-Key', 'key_reused');
    assert.equal(await countNamed(other.name), 0);
  });

  it('keys are per account: another user may use the same key for its own request', async () => {
    const k = key();
    const mine = parkBody({ name: `幂等市-${k}` });
    const theirs = parkBody({ name: `幂等晋江-${k}`, region_code: '350582' });
    assert.equal((await post(mine, k)).status, 201);
    const r = await post(theirs, k, jj);
    assert.equal(r.status, 201, String(r));
    assert.equal(r.headers.get('idempotent-replayed'), null);
  });

  it('an error answer is replayed too, and a malformed key is refused', async () => {
    const k = key();
    const bad = parkBody({ name: `幂等错-${k}`, region_code: '350599' });
    const a = await post(bad, k);
    assert.equal(a.status, 422, String(a));
    const b = await post(bad, k);
    assert.equal(b.status, 422);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assertFieldError(await post(parkBody(), 'bad key with spaces'), 400, 'Idempotency-Key', 'invalid_key');
    assertFieldError(await post(parkBody(), 'x'.repeat(129)), 400, 'Idempotency-Key', 'invalid_key');
  });

  it('20 identical keyed requests at once create exactly one park', async () => {
    const k = key();
    const body = parkBody({ name: `幂等并发-${k}` });
    const rs = await Promise.all(Array.from({ length: 20 }, () => post(body, k)));
    const created = rs.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    assert.equal(created.length, 1, rs.map((r) => r.status).join(','));
    for (const r of rs) assert.ok(r.status === 201 || r.status === 409, `status ${r.status}: ${r}`);
    for (const r of rs.filter((x) => x.status === 201)) assert.equal(r.json.id, created[0].json.id);
    for (const r of rs.filter((x) => x.status === 409)) assertProblem(r, 409);
    assert.equal(await countNamed(body.name), 1);
  });

  it('PATCH and DELETE accept a key as well; a replayed PATCH does not bump the version', async () => {
    const c = await post(parkBody({ name: `幂等改-${key()}` }));
    const k = key();
    const headers = { 'if-match': c.headers.get('etag'), 'idempotency-key': k };
    const p1 = await srv.api('PATCH', `/api/v1/parks/${c.json.id}`, { token: city, body: { address: '晋江市某路1号' }, headers });
    assert.equal(p1.status, 200, String(p1));
    const p2 = await srv.api('PATCH', `/api/v1/parks/${c.json.id}`, { token: city, body: { address: '晋江市某路1号' }, headers });
    assert.equal(p2.status, 200);
    assert.equal(p2.headers.get('idempotent-replayed'), 'true');
    const now = await srv.api('GET', `/api/v1/parks/${c.json.id}`, { token: city });
    assert.equal(now.json.version, p1.json.version);
    const dk = { 'idempotency-key': key() };
    assert.equal((await srv.api('DELETE', `/api/v1/parks/${c.json.id}`, { token: city, headers: dk })).status, 204);
    const again = await srv.api('DELETE', `/api/v1/parks/${c.json.id}`, { token: city, headers: dk });
    assert.equal(again.status, 204);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  });
});
