// Parks CRUD, lists, validation, languages, reference data and export as a city user
// (docs/api.md "Conventions", "Collections", "Parks").
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  describe, it, before, after, startServer, JINJIANG, NANAN, assertProblem, assertFieldError,
  parkBody, parseCsv, unzip, CJK, ASCII_ONLY, ISO_INSTANT,
} from '../harness.mjs';

let srv;
let city; // token
let jj; // token of the 晋江 region user

const enc = encodeURIComponent;

before(async () => {
  srv = await startServer();
  city = (await srv.login('city1')).token;
  jj = (await srv.login('jj1')).token;
});
after(async () => {
  if (srv) await srv.finish();
});

async function create(body, token = city) {
  const r = await srv.api('POST', '/api/v1/parks', { token, body });
  assert.equal(r.status, 201, `create: ${r}`);
  return r;
}

async function get(id, token = city, q = '') {
  return srv.api('GET', `/api/v1/parks/${id}${q}`, { token });
}

async function list(query, token = city) {
  const r = await srv.api('GET', `/api/v1/parks?${query}`, { token });
  assert.equal(r.status, 200, `list ?${query}: ${r}`);
  assert.ok(Array.isArray(r.json.items), 'items is an array');
  assert.equal(typeof r.json.total, 'number', 'total is a number');
  assert.ok(r.json.next_cursor === null || typeof r.json.next_cursor === 'string', 'next_cursor string|null');
  return r.json;
}

async function total(token = city) {
  return (await list('limit=1&include_archived=1', token)).total;
}

const num = (s) => Number(s);

describe('create and read', () => {
  it('POST → 201 with Location, ETag and the stored record', async () => {
    const body = parkBody({ name: '晋江智能装备产业园-创建', pilot: true });
    const r = await create(body);
    const rec = r.json;
    assert.equal(typeof rec.id, 'number');
    assert.ok(rec.id > 0);
    assert.match(r.headers.get('location') ?? '', new RegExp(`/api/v1/parks/${rec.id}$`), 'Location');
    assert.equal(r.headers.get('etag'), `"${rec.id}-${rec.version}"`, 'ETag is "<id>-<version>"');
    assert.equal(typeof rec.version, 'number');
    for (const k of ['name', 'region_code', 'kind', 'leading_industry_code', 'industry_label', 'operator_name',
      'address', 'status', 'opened_on', 'policy_guide', 'description']) {
      assert.equal(rec[k], body[k], `field ${k}`);
    }
    assert.equal(rec.pilot, true);
    for (const k of ['land_m2', 'planned_floor_m2', 'built_floor_m2', 'production_floor_m2', 'living_floor_m2']) {
      assert.equal(typeof rec[k], 'string', `${k} is a decimal string`);
      assert.match(rec[k], /^\d+(\.\d{1,2})?$/, `${k} has at most 2 decimals`);
      assert.equal(num(rec[k]), num(body[k]), `${k} value`);
    }
    for (const k of ['lng', 'lat']) {
      assert.equal(typeof rec[k], 'string', `${k} is a string`);
      assert.match(rec[k], /^-?\d+(\.\d{1,6})?$/, `${k} has at most 6 decimals`);
      assert.equal(num(rec[k]), num(body[k]), `${k} value`);
    }
    assert.equal(rec.land_m2, '66666.67');
    assert.equal(rec.land_mu, '100.00', '66666.67 m² = 100.00 mu');
    assert.equal(rec.production_share, '70.00', '7000 : 3000 → 70.00');
    assert.match(rec.created_at, ISO_INSTANT);
    assert.match(rec.updated_at, ISO_INSTANT);
    assert.ok(Math.abs(Date.parse(rec.created_at) - Date.now()) < 60000, 'created_at is now');
    assert.equal(rec.archived_at, null);

    const g = await get(rec.id);
    assert.equal(g.status, 200, String(g));
    assert.equal(g.headers.get('etag'), r.headers.get('etag'));
    assert.deepEqual(g.json, rec, 'GET returns the stored record');
  });

  it('computes land_mu and production_share', async () => {
    const cases = [
      [{ land_m2: 1000000, production_floor_m2: '6000', living_floor_m2: '4000', built_floor_m2: '10000' }, '1500.00', '60.00'],
      [{ land_m2: '6666.67', production_floor_m2: 7000, living_floor_m2: 3000, built_floor_m2: 10000 }, '10.00', '70.00'],
      [{ land_m2: '1000.50', production_floor_m2: '1.00', living_floor_m2: '2.00', built_floor_m2: '3.00' }, '1.50', '33.33'],
    ];
    for (const [over, mu, share] of cases) {
      const rec = (await create(parkBody(over))).json;
      assert.equal(rec.land_mu, mu, `land_mu for ${over.land_m2}`);
      assert.equal(rec.production_share, share, `production_share for ${JSON.stringify(over)}`);
      assert.equal(num(rec.land_m2), num(over.land_m2), 'integers accepted for areas, output as string');
      assert.equal(typeof rec.land_m2, 'string');
    }
  });

  it('a name of exactly 100 characters (CJK) is accepted; 101 is not', async () => {
    const n100 = '园'.repeat(96) + randomBytes(2).toString('hex');
    const rec = (await create(parkBody({ name: n100 }))).json;
    assert.equal(rec.name, n100);
    const r = await srv.api('POST', '/api/v1/parks', { token: city, body: parkBody({ name: n100 + '区' }) });
    assertFieldError(r, 422, 'name', null, '101 characters');
  });

  it('GET of an absent id → 404 problem', async () => {
    assertProblem(await get(99999999), 404, 'absent');
    const bad = await get('abc');
    assert.ok([400, 404].includes(bad.status), `non-numeric id: ${bad}`);
  });
});

