// Sessions, passwords, login throttling and idle expiry (docs/api.md "Accounts and sessions").
import assert from 'node:assert/strict';
import {
  describe, it, before, after, startServer, PASSWORD, JINJIANG, assertProblem, assertFieldError,
  problemCodes, sleep,
} from '../harness.mjs';

const TOKEN_RE = /^[A-Za-z0-9_-]{43,}$/;

async function shutdown(srv) {
  if (srv) await srv.finish();
}

describe('sessions and passwords', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      users: [
        { username: 'city1', role: 'city', display_name: '市园区办' },
        { username: 'jj1', role: 'region', regions: [JINJIANG], display_name: '晋江园区办' },
        { username: 'mustchg1', role: 'city', display_name: '新用户', must_change: true },
      ],
    });
  });
  after(() => shutdown(srv));

  it('login returns a token, the user and an HttpOnly SameSite=Strict cookie', async () => {
    const res = await srv.api('POST', '/api/v1/session', { body: { username: 'city1', password: PASSWORD } });
    assert.equal(res.status, 200, String(res));
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const { token, user } = res.json;
    assert.match(token, TOKEN_RE, 'token is ≥ 43 chars of base64url');
    assert.equal(user.id, srv.users.city1.id);
    assert.equal(user.username, 'city1');
    assert.equal(user.display_name, '市园区办');
    assert.equal(user.role, 'city');
    assert.equal(user.must_change_password, false);
    assert.ok(Array.isArray(user.regions), 'user.regions is an array');
    assert.deepEqual(user.parks, []);
    assert.ok(!('password_hash' in user) && !JSON.stringify(res.json).includes('argon2'), 'no hash leaks');
    const cookies = res.headers.getSetCookie();
    const c = cookies.find((x) => x.startsWith('pb_session='));
    assert.ok(c, `Set-Cookie pb_session in ${JSON.stringify(cookies)}`);
    assert.match(c, /;\s*HttpOnly(\s*;|\s*$)/i, c);
    assert.match(c, /;\s*SameSite=Strict(\s*;|\s*$)/i, c);
    assert.ok(c.split(';')[0].length > 'pb_session='.length + 20, 'cookie has a value');
  });

  it('region user sees its regions in the login answer and in /me', async () => {
    const { token, user } = await srv.login('jj1');
    assert.deepEqual(user.regions, [JINJIANG]);
    assert.equal(user.role, 'region');
    const me = await srv.api('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200, String(me));
    assert.deepEqual(me.json.regions, [JINJIANG]);
    assert.equal(me.json.username, 'jj1');
  });

  it('GET /api/v1/me works with the Bearer token and with the cookie alone', async () => {
    const { token, cookie } = await srv.login('city1');
    const a = await srv.api('GET', '/api/v1/me', { token });
    assert.equal(a.status, 200, String(a));
    assert.equal(a.json.username, 'city1');
    assert.equal(a.json.role, 'city');
    assert.equal(a.json.id, srv.users.city1.id);
    assert.equal(a.json.must_change_password, false);
    assert.ok(cookie, 'login set a cookie');
    const b = await srv.api('GET', '/api/v1/me', { cookie });
    assert.equal(b.status, 200, String(b));
    assert.equal(b.json.username, 'city1');
  });

  it('each login issues a new token', async () => {
    const a = await srv.login('city1');
    const b = await srv.login('city1');
    assert.match(a.token, TOKEN_RE);
    assert.match(b.token, TOKEN_RE);
    assert.notEqual(a.token, b.token);
    assert.notEqual(a.cookie, b.cookie);
  });

  it('wrong password → 401 problem+json, and the same answer for an unknown user', async () => {
    const bad = await srv.api('POST', '/api/v1/session', { body: { username: 'city1', password: 'Wrong-Password-123' } });
    const pb = assertProblem(bad, 401, 'wrong password');
    const unk = await srv.api('POST', '/api/v1/session', { body: { username: 'nosuchuser', password: 'Wrong-Password-123' } });
    const pu = assertProblem(unk, 401, 'unknown user');
    delete pb.request_id;
    delete pu.request_id;
    assert.deepEqual(pu, pb, 'same body whether the account exists or not');
    assert.equal(bad.headers.getSetCookie().filter((c) => /pb_session=[^;]+/.test(c) && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)).length, 0, 'no session cookie on failure');
    assert.ok(!('token' in bad.json));
  });

  it('no session, or a bad token → 401 problem+json on every non-public route', async () => {
    const routes = [
      ['GET', '/api/v1/parks'],
      ['POST', '/api/v1/parks'],
      ['GET', '/api/v1/parks/1'],
      ['PATCH', '/api/v1/parks/1'],
      ['DELETE', '/api/v1/parks/1'],
      ['GET', '/api/v1/parks/export?format=csv'],
      ['GET', '/api/v1/me'],
      ['POST', '/api/v1/me/password'],
      ['DELETE', '/api/v1/session'],
      ['GET', '/api/v1/meta'],
      ['GET', '/api/v1/regions'],
      ['GET', '/api/v1/industries?q=1713'],
      ['GET', '/api/v1/audit'],
    ];
    for (const [m, p] of routes) {
      const body = m === 'POST' || m === 'PATCH' ? {} : undefined;
      assertProblem(await srv.api(m, p, { body }), 401, `${m} ${p} without session`);
    }
    const fake = 'A'.repeat(43);
    assertProblem(await srv.api('GET', '/api/v1/parks', { token: fake }), 401, 'made-up token');
    assertProblem(await srv.api('GET', '/api/v1/parks', { cookie: `pb_session=${fake}` }), 401, 'made-up cookie');
    assertProblem(
      await srv.api('GET', '/api/v1/parks', { headers: { authorization: 'Basic Y2l0eTE6UXVhbnpob3U=' } }),
      401,
      'Basic auth is not a session',
    );
  });

  it('logout → 204 and the token is dead at once (Bearer and cookie)', async () => {
    const a = await srv.login('city1');
    const b = await srv.login('city1');
    assert.equal((await srv.api('GET', '/api/v1/parks', { token: a.token })).status, 200);
    const out = await srv.api('DELETE', '/api/v1/session', { token: a.token });
    assert.equal(out.status, 204, String(out));
    assert.equal(out.bytes.length, 0, '204 has no body');
    assertProblem(await srv.api('GET', '/api/v1/me', { token: a.token }), 401, 'after logout (Bearer)');
    assertProblem(await srv.api('GET', '/api/v1/parks', { cookie: a.cookie }), 401, 'after logout (cookie)');
    // The other session of the same user lives on.
    assert.equal((await srv.api('GET', '/api/v1/me', { token: b.token })).status, 200);
    // Logout by cookie.
    const c = await srv.login('city1');
    assert.equal((await srv.api('DELETE', '/api/v1/session', { cookie: c.cookie })).status, 204);
    assertProblem(await srv.api('GET', '/api/v1/me', { token: c.token }), 401, 'after cookie logout');
  });

  it('a must-change user gets 403 password_change_required until it changes its password', async () => {
    const { token, user } = await srv.login('mustchg1');
    assert.equal(user.must_change_password, true);
    const me = await srv.api('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200, String(me));
    assert.equal(me.json.must_change_password, true);
    for (const [m, p, body] of [
      ['GET', '/api/v1/parks'],
      ['GET', '/api/v1/regions'],
      ['GET', '/api/v1/meta'],
      ['POST', '/api/v1/parks', { name: 'x', region_code: JINJIANG, kind: 'new_build' }],
    ]) {
      const r = await srv.api(m, p, { token, body });
      const pr = assertProblem(r, 403, `${m} ${p} before the change`);
      assert.ok(problemCodes(pr).includes('password_change_required'), `code password_change_required: ${r}`);
    }

    // Logging out is allowed while the password must change.
    const second = await srv.login('mustchg1');
    const out = await srv.api('DELETE', '/api/v1/session', { token: second.token });
    assert.equal(out.status, 204, `logout while must-change: ${out}`);
    assertProblem(await srv.api('GET', '/api/v1/me', { token: second.token }), 401, 'after logout');

    // Wrong current password.
    const wrongCur = await srv.api('POST', '/api/v1/me/password', {
      token,
      body: { current_password: 'Not-The-Password-1', new_password: 'Fresh-Secret-Value-42' },
    });
    assertFieldError(wrongCur, 422, 'current_password', null, 'wrong current password');
    // Too short.
    const short = await srv.api('POST', '/api/v1/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'Ab1!x' },
    });
    assertFieldError(short, 422, 'new_password', null, 'too short');
    // Contains the username.
    const withName = await srv.api('POST', '/api/v1/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'Xmustchg1-Long-Secret!' },
    });
    assertFieldError(withName, 422, 'new_password', null, 'contains the username');
    // Still locked out of the rest.
    assertProblem(await srv.api('GET', '/api/v1/parks', { token }), 403, 'still must change');

    const ok = await srv.api('POST', '/api/v1/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'Fresh-Secret-Value-42' },
    });
    assert.equal(ok.status, 204, String(ok));

    // The old password no longer works; the new one does, and the flag is cleared.
    const old = await srv.api('POST', '/api/v1/session', { body: { username: 'mustchg1', password: PASSWORD } });
    assertProblem(old, 401, 'old password after change');
    const again = await srv.login('mustchg1', 'Fresh-Secret-Value-42');
    assert.equal(again.user.must_change_password, false);
    const parks = await srv.api('GET', '/api/v1/parks', { token: again.token });
    assert.equal(parks.status, 200, String(parks));
  });

  it('password rules also apply to a user without must-change', async () => {
    const { token } = await srv.login('jj1');
    const r = await srv.api('POST', '/api/v1/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'short' },
    });
    assertFieldError(r, 422, 'new_password', null, 'too short');
    const r2 = await srv.api('POST', '/api/v1/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'my-jj1-password-long' },
    });
    assertFieldError(r2, 422, 'new_password', null, 'contains the username');
    // Unchanged: the old password still logs in.
    await srv.login('jj1');
  });
});

