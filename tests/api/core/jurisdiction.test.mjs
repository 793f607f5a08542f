// County isolation and the role policy (docs/api.md: 404 outside the caller's jurisdiction,
// 400 out_of_scope for a region in a body, 403 when the role may never do it).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  describe, it, before, after, startServer, JINJIANG, NANAN, assertProblem, assertFieldError,
  parkBody, parseCsv, unzip,
} from '../harness.mjs';

const enc = encodeURIComponent;
const tag = randomBytes(3).toString('hex');
let srv;
const T = {}; // tokens by username
const J = {}; // 晋江 parks {rec, etag}
const N = {}; // 南安 parks {rec, etag}

before(async () => {
  srv = await startServer();
  for (const u of ['city1', 'jj1', 'na1', 'viewer1', 'auditor1', 'admin1']) T[u] = (await srv.login(u)).token;
  const mk = async (name, region) => {
    const r = await srv.api('POST', '/api/v1/parks', { token: T.city1, body: parkBody({ name, region_code: region }) });
    assert.equal(r.status, 201, String(r));
    return { rec: r.json, etag: r.headers.get('etag') };
  };
  J.a = await mk(`晋江鞋服智造园-${tag}`, JINJIANG);
  J.b = await mk(`晋江陶瓷产业园-${tag}`, JINJIANG);
  N.a = await mk(`南安水暖卫浴园-${tag}`, NANAN);
  N.b = await mk(`南安石材园-${tag}`, NANAN);
  N.archived = await mk(`南安归档园-${tag}`, NANAN);
  const d = await srv.api('DELETE', `/api/v1/parks/${N.archived.rec.id}`, { token: T.city1 });
  assert.equal(d.status, 204, String(d));
});
after(async () => {
  if (srv) await srv.finish();
});

const nananNames = () => Object.values(N).map((x) => x.rec.name);
const jinjiangNames = () => Object.values(J).map((x) => x.rec.name);

function assertNoNanan(text, what) {
  for (const n of nananNames()) assert.ok(!text.includes(n), `${what} must not contain 南安 park "${n}"`);
}

async function allIds(token, extra = '') {
  const ids = [];
  let cursor = null;
  let total = null;
  do {
    const r = await srv.api('GET', `/api/v1/parks?limit=500${extra}${cursor ? '&cursor=' + enc(cursor) : ''}`, { token });
    assert.equal(r.status, 200, String(r));
    assertNoNanan(token === T.jj1 ? r.text : '', 'list');
    ids.push(...r.json.items.map((x) => x.id));
    total = r.json.total;
    cursor = r.json.next_cursor;
  } while (cursor);
  return { ids: ids.sort((a, b) => a - b), total };
}