describe('list: filters, sort, paging', () => {
  const M = 'Lx' + randomBytes(3).toString('hex');
  const P = {};
  before(async () => {
    const defs = {
      P1: { name: `${M}-晋江智能装备产业园`, region_code: JINJIANG, kind: 'new_build', pilot: true, land_m2: '66666.67', opened_on: '2021-03-01', status: 'operating' },
      P2: { name: `${M}-晋江鞋服盘活园区`, region_code: JINJIANG, kind: 'revitalized', pilot: false, land_m2: '20000.00', opened_on: '2022-06-15', status: 'building' },
      P3: { name: `${M}-南安水暖卫浴产业园`, region_code: NANAN, kind: 'new_build', pilot: false, land_m2: '150000.00', opened_on: '2023-01-01', status: 'operating' },
      P4: { name: `${M}-南安石材循环经济园`, region_code: NANAN, kind: 'revitalized', pilot: true, land_m2: '5000.00', opened_on: '2023-12-31', status: 'planning' },
      P5: { name: `${M}-Alpha Smart Park`, region_code: JINJIANG, kind: 'new_build', pilot: false, land_m2: '20000', opened_on: '2024-02-29', status: 'operating', leading_industry_code: '3511' },
      P6: { name: `${M}-Bravo Works`, region_code: NANAN, kind: 'new_build', pilot: true, land_m2: '300000.00', opened_on: '2020-01-01', status: 'closed' },
      P7: { name: `${M}-Charlie Yard`, region_code: JINJIANG, kind: 'revitalized', pilot: false, land_m2: '150000', opened_on: '2022-06-15', status: 'building' },
    };
    for (const [k, over] of Object.entries(defs)) {
      P[k] = (await create(parkBody(over))).json;
    }
  });

  const ids = (...keys) => keys.map((k) => P[k].id).sort((a, b) => a - b);
  const got = (page) => page.items.map((x) => x.id).sort((a, b) => a - b);

  it('q (case-insensitive substring) selects the data set', async () => {
    const all = await list(`q=${enc(M)}&limit=500`);
    assert.deepEqual(got(all), ids('P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'));
    assert.equal(all.total, 7);
    assert.equal(all.next_cursor, null);
    const upper = await list(`q=${enc(M.toUpperCase())}&limit=500`);
    assert.deepEqual(got(upper), got(all), 'q is case-insensitive');
    const nanan = await list(`q=${enc(M + '-南安')}`);
    assert.deepEqual(got(nanan), ids('P3', 'P4'));
    assert.equal(nanan.total, 2);
    const alpha = await list(`q=${enc(M.toUpperCase() + '-alpha SMART')}`);
    assert.deepEqual(got(alpha), ids('P5'));
    const item = all.items.find((x) => x.id === P.P1.id);
    assert.equal(item.name, P.P1.name);
    assert.equal(item.region_code, JINJIANG);
    assert.equal(item.kind, 'new_build');
  });

  it('filters: region_code, kind, pilot, land_m2_min/max, combined', async () => {
    const cases = [
      ['region_code=350582', ['P1', 'P2', 'P5', 'P7']],
      ['region_code=350583', ['P3', 'P4', 'P6']],
      ['kind=revitalized', ['P2', 'P4', 'P7']],
      ['kind=new_build', ['P1', 'P3', 'P5', 'P6']],
      ['pilot=true', ['P1', 'P4', 'P6']],
      ['pilot=1', ['P1', 'P4', 'P6']],
      ['pilot=false', ['P2', 'P3', 'P5', 'P7']],
      ['pilot=0', ['P2', 'P3', 'P5', 'P7']],
      ['land_m2_min=20000&land_m2_max=150000', ['P1', 'P2', 'P3', 'P5', 'P7']],
      ['land_m2_min=66666.67', ['P1', 'P3', 'P6', 'P7']],
      ['land_m2_max=19999.99', ['P4']],
      ['region_code=350583&kind=new_build', ['P3', 'P6']],
      ['region_code=350582&pilot=true&land_m2_max=100000', ['P1']],
      ['kind=revitalized&pilot=true&region_code=350582', []],
      ['status=building', ['P2', 'P7']],
      ['leading_industry_code=3511', ['P5']],
      ['opened_on_min=2022-06-15', ['P2', 'P3', 'P4', 'P5', 'P7']],
      ['opened_on_max=2022-06-15', ['P1', 'P2', 'P6', 'P7']],
      ['opened_on_min=2023-01-01&opened_on_max=2023-12-31', ['P3', 'P4']],
      [`name=${enc(M + '-南安')}`, ['P3', 'P4']],
      [`name=${enc('Bravo')}`, ['P6']],
    ];
    for (const [qs, want] of cases) {
      const page = await list(`q=${enc(M)}&${qs}&limit=500`);
      assert.deepEqual(got(page), ids(...want), `?${qs}`);
      assert.equal(page.total, want.length, `total for ?${qs}`);
    }
  });

  it('sort=name and sort=-name', async () => {
    const asc = (await list(`q=${enc(M)}&sort=name&limit=500`)).items.map((x) => x.name);
    const desc = (await list(`q=${enc(M)}&sort=-name&limit=500`)).items.map((x) => x.name);
    assert.equal(asc.length, 7);
    assert.deepEqual(desc, [...asc].reverse(), '-name is the reverse of name');
    const ascii = asc.filter((n) => /Alpha|Bravo|Charlie/.test(n));
    assert.deepEqual(ascii, [P.P5.name, P.P6.name, P.P7.name], 'Alpha < Bravo < Charlie');
  });

  it('sort=opened_on', async () => {
    const items = (await list(`q=${enc(M)}&sort=opened_on&limit=500`)).items;
    assert.deepEqual(items.map((x) => x.opened_on), ['2020-01-01', '2021-03-01', '2022-06-15', '2022-06-15', '2023-01-01', '2023-12-31', '2024-02-29']);
    const desc = (await list(`q=${enc(M)}&sort=-opened_on&limit=500`)).items;
    assert.equal(desc[0].opened_on, '2024-02-29');
    const bad = await srv.api('GET', '/api/v1/parks?opened_on_min=2023-02-30', { token: city });
    assert.ok([400, 422].includes(bad.status), `opened_on_min=2023-02-30: ${bad}`);
  });

  it('sort=-land_m2 (with ties) is stable across pages of limit=2', async () => {
    const one = (await list(`q=${enc(M)}&sort=-land_m2&limit=500`)).items;
    const lands = one.map((x) => num(x.land_m2));
    assert.deepEqual(lands, [300000, 150000, 150000, 66666.67, 20000, 20000, 5000]);
    const walked = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = await list(`q=${enc(M)}&sort=-land_m2&limit=2${cursor ? '&cursor=' + enc(cursor) : ''}`);
      assert.ok(page.items.length <= 2);
      assert.equal(page.total, 7, 'total on every page');
      walked.push(...page.items.map((x) => x.id));
      cursor = page.next_cursor;
      assert.ok(++pages <= 10, 'paging ends');
    } while (cursor);
    assert.deepEqual(walked, one.map((x) => x.id), 'pages give the same order as one page');
    // Mixed sort keys.
    const mixed = (await list(`q=${enc(M)}&sort=-land_m2,name&limit=500`)).items;
    assert.deepEqual(mixed.map((x) => num(x.land_m2)), lands);
  });

  it('limit=2 paging walks every park exactly once', async () => {
    const full = await list('limit=500');
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = await list(`limit=2${cursor ? '&cursor=' + enc(cursor) : ''}`);
      assert.ok(page.items.length <= 2, 'page size');
      assert.equal(page.total, full.total, 'same total on every page');
      seen.push(...page.items.map((x) => x.id));
      cursor = page.next_cursor;
      assert.ok(++pages <= 200, 'paging ends');
    } while (cursor);
    assert.equal(seen.length, full.total, 'as many ids as total');
    assert.equal(new Set(seen).size, seen.length, 'no id twice');
    assert.deepEqual([...seen].sort((a, b) => a - b), got(full), 'the same ids as one big page');
    assert.ok(pages <= Math.ceil(full.total / 2) + 1, `pages: ${pages}`);
    // Default limit is 50.
    const dflt = await list('');
    assert.equal(dflt.items.length, Math.min(50, full.total));
  });

  it('unknown query parameter → 400 naming it; bad limit → 400/422 naming limit', async () => {
    assertFieldError(await srv.api('GET', '/api/v1/parks?bogus=1', { token: city }), 400, 'bogus', null, 'unknown param');
    assertFieldError(await srv.api('GET', `/api/v1/parks?q=${enc(M)}&colour=red`, { token: city }), 400, 'colour', null, 'unknown param');
    for (const l of ['1000000', '0', '501', '-1', 'abc']) {
      const r = await srv.api('GET', `/api/v1/parks?limit=${l}`, { token: city });
      assert.ok([400, 422].includes(r.status), `limit=${l} → 400/422: ${r}`);
      assertFieldError(r, r.status, 'limit', null, `limit=${l}`);
    }
    assert.equal((await srv.api('GET', '/api/v1/parks?limit=500', { token: city })).status, 200);
    const badSort = await srv.api('GET', '/api/v1/parks?sort=nosuchfield', { token: city });
    assert.ok([400, 422].includes(badSort.status), `sort on an unknown field: ${badSort}`);
    const badCursor = await srv.api('GET', '/api/v1/parks?cursor=%%%garbage', { token: city });
    assert.ok([400, 422].includes(badCursor.status), `garbage cursor: ${badCursor}`);
    const badRange = await srv.api('GET', '/api/v1/parks?land_m2_min=abc', { token: city });
    assert.ok([400, 422].includes(badRange.status), `land_m2_min=abc: ${badRange}`);
    const badBool = await srv.api('GET', '/api/v1/parks?pilot=maybe', { token: city });
    assert.ok([400, 422].includes(badBool.status), `pilot=maybe: ${badBool}`);
  });

  it('export CSV (BOM, header, filtered rows, attachment) and XLSX', async () => {
    const r = await srv.api('GET', `/api/v1/parks/export?format=csv&q=${enc(M)}&region_code=350582`, { token: city });
    assert.equal(r.status, 200, String(r));
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(r.headers.get('content-disposition') ?? '', /^attachment/);
    assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const rows = parseCsv(r.bytes.toString('utf8')).filter((x) => x.length > 1 || x[0] !== '');
    assert.equal(rows.length, 1 + 4, 'header + the 4 晋江 parks of the set');
    const text = r.bytes.toString('utf8');
    for (const k of ['P1', 'P2', 'P5', 'P7']) assert.ok(text.includes(P[k].name), `${k} in CSV`);
    for (const k of ['P3', 'P4', 'P6']) assert.ok(!text.includes(P[k].name), `${k} not in CSV`);
    assert.ok(CJK.test(rows[0].join(',')), 'header labels in Chinese by default');

    const en = await srv.api('GET', `/api/v1/parks/export?format=csv&q=${enc(M)}`, { token: city, headers: { 'accept-language': 'en' } });
    assert.equal(en.status, 200);
    const enRows = parseCsv(en.bytes.toString('utf8'));
    assert.ok(!CJK.test(enRows[0].join(',')), `English header labels: ${enRows[0]}`);
    assert.ok(enRows[0].some((x) => /name/i.test(x)), 'a Name column');

    const x = await srv.api('GET', `/api/v1/parks/export?format=xlsx&q=${enc(M)}&kind=revitalized`, { token: city });
    assert.equal(x.status, 200, String(x));
    assert.match(x.headers.get('content-type') ?? '', /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/);
    assert.match(x.headers.get('content-disposition') ?? '', /^attachment/);
    const files = unzip(x.bytes);
    const all = Buffer.concat([...files.values()]).toString('utf8');
    for (const k of ['P2', 'P4', 'P7']) assert.ok(all.includes(P[k].name), `${k} in XLSX`);
    for (const k of ['P1', 'P3', 'P5', 'P6']) assert.ok(!all.includes(P[k].name), `${k} not in XLSX`);

    const bad = await srv.api('GET', '/api/v1/parks/export?format=pdf', { token: city });
    assert.ok([400, 422].includes(bad.status), `format=pdf: ${bad}`);
    assertProblem(bad, bad.status);
    assertFieldError(await srv.api('GET', '/api/v1/parks/export?format=csv&bogus=1', { token: city }), 400, 'bogus', null, 'export unknown param');
  });
});