describe('login throttling per account (--login-max-fail-account 5)', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      users: [
        { username: 'victim1', role: 'city' },
        { username: 'bystander1', role: 'city' },
      ],
      args: ['--login-max-fail-account', '5', '--login-max-fail-addr', '1000'],
    });
  });
  after(() => shutdown(srv));

  it('locks the account after 5 failures with 429 + Retry-After, even for the right password', async () => {
    for (let i = 1; i <= 5; i++) {
      const r = await srv.api('POST', '/api/v1/session', { body: { username: 'victim1', password: `Wrong-Pass-${i}-xyz` } });
      assertProblem(r, 401, `failure ${i}`);
    }
    for (let i = 6; i <= 7; i++) {
      const r = await srv.api('POST', '/api/v1/session', { body: { username: 'victim1', password: `Wrong-Pass-${i}-xyz` } });
      assertProblem(r, 429, `attempt ${i} after 5 failures`);
      const ra = r.headers.get('retry-after');
      assert.match(ra ?? '', /^[1-9]\d*$/, `Retry-After is a positive integer, got ${ra}`);
    }
    const right = await srv.api('POST', '/api/v1/session', { body: { username: 'victim1', password: PASSWORD } });
    assertProblem(right, 429, 'right password while locked');
    assert.match(right.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.ok(!right.json.token, 'no token while locked');
    assert.equal(right.headers.getSetCookie().filter((c) => c.startsWith('pb_session=') && !/Max-Age=0/i.test(c)).length, 0);
  });

  it('another account is unaffected', async () => {
    const { token } = await srv.login('bystander1');
    assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 200);
  });
});

