// HTTP conventions: security headers, request ids, 405/404, operations routes, OpenAPI (with a
// Redocly lint), abuse (huge headers, bad bodies, deep JSON), and the static SPA.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describe, it, before, after, startServer, ROOT, SLOW, assertProblem, parkBody,
} from '../harness.mjs';

const INDEX = '<!doctype html><html><head><meta charset="utf-8"><title>parkbrain-test</title>' +
  '<script type="module" src="/assets/app.js"></script></head><body><div id="app">pb-index-marker</div></body></html>\n';
const APP_JS = 'console.log("pb-app-marker");\n';
const CSS = 'body{color:#333}\n';
const SECRET = 'pb-secret-marker-outside-web-root';

let srv;
let webDir;
let outer;
let city;

before(async () => {
  outer = mkdtempSync(join(tmpdir(), 'pbweb-'));
  webDir = join(outer, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), INDEX);
  writeFileSync(join(webDir, 'assets', 'app.js'), APP_JS);
  writeFileSync(join(webDir, 'assets', 'app.css'), CSS);
  writeFileSync(join(outer, 'secret.txt'), SECRET);
  srv = await startServer({ web: webDir });
  city = (await srv.login('city1')).token;
});
after(async () => {
  try {
    if (srv) await srv.finish();
  } finally {
    if (outer) rmSync(outer, { recursive: true, force: true });
  }
});

function csp(res) {
  const h = res.headers.get('content-security-policy');
  assert.ok(h, `Content-Security-Policy on ${res}`);
  const d = {};
  for (const part of h.split(';')) {
    const [name, ...vals] = part.trim().split(/\s+/);
    if (name) d[name.toLowerCase()] = vals;
  }
  return d;
}

function assertSecurityHeaders(res, path) {
  const d = csp(res);
  const script = d['script-src'] ?? d['default-src'];
  assert.ok(script, `${path}: CSP has script-src or default-src`);
  assert.ok(!script.includes("'unsafe-inline'"), `${path}: no 'unsafe-inline' in script-src: ${script}`);
  assert.ok(!script.includes('*'), `${path}: no wildcard script source`);
  assert.deepEqual(d['frame-ancestors'], ["'none'"], `${path}: frame-ancestors 'none'`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
  const rp = res.headers.get('referrer-policy');
  assert.ok(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(rp),
    `${path}: Referrer-Policy ${rp}`);
  assert.ok(res.requestId, `${path}: X-Request-Id`);
  if (path.startsWith('/api/')) {
    assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/, `${path}: Cache-Control no-store`);
  }
}

describe('headers', () => {
  it('security headers on every kind of response', async () => {
    const cases = [
      ['GET', '/healthz', {}],
      ['GET', '/readyz', {}],
      ['GET', '/metrics', {}],
      ['GET', '/api/openapi.json', {}],
      ['GET', '/api/v1/parks', {}], // 401
      ['GET', '/api/v1/parks', { token: city }],
      ['GET', '/api/v1/me', { token: city }],
      ['POST', '/api/v1/parks', { token: city, body: { name: '' } }], // 400/422
      ['PUT', '/api/v1/parks', { token: city }], // 405
      ['GET', '/api/v1/nope', { token: city }], // 404
      ['POST', '/api/v1/session', { body: { username: 'city1', password: 'nope-nope-nope' } }], // 401
      ['GET', '/', {}],
      ['GET', '/parks/12', {}],
      ['GET', '/assets/app.js', {}],
    ];
    for (const [m, p, o] of cases) {
      const r = await srv.api(m, p, o);
      assertSecurityHeaders(r, p);
    }
  });

  it('X-Request-Id: echoed when valid, generated otherwise', async () => {
    const valid = ['abc-123_X.y', 'a', 'Z'.repeat(64), '0.1-2_3'];
    for (const id of valid) {
      const r = await srv.api('GET', '/api/v1/me', { token: city, headers: { 'x-request-id': id } });
      assert.equal(r.requestId, id, `echoes ${id}`);
    }
    const p = await srv.api('GET', '/api/v1/parks', { headers: { 'x-request-id': 'rid-401-test' } });
    assert.equal(assertProblem(p, 401).request_id, 'rid-401-test', 'problem body carries it too');
    const invalid = ['Z'.repeat(65), 'has space', '<script>', 'semi;colon', 'é', 'a/b', ''];
    const seen = new Set();
    for (const id of invalid) {
      const r = await srv.api('GET', '/healthz', { headers: { 'x-request-id': id } });
      assert.ok(r.requestId, `generated for ${JSON.stringify(id)}`);
      assert.notEqual(r.requestId, id, `not echoed: ${JSON.stringify(id)}`);
      assert.match(r.requestId, /^[A-Za-z0-9._-]{1,64}$/, 'generated id is well-formed');
      seen.add(r.requestId);
    }
    const a = await srv.api('GET', '/healthz');
    const b = await srv.api('GET', '/healthz');
    assert.ok(a.requestId && b.requestId && a.requestId !== b.requestId, 'generated ids differ');
    seen.add(a.requestId);
    seen.add(b.requestId);
    assert.equal(seen.size, invalid.length + 2, 'all generated ids are distinct');
  });
});

