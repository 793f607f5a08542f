// The demo's space figures (issue 9), read back through the normal API as a county user and
// the city would: every figure the seeds quote for parks, enterprises and the rates.
import assert from 'node:assert/strict';
import { describe, it, before, after, startServer, JINJIANG } from '../harness.mjs';

let srv, city, jj;
const get = async (path, token = city) => {
  const r = await srv.api('GET', path, { token });
  assert.equal(r.status, 200, String(r));
  return r.json;
};
const parkId = async (name) => {
  const r = await get(`/api/v1/parks?name=${encodeURIComponent(name)}&limit=5`);
  const p = r.items.find((x) => x.name === name);
  assert.ok(p, `park ${name} in the demo`);
  return p.id;
};
const total = async (path, token = city) => (await get(path + (path.includes('?') ? '&' : '?') + 'limit=1', token)).total;

before(async () => {
  srv = await startServer({ demo: true });
  city = (await srv.login('city1')).token;
  jj = (await srv.login('jj1')).token;
});
after(async () => srv?.finish());

describe('demo: space in 晋江 (seed 001)', () => {
  it('14 综合产业园区, 463 enterprises signed on 1,210,000 m², absorption 95.19%', async () => {
    assert.equal(await total(`/api/v1/parks?region_code=${JINJIANG}`, jj), 14);
    const rates = await get(`/api/v1/rates?scope=region&id=${JINJIANG}`, jj);
    assert.equal(rates.signed_m2, '1210000.00');
    assert.equal(rates.absorption_rate, 95.19);
    assert.equal(await total(`/api/v1/leases?region_code=${JINJIANG}`, jj), 463);
    assert.equal(await total(`/api/v1/enterprises?region_code=${JINJIANG}`, jj), 463);
  });

  it('永佳 has 37 enterprises on a unit map of signed, occupied and vacant units', async () => {
    const id = await parkId('晋江永佳智能装备产业园');
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}`, jj), 37);
    const statuses = new Set();
    for (const s of ['signed', 'occupied', 'vacant']) {
      if ((await total(`/api/v1/units?park_id=${id}&status=${s}`, jj)) > 0) statuses.add(s);
    }
    assert.deepEqual([...statuses].sort(), ['occupied', 'signed', 'vacant']);
    assert.ok((await total(`/api/v1/buildings?park_id=${id}`, jj)) >= 6);
    // the seeds' own firms are there by name
    const names = (await get(`/api/v1/enterprises?park_id=${id}&limit=50`, jj)).items.map((e) => e.name);
    for (const n of ['福建博璋智能科技有限责任公司', '晋江五恒科技有限公司', '新时达机器人(晋江)有限公司']) {
      assert.ok(names.includes(n), n);
    }
  });

  it('芯智造: the first 7 projects producing, the second batch of 15 signed', async () => {
    const id = await parkId('芯智造产业园');
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}&stage=producing`, jj), 7);
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}&stage=signed`, jj), 15);
  });

  it('every enterprise has a valid USCC, an industry and a lifecycle history', async () => {
    const page = await get(`/api/v1/enterprises?region_code=${JINJIANG}&limit=20`, jj);
    for (const e of page.items) {
      assert.match(e.uscc, /^91350582[0-9A-HJ-NPQRTUWXY]{10}$/);
      assert.ok(e.industry_code, e.name);
      assert.ok(['signed', 'moved_in', 'producing'].includes(e.stage), `${e.name} ${e.stage}`);
      const tl = await get(`/api/v1/enterprises/${e.id}/timeline`, jj);
      assert.equal(tl.items[0].stage, 'signed');
    }
  });
});

describe('demo: space elsewhere (seeds 000, 002, 004)', () => {
  it('德化古洋工业园区: 27 enterprises, all producing', async () => {
    const id = await parkId('德化古洋工业园区');
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}`), 27);
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}&stage=producing`), 27);
  });

  it('泉州市建筑服务产业园: 182 enterprises moved in', async () => {
    const id = await parkId('泉州市建筑服务产业园');
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}`), 182);
    assert.equal(await total(`/api/v1/enterprises?park_id=${id}&stage=moved_in`), 182);
  });

  it('泉州开发区智能产业园 at 100% occupancy; 清濛园区 9.5 km²', async () => {
    const id = await parkId('泉州开发区智能产业园');
    const r = await get(`/api/v1/rates?scope=park&id=${id}`);
    assert.equal(r.occupancy_rate, 100);
    assert.equal(r.absorption_rate, 100);
    const q = await get(`/api/v1/parks/${await parkId('泉州开发区清濛园区')}`);
    assert.equal(q.land_m2, '9500000.00');
  });

  it('7:3 is computed for the parks from their buildings, some off target', async () => {
    const shares = [];
    for (const name of ['晋江永佳智能装备产业园', '晋江磁灶陶瓷新材料产业园', '泉州市建筑服务产业园']) {
      const r = await get(`/api/v1/parks/${await parkId(name)}/ratio`);
      shares.push(r.production_share);
    }
    assert.ok(shares.some((s) => Number(s) >= 69 && Number(s) <= 71), `one on target: ${shares}`);
    assert.ok(shares.some((s) => Number(s) > 75), `one off target: ${shares}`);
  });

  it('the idle-space library: 30+ spaces with specifications, 10 demands with 3+ matches, a near miss', async () => {
    const spaces = await get('/api/v1/spaces?source=idle_factory&limit=1');
    const land = await get('/api/v1/spaces?source=low_efficiency_land&limit=1');
    const vacated = await get('/api/v1/spaces?source=vacated_unit&limit=1');
    assert.ok(spaces.total + land.total + vacated.total >= 30);
    const one = (await get('/api/v1/spaces?source=idle_factory&limit=1')).items[0];
    for (const k of ['floor_m2', 'floor_load', 'clear_height', 'power_kva']) assert.ok(one[k] !== null, k);
    const demands = await get('/api/v1/demands?limit=50');
    assert.equal(demands.total, 10);
    let nearMiss = 0;
    for (const d of demands.items) {
      const m = await get(`/api/v1/demands/${d.id}/matches?limit=5`);
      assert.ok(m.items.length >= 3, `${d.title}: ${m.items.length} matches`);
      for (const x of m.items) assert.ok(x.meets.length + x.misses.length > 0, 'each match gives its reasons');
      if (m.items.some((x) => x.misses.some((y) => y.requirement === 'floor_load'))) nearMiss++;
    }
    assert.ok(nearMiss >= 1, 'a near miss names the floor load it fails');
  });

  it('泉州开发区智能产业园 paid 4200多万元 of tax in 2024', async () => {
    const id = await parkId('泉州开发区智能产业园');
    const ents = (await get(`/api/v1/enterprises?park_id=${id}&limit=100`)).items;
    let fen = 0n;
    for (const e of ents) {
      const f = await get(`/api/v1/enterprise_figures?enterprise_id=${e.id}&year=2024&limit=5`);
      for (const row of f.items) fen += BigInt(row.tax_fen.replace('.', ''));
    }
    assert.equal(fen, 4236000000n);
  });

  it('a county user sees none of another county\'s enterprises', async () => {
    const id = await parkId('德化古洋工业园区');
    const r = await srv.api('GET', `/api/v1/enterprises?park_id=${id}&limit=1`, { token: jj });
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 0);
  });
});
