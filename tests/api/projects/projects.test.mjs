// Standardization projects over HTTP (issue 4, docs/api.md "Projects"): the demo figures
// reproduced by the report endpoint, scope isolation 晋江 vs 南安, the routes of the contract
// (projects, transitions, monthly reports, confirm, monthly report, dashboard), CSV and XLSX,
// and the XLSX round trip through LibreOffice headless.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describe, it, before, after, startServer, run, JINJIANG, NANAN, assertProblem, assertFieldError,
  parseCsv, unzip,
} from '../harness.mjs';

let srv;
let city;
let jj;
let na;
let viewer;

const SEED_BULLETIN =
  '纳入市工业（产业）园区标准化建设2024年专项行动“四个一批”滚动管理的项目有100个，' +
  '2月份新增在建转投用或部分投用项目7个，截至2月底，谋划项目10个、开工项目5个、在建项目42个、' +
  '投用及部分投用项目43个。1月—2月累计完成投资额68.99亿元；1月—2月累计新增封顶的标准厂房及' +
  '配套用房131.52万平方米。';

before(async () => {
  srv = await startServer();
  const r = run(['demo', '--db', srv.db.url]);
  assert.equal(r.code, 0, `parkbrain demo: ${r.stdout}${r.stderr}`);
  city = (await srv.login('city1')).token;
  jj = (await srv.login('jj1')).token;
  na = (await srv.login('na1')).token;
  viewer = (await srv.login('viewer1')).token;
});
after(async () => {
  if (srv) await srv.finish();
});

const monthly = (q, token = city) => srv.api('GET', `/api/v1/reports/monthly?${q}`, { token });

async function firstProject(query, token = city) {
  const r = await srv.api('GET', `/api/v1/projects?${query}&limit=1`, { token });
  assert.equal(r.status, 200, `${r}`);
  assert.ok(r.json.items.length, `a project for ${query}`);
  return r.json.items[0];
}

describe('the demo reproduces the seed', () => {
  it('city, February 2024: 10/5/42/43, 7 into use, 68.99亿元, 131.52万平方米', async () => {
    const r = await monthly('month=2024-02&scope=city');
    assert.equal(r.status, 200, `${r}`);
    const d = r.json;
    assert.equal(d.projects, 100);
    assert.equal(d.stage_counts.planned, 10);
    assert.equal(d.stage_counts.started, 5);
    assert.equal(d.stage_counts.building, 42);
    assert.equal(d.stage_counts.partly_in_use + d.stage_counts.in_use, 43);
    assert.equal(d.stage_counts.in_use_or_partly, 43);
    assert.equal(d.transitions_in_month.building_to_in_use, 7);
    assert.equal(d.ytd.months, '1-2');
    assert.equal(d.ytd.invest_done_yuan, '6899000000.00');
    assert.equal(d.ytd.topped_out_m2, '1315200.00');
    assert.equal(d.ytd.invest_done_yi, '68.99');
    assert.equal(d.ytd.topped_out_wan_m2, '131.52');
    assert.equal(d.bulletin, SEED_BULLETIN);
  });

  it('the same from the CLI (json and text)', () => {
    const j = run(['report', 'monthly', '--month', '2024-02', '--format', 'json', '--db', srv.db.url]);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(JSON.parse(j.stdout).bulletin, SEED_BULLETIN);
    const t = run(['report', 'monthly', '--month', '2024-02', '--db', srv.db.url]);
    assert.equal(t.code, 0, t.stderr);
    assert.ok(t.stdout.includes(SEED_BULLETIN), t.stdout);
  });

  it('Jinjiang has 194 projects in all', async () => {
    const r = await monthly(`month=2024-02&scope=region&id=${JINJIANG}&portfolio=all`, jj);
    assert.equal(r.status, 200, `${r}`);
    assert.equal(r.json.projects, 194);
    assert.ok(r.json.bulletin.startsWith('晋江市园区标准化项目共194个'), r.json.bulletin);
  });

  it('January is published together with February', async () => {
    const r = await monthly('month=2024-01&scope=city');
    assert.equal(r.status, 200, `${r}`);
    assert.equal(r.json.ytd.published, false);
    assert.equal(r.json.ytd.months, '1');
  });
});

