// SPDX-License-Identifier: EUPL-1.2
// Every role tries every REST action and gets the status the role x action table
// (signaling/Permissions) and room ownership call for; every refused request leaves the
// database exactly as it was (a dump with the sqlite3 shell before and after).
// Roles: anonymous (no cookie), staff (owner of the room tried), other staff, admin, and a
// disabled staff member who still holds the cookie of a session from before. The endpoints
// include renewing a room's link and PIN (like editing the room) and deleting an account
// (admins only; what it does is in admin_tools.test.mjs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, loggedIn, unchanged } from './lib/api.mjs';

describe('permissions of the REST API', () => {
  let server;
  const as = {};        // role -> Browser
  const rooms = {};     // name -> room JSON
  let annaId;
  let erinId;           // an account without rooms, deleted by the admin in the matrix
  let counter = 0;
  const unique = (prefix) => `${prefix}${++counter}`;

  before(async () => {
    server = await startPlenumd();
    as.admin = await loggedIn(server, ADMIN.username, ADMIN.password, 'admin');
    for (const name of ['anna', 'bert', 'dora', 'erin']) {
      const r = await as.admin.request('POST', '/api/accounts',
        { body: { username: name, displayName: name.toUpperCase(), password: `${name}-password`, role: 'staff' } });
      assert.equal(r.status, 201, r.text);
      if (name === 'anna') annaId = r.json.id;
      if (name === 'erin') erinId = r.json.id;
      as[name] = await loggedIn(server, name, `${name}-password`);
    }
    as.anonymous = new Browser(server, 'anonymous');
    // dora's session cookie stays in her browser; the account is disabled under it.
    const dora = (await as.admin.request('GET', '/api/accounts')).json.find((a) => a.username === 'dora');
    assert.equal((await as.admin.request('PATCH', `/api/accounts/${dora.id}`, { body: { disabled: true } })).status, 200);
    const made = await as.anna.request('POST', '/api/rooms', { body: { title: 'Anna room', password: 'room-pw', lobby: true } });
    assert.equal(made.status, 201, made.text);
    rooms.anna = made.json;
    rooms.admin = (await as.admin.request('POST', '/api/rooms', { body: { title: 'Admin room' } })).json;
  });
  after(async () => { await server?.stop(); });

  // role -> expected status, for the staff member "anna" (owner), "bert" (other staff), the
  // admin, anonymous and "dora" (disabled, old cookie).
  const roomId = () => rooms.anna.id;
  const cases = [
    { what: 'GET /api/session', req: () => ['GET', '/api/session'],
      expect: { anonymous: 401, anna: 200, bert: 200, admin: 200, dora: 401 } },
    { what: 'GET /api/accounts', req: () => ['GET', '/api/accounts'],
      expect: { anonymous: 401, anna: 403, bert: 403, admin: 200, dora: 401 } },
    { what: 'POST /api/accounts', req: () => ['POST', '/api/accounts', { username: unique('new'), password: 'new-password-1', role: 'staff' }],
      expect: { anonymous: 401, anna: 403, bert: 403, admin: 201, dora: 401 } },
    { what: 'POST /api/accounts (an admin)', req: () => ['POST', '/api/accounts', { username: unique('boss'), password: 'new-password-1', role: 'admin' }],
      expect: { anonymous: 401, anna: 403, bert: 403, admin: 201, dora: 401 } },
    { what: 'PATCH /api/accounts/{anna}', req: () => ['PATCH', `/api/accounts/${annaId}`, { displayName: 'Anna A.' }],
      expect: { anonymous: 401, anna: 403, bert: 403, admin: 200, dora: 401 } },
    { what: 'PATCH /api/accounts/{anna} (enable)', req: () => ['PATCH', `/api/accounts/${annaId}`, { disabled: false }],
      expect: { anonymous: 401, anna: 403, bert: 403, admin: 200, dora: 401 } },
    // Roles in order: the admin's success (204) comes last, after every refusal left erin there.
    { what: 'DELETE /api/accounts/{erin}', req: () => ['DELETE', `/api/accounts/${erinId}`],
      expect: { anonymous: 401, anna: 403, bert: 403, dora: 401, admin: 204 } },
    { what: 'DELETE /api/accounts/{anna} (refused)', req: () => ['DELETE', `/api/accounts/${annaId}?transferTo=${annaId}`],
      expect: { anonymous: 401, anna: 403, bert: 403, dora: 401 } },
    { what: 'DELETE /api/accounts/{missing}', req: () => ['DELETE', '/api/accounts/999999'],
      expect: { anonymous: 401, anna: 403, bert: 403, admin: 404, dora: 401 } },
    { what: 'GET /api/rooms', req: () => ['GET', '/api/rooms'],
      expect: { anonymous: 401, anna: 200, bert: 200, admin: 200, dora: 401 } },
    { what: 'POST /api/rooms', req: () => ['POST', '/api/rooms', { title: unique('Room ') }],
      expect: { anonymous: 401, anna: 201, bert: 201, admin: 201, dora: 401 } },
    { what: 'GET /api/rooms/{anna room}', req: () => ['GET', `/api/rooms/${roomId()}`],
      expect: { anonymous: 401, anna: 200, bert: 403, admin: 200, dora: 401 } },
    { what: 'PATCH /api/rooms/{anna room}', req: () => ['PATCH', `/api/rooms/${roomId()}`, { lobby: true }],
      expect: { anonymous: 401, anna: 200, bert: 403, admin: 200, dora: 401 } },
    { what: 'GET /api/rooms/{anna room}/invitation.ics', req: () => ['GET', `/api/rooms/${roomId()}/invitation.ics?lang=de`],
      expect: { anonymous: 401, anna: 200, bert: 403, admin: 200, dora: 401 } },
    { what: 'POST /api/rooms/{anna room}/invite', req: () => ['POST', `/api/rooms/${roomId()}/invite`],
      expect: { anonymous: 401, anna: 200, bert: 403, admin: 200, dora: 401 } },
    { what: 'POST /api/rooms/{anna room}/pin', req: () => ['POST', `/api/rooms/${roomId()}/pin`, {}],
      expect: { anonymous: 401, anna: 200, bert: 403, admin: 200, dora: 401 } },
    { what: 'POST /api/rooms/{missing}/invite', req: () => ['POST', '/api/rooms/999999/invite'],
      expect: { anonymous: 401, anna: 404, bert: 404, admin: 404, dora: 401 } },
    { what: 'GET /api/rooms/{missing}', req: () => ['GET', '/api/rooms/999999'],
      expect: { anonymous: 401, anna: 404, bert: 404, admin: 404, dora: 401 } },
    { what: 'DELETE /api/rooms/{anna room} (refused)', req: () => ['DELETE', `/api/rooms/${roomId()}`],
      expect: { anonymous: 401, bert: 403, dora: 401 } },
    // Recordings: files and rows are seeded in recordings.test.mjs, which also tries co-hosts.
    { what: 'GET /api/rooms/{anna room}/recordings', req: () => ['GET', `/api/rooms/${roomId()}/recordings`],
      expect: { anonymous: 401, anna: 200, bert: 403, admin: 200, dora: 401 } },
    { what: 'GET /api/recordings/{missing}/file', req: () => ['GET', '/api/recordings/0123456789abcdef/file'],
      expect: { anonymous: 401, anna: 404, bert: 404, admin: 404, dora: 401 } },
    { what: 'DELETE /api/recordings/{missing}', req: () => ['DELETE', '/api/recordings/0123456789abcdef'],
      expect: { anonymous: 401, anna: 404, bert: 404, admin: 404, dora: 401 } },
    { what: 'GET /api/openapi.json', req: () => ['GET', '/api/openapi.json'],
      expect: { anonymous: 200, anna: 200, bert: 200, admin: 200, dora: 200 } },
    { what: 'DELETE /api/session (refused)', req: () => ['DELETE', '/api/session'],
      expect: { anonymous: 401, dora: 401 } },
  ];

  for (const c of cases) {
    it(c.what, async () => {
      for (const [role, status] of Object.entries(c.expect)) {
        const [method, path, body] = c.req();
        const send = () => as[role].request(method, path, { body });
        const r = status >= 400 ? await unchanged(server, send) : await send();
        assert.equal(r.status, status, `${role}: ${method} ${path} -> ${r.status} ${r.text}`);
        if (status >= 400) {
          assert.equal(typeof r.json?.code, 'string', `${role}: JSON error body`);
          assert.equal(typeof r.json?.message, 'string');
          assert.equal(r.json.code, { 401: 'not-logged-in', 403: 'forbidden', 404: 'not-found' }[status]);
        }
      }
    });
  }

  it('staff see only their own rooms; admins see every room', async () => {
    const owners = async (role) => new Set((await as[role].request('GET', '/api/rooms')).json.map((r) => r.ownerId));
    const annaAccount = (await as.anna.request('GET', '/api/session')).json.account;
    assert.deepEqual(await owners('anna'), new Set([annaAccount.id]));
    const all = await owners('admin');
    assert.ok(all.has(annaAccount.id) && all.size >= 3, 'admin sees rooms of anna, bert and admin');
  });

  it('the owner and an admin may delete a room', async () => {
    for (const role of ['anna', 'admin']) {
      const room = (await as[role].request('POST', '/api/rooms', { body: { title: unique('Doomed ') } })).json;
      assert.equal((await as[role].request('DELETE', `/api/rooms/${room.id}`)).status, 204);
      assert.equal((await as[role].request('GET', `/api/rooms/${room.id}`)).status, 404);
    }
    // An admin deletes a room that staff owns.
    const annas = (await as.anna.request('POST', '/api/rooms', { body: { title: unique('Doomed ') } })).json;
    assert.equal((await as.admin.request('DELETE', `/api/rooms/${annas.id}`)).status, 204);
  });

  it('a disabled account cannot log in; enabled again, it can', async () => {
    const dora = new Browser(server, 'dora-again');
    const r = await unchanged(server, () => dora.login('dora', 'dora-password'));
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'forbidden');
    // The wrong password does not reveal that the account is disabled.
    assert.equal((await dora.login('dora', 'wrong-password')).status, 401);
    const id = (await as.admin.request('GET', '/api/accounts')).json.find((a) => a.username === 'dora').id;
    assert.equal((await as.admin.request('PATCH', `/api/accounts/${id}`, { body: { disabled: false } })).status, 200);
    assert.equal((await dora.login('dora', 'dora-password')).status, 200);
    // The session from before the account was disabled stays dead.
    assert.equal((await as.dora.request('GET', '/api/session')).status, 401);
  });

  it('an admin cannot disable their own account', async () => {
    const me = (await as.admin.request('GET', '/api/session')).json.account;
    const r = await unchanged(server, () => as.admin.request('PATCH', `/api/accounts/${me.id}`, { body: { disabled: true } }));
    assert.equal(r.status, 409);
    assert.equal(r.json.code, 'conflict');
  });

  it('logging out ends the session', async () => {
    const bert = await loggedIn(server, 'bert', 'bert-password', 'bert-2');
    assert.equal((await bert.request('DELETE', '/api/session')).status, 204);
    assert.equal((await bert.request('GET', '/api/session')).status, 401);
    assert.equal(bert.cookies.has('plenum_session'), false, 'the cookie is cleared');
  });
});