describe('a 晋江 region user', () => {
  it('lists only 晋江 parks, and the total counts only them', async () => {
    const mine = await allIds(T.jj1);
    const cityJ = await allIds(T.city1, '&region_code=350582');
    assert.deepEqual(mine.ids, cityJ.ids, 'same ids as the city user filtering 晋江');
    assert.equal(mine.total, cityJ.total, 'total counts only 晋江');
    for (const p of Object.values(J)) assert.ok(mine.ids.includes(p.rec.id), `sees ${p.rec.name}`);
    for (const p of Object.values(N)) assert.ok(!mine.ids.includes(p.rec.id), `does not see ${p.rec.name}`);
    const arch = await allIds(T.jj1, '&include_archived=1');
    for (const p of Object.values(N)) assert.ok(!arch.ids.includes(p.rec.id), 'not even archived ones');
  });

  it('filters and searches cannot reach 南安', async () => {
    for (const qs of ['region_code=350583', `q=${enc('南安')}`, `q=${enc(N.a.rec.name)}`, 'region_code=350583&include_archived=1',
      `q=${enc(tag)}&include_archived=1`]) {
      const r = await srv.api('GET', `/api/v1/parks?${qs}`, { token: T.jj1 });
      assert.ok(r.status === 200 || (r.status >= 400 && r.status < 500), `?${qs}: ${r}`);
      assertNoNanan(r.text, `list ?${qs}`);
      if (r.status === 200) {
        assert.ok(r.json.items.every((x) => x.region_code === JINJIANG), `?${qs} gives only 晋江`);
      }
    }
  });

  it('GET/PATCH/DELETE on a 南安 park → 404, the same answer as for an absent id', async () => {
    const id = N.a.rec.id;
    const ghost = 99999999;
    const tries = [
      ['GET', (x) => `/api/v1/parks/${x}`, {}],
      ['GET', (x) => `/api/v1/parks/${x}?include_archived=1`, {}],
      ['PATCH', (x) => `/api/v1/parks/${x}`, { headers: { 'if-match': N.a.etag }, body: { name: '越权修改' } }],
      ['PATCH', (x) => `/api/v1/parks/${x}`, (x) => ({ headers: { 'if-match': `"${x}-1"` }, body: { description: 'x' } })],
      ['DELETE', (x) => `/api/v1/parks/${x}`, {}],
      ['DELETE', (x) => `/api/v1/parks/${x}`, { headers: { 'if-match': N.a.etag } }],
    ];
    for (const [m, path, opt] of tries) {
      const o = typeof opt === 'function' ? opt(id) : opt;
      const r = await srv.api(m, path(id), { token: T.jj1, ...o });
      const p = assertProblem(r, 404, `${m} ${path(id)} (南安) as 晋江 user`);
      assertNoNanan(r.text, `${m} answer`);
      const g = await srv.api(m, path(ghost), { token: T.jj1, ...(typeof opt === 'function' ? opt(ghost) : opt) });
      const pg = assertProblem(g, 404, `${m} ${path(ghost)} (absent)`);
      delete p.request_id;
      delete pg.request_id;
      p.detail = String(p.detail).replaceAll(String(id), 'ID');
      pg.detail = String(pg.detail).replaceAll(String(ghost), 'ID');
      assert.deepEqual(p, pg, `${m}: out of scope and absent look the same`);
    }
    const arch = await srv.api('GET', `/api/v1/parks/${N.archived.rec.id}?include_archived=1`, { token: T.jj1 });
    assertProblem(arch, 404, 'archived 南安 park');
    // Without If-Match, a PATCH answers as it would for an absent id.
    const a = await srv.api('PATCH', `/api/v1/parks/${id}`, { token: T.jj1, body: { name: 'x' } });
    const b = await srv.api('PATCH', `/api/v1/parks/${ghost}`, { token: T.jj1, body: { name: 'x' } });
    assert.equal(a.status, b.status, `PATCH without If-Match: out of scope ${a.status} vs absent ${b.status}`);
    assert.ok([404, 428].includes(a.status));
  });

  it('creating a park in 350583 → 400 out_of_scope on region_code; in 350582 → 201', async () => {
    const before = (await allIds(T.city1, '&region_code=350583&include_archived=1')).total;
    const r = await srv.api('POST', '/api/v1/parks', { token: T.jj1, body: parkBody({ name: `越权新建-${tag}`, region_code: NANAN }) });
    assertFieldError(r, 400, 'region_code', 'out_of_scope', 'create in 南安');
    assert.equal((await allIds(T.city1, '&region_code=350583&include_archived=1')).total, before, 'nothing created');
    const ok = await srv.api('POST', '/api/v1/parks', { token: T.jj1, body: parkBody({ name: `晋江自建园-${tag}`, region_code: JINJIANG }) });
    assert.equal(ok.status, 201, String(ok));
    assert.equal(ok.json.region_code, JINJIANG);
    J.own = { rec: ok.json, etag: ok.headers.get('etag') };
  });

  it("moving its own park to 350583 → 400 on region_code; the park stays in 晋江", async () => {
    const { rec, etag } = J.own;
    const r = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, { token: T.jj1, headers: { 'if-match': etag }, body: { region_code: NANAN } });
    assertFieldError(r, 400, 'region_code', ['out_of_scope', 'read_only'], 'PATCH region_code to 南安');
    const g = await srv.api('GET', `/api/v1/parks/${rec.id}`, { token: T.jj1 });
    assert.equal(g.status, 200);
    assert.equal(g.json.region_code, JINJIANG);
    assert.equal(g.headers.get('etag'), etag, 'unchanged');
    // A normal edit works.
    const ok = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, { token: T.jj1, headers: { 'if-match': etag }, body: { description: '晋江自己修改' } });
    assert.equal(ok.status, 200, String(ok));
    J.own.etag = ok.headers.get('etag');
    J.own.rec = ok.json;
  });

  it('CSV export holds 晋江 parks only', async () => {
    for (const qs of ['', '&region_code=350583', `&q=${enc('南安')}`, '&include_archived=1']) {
      const r = await srv.api('GET', `/api/v1/parks/export?format=csv${qs}`, { token: T.jj1 });
      if (qs === '') assert.equal(r.status, 200, String(r));
      if (r.status !== 200) {
        assert.ok(r.status >= 400 && r.status < 500, `export${qs}: ${r}`);
        assertNoNanan(r.text, `export${qs}`);
        continue;
      }
      assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
      const text = r.bytes.toString('utf8');
      assertNoNanan(text, `CSV${qs}`);
      for (const n of nananNames()) {
        assert.ok(!r.bytes.includes(Buffer.from(n, 'utf8')), 'no 南安 bytes');
      }
      const rows = parseCsv(text).filter((x) => x.length > 1 || x[0] !== '');
      if (qs === '') {
        const mine = await allIds(T.jj1);
        assert.equal(rows.length - 1, mine.total, 'one row per visible park');
        for (const n of jinjiangNames()) assert.ok(text.includes(n), `CSV has ${n}`);
        assert.ok(!rows.slice(1).some((row) => row.includes('南安市') || row.includes(NANAN)), 'no 南安 cells');
      }
    }
  });

  it('XLSX export holds 晋江 parks only', async () => {
    for (const qs of ['', '&region_code=350583', '&include_archived=1']) {
      const r = await srv.api('GET', `/api/v1/parks/export?format=xlsx${qs}`, { token: T.jj1 });
      if (qs === '') assert.equal(r.status, 200, String(r));
      if (r.status !== 200) {
        assertNoNanan(r.text, `export${qs}`);
        continue;
      }
      assert.match(r.headers.get('content-type') ?? '', /spreadsheetml\.sheet/);
      assert.equal(r.bytes.subarray(0, 2).toString('latin1'), 'PK');
      const files = unzip(r.bytes);
      assert.ok([...files.keys()].some((k) => /^xl\/worksheets\/sheet\d+\.xml$/.test(k)), 'has a worksheet');
      const all = Buffer.concat([...files.values()]).toString('utf8');
      assertNoNanan(all, `XLSX${qs}`);
      if (qs === '') for (const n of jinjiangNames()) assert.ok(all.includes(n), `XLSX has ${n}`);
    }
  });

  it('the 南安 parks are unchanged', async () => {
    for (const p of [N.a, N.b]) {
      const g = await srv.api('GET', `/api/v1/parks/${p.rec.id}`, { token: T.city1 });
      assert.equal(g.status, 200, String(g));
      assert.equal(g.headers.get('etag'), p.etag, 'same version');
      assert.deepEqual(g.json, p.rec, 'same record');
    }
    const g = await srv.api('GET', `/api/v1/parks/${N.archived.rec.id}?include_archived=1`, { token: T.city1 });
    assert.equal(g.status, 200);
    assert.ok(g.json.archived_at);
  });

  it('the 南安 user cannot reach 晋江 either', async () => {
    assertProblem(await srv.api('GET', `/api/v1/parks/${J.a.rec.id}`, { token: T.na1 }), 404);
    const l = await srv.api('GET', '/api/v1/parks?limit=500', { token: T.na1 });
    assert.equal(l.status, 200);
    assert.ok(l.json.items.every((x) => x.region_code === NANAN));
    for (const n of jinjiangNames()) assert.ok(!l.text.includes(n));
  });
});