describe('scope isolation 晋江 vs 南安', () => {
  it('a county sees only its own statistics; the city scope is not theirs', async () => {
    assertProblem(await monthly(`month=2024-02&scope=region&id=${JINJIANG}`, na), 404);
    assertProblem(await monthly('month=2024-02&scope=city', na), 404);
    assertProblem(await srv.api('GET', '/api/v1/dashboard?month=2024-02&scope=city', { token: jj }), 404);
    const own = await monthly(`month=2024-02&scope=region&id=${NANAN}`, na);
    assert.equal(own.status, 200, `${own}`);
    assert.ok(own.json.regions.every((g) => g.region_code === NANAN));
  });

  it("another county's project answers 404 on every project route", async () => {
    const p = await firstProject(`region_code=${JINJIANG}&stage=building`);
    const id = p.id;
    assertProblem(await srv.api('GET', `/api/v1/projects/${id}`, { token: na }), 404);
    assertProblem(await srv.api('GET', `/api/v1/projects/${id}/transitions`, { token: na }), 404);
    assertProblem(await srv.api('GET', `/api/v1/projects/${id}/reports`, { token: na }), 404);
    assertProblem(await srv.api('GET', `/api/v1/projects/${id}/reports/2024-02`, { token: na }), 404);
    assertProblem(
      await srv.api('PUT', `/api/v1/projects/${id}/reports/2024-03`, {
        token: na,
        body: { invest_done_yuan: '1.00', topped_out_m2: '0', completed_m2: '0' },
      }),
      404,
    );
    assertProblem(
      await srv.api('POST', `/api/v1/projects/${id}/transitions`, {
        token: na,
        body: { stage: 'in_use', date: '2024-03-01', evidence: '照片' },
      }),
      404,
    );
    const list = await srv.api('GET', '/api/v1/projects?limit=500', { token: na });
    assert.equal(list.status, 200);
    assert.ok(list.json.items.length > 0);
    assert.ok(list.json.items.every((x) => x.region_code === NANAN));
  });

  it("a project cannot be put into another county's park", async () => {
    const park = (await srv.api('GET', `/api/v1/parks?region_code=${JINJIANG}&limit=1`, { token: city })).json
      .items[0];
    const r = await srv.api('POST', '/api/v1/projects', {
      token: na,
      body: { name: '越界项目', park_id: park.id, region_code: NANAN },
    });
    assertFieldError(r, 422, 'park_id', 'not_found');
  });
});