describe('update with If-Match', () => {
  let rec;
  let etag;
  before(async () => {
    const r = await create(parkBody({ name: '晋江PATCH测试园' }));
    rec = r.json;
    etag = r.headers.get('etag');
  });

  it('PATCH with the current ETag → 200 and a new ETag; stale → 412; none → 428', async () => {
    const r = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, {
      token: city,
      headers: { 'if-match': etag },
      body: { name: '晋江PATCH测试园-改', land_m2: '1000.50', status: 'building' },
    });
    assert.equal(r.status, 200, String(r));
    const e2 = r.headers.get('etag');
    assert.ok(e2 && e2 !== etag, 'a new ETag');
    assert.equal(e2, `"${rec.id}-${r.json.version}"`);
    assert.ok(r.json.version > rec.version, 'version grows');
    assert.equal(r.json.name, '晋江PATCH测试园-改');
    assert.equal(r.json.status, 'building');
    assert.equal(r.json.land_m2, '1000.50');
    assert.equal(r.json.land_mu, '1.50', 'land_mu recomputed');
    assert.equal(r.json.kind, rec.kind, 'untouched field kept');
    assert.equal(r.json.created_at, rec.created_at);
    assert.ok(Date.parse(r.json.updated_at) >= Date.parse(rec.updated_at));

    const stale = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, {
      token: city,
      headers: { 'if-match': etag },
      body: { name: 'should not apply' },
    });
    assertProblem(stale, 412, 'stale If-Match');
    const none = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, { token: city, body: { name: 'should not apply' } });
    assertProblem(none, 428, 'no If-Match');

    const g = await get(rec.id);
    assert.equal(g.headers.get('etag'), e2);
    assert.equal(g.json.name, '晋江PATCH测试园-改', 'rejected PATCHes changed nothing');
    rec = g.json;
    etag = e2;
  });

  it('unknown field → 400 unknown_field; read-only fields → 400 read_only; nothing changes', async () => {
    const attempts = [
      [{ colour: 'red' }, 'colour', 'unknown_field'],
      [{ name: 'x', password_hash: 'x' }, 'password_hash', 'unknown_field'],
      [{ id: 12345 }, 'id', 'read_only'],
      [{ version: 99 }, 'version', 'read_only'],
      [{ created_at: '2020-01-01T00:00:00.000Z' }, 'created_at', 'read_only'],
      [{ updated_at: '2020-01-01T00:00:00.000Z' }, 'updated_at', 'read_only'],
      [{ archived_at: null }, 'archived_at', 'read_only'],
      [{ land_mu: '1.00' }, 'land_mu', 'read_only'],
      [{ production_share: '99.00' }, 'production_share', 'read_only'],
    ];
    for (const [body, field, code] of attempts) {
      const r = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, { token: city, headers: { 'if-match': etag }, body });
      assertFieldError(r, 400, field, code, `PATCH ${JSON.stringify(body)}`);
    }
    const g = await get(rec.id);
    assert.equal(g.headers.get('etag'), etag, 'version unchanged');
    assert.deepEqual(g.json, rec, 'record unchanged');
  });

  it('invalid values on PATCH → 422 naming the field', async () => {
    const attempts = [
      [{ name: null }, 'name'],
      [{ name: '' }, 'name'],
      [{ kind: 'factory' }, 'kind'],
      [{ land_m2: '12.345' }, 'land_m2'],
      [{ opened_on: '2024-02-30' }, 'opened_on'],
      [{ region_code: '350599' }, 'region_code'],
    ];
    for (const [body, field] of attempts) {
      const r = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, { token: city, headers: { 'if-match': etag }, body });
      if (field === 'region_code' && r.status === 400) {
        // region_code may be immutable after create (read_only) — still a field error.
        assertFieldError(r, 400, 'region_code', ['read_only', 'out_of_scope'], 'PATCH region_code');
        continue;
      }
      assertFieldError(r, 422, field, null, `PATCH ${JSON.stringify(body)}`);
    }
    assert.equal((await get(rec.id)).headers.get('etag'), etag, 'version unchanged');
  });
});