describe('login throttling per address (--login-max-fail-addr 20)', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      users: [
        { username: 'spray01', role: 'city' },
        { username: 'spray02', role: 'viewer' },
      ],
      args: ['--login-max-fail-addr', '20', '--login-max-fail-account', '1000'],
    });
  });
  after(() => shutdown(srv));

  it('a spray over many usernames from one address hits 429 after 20 failures', async () => {
    const names = [];
    for (let i = 0; i < 24; i++) names.push(i < 2 ? `spray0${i + 1}` : `nobody${i}`);
    const statuses = [];
    for (const username of names) {
      const r = await srv.api('POST', '/api/v1/session', { body: { username, password: 'Spray-Password-1' } });
      statuses.push(r.status);
      if (r.status === 429) {
        assertProblem(r, 429, `spray ${username}`);
        assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      }
    }
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401), `first 20 answered 401: ${statuses}`);
    assert.deepEqual(statuses.slice(20), Array(4).fill(429), `then 429: ${statuses}`);
  });
});

describe('idle expiry (--session-idle-seconds 2)', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      users: [{ username: 'idle1', role: 'city' }],
      args: ['--session-idle-seconds', '2'],
    });
  });
  after(() => shutdown(srv));

  it('3 s idle kills the session', async () => {
    const { token } = await srv.login('idle1');
    assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 200);
    await sleep(3000);
    assertProblem(await srv.api('GET', '/api/v1/me', { token }), 401, 'after 3 s idle');
    assertProblem(await srv.api('GET', '/api/v1/parks', { token }), 401, 'after 3 s idle');
    // A fresh login works again.
    const again = await srv.login('idle1');
    assert.equal((await srv.api('GET', '/api/v1/me', { token: again.token })).status, 200);
  });

  it('activity keeps the session alive (idle, not absolute, expiry); then 3 s idle kills it', async () => {
    const { token } = await srv.login('idle1');
    for (let i = 0; i < 3; i++) {
      const r = await srv.api('GET', '/api/v1/me', { token });
      assert.equal(r.status, 200, `request ${i} within the idle window: ${r}`);
      await sleep(1000);
    }
    assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 200, 'still alive 3 s after login thanks to activity');
    await sleep(3000);
    assertProblem(await srv.api('GET', '/api/v1/me', { token }), 401, 'after 3 s idle');
    assertProblem(await srv.api('GET', '/api/v1/parks', { token }), 401, 'after 3 s idle');
  });
});