describe('the contract routes', () => {
  let id;
  it('create, transition, report, reject, fix, confirm, and the figures move', async () => {
    const park = (await srv.api('GET', `/api/v1/parks?region_code=${JINJIANG}&limit=1`, { token: jj })).json
      .items[0];
    const c = await srv.api('POST', '/api/v1/projects', {
      token: jj,
      body: {
        // On the county list only, so that the city's demo figures stay those of the seed.
        name: '接口测试项目', park_id: park.id, region_code: JINJIANG, kind: 'new_build', county_only: true,
        invest_plan_yuan: '500000000.00', plan_factory_m2: '50000.00', plan_supporting_m2: '10000.00',
      },
    });
    assert.equal(c.status, 201, `${c}`);
    id = c.json.id;
    assert.equal(c.json.stage, null, 'no stage before the first transition');
    assertProblem(
      await srv.api('POST', '/api/v1/projects', { token: jj, body: { name: 'x', park_id: park.id, region_code: JINJIANG, stage: 'in_use' } }),
      400,
    );
    for (const [stage, date] of [['planned', '2023-01-05'], ['started', '2023-06-01'], ['building', '2023-07-01']]) {
      const t = await srv.api('POST', `/api/v1/projects/${id}/transitions`, {
        token: jj,
        body: { stage, date, evidence: '施工许可证号 350582-2023-001', evidence_kind: 'permit' },
      });
      assert.equal(t.status, 201, `${t}`);
      assert.equal(t.json.stage, stage);
    }
    assertFieldError(
      await srv.api('POST', `/api/v1/projects/${id}/transitions`, {
        token: jj, body: { stage: 'planned', date: '2023-08-01', evidence: '文件' },
      }),
      422, 'reason', 'reason_required_back',
    );
    const h = await srv.api('GET', `/api/v1/projects/${id}/transitions`, { token: jj });
    assert.equal(h.status, 200);
    assert.deepEqual(h.json.items.map((x) => x.stage), ['planned', 'started', 'building']);
    assert.equal((await srv.api('GET', `/api/v1/projects/${id}`, { token: jj })).json.stage, 'building');

    const before = (await monthly(`month=2024-03&scope=region&id=${JINJIANG}&portfolio=all`, jj)).json;
    const url = `/api/v1/projects/${id}/reports/2024-03`;
    assertFieldError(
      await srv.api('PUT', url, {
        token: jj,
        body: { invest_done_yuan: '1000000.00', topped_out_m2: '100.00', completed_m2: '0', invest_cum_yuan: '999.00' },
      }),
      422, 'invest_cum_yuan', 'cumulative_mismatch',
    );
    assertFieldError(
      await srv.api('PUT', url, { token: jj, body: { invest_done_yuan: 1000, topped_out_m2: '0', completed_m2: '0' } }),
      422, 'invest_done_yuan', 'not_a_string',
    );
    assertFieldError(
      await srv.api('PUT', url, { token: jj, body: { invest_done_yuan: '0', topped_out_m2: '60000.01', completed_m2: '0' } }),
      422, 'topped_out_m2', 'topped_out_exceeds_plan',
    );
    const ok = await srv.api('PUT', url, {
      token: jj,
      body: { invest_done_yuan: '1000000.00', topped_out_m2: '100.00', completed_m2: '0', invest_cum_yuan: '1000000.00' },
    });
    assert.equal(ok.status, 200, `${ok}`);
    assert.equal(ok.json.status, 'submitted');
    assertProblem(await srv.api('POST', `${url}/confirm`, { token: jj }), 403);
    const same = (await monthly(`month=2024-03&scope=region&id=${JINJIANG}&portfolio=all`, jj)).json;
    assert.equal(same.ytd.invest_done_yuan, before.ytd.invest_done_yuan, 'unconfirmed reports do not count');
    const conf = await srv.api('POST', `${url}/confirm`, { token: city });
    assert.equal(conf.status, 200, `${conf}`);
    assert.equal(conf.json.status, 'confirmed');
    const after = (await monthly(`month=2024-03&scope=region&id=${JINJIANG}&portfolio=all`, jj)).json;
    assert.equal(
      (Number(after.ytd.invest_done_yuan) * 100 - Number(before.ytd.invest_done_yuan) * 100).toFixed(0),
      '100000000',
    );
    // A correction after confirmation is a new version; the history keeps both.
    const corr = await srv.api('PUT', url, {
      token: jj, body: { invest_done_yuan: '2000000.00', topped_out_m2: '100.00', completed_m2: '0' },
    });
    assert.equal(corr.status, 200, `${corr}`);
    assert.equal(corr.json.rev, 2);
    await srv.api('POST', `${url}/confirm`, { token: city });
    const g = await srv.api('GET', url, { token: jj });
    assert.deepEqual(g.json.history.map((x) => [x.rev, x.status]), [[2, 'confirmed'], [1, 'superseded']]);
  });

  it('dashboard: cached aggregates that follow writes', async () => {
    const d = await srv.api('GET', '/api/v1/dashboard?month=2024-02&scope=city', { token: viewer });
    assert.equal(d.status, 200, `${d}`);
    for (const k of ['batches_by_month', 'investment', 'topped_out', 'in_use_by_region', 'ranking', 'late_reports', 'stalled', 'targets']) {
      assert.ok(k in d.json, k);
    }
    assert.deepEqual(d.json.batches_by_month[1], {
      month: '2024-02', planned: 10, started: 5, building: 42,
      partly_in_use: d.json.stage_counts.partly_in_use, in_use: d.json.stage_counts.in_use,
    });
    assert.equal(d.json.investment.ytd_invest_done_yuan, '6899000000.00');
    // A yearly target set by the city shows against the actual.
    const t = await srv.api('POST', '/api/v1/targets', {
      token: city, body: { region_code: '350500', indicator: 'invest_done', year: 2024, value: '30000000000.00' },
    });
    assert.equal(t.status, 201, `${t}`);
    assertProblem(await srv.api('POST', '/api/v1/targets', {
      token: jj, body: { region_code: JINJIANG, indicator: 'invest_done', year: 2024, value: '1.00' },
    }), 403);
    const d2 = await srv.api('GET', '/api/v1/dashboard?month=2024-02&scope=city', { token: viewer });
    assert.equal(d2.json.investment.target_yuan, '30000000000.00');
    assert.equal(d2.json.investment.pct, '23.00');
  });

  it('late list and calendar', async () => {
    const cal = await srv.api('GET', '/api/v1/reports/calendar?year=2024', { token: jj });
    assert.equal(cal.status, 200);
    assert.equal(cal.json.months[1].due_date, '2024-03-10');
    const late = await srv.api('GET', `/api/v1/reports/late?month=2024-03&scope=region&id=${JINJIANG}`, { token: jj });
    assert.equal(late.status, 200, `${late}`);
    assert.ok(late.json.count > 0, 'March 2024 reports of the demo are missing');
    assert.ok(late.json.items.every((x) => x.region_code === JINJIANG));
    // The demo's reports carry their dates in the reporting window: January's all on time,
    // three of February's submitted on 12 March, after the due day.
    const jan = await srv.api('GET', '/api/v1/reports/late?month=2024-01&scope=city', { token: city });
    assert.equal(jan.status, 200, `${jan}`);
    assert.equal(jan.json.count, 0);
    const feb = await srv.api('GET', '/api/v1/reports/late?month=2024-02&scope=city', { token: city });
    assert.equal(feb.json.count, 3);
    assert.deepEqual([...new Set(feb.json.items.map((x) => x.status))], ['submitted_late']);
    const rep = await srv.api('GET', `/api/v1/projects/${feb.json.items[0].project_id}/reports/2024-02`, { token: city });
    assert.equal(rep.json.submitted_at, '2024-03-12T01:30:00.000Z');
    assert.equal(rep.json.confirmed_at, '2024-03-14T01:30:00.000Z');
  });
});