describe('create validation', () => {
  let before0;
  before(async () => {
    before0 = await total();
  });

  it('read-only and unknown fields on create → 400', async () => {
    for (const [over, field, code] of [
      [{ id: 7 }, 'id', 'read_only'],
      [{ version: 3 }, 'version', 'read_only'],
      [{ created_at: '2020-01-01T00:00:00.000Z' }, 'created_at', 'read_only'],
      [{ land_mu: '100.00' }, 'land_mu', 'read_only'],
      [{ foo: 'bar' }, 'foo', 'unknown_field'],
      [{ created_by: 1 }, 'created_by', ['unknown_field', 'read_only']],
    ]) {
      const r = await srv.api('POST', '/api/v1/parks', { token: city, body: parkBody(over) });
      assertFieldError(r, 400, field, code, `create with ${JSON.stringify(over)}`);
    }
  });

  it('invalid values → 422 with the field named', async () => {
    const cases = [
      [{ region_code: '350599' }, 'region_code', 'unknown_region'],
      [{ land_m2: '1.234' }, 'land_m2'],
      [{ land_m2: 'abc' }, 'land_m2'],
      [{ land_m2: 12.345 }, 'land_m2'],
      [{ planned_floor_m2: '1e5' }, 'planned_floor_m2'],
      [{ kind: 'factory' }, 'kind'],
      [{ status: 'bogus' }, 'status'],
      [{ opened_on: '2023-02-30' }, 'opened_on'],
      [{ opened_on: '2023/05/01' }, 'opened_on'],
      [{ opened_on: '20230501' }, 'opened_on'],
      [{ name: undefined }, 'name'],
      [{ name: '' }, 'name'],
      [{ region_code: undefined }, 'region_code'],
      [{ lng: '200.000000' }, 'lng'],
      [{ lat: '24.1234567' }, 'lat'],
      [{ leading_industry_code: '9999' }, 'leading_industry_code'],
    ];
    for (const [over, field, code] of cases) {
      const body = parkBody(over);
      for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
      const r = await srv.api('POST', '/api/v1/parks', { token: city, body });
      assertFieldError(r, 422, field, code, `create with ${JSON.stringify(over)}`);
    }
    // Wrong JSON type for a boolean: a field error either way.
    const b = await srv.api('POST', '/api/v1/parks', { token: city, body: parkBody({ pilot: 'yes' }) });
    assert.ok([400, 422].includes(b.status), `pilot "yes": ${b}`);
    assertFieldError(b, b.status, 'pilot', null, 'pilot "yes"');
    // Several errors at once.
    const body = parkBody({ kind: 'factory', land_m2: '1.234' });
    delete body.name;
    const multi = await srv.api('POST', '/api/v1/parks', { token: city, body });
    const p = assertProblem(multi, 422, 'several errors');
    const fields = p.errors.map((e) => e.field).sort();
    for (const f of ['kind', 'land_m2', 'name']) assert.ok(fields.includes(f), `errors name ${f}: ${multi}`);
  });

  it('malformed bodies → 400; too large → 413', async () => {
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: '{"name": "x", ' }), 400, 'invalid JSON');
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: '[]' }), 400, 'JSON array');
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: JSON.stringify([parkBody()]) }), 400, 'array of parks');
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: '"park"' }), 400, 'JSON string');
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: '' }), 400, 'empty body');
    // > 1 MiB: the server answers 413 from the Content-Length (a raw socket reads the answer even
    // if the server closes before the client has sent everything).
    const n = 1024 * 1024 + 16;
    const r = await srv.raw(
      `POST /api/v1/parks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${city}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n` +
      '{"description":"' + 'x'.repeat(256 * 1024),
    );
    assert.equal(r.status, 413, `body > 1 MiB → ${r.status} (${r.why}): ${r.text.slice(0, 300)}`);
    assert.match(r.text, /content-type: application\/problem\+json/i);
    // Exactly 1 MiB is within the limit (then judged as JSON).
    const exact = '{"description":"' + 'x'.repeat(1024 * 1024 - 18) + '"}';
    assert.equal(Buffer.byteLength(exact), 1024 * 1024);
    const e = await srv.api('POST', '/api/v1/parks', { token: city, body: exact });
    assert.notEqual(e.status, 413, `a body of exactly 1 MiB is not too large: ${e.status}`);
    assert.ok(e.status === 400 || e.status === 422, `1 MiB body judged on its content: ${e}`);
  });

  it('nothing was written by the rejected requests', async () => {
    assert.equal(await total(), before0);
  });
});

