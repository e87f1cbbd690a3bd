// SPDX-License-Identifier: EUPL-1.2
// How a WebSocket join is decided (JoinResolver), end to end: invite links, slugs, the room
// password with its rate limit, the session cookie that makes a room's owner moderator, ad-hoc rooms
// switched off once accounts exist (and on by rooms.ad-hoc); and the pages and cookies around
// it (/j/<token>, /r/<slug> set plenum_guest; /login, /rooms, /admin are served).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, joinOnce, loggedIn, unchanged } from './lib/api.mjs';
import { REPO_DIR } from '../e2e/lib/util.mjs';


describe('joins with accounts', () => {
  let server;
  let anna;
  let open;       // a room without password or lobby
  let guarded;    // with password and lobby
  before(async () => {
    server = await startPlenumd({ config: 'auth.attempts-per-room = 3\nauth.attempts-per-address = 50' });
    const admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    assert.equal((await admin.request('POST', '/api/accounts', { body: { username: 'anna', password: 'anna-password' } })).status, 201);
    anna = await loggedIn(server, 'anna', 'anna-password');
    open = (await anna.request('POST', '/api/rooms', { body: { title: 'Open', slug: 'open-room' } })).json;
    guarded = (await anna.request('POST', '/api/rooms', { body: { title: 'Guarded', slug: 'guarded', password: 'room-pw', lobby: true } })).json;
  });
  after(async () => { await server?.stop(); });

  it('a guest with the invite link enters the room', async () => {
    const m = await joinOnce(new Browser(server), { invite: open.inviteToken });
    assert.equal(m.type, 'joined', JSON.stringify(m));
    assert.equal(m.room, 'open-room');
  });

  it('guests cannot enter a persistent room by its slug, nor an ad-hoc room', async () => {
    const guest = new Browser(server);
    const bySlug = await unchanged(server, () => joinOnce(guest, { room: 'open-room' }));
    assert.equal(bySlug.code, 'invite-required');
    const adHoc = await unchanged(server, () => joinOnce(guest, { room: 'some-ad-hoc-room' }));
    // The same answer as for a room that exists: a join does not tell which slugs exist.
    assert.equal(adHoc.code, 'invite-required');
    assert.equal(adHoc.message, bySlug.message);
    const badInvite = await unchanged(server, () => joinOnce(guest, { invite: 'x'.repeat(22) }));
    assert.equal(badInvite.code, 'no-such-room');
  });

  it('the owner (session cookie) enters by slug as moderator, without the room password', async () => {
    const m = await joinOnce(anna, { room: 'guarded' });
    assert.equal(m.type, 'joined', JSON.stringify(m));
  });

  it('the room password: missing, wrong, right (then the lobby)', async () => {
    const guest = new Browser(server);
    assert.equal((await unchanged(server, () => joinOnce(guest, { invite: guarded.inviteToken }))).code, 'password-required');
    assert.equal((await unchanged(server, () => joinOnce(guest, { invite: guarded.inviteToken, password: 'nope' }))).code, 'wrong-password');
    const right = await joinOnce(guest, { invite: guarded.inviteToken, password: 'room-pw' });
    assert.equal(right.type, 'lobby', JSON.stringify(right));
  });

  it('too many wrong room passwords: rate-limited with retryAfter', async () => {
    const guest = new Browser(server);
    // (The right password above forgot this address's wrong one.) Three reach the room's limit.
    for (let i = 0; i < 3; ++i) {
      assert.equal((await joinOnce(guest, { invite: guarded.inviteToken, password: `nope${i}` })).code, 'wrong-password');
    }
    const limited = await unchanged(server, () => joinOnce(guest, { invite: guarded.inviteToken, password: 'room-pw' }));
    assert.equal(limited.code, 'rate-limited');
    assert.ok(limited.retryAfter > 0, JSON.stringify(limited));
    // Moderators are not asked for the password, so not limited either.
    assert.equal((await joinOnce(anna, { room: 'guarded' })).type, 'joined');
  });

  it('the room pages give the browser a guest cookie once; the portal pages are served', async () => {
    for (const path of [open.inviteUrl, '/r/open-room']) {
      const b = new Browser(server);
      const first = await b.request('GET', path);
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type'), /text\/html/);
      const cookie = first.headers.getSetCookie().find((c) => c.startsWith('plenum_guest='));
      assert.ok(cookie, `${path} sets plenum_guest`);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      const again = await b.request('GET', path);
      assert.equal(again.headers.getSetCookie().length, 0, 'kept, not replaced');
    }
    assert.equal((await new Browser(server).request('GET', '/j/not%20a%20token')).status, 404);
    for (const page of ['login', 'rooms', 'admin']) {
      const r = await new Browser(server).request('GET', `/${page}`);
      // Served from webclient/<page>.html: 404 only while the page is not written yet.
      const exists = fs.existsSync(path.join(REPO_DIR, 'webclient', `${page}.html`));
      assert.equal(r.status, exists ? 200 : 404, `/${page}`);
      if (exists) assert.match(r.headers.get('content-type'), /text\/html/);
    }
  });
});

describe('ad-hoc rooms', () => {
  it('are on while no account exists', async () => {
    const server = await startPlenumd({ admin: false });
    try {
      const m = await joinOnce(new Browser(server), { room: 'anything-goes' });
      assert.equal(m.type, 'joined', JSON.stringify(m));
    } finally { await server.stop(); }
  });

  it('are on with rooms.ad-hoc = true even when accounts exist', async () => {
    const server = await startPlenumd({ config: 'rooms.ad-hoc = true' });
    try {
      const m = await joinOnce(new Browser(server), { room: 'anything-goes' });
      assert.equal(m.type, 'joined', JSON.stringify(m));
    } finally { await server.stop(); }
  });

  it('are off with rooms.ad-hoc = false even before any account exists', async () => {
    const server = await startPlenumd({ admin: false, config: 'rooms.ad-hoc = false' });
    try {
      assert.equal((await joinOnce(new Browser(server), { room: 'anything-goes' })).code, 'invite-required');
    } finally { await server.stop(); }
  });
});