describe('role policy', () => {
  it('viewer reads parks but every write → 403', async () => {
    const l = await srv.api('GET', '/api/v1/parks?limit=500', { token: T.viewer1 });
    assert.equal(l.status, 200, String(l));
    assert.ok(l.json.items.some((x) => x.id === J.a.rec.id));
    const g = await srv.api('GET', `/api/v1/parks/${J.a.rec.id}`, { token: T.viewer1 });
    assert.equal(g.status, 200, String(g));
    const etag = g.headers.get('etag');
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: T.viewer1, body: parkBody() }), 403, 'viewer POST');
    assertProblem(await srv.api('PATCH', `/api/v1/parks/${J.a.rec.id}`, { token: T.viewer1, headers: { 'if-match': etag }, body: { name: 'viewer改' } }), 403, 'viewer PATCH');
    assertProblem(await srv.api('DELETE', `/api/v1/parks/${J.a.rec.id}`, { token: T.viewer1 }), 403, 'viewer DELETE');
    const after = await srv.api('GET', `/api/v1/parks/${J.a.rec.id}`, { token: T.city1 });
    assert.equal(after.headers.get('etag'), etag, 'unchanged');
  });

  it('auditor cannot read parks (403) but reads the audit log', async () => {
    assertProblem(await srv.api('GET', '/api/v1/parks', { token: T.auditor1 }), 403, 'auditor list');
    assertProblem(await srv.api('GET', `/api/v1/parks/${J.a.rec.id}`, { token: T.auditor1 }), 403, 'auditor get');
    assertProblem(await srv.api('GET', '/api/v1/parks/export?format=csv', { token: T.auditor1 }), 403, 'auditor export');
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: T.auditor1, body: parkBody() }), 403, 'auditor create');
    const a = await srv.api('GET', '/api/v1/audit?limit=5', { token: T.auditor1 });
    assert.equal(a.status, 200, String(a));
    assert.ok(Array.isArray(a.json.items) && a.json.items.length > 0);
  });

  it('only auditor and admin read the audit log', async () => {
    for (const u of ['jj1', 'city1', 'viewer1', 'na1']) {
      assertProblem(await srv.api('GET', '/api/v1/audit', { token: T[u] }), 403, `${u} reads audit`);
    }
    const a = await srv.api('GET', '/api/v1/audit?limit=5', { token: T.admin1 });
    assert.equal(a.status, 200, String(a));
  });
});