describe('archive', () => {
  it('DELETE → 204; then 404, but readable with include_archived=1; lists exclude it', async () => {
    const name = '晋江归档测试园-' + randomBytes(3).toString('hex');
    const rec = (await create(parkBody({ name }))).json;
    const d = await srv.api('DELETE', `/api/v1/parks/${rec.id}`, { token: city });
    assert.equal(d.status, 204, String(d));
    assert.equal(d.bytes.length, 0);
    assertProblem(await get(rec.id), 404, 'archived');
    const g = await get(rec.id, city, '?include_archived=1');
    assert.equal(g.status, 200, String(g));
    assert.match(g.json.archived_at, ISO_INSTANT, 'archived_at set');
    assert.equal(g.json.name, name);
    assert.equal((await list(`q=${enc(name)}`)).total, 0, 'not listed by default');
    const withArchived = await list(`q=${enc(name)}&include_archived=1`);
    assert.deepEqual(withArchived.items.map((x) => x.id), [rec.id], 'listed with include_archived=1');
    assert.equal(withArchived.total, 1);
    const p = await srv.api('PATCH', `/api/v1/parks/${rec.id}`, { token: city, headers: { 'if-match': g.headers.get('etag') }, body: { name: 'x' } });
    assert.ok([404, 409].includes(p.status), `PATCH of an archived park: ${p}`);
  });
});

