// A database made by the main before migrations moved into module folders upgrades to the
// per-module bookkeeping without losing a row: every old migration is recognised by the
// "-- replaces:" line of the file that took it over, nothing runs twice, the schema ends
// identical to a new database's, and the audit chain stays intact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readdirSync } from 'node:fs';
import { describe, it, after, run, freshDatabase, DB_KIND, ROOT } from '../harness.mjs';

/* Migrations written after the move (no "-- replaces:" line): the only ones an upgrade runs. */
function newMigrations() {
  const dirs = [join(ROOT, 'src', 'core', 'migrations')];
  for (const m of readdirSync(join(ROOT, 'src', 'modules'), { withFileTypes: true }))
    if (m.isDirectory()) dirs.push(join(ROOT, 'src', 'modules', m.name, 'migrations'));
  let n = 0;
  for (const d of dirs) {
    let files = [];
    try {
      files = readdirSync(d).filter((f) => /^\d+_.*\.sql$/.test(f));
    } catch {
      continue;
    }
    for (const f of files) if (!/^-- replaces: /m.test(readFileSync(join(d, f), 'utf8').split(/\n(?!--)/)[0])) n++;
  }
  return n;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(HERE, 'fixtures', `pre-modules-demo.${DB_KIND === 'pg' ? 'pg' : 'sqlite'}.sql.gz`);

function sh(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/* One SQL answer as text lines. */
function query(db, sql) {
  if (db.kind === 'pg') return sh('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]).trim();
  return sh('sqlite3', [db.file, sql]).trim();
}

function load(db, sqlText) {
  if (db.kind === 'pg') sh('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-q'], sqlText);
  else sh('sqlite3', [db.file], sqlText);
}

function tables(db) {
  const sql =
    db.kind === 'pg'
      ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1";
  return query(db, sql).split('\n').filter(Boolean);
}

function counts(db) {
  const out = {};
  for (const t of tables(db)) out[t] = Number(query(db, `SELECT count(*) FROM "${t}"`));
  return out;
}

/* The schema's objects as comparable text, without the migration bookkeeping. */
function schema(db) {
  const sql =
    db.kind === 'pg'
      ? "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'schema_%' UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'schema_%' UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
      : "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE tbl_name NOT LIKE 'schema_%' ORDER BY type, name";
  return query(db, sql).split('\n');
}

describe(`upgrade from the flat migration numbering (${DB_KIND})`, () => {
  const dirs = [];
  const dbs = [];
  after(() => {
    for (const d of dbs) d.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbupg-'));
    dirs.push(dir);
    const db = freshDatabase(dir);
    dbs.push(db);
    return db;
  };

  it('keeps every row, runs nothing twice and ends with the new schema', () => {
    const old = fresh();
    load(old, gunzipSync(readFileSync(FIXTURE)).toString('utf8'));
    const before = counts(old);
    assert.equal(before.schema_version, 14, 'the fixture carries the 14 flat migrations');
    assert.ok(before.project > 100 && before.audit > 1000, 'the fixture carries the demo set');
    assert.equal(before.schema_migration, undefined);

    const r = run(['migrate', '--db', old.url]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = /applied (\d+) migration\(s\); (\d+) recorded/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[1]), newMigrations(), 'only the migrations written since run; none runs again');

    const afterCounts = counts(old);
    for (const [t, n] of Object.entries(before)) assert.equal(afterCounts[t], n, `rows of ${t}`);
    assert.equal(afterCounts.schema_migration, Number(m[2]));
    assert.equal(query(old, 'SELECT count(DISTINCT module) FROM schema_migration'), '5', 'core and the four modules');

    // A second run is a no-op, and the audit chain made by the old binary still verifies.
    assert.match(run(['migrate', '--db', old.url]).stdout, /applied 0 migration/);
    const check = run(['check', '--db', old.url]);
    assert.equal(check.code, 0, check.stdout + check.stderr);

    // The same schema a new database gets (the old one's objects, nothing missing or extra).
    const neu = fresh();
    const init = run(['init', '--db', neu.url, '--no-admin']);
    assert.equal(init.code, 0, init.stdout + init.stderr);
    assert.deepEqual(schema(old), schema(neu));
    assert.equal(query(neu, 'SELECT count(*) FROM schema_migration'), m[2]);
  });
});
