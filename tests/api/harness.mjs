// harness.mjs: starts the real parkbrain binary on a fresh database (SQLite temp file or a fresh
// PostgreSQL database) on a random loopback port, and talks HTTP to it.
//
// Environment: PB_BIN (default /work/main/build/parkbrain), PB_API_DB = sqlite | pg,
// PB_TEST_PG_URL (URL of a throwaway cluster's parkbrain_test database, for pg).
//
// Node built-ins only (Node 20).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { it as nodeIt, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
export const BIN = process.env.PB_BIN || join(ROOT, 'build', 'parkbrain');
export const DB_KIND = (process.env.PB_API_DB || 'sqlite').toLowerCase() === 'pg' ? 'pg' : 'sqlite';
export const PASSWORD = 'Quanzhou-Park-2026!';
/* PB_SLOW=1 (the ASan+UBSan binary): time limits are multiplied by this. */
export const SLOW = process.env.PB_SLOW && process.env.PB_SLOW !== '0' ? 4 : 1;

export const JINJIANG = '350582';
export const NANAN = '350583';

/* The users most files need: one per role. */
export const DEFAULT_USERS = [
  { username: 'city1', role: 'city', display_name: '市园区办' },
  { username: 'jj1', role: 'region', regions: [JINJIANG], display_name: '晋江园区办' },
  { username: 'na1', role: 'region', regions: [NANAN], display_name: '南安园区办' },
  { username: 'viewer1', role: 'viewer', display_name: '领导驾驶舱' },
  { username: 'auditor1', role: 'auditor', display_name: '审计员' },
  { username: 'admin1', role: 'admin', display_name: '平台管理员' },
];

/* ---------- server log capture, shown only when a test fails ---------- */

const running = new Set(); // servers started by this test file (process)
const LOG_TAIL = 12000;

function serverLogs() {
  let s = '';
  for (const srv of running) s += srv.logs();
  return s;
}

function guard(fn) {
  return async function guarded(...args) {
    try {
      return await fn.apply(this, args);
    } catch (err) {
      const logs = serverLogs();
      if (logs) {
        const tail = logs.length > LOG_TAIL ? '…' + logs.slice(-LOG_TAIL) : logs;
        try {
          err.message = `${err.message}\n----- server output -----\n${tail}\n-------------------------`;
        } catch {
          /* frozen error: print instead */
          process.stderr.write(`----- server output -----\n${tail}\n`);
        }
      }
      throw err;
    }
  };
}

/* it()/test() that append the servers' output to the error of a failing test. */
export function it(name, opts, fn) {
  if (typeof opts === 'function') return nodeIt(name, guard(opts));
  return nodeIt(name, opts, guard(fn));
}
export function test(name, opts, fn) {
  if (typeof opts === 'function') return nodeTest(name, guard(opts));
  return nodeTest(name, opts, guard(fn));
}
export { describe, before, after, beforeEach, afterEach } from 'node:test';