describe('corrections', () => {
  it('city staff void a wrong transition with a reason; a submitted report is withdrawn', async () => {
    const park = (await srv.api('GET', `/api/v1/parks?region_code=${JINJIANG}&limit=1`, { token: jj })).json
      .items[0];
    const c = await srv.api('POST', '/api/v1/projects', {
      token: jj,
      body: { name: '更正测试项目', park_id: park.id, region_code: JINJIANG, kind: 'new_build', county_only: true },
    });
    assert.equal(c.status, 201, `${c}`);
    const id = c.json.id;
    const ids = {};
    for (const [stage, date] of [['planned', '2023-02-01'], ['started', '2023-04-01'], ['building', '2023-05-01']]) {
      const t = await srv.api('POST', `/api/v1/projects/${id}/transitions`, {
        token: jj, body: { stage, date, evidence: '文件' },
      });
      assert.equal(t.status, 201, `${t}`);
      ids[stage] = t.json.id;
    }
    const voidUrl = (tid) => `/api/v1/projects/${id}/transitions/${tid}/void`;
    assertProblem(await srv.api('POST', voidUrl(ids.building), { token: jj, body: { reason: '误录' } }), 403);
    assertFieldError(await srv.api('POST', voidUrl(ids.building), { token: city, body: {} }), 422, 'reason', 'required');
    assertFieldError(
      await srv.api('POST', voidUrl(ids.started), { token: city, body: { reason: '误录' } }),
      422, 'transition', 'breaks_history',
    );
    const v = await srv.api('POST', voidUrl(ids.building), { token: city, body: { reason: '尚未取得施工许可，误录' } });
    assert.equal(v.status, 200, `${v}`);
    assert.equal(v.json.voided, true);
    assert.equal(v.json.void_reason, '尚未取得施工许可，误录');
    assertProblem(await srv.api('POST', voidUrl(ids.building), { token: city, body: { reason: '再次' } }), 409);
    const h = await srv.api('GET', `/api/v1/projects/${id}/transitions`, { token: jj });
    assert.deepEqual(h.json.items.map((x) => x.stage), ['planned', 'started']);
    assert.equal(h.json.stage, 'started');
    assert.deepEqual(h.json.voided.map((x) => x.id), [ids.building]);
    assert.equal((await srv.api('GET', `/api/v1/projects/${id}`, { token: jj })).json.stage, 'started');
    const audit = await srv.api('GET', `/api/v1/audit?action=transition_void&object_id=${id}`, { token: city });
    if (audit.status === 200) assert.ok(audit.json.items.length >= 1, 'the void is audited');

    // Withdraw a submitted report before confirmation; a confirmed one cannot be withdrawn.
    const url = `/api/v1/projects/${id}/reports/2024-01`;
    const put = await srv.api('PUT', url, { token: jj, body: { invest_done_yuan: '10.00', topped_out_m2: '0', completed_m2: '0' } });
    assert.equal(put.status, 200, `${put}`);
    const w = await srv.api('POST', `${url}/withdraw`, { token: jj });
    assert.equal(w.status, 200, `${w}`);
    assert.equal(w.json.status, 'withdrawn');
    assertProblem(await srv.api('GET', url, { token: jj }), 404);
    assert.equal((await srv.api('PUT', url, { token: jj, body: { invest_done_yuan: '20.00', topped_out_m2: '0', completed_m2: '0' } })).json.rev, 2);
    assert.equal((await srv.api('POST', `${url}/confirm`, { token: city })).status, 200);
    assertProblem(await srv.api('POST', `${url}/withdraw`, { token: jj }), 409);
  });
});

