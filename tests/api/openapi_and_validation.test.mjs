// SPDX-License-Identifier: EUPL-1.2
// The OpenAPI document is true to the server: every documented method and path is answered
// (not "no such API resource" nor 405), every route the server answers is documented, and
// the shapes it returns have the documented required fields. Then the bodies the API refuses
// (400 bad-request / bad-field, 409 conflict), each leaving the database unchanged.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { freePort } from '../e2e/lib/util.mjs';
import { loggedIn, unchanged } from './lib/api.mjs';

describe('OpenAPI document and request validation', () => {
  let server;
  let admin;
  let doc;
  let room;
  before(async () => {
    server = await startPlenumd();
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    room = (await admin.request('POST', '/api/rooms', { body: { title: 'Docs room', slug: 'docs' } })).json;
    doc = (await admin.request('GET', '/api/openapi.json')).json;
  });
  after(async () => { await server?.stop(); });

  const concrete = (p) => p.replace('{id}', String(room.id));
  const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

  it('is OpenAPI 3 and documents exactly the routes the server answers', async () => {
    assert.match(doc.openapi, /^3\./);
    const documented = new Set();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) if (item[m]) documented.add(`${m.toUpperCase()} ${p}`);
    }
    // Probe every method on every documented path (no CSRF token: a state-changing probe is
    // refused with 403 csrf before it does anything). 404 "no such API resource" or 405 means
    // the server has no such route.
    const answered = new Set();
    for (const p of Object.keys(doc.paths)) {
      for (const m of METHODS) {
        const r = await admin.request(m.toUpperCase(), concrete(p), { csrf: false, body: m === 'get' || m === 'delete' ? undefined : {} });
        const noRoute = r.status === 405 || (r.status === 404 && r.json?.message === 'no such API resource');
        if (!noRoute) answered.add(`${m.toUpperCase()} ${p}`);
      }
    }
    assert.deepEqual([...answered].sort(), [...documented].sort());
    assert.equal((await admin.request('GET', '/api/nothing-here')).status, 404);
  });

  it('answers have the documented required fields', async () => {
    const check = (schemaName, value) => {
      const schema = doc.components.schemas[schemaName];
      for (const field of schema.required) assert.ok(field in value, `${schemaName}.${field} in ${JSON.stringify(value)}`);
      for (const key of Object.keys(value)) assert.ok(key in schema.properties, `${key} documented in ${schemaName}`);
    };
    check('Session', (await admin.request('GET', '/api/session')).json);
    check('Account', (await admin.request('GET', '/api/session')).json.account);
    check('Room', room);
    const error = (await admin.request('GET', '/api/rooms/999999')).json;
    check('Error', error);
    assert.ok(doc.components.schemas.Error.properties.code.enum.includes(error.code));
    assert.match(room.pin, new RegExp(doc.components.schemas.Room.properties.pin.pattern));
    assert.equal(room.inviteUrl, `/j/${room.inviteToken}`);
    assert.equal(room.hasPassword, false);
    assert.ok(room.inviteToken.length >= 22, '128-bit invite token');
    assert.equal(room.dialIn, false, 'phone dial-in is off here');
    assert.equal(room.dialInNumber, '');
  });

  it('the invitation is an iCalendar attachment with the guest link (no PIN: dial-in is off)', async () => {
    const r = await admin.request('GET', `/api/rooms/${room.id}/invitation.ics?lang=en&start=2030-05-06T07:30:00Z&minutes=90`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="docs\.ics"/);
    const text = r.text.replace(/\r\n /g, '');
    assert.match(text, /DTSTART:20300506T073000Z/);
    assert.match(text, /DTEND:20300506T090000Z/);
    assert.ok(text.includes(`${server.baseUrl}/j/${room.inviteToken}`), 'absolute guest link');
    const grouped = room.pin.replace(/^(\d{4})(\d{4})$/, '$1 $2');  // rooms.pin-length 8
    assert.ok(!text.includes(grouped) && !/PIN/.test(text), 'no PIN while phone dial-in is off');
    for (const [query, field] of [['lang=fr', 'lang'], ['start=tomorrow', 'start'], ['minutes=2', 'minutes']]) {
      const bad = await admin.request('GET', `/api/rooms/${room.id}/invitation.ics?${query}`);
      assert.equal(bad.status, 400, query);
      assert.match(bad.json.message, new RegExp(field));
    }
  });

  const refused = [
    ['POST', '/api/rooms', { slug: 'no-title' }, 400, 'bad-field', 'title'],
    ['POST', '/api/rooms', { title: '' }, 400, 'bad-field', 'title'],
    ['POST', '/api/rooms', { title: 'x'.repeat(65) }, 400, 'bad-field', 'title'],
    ['POST', '/api/rooms', { title: 'A\u0007B' }, 400, 'bad-field', 'title'],
    ['POST', '/api/rooms', { title: 'T', slug: 'has space' }, 400, 'bad-field', 'slug'],
    ['POST', '/api/rooms', { title: 'T', slug: 'DOCS' }, 409, 'conflict', 'slug'],
    ['POST', '/api/rooms', { title: 'T', lobby: 'yes' }, 400, 'bad-field', 'lobby'],
    ['POST', '/api/rooms', { title: 'T', maxParticipants: 1 }, 400, 'bad-field', 'maxParticipants'],
    ['POST', '/api/rooms', { title: 'T', maxParticipants: 1000 }, 400, 'bad-field', 'maxParticipants'],
    ['POST', '/api/rooms', { title: 'T', maxParticipants: 5.5 }, 400, 'bad-field', 'maxParticipants'],
    ['POST', '/api/rooms', { title: 'T', password: 42 }, 400, 'bad-field', 'password'],
    ['POST', '/api/rooms', { title: 'T', owner: 1 }, 400, 'bad-field', 'owner'],
    ['PATCH', '/api/rooms/{id}', { pin: '12345678' }, 400, 'bad-field', 'pin'],
    ['PATCH', '/api/rooms/{id}', { slug: 'new' }, 400, 'bad-field', 'slug'],
    ['PATCH', '/api/rooms/{id}', { title: null }, 400, 'bad-field', 'title'],
    ['POST', '/api/accounts', { username: 'has space', password: 'password-123' }, 400, 'bad-field', 'username'],
    ['POST', '/api/accounts', { username: 'shorty', password: 'short' }, 400, 'bad-field', 'password'],
    ['POST', '/api/accounts', { username: 'x', password: 'password-123', role: 'root' }, 400, 'bad-field', 'role'],
    ['POST', '/api/accounts', { username: 'ADMIN', password: 'password-123' }, 409, 'conflict', 'username'],
    ['PATCH', '/api/accounts/1', { role: 'staff' }, 400, 'bad-field', 'role'],
    ['PATCH', '/api/accounts/1', { disabled: 'no' }, 400, 'bad-field', 'disabled'],
    ['PATCH', '/api/accounts/999999', { disabled: true }, 404, 'not-found', 'account'],
  ];
  for (const [method, path, body, status, code, about] of refused) {
    it(`${method} ${path} ${JSON.stringify(body)} -> ${status} ${code}`, async () => {
      const r = await unchanged(server, () => admin.request(method, concrete(path), { body }));
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.code, code);
      assert.match(r.json.message, new RegExp(about, 'i'));
    });
  }

  it('bodies that are not JSON objects, or too large, are refused', async () => {
    for (const [rawBody, type] of [['title=x', 'application/x-www-form-urlencoded'], ['{', 'application/json'],
      ['"x"', 'application/json'], [JSON.stringify({ title: 'x'.repeat(70000) }), 'application/json']]) {
      const r = await unchanged(server, () => admin.request('POST', '/api/rooms', { rawBody, headers: { 'Content-Type': type } }));
      assert.equal(r.status, 400, rawBody.slice(0, 20));
      assert.equal(r.json.code, 'bad-request');
    }
  });

  it('maxParticipants beyond 64 bits (or 2^63 and up) is 400 bad-field naming the range, not 500', async () => {
    // Written as text: JSON.stringify cannot send integers this large.
    // 2^64 + 5 was read as 5 (the parser wraps around) and accepted.
    const values = ['9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616',
      '18446744073709551621',
      '-9223372036854775809', '1e30', '100000000000000000000000000000000'];
    for (const value of values) {
      for (const [method, path, fields] of [['POST', '/api/rooms', '"title":"T",'], ['PATCH', concrete('/api/rooms/{id}'), '']]) {
        const r = await unchanged(server, () => admin.request(method, path,
          { rawBody: `{${fields}"maxParticipants":${value}}`, headers: { 'Content-Type': 'application/json' } }));
        assert.equal(r.status, 400, `${method} ${value}: ${r.text}`);
        assert.equal(r.json.code, 'bad-field');
        assert.match(r.json.message,
          /^field 'maxParticipants' (must be an integer from 2 to \d+|is an integer outside the 64-bit range)$/);
      }
    }
  });

  it('an unknown field is named in the error on one line, its control characters escaped', async () => {
    const r = await unchanged(server, () => admin.request('POST', '/api/rooms', { body: { title: 'T', 'x\r\nforged': 1 } }));
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'bad-field');
    assert.equal(r.json.message, "field 'x\\r\\nforged' is not known");
  });

  it('a refused request with an unread body leaves the connection usable for the next one', async () => {
    // Two requests on one kept-alive connection: the first is refused before its body matters.
    const { port } = new URL(server.baseUrl);
    const body = JSON.stringify({ title: 'x'.repeat(1000) });
    const answers = await new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let text = '';
      socket.setTimeout(10000, () => { socket.destroy(); reject(new Error(`timeout; got ${text}`)); });
      socket.on('data', (d) => {
        text += d;
        if ((text.match(/HTTP\/1\.1 /g) || []).length === 2 && text.trimEnd().endsWith('}')) { socket.end(); resolve(text); }
      });
      socket.on('error', reject);
      socket.write(`POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      socket.write('GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    const statuses = [...answers.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [401, 200]);
  });

  it('a PATCH changes only what it names; "" removes the room password', async () => {
    const withPw = await admin.request('PATCH', `/api/rooms/${room.id}`, { body: { password: 'pw', maxParticipants: 5 } });
    assert.equal(withPw.status, 200);
    assert.equal(withPw.json.hasPassword, true);
    assert.equal(withPw.json.maxParticipants, 5);
    assert.equal(withPw.json.title, 'Docs room');
    assert.equal(withPw.json.pin, room.pin);
    assert.equal(withPw.json.inviteToken, room.inviteToken);
    const noPw = await admin.request('PATCH', `/api/rooms/${room.id}`, { body: { password: '' } });
    assert.equal(noPw.json.hasPassword, false);
    assert.equal(noPw.json.maxParticipants, 5);
    const stored = await admin.request('GET', `/api/rooms/${room.id}`);
    assert.deepEqual(stored.json, noPw.json);
    // No password hash in any answer.
    assert.ok(!JSON.stringify((await admin.request('GET', '/api/rooms')).json).includes('argon2'));
    assert.ok(!JSON.stringify((await admin.request('GET', '/api/accounts')).json).includes('argon2'));
  });
});

describe('a request URI that cannot be decoded', () => {
  let server;
  before(async () => { server = await startPlenumd({ admin: false }); });
  after(async () => { await server?.stop(); });

  it('gets 400 bad-request, not a closed connection (found by fuzz_rest)', async () => {
    const r = await fetch(`${server.baseUrl}/api/rooms?x=%zz`, { signal: AbortSignal.timeout(10000) });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).code, 'bad-request');
  });
});

describe('phone dial-in in the room answers and the invitation', () => {
  let server;
  let admin;
  before(async () => {
    const sipPort = await freePort();
    server = await startPlenumd({
      config: ['sip.enabled = true', 'sip.address = 127.0.0.1', `sip.port = ${sipPort}`, 'sip.trusted-peers = 127.0.0.1',
        'sip.dial-in-number = +49 30 1234-5678'].join('\n'),
    });
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
  });
  after(async () => { await server?.stop(); });

  it('every room answer carries dialIn and the number; the .ics says how to dial in', async () => {
    const created = await admin.request('POST', '/api/rooms', { body: { title: 'Phone room' } });
    assert.equal(created.status, 201, created.text);
    const room = created.json;
    assert.equal(room.dialIn, true);
    assert.equal(room.dialInNumber, '+49 30 1234-5678');
    const listed = (await admin.request('GET', '/api/rooms')).json.find((r) => r.id === room.id);
    assert.equal(listed.dialInNumber, '+49 30 1234-5678');
    const renewed = (await admin.request('POST', `/api/rooms/${room.id}/pin`)).json;
    assert.equal(renewed.dialIn, true);
    const grouped = renewed.pin.replace(/^(\d{4})(\d{4})$/, '$1 $2');  // rooms.pin-length 8
    for (const [lang, line] of [['en', `By phone: +49 30 1234-5678\\, then the PIN ${grouped} and #`],
      ['de', `Per Telefon: +49 30 1234-5678\\, dann die PIN ${grouped} und #`]]) {
      const r = await admin.request('GET', `/api/rooms/${room.id}/invitation.ics?lang=${lang}`);
      assert.equal(r.status, 200);
      const text = r.text.replace(/\r\n /g, '');
      assert.ok(text.includes(line), `${lang}: ${line} in ${text}`);
    }
  });
});