describe('access log', () => {
  it('one line per request on stdout, with the request id and no secrets', async () => {
    const rid = 'acclog-' + Date.now();
    const r = await srv.api('GET', '/api/v1/parks?limit=1', { token: city, headers: { 'x-request-id': rid } });
    assert.equal(r.status, 200);
    const rid2 = rid + '-401';
    await srv.api('GET', '/api/v1/me', { headers: { 'x-request-id': rid2 } });
    const rid3 = rid + '-login';
    await srv.api('POST', '/api/v1/session', { body: { username: 'city1', password: 'Secret-In-Body-987' }, headers: { 'x-request-id': rid3 } });
    await new Promise((res) => setTimeout(res, 200));
    const logs = srv.buf;
    for (const id of [rid, rid2, rid3]) {
      const lines = logs.split('\n').filter((l) => l.includes(id) && !l.includes(id + '-'));
      assert.equal(lines.length, 1, `one access line for ${id}: ${lines.join(' | ')}`);
    }
    const line = logs.split('\n').find((l) => l.includes(rid) && !l.includes(rid + '-'));
    assert.match(line, /GET/);
    assert.match(line, /\b200\b/);
    assert.ok(!logs.includes(city), 'no session token in the logs');
    assert.ok(!logs.includes('Secret-In-Body-987'), 'no password in the logs');
  });
});

describe('routing', () => {
  it('405 with Allow on unused methods', async () => {
    const cases = [
      ['PUT', '/api/v1/parks', ['GET', 'POST']],
      ['DELETE', '/api/v1/parks', ['GET', 'POST']],
      ['PUT', '/api/v1/parks/1', ['GET', 'PATCH', 'DELETE']],
      ['POST', '/api/v1/parks/1', ['GET', 'PATCH', 'DELETE']],
      ['GET', '/api/v1/session', ['POST', 'DELETE']],
      ['PUT', '/api/v1/me', ['GET']],
      ['GET', '/api/v1/me/password', ['POST']],
      ['POST', '/api/v1/regions', ['GET']],
      ['POST', '/api/v1/parks/export', ['GET']],
      ['POST', '/healthz', ['GET']],
    ];
    for (const [m, p, allow] of cases) {
      const r = await srv.api(m, p, { token: city, body: ['POST', 'PUT', 'PATCH'].includes(m) ? {} : undefined });
      assertProblem(r, 405, `${m} ${p}`);
      const got = (r.headers.get('allow') ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      for (const a of allow) assert.ok(got.includes(a), `${m} ${p}: Allow includes ${a} (got ${got})`);
      assert.ok(!got.includes(m), `${m} ${p}: Allow does not include ${m}`);
    }
  });

  it('unknown /api/ routes → 404 problem+json', async () => {
    for (const p of ['/api/v1/nope', '/api/nope', '/api/v2/parks', '/api/v1/parks/1/nope', '/api/v1/parks/1/2', '/api/']) {
      const r = await srv.api('GET', p, { token: city });
      assertProblem(r, 404, p);
    }
  });

  it('/healthz, /readyz, /metrics', async () => {
    const h = await srv.api('GET', '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.text.trim(), 'ok');
    const r = await srv.api('GET', '/readyz');
    assert.equal(r.status, 200, String(r));

    const total = (text) => {
      let s = 0;
      for (const line of text.split('\n')) {
        const m = line.match(/^parkbrain_http_requests_total(\{[^}]*\})?\s+([0-9.e+]+)/);
        if (m) s += Number(m[2]);
      }
      return s;
    };
    const m1 = await srv.api('GET', '/metrics');
    assert.equal(m1.status, 200);
    assert.match(m1.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(m1.text, /^# TYPE parkbrain_http_requests_total counter$/m);
    assert.match(m1.text, /^parkbrain_http_requests_total(\{[^}]*\})? \d/m);
    assert.match(m1.text, /^# TYPE parkbrain_http_request_duration_seconds histogram$/m);
    assert.match(m1.text, /^parkbrain_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} \d/m);
    assert.match(m1.text, /^parkbrain_http_request_duration_seconds_count(\{[^}]*\})? \d/m);
    assert.match(m1.text, /^parkbrain_http_request_duration_seconds_sum(\{[^}]*\})? [0-9.e+-]+/m);
    for (let i = 0; i < 5; i++) await srv.api('GET', '/healthz');
    const m2 = await srv.api('GET', '/metrics');
    assert.ok(total(m2.text) >= total(m1.text) + 5, `requests_total grows: ${total(m1.text)} → ${total(m2.text)}`);
    assert.ok(!m2.text.includes(city), 'no token in metrics');
  });
});

