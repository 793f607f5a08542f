// apt_harness.mjs: start the real parkbrain binary for the apartment API tests, on SQLite or
// on a fresh PostgreSQL database (PB_API_DB=pg with PB_TEST_PG_URL), with a fixed clock
// (PARKBRAIN_FAKE_NOW) that a test may move by restarting the server on the same database.
// Everything the server prints is kept, so tests can check what was (not) logged.
// (Written while tests/api/harness.mjs was not yet on main; kept because these tests move the
// server's clock by restarting it on the same database and data directory.)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const BIN = process.env.PB_BIN || new URL('../../../build/parkbrain', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(args, input) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`parkbrain ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'pbapi-'));
    this.log = '';
    this.proc = null;
  }

  async init() {
    if (process.env.PB_API_DB === 'pg') {
      const base = process.env.PB_TEST_PG_URL;
      const name = `apt_${process.pid}_${Date.now()}`;
      const r = spawnSync('psql', [base, '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`createdb: ${r.stderr}`);
      const u = new URL(base);
      u.pathname = '/' + name;
      this.db = u.toString();
    } else {
      this.db = `sqlite:${join(this.dir, 'pb.db')}`;
    }
    run(['init', '--db', this.db, '--no-admin']);
    return this;
  }

  user(username, role, password, ...extra) {
    run(['user', 'add', '--db', this.db, '--username', username, '--role', role,
      '--password-stdin', ...extra], password + '\n');
  }

  async start(fakeNow) {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(BIN, ['serve', '--db', this.db, '--data', this.dir, '--listen', `127.0.0.1:${this.port}`],
      { env: { ...process.env, PARKBRAIN_FAKE_NOW: fakeNow }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d) => { this.log += d; });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`${this.base}/healthz`);
        if (r.ok) return this;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50 * (process.env.PB_SLOW ? 4 : 1)));
    }
    throw new Error('server did not start:\n' + this.log);
  }

  async stop() {
    if (!this.proc) return;
    const p = this.proc;
    this.proc = null;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await done;
  }

  async restart(fakeNow) {
    await this.stop();
    return this.start(fakeNow);
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }

  // One request; returns {status, body (parsed JSON or text), text, headers}.
  async req(method, path, { token, body, headers = {} } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const r = await fetch(this.base + path, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* text */ }
    return { status: r.status, body: parsed, text, headers: r.headers };
  }

  async login(username, password) {
    const r = await this.req('POST', '/api/v1/session', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    return r.body.token;
  }
}

export { BIN, run };