describe('languages', () => {
  const bodyNoName = () => {
    const b = parkBody();
    delete b.name;
    return b;
  };

  it('messages are Chinese by default', async () => {
    const r = await srv.api('POST', '/api/v1/parks', { token: city, body: bodyNoName() });
    const e = assertFieldError(r, 422, 'name');
    assert.match(e.message, CJK, `default message in Chinese: ${e.message}`);
    assert.match(r.json.detail, CJK, `default detail in Chinese: ${r.json.detail}`);
    const zh = await srv.api('POST', '/api/v1/parks', { token: city, body: bodyNoName(), headers: { 'accept-language': 'zh-CN' } });
    assert.match(assertFieldError(zh, 422, 'name').message, CJK);
  });

  it('Accept-Language: en gives English (ASCII-only) messages; ?lang=en overrides the header', async () => {
    const r = await srv.api('POST', '/api/v1/parks', { token: city, body: bodyNoName(), headers: { 'accept-language': 'en' } });
    const e = assertFieldError(r, 422, 'name');
    assert.ok(e.message.length > 3);
    assert.match(e.message, ASCII_ONLY, `English message: ${e.message}`);
    assert.match(r.json.detail, ASCII_ONLY, `English detail: ${r.json.detail}`);
    assert.match(r.text, ASCII_ONLY, 'whole English problem body is ASCII');

    const q = await srv.api('POST', '/api/v1/parks?lang=en', { token: city, body: bodyNoName(), headers: { 'accept-language': 'zh-CN' } });
    const e2 = assertFieldError(q, 422, 'name');
    assert.match(e2.message, ASCII_ONLY, `?lang=en message: ${e2.message}`);

    const lst = await srv.api('GET', '/api/v1/parks?lang=en&limit=1', { token: city });
    assert.equal(lst.status, 200, `lang is not an unknown parameter: ${lst}`);
  });

  it('every kind of error follows the language: English with en, Chinese by default', async () => {
    const cases = [
      ['401 no session', 'GET', '/api/v1/parks', {}],
      ['401 bad login', 'POST', '/api/v1/session', { body: { username: 'city1', password: 'Wrong-Wrong-123' } }],
      ['400 invalid JSON', 'POST', '/api/v1/parks', { token: city, body: '{bad' }],
      ['400 unknown field', 'POST', '/api/v1/parks', { token: city, body: parkBody({ colour: 'red' }) }],
      ['400 unknown parameter', 'GET', '/api/v1/parks?bogus=1', { token: city }],
      ['403 role', 'GET', '/api/v1/audit', { token: city }],
      ['404 record', 'GET', '/api/v1/parks/99999999', { token: city }],
      ['404 route', 'GET', '/api/v1/nope', { token: city }],
      ['405 method', 'PUT', '/api/v1/parks', { token: city, body: {} }],
      ['422 value', 'POST', '/api/v1/parks', { token: city, body: parkBody({ kind: 'factory' }) }],
    ];
    const wrong = [];
    for (const [what, m, p, o] of cases) {
      const en = await srv.api(m, p, { ...o, headers: { 'accept-language': 'en' } });
      assertProblem(en, en.status, what);
      if (!ASCII_ONLY.test(en.text)) wrong.push(`${what} (${m} ${p}) with Accept-Language: en → ${en.json.detail}`);
      const zh = await srv.api(m, p, o);
      if (!CJK.test(zh.json.detail ?? '')) wrong.push(`${what} (${m} ${p}) by default → ${zh.json.detail}`);
    }
    assert.deepEqual(wrong, [], `messages in the wrong language:\n${wrong.join('\n')}`);
  });

  it('errors before authentication follow the language too (401)', async () => {
    const unauth = await srv.api('GET', '/api/v1/parks', { headers: { 'accept-language': 'en' } });
    assertProblem(unauth, 401);
    assert.match(unauth.text, ASCII_ONLY, '401 in English');
    const unauthQ = await srv.api('GET', '/api/v1/parks?lang=en');
    assertProblem(unauthQ, 401);
    assert.match(unauthQ.text, ASCII_ONLY, '401 in English with ?lang=en');
    const unauthZh = await srv.api('GET', '/api/v1/parks');
    assert.match(assertProblem(unauthZh, 401).detail ?? '', CJK, '401 detail in Chinese by default');
  });
});