describe('OpenAPI', () => {
  let doc;
  it('GET /api/openapi.json is OpenAPI 3.1 and lists every route', async () => {
    const r = await srv.api('GET', '/api/openapi.json');
    assert.equal(r.status, 200, String(r));
    assert.match(r.headers.get('content-type') ?? '', /json/);
    doc = r.json;
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info?.title && doc.info?.version);
    let prefix = '';
    const su = doc.servers?.[0]?.url;
    if (su && su.startsWith('/')) prefix = su.replace(/\/$/, '');
    const ops = new Map();
    for (const [path, item] of Object.entries(doc.paths)) {
      const full = (/^\/(api\/|healthz|readyz|metrics)/.test(path) ? path : prefix + path).replace(/\{[^}]+\}/g, '{id}');
      for (const m of ['get', 'post', 'put', 'patch', 'delete']) if (item[m]) ops.set(`${m.toUpperCase()} ${full}`, item[m]);
    }
    const want = [
      'POST /api/v1/session', 'DELETE /api/v1/session', 'GET /api/v1/me', 'POST /api/v1/me/password',
      'GET /api/v1/parks', 'POST /api/v1/parks', 'GET /api/v1/parks/{id}', 'PATCH /api/v1/parks/{id}',
      'DELETE /api/v1/parks/{id}', 'GET /api/v1/parks/export', 'GET /api/v1/meta', 'GET /api/v1/regions',
      'GET /api/v1/industries', 'GET /api/v1/audit', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/openapi.json',
    ];
    const missing = want.filter((w) => !ops.has(w));
    assert.deepEqual(missing, [], `routes missing from OpenAPI (has: ${[...ops.keys()].join(', ')})`);
    const patch = ops.get('PATCH /api/v1/parks/{id}');
    for (const s of ['200', '412', '428']) assert.ok(patch.responses?.[s], `PATCH parks documents ${s}`);
    const params = (patch.parameters ?? []).concat(doc.paths[Object.keys(doc.paths).find((p) => /parks\/\{/.test(p))]?.parameters ?? []);
    const resolved = params.map((p) => (p.$ref ? p.$ref.split('/').reduce((o, k) => (k === '#' ? doc : o?.[k]), null) : p));
    assert.ok(resolved.some((p) => p?.in === 'header' && /^if-match$/i.test(p.name)), 'PATCH documents If-Match');
    assert.ok(ops.get('GET /api/v1/parks').parameters?.length > 0, 'list documents its query parameters');
  });

  it('passes redocly lint', async () => {
    assert.ok(doc, 'document fetched');
    const cli = join(ROOT, 'tests', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    assert.ok(existsSync(cli), `redocly CLI at ${cli} (npm ci in tests/)`);
    const dir = mkdtempSync(join(tmpdir(), 'pboas-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const r = spawnSync(process.execPath, [cli, 'lint', file], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120000,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      });
      assert.equal(r.status, 0, `redocly lint failed:\n${r.stdout}\n${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('abuse', () => {
  const alive = async () => {
    const h = await srv.api('GET', '/healthz');
    assert.equal(h.status, 200, 'server still answers');
  };

  it('a 64 KiB header → 4xx, and the server still answers', async () => {
    const r = await srv.raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 413, 431].includes(r.status), `64 KiB header → ${r.status} (${r.why}): ${r.text.slice(0, 200)}`);
    assert.ok(r.ms < 2000 * SLOW, `answered in ${r.ms} ms`);
    await alive();
  });

  it('10 000 headers → 4xx, and the server still answers', async () => {
    let h = '';
    for (let i = 0; i < 10000; i++) h += `X-H${i}: v\r\n`;
    const r = await srv.raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${h}Connection: close\r\n\r\n`);
    assert.ok(r.status >= 400 && r.status < 500, `10^4 headers → ${r.status} (${r.why})`);
    await alive();
  });

  it('Content-Length of 1 GiB → 413 at once', async () => {
    const r = await srv.raw(
      `POST /api/v1/parks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${city}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{"name":"x"',
      { timeout: 3000 },
    );
    assert.equal(r.status, 413, `1 GiB Content-Length → ${r.status} (${r.why}): ${r.text.slice(0, 300)}`);
    assert.ok(r.ms < 2000 * SLOW, `answered in ${r.ms} ms`);
    await alive();
  });

  it('a chunked body past 1 MiB → 413 without waiting for its end', async () => {
    const chunk = '10000\r\n' + 'x'.repeat(0x10000) + '\r\n';
    const r = await srv.raw(
      `POST /api/v1/parks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${city}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' + chunk.repeat(40),
      { timeout: 2000 },
    );
    // The server answers 413 as soon as the body passes the limit and closes the connection.
    // libmicrohttpd closes without lingering, so a client still writing may see the reset
    // before it reads the 413: either is a prompt refusal; hanging or buffering on is not.
    assert.ok(r.status === 413 || (r.status === 0 && r.ms < 1000 * SLOW),
      `2.5 MiB chunked, no last chunk → ${r.status} (${r.why} after ${r.ms} ms)`);
    await alive();
  });

  it('bad chunked encoding → 400', async () => {
    const r = await srv.raw(
      `POST /api/v1/parks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${city}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    );
    assert.ok(r.status >= 400 && r.status < 500, `bad chunking → ${r.status} (${r.why}): ${r.text.slice(0, 200)}`);
    await alive();
  });

  it('invalid UTF-8 in a JSON body → 400', async () => {
    const body = Buffer.concat([
      Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('","region_code":"350582","kind":"new_build"}'),
    ]);
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body }), 400, 'invalid UTF-8');
    const overlong = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","region_code":"350582","kind":"new_build"}')]);
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: overlong }), 400, 'overlong UTF-8');
    const surrogate = '{"name":"\\ud800x","region_code":"350582","kind":"new_build"}';
    const s = await srv.api('POST', '/api/v1/parks', { token: city, body: surrogate });
    assert.ok([400, 422].includes(s.status), `lone surrogate escape: ${s}`);
  });

  it('JSON nested 10 000 deep → 400 quickly', async () => {
    const arr = '{"description":' + '['.repeat(10000) + ']'.repeat(10000) + '}';
    const a = await srv.api('POST', '/api/v1/parks', { token: city, body: arr });
    assertProblem(a, 400, 'deep arrays');
    assert.ok(a.ms < 1000 * SLOW, `in ${a.ms} ms`);
    const obj = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
    const o = await srv.api('POST', '/api/v1/parks', { token: city, body: obj });
    assertProblem(o, 400, 'deep objects');
    assert.ok(o.ms < 1000 * SLOW, `in ${o.ms} ms`);
    await alive();
  });

  it('a body that is not JSON under application/json → 400; parks list still fine', async () => {
    assertProblem(await srv.api('POST', '/api/v1/parks', { token: city, body: 'name=x&kind=new_build' }), 400, 'form body');
    const ok = await srv.api('POST', '/api/v1/parks', { token: city, body: parkBody() });
    assert.equal(ok.status, 201, String(ok));
  });
});

describe('static web app', () => {
  it('GET / serves index.html', async () => {
    const r = await srv.api('GET', '/');
    assert.equal(r.status, 200, String(r));
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(r.text, INDEX);
  });

  it('/assets/* with the right types and immutable caching', async () => {
    const js = await srv.api('GET', '/assets/app.js');
    assert.equal(js.status, 200, String(js));
    assert.match(js.headers.get('content-type') ?? '', /^(text|application)\/javascript/);
    assert.equal(js.text, APP_JS);
    const cc = js.headers.get('cache-control') ?? '';
    assert.match(cc, /\bimmutable\b/, `Cache-Control ${cc}`);
    assert.match(cc, /max-age=\d{6,}/, `long max-age: ${cc}`);
    const css = await srv.api('GET', '/assets/app.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(css.text, CSS);
  });

  it('SPA fallback: /parks/12 → index.html; /api/nope → 404 JSON; a missing asset → 404', async () => {
    for (const p of ['/parks/12', '/parks', '/dashboard/350582?x=1']) {
      const r = await srv.api('GET', p);
      assert.equal(r.status, 200, `${p}: ${r}`);
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(r.text, INDEX, p);
    }
    assertProblem(await srv.api('GET', '/api/nope'), 404, '/api/nope');
    const miss = await srv.api('GET', '/assets/missing-0123.js');
    assert.equal(miss.status, 404, `missing asset must not be the SPA page: ${miss}`);
  });

  it('no path traversal out of the web root', async () => {
    const paths = [
      '/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets/../../../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const p of paths) {
      const r = await srv.raw(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.ok(r.status > 0, `${p}: an answer`);
      assert.ok(!r.text.includes(SECRET), `${p} leaked a file outside the web root`);
      assert.ok(!/root:[^:]*:0:0:/.test(r.text), `${p} leaked /etc/passwd`);
    }
    await srv.api('GET', '/healthz');
  });
});
