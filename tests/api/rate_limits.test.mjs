// Too many failed logins: 429 rate-limited with retryAfter (body) and Retry-After (header), per
// account (whichever address) and per client address (whichever account); nothing is written.
// Room passwords are limited the same way (joins.test.mjs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

  it('per account: after 3 wrong passwords even the right one waits', async () => {
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
