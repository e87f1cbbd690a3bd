// SPDX-License-Identifier: EUPL-1.2
// What city IT asked for after the first pilot: a room's invitation link and phone PIN renewed
// when they leaked (the old ones stop working at once), and accounts deleted (DSGVO) with their
// password hash and sessions, their rooms handed to another account. Who may do this is in
// permissions.test.mjs; here: what the requests do, and what they refuse (database unchanged).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, joinOnce, loggedIn, unchanged } from './lib/api.mjs';


/** One number from the database (the sqlite3 shell), e.g. how many sessions an account has. */
function countRows(server, sql) {
  const r = spawnSync('sqlite3', [server.dbFile, sql], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

describe('a new invitation link and phone PIN', () => {
  let server;
  let admin;
  let anna;
  let room;
  before(async () => {
    server = await startPlenumd();
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    assert.equal((await admin.request('POST', '/api/accounts', { body: { username: 'anna', password: 'anna-password' } })).status, 201);
    anna = await loggedIn(server, 'anna', 'anna-password');
    room = (await anna.request('POST', '/api/rooms', { body: { title: 'Leaky', slug: 'leaky' } })).json;
  });
  after(async () => { await server?.stop(); });

  it('a new link: the old token is refused like an unknown one, the new one lets a guest in', async () => {
    const before = room;
    assert.equal((await joinOnce(new Browser(server), { invite: before.inviteToken })).type, 'joined');
    const r = await anna.request('POST', `/api/rooms/${room.id}/invite`);
    assert.equal(r.status, 200, r.text);
    room = r.json;
    assert.notEqual(room.inviteToken, before.inviteToken);
    assert.ok(room.inviteToken.length >= 22, '128-bit invite token');
    assert.equal(room.inviteUrl, `/j/${room.inviteToken}`);
    assert.equal(room.pin, before.pin, 'the PIN stays');
    assert.deepEqual(r.json, (await anna.request('GET', `/api/rooms/${room.id}`)).json, 'the same shape as GET');

    const old = await unchanged(server, () => joinOnce(new Browser(server), { invite: before.inviteToken }));
    const unknown = await joinOnce(new Browser(server), { invite: 'x'.repeat(22) });
    assert.equal(old.type, 'error');
    assert.deepEqual({ code: old.code, message: old.message }, { code: unknown.code, message: unknown.message });
    const fresh = await joinOnce(new Browser(server), { invite: room.inviteToken });
    assert.equal(fresh.type, 'joined', JSON.stringify(fresh));
    assert.equal(fresh.room, 'leaky');
    // The invitation file carries the new link.
    const ics = await anna.request('GET', `/api/rooms/${room.id}/invitation.ics?lang=de`);
    assert.ok(ics.text.replace(/\r\n /g, '').includes(`/j/${room.inviteToken}`));
    assert.ok(!ics.text.replace(/\r\n /g, '').includes(before.inviteToken));
  });

  it('a new PIN: different, unique among the rooms, the link stays', async () => {
    const others = [];
    for (let i = 0; i < 5; ++i) others.push((await admin.request('POST', '/api/rooms', { body: { title: `Other ${i}` } })).json);
    const seen = new Set([room.pin]);
    for (let i = 0; i < 10; ++i) {
      const r = await anna.request('POST', `/api/rooms/${room.id}/pin`, { body: {} });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.pin, /^[1-9]\d{7}$/, 'rooms.pin-length digits, no leading 0');
      assert.ok(!seen.has(r.json.pin), 'a PIN never comes back at once');
      seen.add(r.json.pin);
      assert.equal(r.json.inviteToken, room.inviteToken, 'the link stays');
      room = r.json;
    }
    const pins = (await admin.request('GET', '/api/rooms')).json.map((r) => r.pin);
    assert.equal(new Set(pins).size, pins.length, 'no two rooms share a PIN');
    assert.deepEqual((await anna.request('GET', `/api/rooms/${room.id}`)).json, room);
  });

  it('an admin renews the link and PIN of a staff member\'s room', async () => {
    const link = await admin.request('POST', `/api/rooms/${room.id}/invite`);
    assert.equal(link.status, 200);
    assert.notEqual(link.json.inviteToken, room.inviteToken);
    const pin = await admin.request('POST', `/api/rooms/${room.id}/pin`);
    assert.equal(pin.status, 200);
    assert.notEqual(pin.json.pin, room.pin);
    assert.equal(pin.json.inviteToken, link.json.inviteToken);
    assert.equal(pin.json.ownerId, room.ownerId);
    room = pin.json;
  });

  it('refused: a body with fields, a body that is not JSON, a room that does not exist', async () => {
    for (const what of ['invite', 'pin']) {
      const withField = await unchanged(server, () => anna.request('POST', `/api/rooms/${room.id}/${what}`, { body: { pin: '12345678' } }));
      assert.equal(withField.status, 400, withField.text);
      assert.equal(withField.json.code, 'bad-field');
      assert.match(withField.json.message, /pin/);
      const notJson = await unchanged(server, () => anna.request('POST', `/api/rooms/${room.id}/${what}`,
        { rawBody: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));
      assert.equal(notJson.status, 400);
      assert.equal(notJson.json.code, 'bad-request');
      const missing = await unchanged(server, () => anna.request('POST', `/api/rooms/999999/${what}`));
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, 'not-found');
      const wrongMethod = await unchanged(server, () => anna.request('PUT', `/api/rooms/${room.id}/${what}`, { body: {} }));
      assert.equal(wrongMethod.status, 405);
    }
  });
});

describe('deleting an account', () => {
  let server;
  let admin;
  let adminId;
  const ids = {};
  const as = {};
  const accountsOf = async () => (await admin.request('GET', '/api/accounts')).json;

  before(async () => {
    server = await startPlenumd();
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    adminId = (await admin.request('GET', '/api/session')).json.account.id;
    for (const name of ['anna', 'bert', 'carl', 'dora']) {
      const r = await admin.request('POST', '/api/accounts', { body: { username: name, password: `${name}-password` } });
      assert.equal(r.status, 201, r.text);
      ids[name] = r.json.id;
      as[name] = await loggedIn(server, name, `${name}-password`);
    }
    // dora is disabled: she cannot take over rooms.
    assert.equal((await admin.request('PATCH', `/api/accounts/${ids.dora}`, { body: { disabled: true } })).status, 200);
  });
  after(async () => { await server?.stop(); });

  it('the last enabled admin cannot delete their account (409 last-admin)', async () => {
    const r = await unchanged(server, () => admin.request('DELETE', `/api/accounts/${adminId}`));
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.code, 'last-admin');
    assert.match(r.json.message, /last/);
  });

  it('an admin cannot delete their own account, even when other admins remain (409)', async () => {
    const second = await admin.request('POST', '/api/accounts', { body: { username: 'boss2', password: 'boss2-password', role: 'admin' } });
    assert.equal(second.status, 201);
    const r = await unchanged(server, () => admin.request('DELETE', `/api/accounts/${adminId}`));
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.code, 'conflict');
    assert.match(r.json.message, /own account/);
    // Another admin may go while one remains.
    assert.equal((await admin.request('DELETE', `/api/accounts/${second.json.id}`)).status, 204);
  });

  it('an account that owns rooms needs transferTo: 409 owns-rooms with the number of rooms', async () => {
    for (const title of ['Anna 1', 'Anna 2']) assert.equal((await as.anna.request('POST', '/api/rooms', { body: { title } })).status, 201);
    const r = await unchanged(server, () => admin.request('DELETE', `/api/accounts/${ids.anna}`));
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.code, 'owns-rooms');
    assert.equal(r.json.rooms, 2);
    assert.match(r.json.message, /transferTo/);
    // As documented: the code and every field of the body are in the Error schema.
    const schema = (await admin.request('GET', '/api/openapi.json')).json.components.schemas.Error;
    assert.ok(schema.properties.code.enum.includes('owns-rooms') && schema.properties.code.enum.includes('last-admin'));
    for (const key of Object.keys(r.json)) assert.ok(key in schema.properties, `${key} documented`);
  });

  it('transferTo must name another enabled account (400 bad-field)', async () => {
    for (const transferTo of ['abc', '0', '-1', '1.5', '', '999999', String(ids.anna), String(ids.dora)]) {
      const r = await unchanged(server, () => admin.request('DELETE', `/api/accounts/${ids.anna}?transferTo=${encodeURIComponent(transferTo)}`));
      assert.equal(r.status, 400, `transferTo=${transferTo}: ${r.text}`);
      assert.equal(r.json.code, 'bad-field');
      assert.match(r.json.message, /transferTo/);
    }
  });

  it('with transferTo: the rooms pass on, the account, its password and its sessions are gone at once', async () => {
    const rooms = (await as.anna.request('GET', '/api/rooms')).json;
    assert.equal(rooms.length, 2);
    assert.equal(countRows(server, `SELECT count(*) FROM sessions WHERE account_id = ${ids.anna}`), 1);
    assert.equal((await joinOnce(as.anna, { room: rooms[0].slug })).type, 'joined', 'staff enter by slug');
    const r = await admin.request('DELETE', `/api/accounts/${ids.anna}?transferTo=${ids.bert}`);
    assert.equal(r.status, 204, r.text);

    // Her open browser session ends at once, for reading and for writing.
    const read = await unchanged(server, () => as.anna.request('GET', '/api/rooms'));
    assert.equal(read.status, 401);
    assert.equal(read.json.code, 'not-logged-in');
    assert.equal((await unchanged(server, () => as.anna.request('POST', '/api/rooms', { body: { title: 'Late' } }))).status, 401);
    assert.equal((await new Browser(server).login('anna', 'anna-password')).status, 401);
    // Her cookie no longer makes her staff in a join either: a guest cannot enter by slug.
    assert.equal((await joinOnce(as.anna, { room: rooms[0].slug })).code, 'invite-required');
    assert.equal(countRows(server, `SELECT count(*) FROM sessions WHERE account_id = ${ids.anna}`), 0);
    assert.equal(countRows(server, `SELECT count(*) FROM accounts WHERE id = ${ids.anna}`), 0);
    assert.ok(!(await accountsOf()).some((a) => a.id === ids.anna));

    // Bert owns her rooms now; their links still work.
    const bertRooms = (await as.bert.request('GET', '/api/rooms')).json;
    for (const room of rooms) {
      const now = bertRooms.find((x) => x.id === room.id);
      assert.ok(now, `bert owns ${room.title}`);
      assert.equal(now.inviteToken, room.inviteToken);
      assert.equal((await joinOnce(new Browser(server), { invite: room.inviteToken })).type, 'joined');
    }
    // Deleting again: 404; the username is free again.
    assert.equal((await unchanged(server, () => admin.request('DELETE', `/api/accounts/${ids.anna}?transferTo=${ids.bert}`))).status, 404);
    assert.equal((await admin.request('POST', '/api/accounts', { body: { username: 'anna', password: 'anna-password-2' } })).status, 201);
  });

  it('an account without rooms goes without transferTo; a disabled account may be deleted too', async () => {
    assert.equal((await admin.request('DELETE', `/api/accounts/${ids.carl}`)).status, 204);
    assert.equal((await as.carl.request('GET', '/api/session')).status, 401);
    assert.equal((await admin.request('DELETE', `/api/accounts/${ids.dora}?transferTo=${ids.bert}`)).status, 204);
    const left = (await accountsOf()).map((a) => a.username).sort();
    assert.deepEqual(left, ['admin', 'anna', 'bert']);
  });

  it('refused: a missing account, a body-less wrong method', async () => {
    const missing = await unchanged(server, () => admin.request('DELETE', '/api/accounts/999999'));
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'not-found');
    assert.equal((await unchanged(server, () => admin.request('PUT', `/api/accounts/${ids.bert}`, { body: {} }))).status, 405);
  });
});