describe('targets of the enterprise indicators and of the pilot projects', () => {
  it('new producing enterprises and new output are compared, not null; pilot targets are their own', async () => {
    for (const [indicator, value] of [['new_producing', '1000'], ['new_output', '100000000000']]) {
      const t = await srv.api('POST', '/api/v1/targets', { token: city, body: { region_code: '350500', indicator, year: 2025, value } });
      assert.equal(t.status, 201, `${t}`);
    }
    const r = await monthly('month=2025-06&scope=city');
    assert.equal(r.status, 200, `${r}`);
    const byInd = Object.fromEntries(r.json.targets.map((x) => [x.indicator, x]));
    assert.equal(byInd.new_producing.target, 1000);
    assert.equal(typeof byInd.new_producing.actual, 'number');
    assert.equal(byInd.new_producing.actual, r.json.enterprises.new_producing);
    assert.equal(byInd.new_output.target, '100000000000.00');
    assert.equal(byInd.new_output.actual, r.json.enterprises.new_output_yuan);
    assert.equal(typeof byInd.new_in_statistics.actual, 'number');
    const d = await srv.api('GET', '/api/v1/dashboard?month=2025-06&scope=city', { token: viewer });
    assert.equal(d.status, 200, `${d}`);
    assert.equal(d.json.enterprises.new_producing, r.json.enterprises.new_producing);
    // pilot=1: no enterprise actual, and the pilot targets apply.
    assertFieldError(
      await srv.api('POST', '/api/v1/targets', { token: city, body: { region_code: '350500', indicator: 'new_output', year: 2025, value: '1', pilot: true } }),
      422, 'pilot', 'not_for_enterprises',
    );
    const pt = await srv.api('POST', '/api/v1/targets', {
      token: city, body: { region_code: '350500', indicator: 'invest_done', year: 2025, value: '123.00', pilot: true },
    });
    assert.equal(pt.status, 201, `${pt}`);
    const p = await monthly('month=2025-06&scope=city&pilot=1');
    assert.equal(p.json.enterprises, null);
    const pInd = Object.fromEntries(p.json.targets.map((x) => [x.indicator, x]));
    assert.equal(pInd.new_producing.actual, null);
    assert.equal(pInd.invest_done.target, '123.00');
    const np = Object.fromEntries((await monthly('month=2025-06&scope=city')).json.targets.map((x) => [x.indicator, x]));
    assert.equal(np.invest_done.target, null, 'the pilot target is not the portfolio\'s');
  });
});