describe('meta and reference data', () => {
  it('GET /api/v1/meta describes parks with labels in the request language', async () => {
    const r = await srv.api('GET', '/api/v1/meta', { token: city });
    assert.equal(r.status, 200, String(r));
    const parks = r.json.resources.parks;
    assert.equal(parks.label, '园区');
    const f = Object.fromEntries(parks.fields.map((x) => [x.name, x]));
    for (const n of ['name', 'region_code', 'kind', 'leading_industry_code', 'industry_label', 'land_m2', 'land_mu',
      'planned_floor_m2', 'built_floor_m2', 'production_floor_m2', 'living_floor_m2', 'production_share',
      'operator_name', 'address', 'lng', 'lat', 'status', 'opened_on', 'policy_guide', 'pilot', 'description']) {
      assert.ok(f[n], `meta has field ${n}`);
    }
    assert.equal(f.name.type, 'text');
    assert.equal(f.name.required, true);
    assert.equal(f.name.max_len, 100);
    assert.equal(f.kind.type, 'enum');
    assert.equal(typeof f.kind.required, 'boolean');
    assert.deepEqual(f.kind.options, [{ value: 'new_build', label: '新建' }, { value: 'revitalized', label: '盘活' }]);
    assert.match(f.kind.label, /类型/);
    assert.equal(f.region_code.required, true);
    assert.deepEqual(f.status.options.map((o) => o.value), ['planning', 'building', 'operating', 'closed']);
    assert.equal(f.land_m2.type, 'area');
    assert.equal(f.land_mu.readonly, true);
    assert.equal(f.production_share.readonly, true);
    assert.equal(f.region_code.type, 'region');
    assert.equal(f.leading_industry_code.type, 'industry');
    assert.equal(f.opened_on.type, 'date');
    assert.equal(f.pilot.type, 'bool');
    assert.equal(f.lng.type, 'lng');
    assert.equal(f.lat.type, 'lat');
    for (const x of parks.fields) {
      for (const k of ['name', 'type', 'label', 'required', 'readonly', 'filter', 'sortable', 'max_len']) {
        assert.ok(k in x, `field ${x.name} has ${k}`);
      }
    }
    const en = await srv.api('GET', '/api/v1/meta', { token: city, headers: { 'accept-language': 'en' } });
    const enParks = en.json.resources.parks;
    assert.match(enParks.label, ASCII_ONLY);
    const enKind = enParks.fields.find((x) => x.name === 'kind');
    assert.match(enKind.label, ASCII_ONLY);
    for (const o of enKind.options) assert.match(o.label, ASCII_ONLY, `English option label ${o.label}`);
  });

  it('GET /api/v1/regions lists 晋江 and 南安', async () => {
    const r = await srv.api('GET', '/api/v1/regions', { token: city });
    assert.equal(r.status, 200, String(r));
    const by = Object.fromEntries(r.json.items.map((x) => [x.code, x]));
    const pick = (o) => Object.fromEntries(['code', 'name', 'name_en', 'kind', 'parent_code', 'rollup_code'].map((k) => [k, o?.[k]]));
    assert.deepEqual(pick(by['350582']), {
      code: '350582', name: '晋江市', name_en: 'Jinjiang', kind: 'county_city', parent_code: '350500', rollup_code: '350582',
    });
    assert.equal(by['350583'].name, '南安市');
    assert.equal(by['350583'].parent_code, '350500');
    assert.ok(!by['350599'], 'no 350599');
  });

  it('GET /api/v1/industries searches GB/T 4754-2017 by code prefix and name', async () => {
    const r = await srv.api('GET', '/api/v1/industries?q=1713', { token: city });
    assert.equal(r.status, 200, String(r));
    const it1713 = r.json.items.find((x) => x.code === '1713');
    assert.deepEqual(it1713, { code: '1713', level: 4, section: 'C', name: '棉印染精加工' });
    const pre = await srv.api('GET', '/api/v1/industries?q=171&level=4', { token: city });
    assert.equal(pre.status, 200);
    assert.ok(pre.json.items.length >= 3);
    for (const x of pre.json.items) {
      assert.equal(x.level, 4);
      assert.match(x.code, /^171/);
    }
    const name = await srv.api('GET', `/api/v1/industries?q=${enc('纺织')}&level=4&limit=20`, { token: city });
    assert.equal(name.status, 200);
    assert.ok(name.json.items.length > 0 && name.json.items.length <= 20);
    for (const x of name.json.items) assert.equal(x.level, 4);
  });
});

