// SPDX-License-Identifier: EUPL-1.2
// Login sessions and CSRF: the cookie's attributes, wrong passwords, a missing or wrong
// X-CSRF-Token on every state-changing request, a login body that is not JSON, sessions ended
// by a password reset, and (on a second server with auth.session-hours tiny) expiry.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, loggedIn, unchanged } from './lib/api.mjs';
import { sleep } from '../e2e/lib/util.mjs';

describe('sessions and CSRF', () => {
  let server;
  let admin;
  let room;
  before(async () => {
    server = await startPlenumd();
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    room = (await admin.request('POST', '/api/rooms', { body: { title: 'CSRF room' } })).json;
  });
  after(async () => { await server?.stop(); });

  it('login sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token', async () => {
    const res = await fetch(`${server.baseUrl}/api/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
    });
    assert.equal(res.status, 200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('plenum_session='));
    assert.ok(cookie, 'Set-Cookie plenum_session');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /path=\//i);
    // Plain HTTP (localhost development): the plain name, not Secure. Over HTTPS it is
    // __Host-plenum_session and Secure (tests/e2e/https.test.mjs).
    assert.doesNotMatch(cookie, /;\s*secure/i);
    assert.doesNotMatch(cookie, /domain=/i);
    assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith('__Host-')), 'no __Host- cookie over HTTP');
    assert.ok(cookie.split(';')[0].length - 'plenum_session='.length >= 43, '256-bit id');
    const body = await res.json();
    assert.equal(body.account.username, ADMIN.username);
    assert.equal(body.account.role, 'admin');
    assert.ok(body.csrfToken.length >= 22);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('wrong passwords and unknown users get 401 wrong-credentials and change nothing', async () => {
    for (const [username, password] of [[ADMIN.username, 'wrong'], ['nobody', 'whatever'], ['ADMIN', 'wrong']]) {
      const b = new Browser(server);
      const r = await unchanged(server, () => b.login(username, password));
      assert.equal(r.status, 401);
      assert.equal(r.json.code, 'wrong-credentials');
      assert.equal(b.cookies.has('plenum_session'), false);
    }
    // Usernames compare case-insensitively.
    assert.equal((await new Browser(server).login('ADMIN', ADMIN.password)).status, 200);
  });

  it('a login that is not JSON is refused (a cross-site form cannot log in)', async () => {
    const b = new Browser(server);
    for (const opts of [
      { rawBody: `username=${ADMIN.username}&password=${ADMIN.password}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      { rawBody: JSON.stringify(ADMIN), headers: { 'Content-Type': 'text/plain' } },
      { rawBody: '{"username": "admin", ', headers: { 'Content-Type': 'application/json' } },
      { rawBody: '["admin"]', headers: { 'Content-Type': 'application/json' } },
    ]) {
      const r = await unchanged(server, () => b.request('POST', '/api/session', { ...opts, csrf: false }));
      assert.equal(r.status, 400, opts.rawBody);
      assert.equal(r.json.code, 'bad-request');
    }
    const r = await b.request('POST', '/api/session', { body: { username: 'admin', password: 'x', remember: true }, csrf: false });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'bad-field');
  });

  // Every state-changing request of a logged-in user, without the token and with a wrong one.
  const changes = () => [
    ['POST', '/api/accounts', { username: 'csrf-victim', password: 'password-123' }],
    ['PATCH', '/api/accounts/1', { displayName: 'Hijacked' }],
    ['POST', '/api/rooms', { title: 'Hijacked' }],
    ['PATCH', `/api/rooms/${room.id}`, { title: 'Hijacked' }],
    ['POST', `/api/rooms/${room.id}/invite`],
    ['POST', `/api/rooms/${room.id}/pin`],
    ['DELETE', `/api/rooms/${room.id}`],
    ['DELETE', '/api/accounts/1'],
    ['DELETE', '/api/session'],
  ];
  for (const [label, csrf] of [['missing', false], ['wrong', 'not-the-token'], ['empty', '']]) {
    it(`a ${label} X-CSRF-Token is refused with 403 csrf on every state-changing request`, async () => {
      for (const [method, path, body] of changes()) {
        const r = await unchanged(server, () => admin.request(method, path, { body, csrf }));
        assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
        assert.equal(r.json.code, 'csrf');
      }
      // Still logged in: the refused logout did not happen.
      assert.equal((await admin.request('GET', '/api/session')).status, 200);
    });
  }

  it('another session\'s CSRF token does not work', async () => {
    const other = await loggedIn(server, ADMIN.username, ADMIN.password);
    const r = await unchanged(server, () => admin.request('POST', '/api/rooms', { body: { title: 'x' }, csrf: other.csrf }));
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'csrf');
  });

  it('GET /api/session returns the same CSRF token for the session', async () => {
    const r = await admin.request('GET', '/api/session');
    assert.equal(r.json.csrfToken, admin.csrf);
  });

  it('a forged or unknown session cookie is not logged in', async () => {
    const b = new Browser(server);
    b.cookies.set('plenum_session', 'A'.repeat(43));
    const r = await unchanged(server, () => b.request('GET', '/api/rooms'));
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'not-logged-in');
  });

  it('a password reset by an admin ends the account\'s sessions and the new password works', async () => {
    const made = await admin.request('POST', '/api/accounts', { body: { username: 'carl', password: 'carl-password' } });
    assert.equal(made.status, 201);
    assert.equal(made.json.role, 'staff', 'staff by default');
    assert.equal(made.json.displayName, 'carl', 'display name defaults to the username');
    const carl = await loggedIn(server, 'carl', 'carl-password');
    assert.equal((await admin.request('PATCH', `/api/accounts/${made.json.id}`, { body: { password: 'carl-new-password' } })).status, 200);
    assert.equal((await carl.request('GET', '/api/session')).status, 401);
    assert.equal((await new Browser(server).login('carl', 'carl-password')).status, 401);
    assert.equal((await new Browser(server).login('carl', 'carl-new-password')).status, 200);
  });

  it('an admin changing their own password stays logged in', async () => {
    const me = (await admin.request('GET', '/api/session')).json.account;
    const other = await loggedIn(server, ADMIN.username, ADMIN.password);
    assert.equal((await admin.request('PATCH', `/api/accounts/${me.id}`, { body: { password: ADMIN.password } })).status, 200);
    assert.equal((await admin.request('GET', '/api/session')).status, 200);
    assert.equal((await other.request('GET', '/api/session')).status, 401, 'the admin\'s other sessions end');
  });
});

describe('session expiry', () => {
  let server;
  before(async () => { server = await startPlenumd({ config: 'auth.session-hours = 0.0005' }); });  // 1.8 s -> 2 s
  after(async () => { await server?.stop(); });

  it('a session unused for longer than auth.session-hours is over, and the request changes nothing', async () => {
    const admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    assert.equal((await admin.request('GET', '/api/session')).status, 200);
    await sleep(3000);
    for (const [method, path, body] of [['GET', '/api/session'], ['GET', '/api/rooms'], ['POST', '/api/rooms', { title: 'Late' }]]) {
      const r = await unchanged(server, () => admin.request(method, path, { body }));
      assert.equal(r.status, 401, `${method} ${path}`);
      assert.equal(r.json.code, 'not-logged-in');
    }
  });
});