describe('exports', () => {
  it('CSV carries the bulletin and the totals', async () => {
    const r = await monthly('month=2024-02&scope=city&format=csv');
    assert.equal(r.status, 200);
    const rows = parseCsv(r.text);
    assert.equal(rows[0][1], SEED_BULLETIN);
    const total = rows.find((x) => x[1] === '合计');
    assert.equal(total[2], '100');
    assert.equal(total[9], '6899000000.00');
    assert.equal(total[10], '1315200.00');
  });

  it('XLSX: a sheet per table, and LibreOffice reads the same numbers', async (t) => {
    const r = await monthly('month=2024-02&scope=city&format=xlsx');
    assert.equal(r.status, 200);
    const files = unzip(r.bytes);
    const wb = files.get('xl/workbook.xml').toString('utf8');
    for (const s of ['汇总', '分区域', '目标']) assert.ok(wb.includes(`name="${s}"`), s);
    const lo = spawnSync('libreoffice', ['--version'], { encoding: 'utf8' });
    if (lo.error || lo.status !== 0) {
      t.skip('libreoffice is not installed (scripts/install-deps.sh installs libreoffice-calc-nogui)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'pbxlsx-'));
    try {
      writeFileSync(join(dir, 'r.xlsx'), r.bytes);
      const conv = spawnSync(
        'libreoffice',
        [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', dir, join(dir, 'r.xlsx')],
        { encoding: 'utf8', timeout: 120000 },
      );
      assert.equal(conv.status, 0, `${conv.stdout}${conv.stderr}`);
      const csv = readFileSync(join(dir, 'r.csv'), 'utf8');
      const rows = parseCsv(csv);
      const val = (label) => rows.find((x) => x[0] === label)?.[1];
      assert.equal(val('项目总数'), '100');
      assert.equal(val('谋划项目'), '10');
      assert.equal(val('开工项目'), '5');
      assert.equal(val('在建项目'), '42');
      assert.equal(val('投用及部分投用项目'), '43');
      assert.equal(val('本月在建转投用或部分投用项目'), '7');
      // Compared as numbers: LibreOffice writes the value, with or without the cell's format.
      assert.equal(Number(val('1—2月累计完成投资额').replace(/,/g, '')), 6899000000);
      assert.equal(Number(val('1—2月累计新增封顶面积').replace(/,/g, '')), 1315200);
      assert.ok(rows.some((x) => x[0] === SEED_BULLETIN), 'the bulletin text is in the sheet');
    } finally {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
  });
});
