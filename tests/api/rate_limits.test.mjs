// SPDX-License-Identifier: EUPL-1.2
// Too many failed logins: 429 rate-limited with retryAfter (body) and Retry-After (header), per
// account (the addresses that guessed wrong wait; another address, the owner's, may still log in)
// and per client address (whichever account); nothing is written. Attempts are counted before
// the slow password check: 60 parallel wrong guesses get at most the limit checked.
// Room passwords are limited the same way (joins.test.mjs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, loggedIn, unchanged } from './lib/api.mjs';

describe('login rate limits', () => {
  let server;
  before(async () => {
    server = await startPlenumd({ config: 'auth.attempts-per-account = 3\nauth.attempts-per-address = 7\nauth.attempt-window-s = 120' });
    const admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    for (const name of ['anna', 'bert']) {
      assert.equal((await admin.request('POST', '/api/accounts', { body: { username: name, password: `${name}-password` } })).status, 201);
    }
  });
  after(async () => { await server?.stop(); });

  const expectLimited = (r) => {
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.code, 'rate-limited');
    assert.ok(Number.isInteger(r.json.retryAfter) && r.json.retryAfter > 0 && r.json.retryAfter <= 120, `retryAfter ${r.json.retryAfter}`);
    assert.equal(r.headers.get('retry-after'), String(r.json.retryAfter));
    assert.match(r.json.message, /try again in \d+ s/);
  };

  it('per account: after 3 wrong passwords even the right one waits, from the address that guessed', async () => {
    const b = new Browser(server);
    for (let i = 0; i < 3; ++i) {
      const r = await unchanged(server, () => b.login('anna', `wrong-${i}`));
      assert.equal(r.status, 401);
    }
    expectLimited(await unchanged(server, () => b.login('anna', 'anna-password')));
    expectLimited(await unchanged(server, () => b.login('ANNA', 'anna-password')));
    // Another account from the same address is not affected (3 failures < 7).
    assert.equal((await new Browser(server).login('bert', 'bert-password')).status, 200);
  });

  it('per address: guessing across accounts is limited too', async () => {
    // 3 failures so far from 127.0.0.1 (anna's); 4 more on made-up names reach the limit of 7.
    for (let i = 0; i < 4; ++i) {
      const r = await unchanged(server, () => new Browser(server).login(`ghost${i}`, 'x'));
      assert.equal(r.status, 401);
    }
    expectLimited(await unchanged(server, () => new Browser(server).login('bert', 'bert-password')));
  });
});

/** POST /api/session from a chosen local address (127.0.0.0/8 all reach the server on loopback). */
function loginFrom(server, localAddress, username, password) {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.baseUrl}/api/session`, {
      method: 'POST', localAddress, agent: false, timeout: 30000,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error('login: timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('parallel login guesses', () => {
  const PER_ACCOUNT = 5;
  let server;
  before(async () => {
    server = await startPlenumd({
      config: `auth.attempts-per-account = ${PER_ACCOUNT}\nauth.attempts-per-address = 8\nauth.attempt-window-s = 300`,
    });
    const admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    assert.equal((await admin.request('POST', '/api/accounts', { body: { username: 'carl', password: 'carl-password' } })).status, 201);
  });
  after(async () => { await server?.stop(); });

  it(`60 parallel wrong passwords for one account: at most ${PER_ACCOUNT} are checked, the rest get 429`, async () => {
    const answers = await unchanged(server, () => Promise.all(
      Array.from({ length: 60 }, (_, i) => loginFrom(server, '127.0.0.1', 'carl', `wrong-${i}`))));
    const statuses = answers.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401).length;
    const limited = answers.filter((r) => r.status === 429);
    assert.deepEqual(statuses.filter((s) => s !== 401 && s !== 429), [], 'only 401 (checked) and 429 (limited)');
    assert.ok(checked >= 1 && checked <= PER_ACCOUNT, `checked ${checked} of 60 (limit ${PER_ACCOUNT})`);
    assert.equal(checked + limited.length, 60);
    for (const r of limited) {
      assert.equal(r.json.code, 'rate-limited');
      assert.ok(r.json.retryAfter > 0 && r.json.retryAfter <= 300, r.text);
      assert.equal(r.headers['retry-after'], String(r.json.retryAfter));
    }
    // The guessing address waits, even with the right password.
    assert.equal((await loginFrom(server, '127.0.0.1', 'carl', 'carl-password')).status, 429);
  });

  it("the account's owner still logs in from another address; that does not free the guessing one", async () => {
    const owner = await loginFrom(server, '127.0.0.2', 'carl', 'carl-password');
    assert.equal(owner.status, 200, owner.text);
    assert.equal(owner.json.account.username, 'carl');
    assert.equal((await loginFrom(server, '127.0.0.1', 'carl', 'carl-password')).status, 429);
    // A new address that guesses wrong is then a guessing address too.
    assert.equal((await loginFrom(server, '127.0.0.3', 'carl', 'wrong')).status, 401);
    assert.equal((await loginFrom(server, '127.0.0.3', 'carl', 'carl-password')).status, 429);
  });
});
