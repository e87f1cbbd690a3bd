// SPDX-License-Identifier: EUPL-1.2
// Who moderates a persistent room: its owner and the co-hosts the owner names (coHosts on
// /api/rooms); other staff and admins join like guests (invite link, password, lobby). A join by
// name does not tell whether a slug exists. An ad-hoc room opened under a slug before the
// persistent room was created never shares a meeting with it (room squatting).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, joinOnce, loggedIn, unchanged } from './lib/api.mjs';

const roleOf = (joined) => joined.participants.find((p) => p.id === joined.participantId)?.role;

describe('co-hosts', () => {
  let server;
  const as = {};
  let room;   // anna's, with password and lobby
  before(async () => {
    server = await startPlenumd({ config: 'auth.attempts-per-room = 50\nauth.attempts-per-address = 50' });
    as.admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    for (const name of ['anna', 'bert', 'carla']) {
      const made = await as.admin.request('POST', '/api/accounts', { body: { username: name, password: `${name}-password` } });
      assert.equal(made.status, 201, made.text);
      as[name] = await loggedIn(server, name, `${name}-password`);
    }
    const made = await as.anna.request('POST', '/api/rooms', { body: { title: 'Gemeinderat', slug: 'gemeinderat', password: 'room-pw', lobby: true } });
    assert.equal(made.status, 201, made.text);
    room = made.json;
  });
  after(async () => { await server?.stop(); });

  it('a new room has none; the owner names them by username (any case)', async () => {
    assert.deepEqual(room.coHosts, []);
    const r = await as.anna.request('PATCH', `/api/rooms/${room.id}`, { body: { coHosts: ['BERT', 'bert', 'anna'] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.coHosts, ['bert'], 'duplicates and the owner dropped');
    assert.deepEqual((await as.anna.request('GET', `/api/rooms/${room.id}`)).json.coHosts, ['bert']);
    assert.deepEqual((await as.anna.request('GET', '/api/rooms')).json.find((x) => x.id === room.id).coHosts, ['bert']);
    // A PATCH without coHosts leaves them.
    assert.deepEqual((await as.anna.request('PATCH', `/api/rooms/${room.id}`, { body: { lobby: true } })).json.coHosts, ['bert']);
  });

  it('refuses unknown accounts and malformed lists, changing nothing', async () => {
    for (const coHosts of [['nobody'], ['bert', 'nobody'], 'bert', [1], [null], {}, Array(51).fill('bert'), ['x'.repeat(257)]]) {
      const r = await unchanged(server, () => as.anna.request('PATCH', `/api/rooms/${room.id}`, { body: { coHosts, lobby: false } }));
      assert.equal(r.status, 400, `${JSON.stringify(coHosts)}: ${r.text}`);
      assert.equal(r.json.code, 'bad-field');
      assert.match(r.json.message, /coHosts/);
    }
    assert.equal((await unchanged(server, () => as.anna.request('POST', '/api/rooms', { body: { title: 'X', coHosts: ['nobody'] } }))).status, 400);
  });

  it('other staff cannot name them; admins can, as they manage every room', async () => {
    const r = await unchanged(server, () => as.carla.request('PATCH', `/api/rooms/${room.id}`, { body: { coHosts: ['carla'] } }));
    assert.equal(r.status, 403);
    const byAdmin = await as.admin.request('PATCH', `/api/rooms/${room.id}`, { body: { coHosts: ['bert'] } });
    assert.equal(byAdmin.status, 200, byAdmin.text);
    assert.deepEqual(byAdmin.json.coHosts, ['bert']);
    // A co-host does not manage the room through the API.
    assert.equal((await unchanged(server, () => as.bert.request('GET', `/api/rooms/${room.id}`))).status, 403);
  });

  it('POST takes coHosts too', async () => {
    const made = await as.bert.request('POST', '/api/rooms', { body: { title: 'Bert room', coHosts: ['anna'] } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json.coHosts, ['anna']);
  });

  it('the owner and the co-host moderate: by slug or invite, without password or lobby', async () => {
    for (const who of ['anna', 'bert']) {
      for (const fields of [{ room: 'gemeinderat' }, { invite: room.inviteToken }]) {
        const m = await joinOnce(as[who], fields);
        assert.equal(m.type, 'joined', `${who} ${JSON.stringify(fields)}: ${JSON.stringify(m)}`);
        assert.equal(roleOf(m), 'moderator');
      }
    }
  });

  it('other staff and admins join like guests: invite, password, lobby', async () => {
    for (const who of ['carla', 'admin']) {
      assert.equal((await unchanged(server, () => joinOnce(as[who], { room: 'gemeinderat' }))).code, 'invite-required', who);
      assert.equal((await joinOnce(as[who], { invite: room.inviteToken })).code, 'password-required', who);
      assert.equal((await joinOnce(as[who], { invite: room.inviteToken, password: 'wrong' })).code, 'wrong-password', who);
      assert.equal((await joinOnce(as[who], { invite: room.inviteToken, password: 'room-pw' })).type, 'lobby', who);
    }
  });

  it('in a meeting, a staff guest can take no moderator action', async () => {
    const owner = await as.anna.socket();
    const carla = await as.carla.socket();
    try {
      assert.equal((await owner.join({ room: 'gemeinderat' })).type, 'joined');
      assert.equal((await carla.join({ invite: room.inviteToken, password: 'room-pw' })).type, 'lobby');
      // Admitted by the owner, carla is a guest: `end` is refused.
      const waiting = await waitFor(owner, (m) => m.type === 'lobby-updated' && m.waiting.length === 1);
      owner.ws.send(JSON.stringify({ type: 'admit', participantId: waiting.waiting[0].participantId }));
      const joined = await waitFor(carla, (m) => m.type === 'joined');
      assert.equal(roleOf(joined), 'guest');
      carla.ws.send(JSON.stringify({ type: 'end' }));
      const refused = await waitFor(carla, (m) => m.type === 'error');
      assert.equal(refused.code, 'forbidden');
      assert.ok(!owner.closed);
    } finally {
      owner.close();
      carla.close();
    }
  });

  it('a co-host no longer named is a guest again; a deleted account is no co-host', async () => {
    assert.equal((await as.anna.request('PATCH', `/api/rooms/${room.id}`, { body: { coHosts: [] } })).json.coHosts.length, 0);
    assert.equal((await joinOnce(as.bert, { room: 'gemeinderat' })).code, 'invite-required');
    await as.anna.request('PATCH', `/api/rooms/${room.id}`, { body: { coHosts: ['carla'] } });
    const carlaId = (await as.carla.request('GET', '/api/session')).json.account.id;
    assert.equal((await as.admin.request('DELETE', `/api/accounts/${carlaId}`)).status, 204);
    assert.deepEqual((await as.anna.request('GET', `/api/rooms/${room.id}`)).json.coHosts, []);
  });

  it('a slug that exists and one that does not get the same answer', async () => {
    const guest = new Browser(server);
    const known = await joinOnce(guest, { room: 'gemeinderat' });
    const unknown = await joinOnce(guest, { room: 'gemeinderat-2' });
    assert.equal(known.code, 'invite-required');
    assert.deepEqual({ ...unknown }, { ...known });
    // Logged-in staff who are neither owner nor co-host learn no more.
    assert.deepEqual(await joinOnce(as.bert, { room: 'gemeinderat-2' }), await joinOnce(as.bert, { room: 'gemeinderat' }));
  });
});

describe('room squatting (ad-hoc rooms on)', () => {
  let server;
  before(async () => { server = await startPlenumd({ config: 'rooms.ad-hoc = true' }); });
  after(async () => { await server?.stop(); });

  it('an ad-hoc room opened first never shares its meeting with the persistent room of that slug', async () => {
    const squatter = await new Browser(server).socket();
    const owner = await loggedIn(server, ADMIN.username, ADMIN.password);
    const sockets = [squatter];
    try {
      const first = await squatter.join({ room: 'gemeinderat', name: 'Squatter' });
      assert.equal(first.type, 'joined');
      assert.equal(roleOf(first), 'moderator', 'the first in an ad-hoc room moderates it');

      const made = await owner.request('POST', '/api/rooms', { body: { title: 'Gemeinderat', slug: 'gemeinderat' } });
      assert.equal(made.status, 201, 'the slug can still be taken');

      const ownerSocket = await owner.socket();
      sockets.push(ownerSocket);
      const ownerJoined = await ownerSocket.join({ room: 'gemeinderat', name: 'Owner' });
      assert.equal(ownerJoined.type, 'joined', JSON.stringify(ownerJoined));
      assert.deepEqual(ownerJoined.participants.map((p) => p.name), ['Owner']);
      assert.equal(roleOf(ownerJoined), 'moderator');

      const guestSocket = await new Browser(server).socket();
      sockets.push(guestSocket);
      const guestJoined = await guestSocket.join({ invite: made.json.inviteToken, name: 'Gast' });
      assert.equal(guestJoined.type, 'joined', JSON.stringify(guestJoined));
      assert.deepEqual(guestJoined.participants.map((p) => [p.name, p.role]), [['Owner', 'moderator'], ['Gast', 'guest']]);

      // New joins by name go to the persistent room's rules, not to the squatter's room.
      assert.equal((await joinOnce(new Browser(server), { room: 'gemeinderat' })).code, 'invite-required');
      // The squatter hears of nobody, and ending its own meeting ends only that.
      assert.ok(!squatter.messages.some((m) => m.type === 'participant-joined'), JSON.stringify(squatter.messages));
      squatter.ws.send(JSON.stringify({ type: 'end' }));
      await waitFor(squatter, (m) => m.type === 'error' && m.code === 'meeting-ended');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!guestSocket.messages.some((m) => m.type === 'error'), JSON.stringify(guestSocket.messages));
      assert.ok(!ownerSocket.closed && !guestSocket.closed);
    } finally {
      for (const s of sockets) s.close();
    }
  });
});

async function waitFor(socket, predicate, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const m = socket.messages.find(predicate);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`not received: ${JSON.stringify(socket.messages)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