process.on('exit', () => {
  for (const srv of running) {
    try {
      srv.proc?.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/* ---------- small utilities ---------- */

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function run(args, { input, env, timeout = 60000 } = {}) {
  const r = spawnSync(BIN, args, {
    input,
    env: { ...process.env, ...env },
    timeout,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/* psql without throwing: {code, stdout, stderr}. */
export function psqlRun(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], {
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  return r.stdout;
}

/* A fresh database: {url, kind, file?, drop()}. */
export function freshDatabase(dir) {
  if (DB_KIND === 'pg') {
    const base = process.env.PB_TEST_PG_URL;
    if (!base) throw new Error('PB_API_DB=pg needs PB_TEST_PG_URL');
    const name = 'pbapi_' + randomBytes(6).toString('hex');
    psql(base, `CREATE DATABASE ${name}`);
    const u = new URL(base);
    u.pathname = '/' + name;
    return {
      kind: 'pg',
      name,
      url: u.toString(),
      drop() {
        psql(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const file = join(dir, 'parkbrain.db');
  return { kind: 'sqlite', file, url: 'sqlite:' + file, drop() {} };
}

/* ---------- the server ---------- */

/**
 * Start a server on a fresh database.
 * opts.users: [{username, role, regions?, parks?, display_name?, password?, must_change?}]
 * opts.args: extra `serve` arguments, e.g. ['--login-max-fail-account', '5']
 * opts.web: directory for --web
 * opts.demo: load the demo set (`parkbrain demo`) before the users are added
 */
export async function startServer(opts = {}) {
  if (!existsSync(BIN)) throw new Error(`parkbrain binary not found at ${BIN} (set PB_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'pbapi-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const db = freshDatabase(dir);
  const srv = new Server(dir, dataDir, db, opts);
  running.add(srv);
  try {
    const r = run(['init', '--db', db.url, '--no-admin']);
    srv.log(`$ parkbrain init --db ${db.url} --no-admin → ${r.code}\n${r.stdout}${r.stderr}`);
    if (r.code !== 0) throw new Error(`parkbrain init failed (${r.code}): ${r.stdout}${r.stderr}`);
    if (opts.demo) {
      const d = run(['demo', '--db', db.url], { timeout: 300000 });
      srv.log(`$ parkbrain demo --db ${db.url} → ${d.code}\n${d.stdout}${d.stderr}`);
      if (d.code !== 0) throw new Error(`parkbrain demo failed (${d.code}): ${d.stdout}${d.stderr}`);
      srv.demoOutput = d.stdout;
    }
    for (const u of opts.users ?? DEFAULT_USERS) srv.addUser(u);
    await srv.start();
  } catch (e) {
    await srv.stop({ check: false }).catch(() => {});
    e.message += `\n----- server output -----\n${srv.logs().slice(-LOG_TAIL)}`;
    await srv.cleanup().catch(() => {});
    throw e;
  }
  return srv;
}

class Server {
  constructor(dir, dataDir, db, opts) {
    this.dir = dir;
    this.dataDir = dataDir;
    this.db = db;
    this.opts = opts;
    this.buf = '';
    this.users = {}; // username → {id, password, ...}
    this.proc = null;
    this.exit = null;
  }

  /* A harness note: on a line of its own. */
  log(s) {
    if (this.buf.length && !this.buf.endsWith('\n')) this.buf += '\n';
    this.out(s.endsWith('\n') ? s : s + '\n');
  }

  /* The server's own output, as it comes. */
  out(s) {
    this.buf += s;
    if (this.buf.length > 4 * 1024 * 1024) this.buf = this.buf.slice(-1024 * 1024);
  }

  logs() {
    return `[server ${this.base ?? '(not started)'} db=${this.db.url}]\n${this.buf}`;
  }

  /* `parkbrain user add`; returns the new id. */
  addUser(u) {
    const password = u.password ?? PASSWORD;
    const args = ['user', 'add', '--db', this.db.url, '--username', u.username, '--role', u.role];
    for (const r of u.regions ?? []) args.push('--region', r);
    for (const p of u.parks ?? []) args.push('--park', String(p));
    if (u.display_name) args.push('--display-name', u.display_name);
    args.push('--password-stdin');
    if (u.must_change) args.push('--must-change');
    const r = run(args, { input: password + '\n' });
    this.log(`$ parkbrain ${args.join(' ')} → ${r.code}\n${r.stdout}${r.stderr}`);
    if (r.code !== 0) throw new Error(`user add ${u.username} failed (${r.code}): ${r.stdout}${r.stderr}`);
    const m = r.stdout.match(/\d+/);
    if (!m) throw new Error(`user add ${u.username} printed no id: ${r.stdout}`);
    const id = Number(m[0]);
    this.users[u.username] = { ...u, id, password };
    return id;
  }

  async start() {
    const args = ['serve', '--db', this.db.url, '--data', this.dataDir];
    if (this.opts.web) args.push('--web', this.opts.web);
    args.push(...(this.opts.args ?? []));
    // A port found free can be taken before the server binds it: try a few.
    let lastErr;
    for (let attempt = 0; attempt < 4; attempt++) {
      const port = await freePort();
      this.port = port;
      this.base = `http://127.0.0.1:${port}`;
      const full = [...args, '--listen', `127.0.0.1:${port}`];
      this.log(`$ parkbrain ${full.join(' ')}`);
      const proc = spawn(BIN, full, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.proc = proc;
      this.exit = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
      proc.stdout.setEncoding('utf8');
      proc.stderr.setEncoding('utf8');
      proc.stdout.on('data', (d) => this.out(d));
      proc.stderr.on('data', (d) => this.out(d));
      proc.on('error', (e) => this.log(`spawn error: ${e}`));
      try {
        await this.waitReady(proc);
        return;
      } catch (e) {
        lastErr = e;
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGKILL');
        }
        await this.exit;
        this.proc = null;
      }
    }
    throw lastErr;
  }

  async waitReady(proc) {
    const deadline = Date.now() + 20000 * SLOW;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`parkbrain serve exited early (${proc.exitCode ?? proc.signalCode})`);
      }
      try {
        const r = await fetch(this.base + '/healthz', { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) {
          await r.arrayBuffer();
          return;
        }
      } catch {
        /* not yet */
      }
      await sleep(50);
    }
    throw new Error('parkbrain serve did not answer /healthz within 20 s');
  }

  /**
   * One HTTP request. opts: {token, cookie, body (object → JSON; string/Buffer → raw),
   * headers, timeout}. Returns {status, headers, text, json, bytes, requestId, ms}.
   */
  async api(method, path, opts = {}) {
    const headers = { ...(opts.headers ?? {}) };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.cookie) headers['cookie'] = opts.cookie;
    let body;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string' || opts.body instanceof Uint8Array) body = opts.body;
      else body = JSON.stringify(opts.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
    const t0 = Date.now();
    const res = await fetch(this.base + path, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeout ?? 30000),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const ms = Date.now() - t0;
    const ct = res.headers.get('content-type') ?? '';
    let text = '';
    let json;
    if (!/spreadsheetml|octet-stream|zip/.test(ct)) text = bytes.toString('utf8');
    if (/json/.test(ct) && text.length) {
      try {
        json = JSON.parse(text);
      } catch (e) {
        json = undefined;
      }
    }
    return {
      status: res.status,
      headers: res.headers,
      text,
      json,
      bytes,
      ms,
      requestId: res.headers.get('x-request-id'),
      toString() {
        return `${method} ${path} → ${res.status} ${text.slice(0, 2000)}`;
      },
    };
  }

  /* POST /api/v1/session; asserts 200. Returns {token, cookie, user, res}. */
  async login(username, password = this.users[username]?.password ?? PASSWORD) {
    const res = await this.api('POST', '/api/v1/session', { body: { username, password } });
    assert.equal(res.status, 200, `login ${username}: ${res}`);
    const token = res.json?.token;
    assert.ok(typeof token === 'string' && token.length > 0, `login ${username}: no token in ${res}`);
    const setCookie = res.headers.getSetCookie?.() ?? [];
    const sc = setCookie.find((c) => c.startsWith('pb_session='));
    const cookie = sc ? sc.split(';')[0] : null;
    return { token, cookie, user: res.json.user, res, setCookie };
  }

  /* Raw bytes over a socket (for requests fetch will not send). Resolves with the response
   * text received until the server closes or `timeout` ms pass without more data. */
  raw(bytes, { timeout = 3000 } = {}) {
    timeout *= SLOW;
    return new Promise((res) => {
      const chunks = [];
      const t0 = Date.now();
      const sock = connect(this.port, '127.0.0.1');
      let timer;
      const done = (why) => {
        clearTimeout(timer);
        sock.destroy();
        const text = Buffer.concat(chunks).toString('latin1');
        const m = text.match(/^HTTP\/1\.[01] (\d{3})/);
        res({ text, status: m ? Number(m[1]) : 0, ms: Date.now() - t0, why });
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => done('timeout'), timeout);
      };
      sock.on('connect', () => {
        arm();
        sock.write(bytes, () => {});
      });
      sock.on('data', (d) => {
        chunks.push(d);
        arm();
      });
      sock.on('error', () => done('error'));
      sock.on('close', () => done('close'));
    });
  }

  /* SIGTERM, wait for exit, assert the exit code is 0. */
  async stop({ check = true } = {}) {
    let result = null;
    if (this.proc) {
      const proc = this.proc;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      let timer;
      const timeout = new Promise((res) => {
        timer = setTimeout(() => res('timeout'), 15000);
      });
      const r = await Promise.race([this.exit, timeout]);
      clearTimeout(timer);
      if (r === 'timeout') {
        proc.kill('SIGKILL');
        await this.exit;
        result = { code: null, signal: 'timeout' };
      } else {
        result = r;
      }
      this.proc = null;
      this.log(`serve exited: ${JSON.stringify(result)}`);
    }
    if (check && result) {
      assert.deepEqual(result, { code: 0, signal: null }, `parkbrain serve must exit 0 on SIGTERM; ${this.logs()}`);
    }
    return result;
  }

  /* `parkbrain check --db URL` (or another URL). */
  check(url = this.db.url) {
    const r = run(['check', '--db', url]);
    this.log(`$ parkbrain check --db ${url} → ${r.code}\n${r.stdout}${r.stderr}`);
    return r;
  }

  /* The end of a file: stop (exit 0), `parkbrain check` (exit 0), then clean up. */
  async finish() {
    try {
      await this.stop();
      const r = this.check();
      assert.equal(r.code, 0, `parkbrain check after the run: ${r.stdout}${r.stderr}`);
    } finally {
      await this.cleanup();
    }
  }

  /* Stop (if running), drop the database, remove the temp dir. */
  async cleanup() {
    if (this.proc) await this.stop({ check: false });
    try {
      this.db.drop();
    } catch (e) {
      process.stderr.write(`drop ${this.db.url}: ${e.message}\n`);
    }
    rmSync(this.dir, { recursive: true, force: true });
    running.delete(this);
  }
}

/* ---------- helpers for assertions ---------- */

/* Assert an RFC 9457 problem response with the given status. Returns the body. */
export function assertProblem(res, status, msg = '') {
  assert.equal(res.status, status, `${msg} expected ${status}: ${res}`);
  const ct = res.headers.get('content-type') ?? '';
  assert.match(ct, /^application\/problem\+json/, `${msg} content-type of ${res}`);
  const p = res.json;
  assert.ok(p && typeof p === 'object', `${msg} problem body is JSON: ${res}`);
  assert.equal(p.status, status, `${msg} problem.status: ${res}`);
  assert.equal(typeof p.title, 'string', `${msg} problem.title: ${res}`);
  assert.equal(typeof p.type, 'string', `${msg} problem.type: ${res}`);
  assert.ok(res.requestId, `${msg} X-Request-Id header present`);
  assert.equal(p.request_id, res.requestId, `${msg} problem.request_id equals X-Request-Id: ${res}`);
  return p;
}

/* Assert the problem names field `field` (with code `code`, when given). */
export function assertFieldError(res, status, field, code, msg = '') {
  const p = assertProblem(res, status, msg);
  assert.ok(Array.isArray(p.errors), `${msg} problem.errors is an array: ${res}`);
  const e = p.errors.find((x) => x.field === field);
  assert.ok(e, `${msg} errors[] names field ${field}: ${res}`);
  if (code) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(e.code), `${msg} errors[field=${field}].code is ${codes.join('|')}: ${res}`);
  }
  assert.equal(typeof e.message, 'string', `${msg} errors[].message: ${res}`);
  assert.ok(e.message.length > 0, `${msg} errors[].message non-empty`);
  return e;
}

/* The `code` of a problem, top-level or in errors[]. */
export function problemCodes(p) {
  const codes = [];
  if (p?.code) codes.push(p.code);
  for (const e of p?.errors ?? []) if (e.code) codes.push(e.code);
  return codes;
}

/* ---------- CSV and XLSX readers ---------- */

/* RFC 4180 CSV → array of rows (arrays of strings). Strips a UTF-8 BOM. */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
    } else {
      field += c;
      i++;
    }
  }
  if (field.length || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/* A minimal ZIP reader (central directory; stored or deflated entries). → Map name → Buffer */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: no end of central directory');
  const n = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let k = 0; k < n; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('zip: bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('zip: bad local header');
    const lNameLen = buf.readUInt16LE(local + 26);
    const lExtraLen = buf.readUInt16LE(local + 28);
    const start = local + 30 + lNameLen + lExtraLen;
    const data = buf.subarray(start, start + csize);
    if (method === 0) out.set(name, Buffer.from(data));
    else if (method === 8) out.set(name, inflateRawSync(data));
    else throw new Error(`zip: method ${method}`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/* ---------- test data ---------- */

let seq = 0;
/* A valid park body; overrides replace fields. */
export function parkBody(over = {}) {
  seq++;
  return {
    name: `测试园区${seq}-${randomBytes(3).toString('hex')}`,
    region_code: JINJIANG,
    kind: 'new_build',
    leading_industry_code: '1713',
    industry_label: '纺织鞋服',
    land_m2: '66666.67',
    planned_floor_m2: '120000.00',
    built_floor_m2: '10000.00',
    production_floor_m2: '7000.00',
    living_floor_m2: '3000.00',
    operator_name: '晋江园区运营有限公司',
    address: '福建省泉州市晋江市经济开发区',
    lng: '118.552000',
    lat: '24.781000',
    status: 'operating',
    opened_on: '2023-05-01',
    policy_guide: '一园一策：标准厂房+配套宿舍',
    pilot: false,
    description: '自动化测试数据',
    ...over,
  };
}

export const CJK = /[\u3400-\u9fff]/;
export const ASCII_ONLY = /^[\x00-\x7f]*$/;
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