describe('concurrent writes', () => {
  it('30 parallel creates all succeed with distinct ids', async () => {
    const tag = randomBytes(3).toString('hex');
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      srv.api('POST', '/api/v1/parks', { token: i % 2 ? city : jj, body: parkBody({ name: `并发园-${tag}-${i}` }) })));
    assert.deepEqual(rs.map((r) => r.status), Array(30).fill(201), rs.filter((r) => r.status !== 201).join('\n'));
    assert.equal(new Set(rs.map((r) => r.json.id)).size, 30);
    assert.equal((await list(`q=${enc('并发园-' + tag)}`)).total, 30);
  });

  it('12 parallel PATCHes with the same If-Match: exactly one wins, the rest get 412', async () => {
    const c = await create(parkBody({ name: '并发修改园' }));
    const etag = c.headers.get('etag');
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      srv.api('PATCH', `/api/v1/parks/${c.json.id}`, { token: city, headers: { 'if-match': etag }, body: { name: `并发修改园-${i}` } })));
    const st = rs.map((r) => r.status).sort();
    assert.deepEqual(st, [200, ...Array(11).fill(412)], `statuses: ${st}`);
    const win = rs.find((r) => r.status === 200);
    const g = await get(c.json.id);
    assert.equal(g.json.name, win.json.name, 'the stored name is the winner\'s');
    assert.equal(g.json.version, c.json.version + 1, 'one version step');
    assert.equal(g.headers.get('etag'), win.headers.get('etag'));
  });
});
