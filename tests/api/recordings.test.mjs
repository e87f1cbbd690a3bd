// SPDX-License-Identifier: EUPL-1.2
// Recordings over the REST API: rows are seeded with the sqlite3 shell and a real small MP4
// (ffmpeg), as the recorder would leave them. Every role (owner, co-host, other staff, admin,
// anonymous) tries the list, the file and deleting; single ranges are served (206) and a range
// past the end refused (416); a running or unfinished recording has no file (409) and is not
// deleted (409); unknown and malformed ids are 404; deleting a room deletes its files (not
// while one of its recordings runs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';
import { Browser, loggedIn, unchanged } from './lib/api.mjs';
import { sql, makeMp4, insertRecording } from './lib/recordings.mjs';

const pad = (n) => String(n).padStart(2, '0');
const fileStamp = (unix) => {
  const d = new Date(unix * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
};
const iso = (unix) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

describe('recordings over the REST API', () => {
  let server;
  let sample;
  let sampleBytes;
  const as = {};
  let room;
  let counter = 0;
  const now = Math.floor(Date.now() / 1000);
  const recDir = () => path.join(server.dataDir, 'recordings');
  const finalFile = (id) => path.join(recDir(), `${id}.mp4`);
  const partFile = (id) => path.join(recDir(), `${id}.part.mp4`);

  // A recording row (and its file as the state implies); returns its id.
  function seed(state, { roomId = room.id, startedAt = now - 3600 - (++counter) * 60, file = true } = {}) {
    const id = (0x1000000000000000n + BigInt(++counter) * 7919n).toString(16).padStart(16, '0');
    const stoppedAt = state === 'recording' ? 0 : startedAt + 125;
    insertRecording(server, { id, roomId, startedAt, stoppedAt, durationMs: 125500, bytes: sampleBytes.length, state });
    if (file && (state === 'ready' || state === 'recovered')) fs.copyFileSync(sample, finalFile(id));
    if (file && state === 'recording') fs.copyFileSync(sample, partFile(id));
    return id;
  }

  before(async () => {
    server = await startPlenumd();
    fs.mkdirSync(recDir(), { recursive: true });
    sample = makeMp4(server.tmp);
    sampleBytes = fs.readFileSync(sample);
    as.admin = await loggedIn(server, ADMIN.username, ADMIN.password, 'admin');
    for (const name of ['anna', 'carl', 'bert']) {
      const r = await as.admin.request('POST', '/api/accounts',
        { body: { username: name, displayName: name.toUpperCase(), password: `${name}-password`, role: 'staff' } });
      assert.equal(r.status, 201, r.text);
      as[name] = await loggedIn(server, name, `${name}-password`);
    }
    as.anonymous = new Browser(server, 'anonymous');
    const made = await as.anna.request('POST', '/api/rooms', { body: { title: 'Rat', slug: 'gemeinderat', coHosts: ['carl'] } });
    assert.equal(made.status, 201, made.text);
    room = made.json;
  });
  after(async () => { await server?.stop(); });

  // anna owns the room, carl is its co-host, bert other staff.
  const expectations = {
    list: { anonymous: 401, carl: 403, bert: 403, anna: 200, admin: 200 },
    file: { anonymous: 401, carl: 403, bert: 403, anna: 200, admin: 200 },
  };
  const codes = { 401: 'not-logged-in', 403: 'forbidden', 404: 'not-found' };

  it('list and file: the owner and admins; co-hosts, other staff and anonymous are refused', async () => {
    const id = seed('ready');
    for (const [what, expect] of Object.entries(expectations)) {
      for (const [role, status] of Object.entries(expect)) {
        const target = what === 'list' ? `/api/rooms/${room.id}/recordings` : `/api/recordings/${id}/file`;
        const r = await unchanged(server, () => as[role].request('GET', target));
        assert.equal(r.status, status, `${role}: ${what} -> ${r.status} ${r.text.slice(0, 200)}`);
        if (status >= 400) assert.equal(r.json.code, codes[status]);
      }
    }
  });

  it('delete: refused for anonymous, co-host and other staff; the owner and an admin delete', async () => {
    const id = seed('ready');
    for (const [role, status] of Object.entries({ anonymous: 401, carl: 403, bert: 403 })) {
      const r = await unchanged(server, () => as[role].request('DELETE', `/api/recordings/${id}`));
      assert.equal(r.status, status, `${role}: ${r.text}`);
      assert.equal(r.json.code, codes[status]);
    }
    assert.ok(fs.existsSync(finalFile(id)), 'the file is still there');
    for (const role of ['anna', 'admin']) {
      const doomed = seed('recovered');
      fs.copyFileSync(sample, partFile(doomed));  // left over by a repair: goes too
      const r = await as[role].request('DELETE', `/api/recordings/${doomed}`);
      assert.equal(r.status, 204, `${role}: ${r.text}`);
      assert.ok(!fs.existsSync(finalFile(doomed)) && !fs.existsSync(partFile(doomed)), `${role}: files deleted`);
      assert.equal(sql(server, `SELECT count(*) FROM recordings WHERE id = '${doomed}'`).trim(), '0');
      assert.equal((await as[role].request('GET', `/api/recordings/${doomed}/file`)).status, 404);
      assert.equal((await as[role].request('DELETE', `/api/recordings/${doomed}`)).status, 404);
    }
    assert.match(fs.readFileSync(server.logFile, 'utf8'), /recording [0-9a-f]{16} deleted \(by owner\)/);
    assert.match(fs.readFileSync(server.logFile, 'utf8'), /recording [0-9a-f]{16} deleted \(by admin\)/);
  });

  it('the list: newest first, with start, duration, size, state and expiry', async () => {
    const older = seed('ready', { startedAt: now - 7200 });
    const newer = seed('recording', { startedAt: now - 60 });
    const r = await as.anna.request('GET', `/api/rooms/${room.id}/recordings`);
    assert.equal(r.status, 200);
    const list = r.json.recordings;
    const started = list.map((x) => Date.parse(x.startedAt));
    assert.deepEqual(started, [...started].sort((a, b) => b - a), 'newest first');
    const running = list.find((x) => x.id === newer);
    assert.deepEqual(running, { id: newer, startedAt: iso(now - 60), durationSeconds: 125.5, bytes: sampleBytes.length,
      state: 'recording', expiresAt: null });
    const schema = (await as.anna.request('GET', '/api/openapi.json')).json.components.schemas.Recording;
    for (const item of list) assert.deepEqual(Object.keys(item).sort(), [...schema.required].sort(), 'the documented fields');
    const done = list.find((x) => x.id === older);
    assert.equal(done.state, 'ready');
    assert.equal(done.expiresAt, iso(now - 7200 + 125 + 30 * 86400), 'stop + recordings.retention-days (30)');
    assert.equal((await as.anna.request('GET', '/api/rooms/999999/recordings')).status, 404);
    sql(server, `UPDATE recordings SET state = 'failed' WHERE id = '${newer}'`);
  });

  it('the file: video/mp4, an attachment named after the room and the start (UTC), every byte', async () => {
    const startedAt = now - 86400;
    const id = seed('ready', { startedAt });
    const r = await fetch(`${server.baseUrl}/api/recordings/${id}/file`, { headers: { Cookie: as.anna.cookieHeader } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'video/mp4');
    assert.equal(r.headers.get('accept-ranges'), 'bytes');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="gemeinderat-${fileStamp(startedAt)}.mp4"`);
    assert.equal(Number(r.headers.get('content-length')), sampleBytes.length);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(sampleBytes));
    const head = await fetch(`${server.baseUrl}/api/recordings/${id}/file`, { method: 'HEAD', headers: { Cookie: as.anna.cookieHeader } });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), sampleBytes.length);
  });

  it('single ranges are 206 with exactly those bytes; past the end is 416; several ranges get the whole file', async () => {
    const id = seed('recovered');
    const size = sampleBytes.length;
    const get = (range) => fetch(`${server.baseUrl}/api/recordings/${id}/file`,
      { headers: { Cookie: as.admin.cookieHeader, Range: range } });
    for (const [range, first, last] of [['bytes=100-1099', 100, 1099], ['bytes=-100', size - 100, size - 1],
      [`bytes=${size - 10}-`, size - 10, size - 1], ['bytes=0-0', 0, 0], [`bytes=5-${size + 1000}`, 5, size - 1]]) {
      const r = await get(range);
      assert.equal(r.status, 206, range);
      assert.equal(r.headers.get('content-range'), `bytes ${first}-${last}/${size}`, range);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(sampleBytes.subarray(first, last + 1)), `${range}: the slice`);
    }
    for (const range of [`bytes=${size}-`, `bytes=${size + 5}-${size + 10}`]) {
      const r = await get(range);
      assert.equal(r.status, 416, range);
      assert.equal(r.headers.get('content-range'), `bytes */${size}`);
      assert.equal((await r.json()).code, 'range-not-satisfiable');
    }
    const multi = await get('bytes=0-9,20-29');
    assert.equal(multi.status, 200);
    assert.equal(Buffer.from(await multi.arrayBuffer()).length, size);
  });

  it('a running recording has no file yet and is not deleted (409); unfinished and failed ones have no file', async () => {
    const running = seed('recording');
    const file = await unchanged(server, () => as.anna.request('GET', `/api/recordings/${running}/file`));
    assert.equal(file.status, 409);
    assert.equal(file.json.code, 'not-ready');
    const del = await unchanged(server, () => as.anna.request('DELETE', `/api/recordings/${running}`));
    assert.equal(del.status, 409);
    assert.equal(del.json.code, 'recording-running');
    assert.ok(fs.existsSync(partFile(running)));
    assert.equal((await as.anna.request('GET', `/api/recordings/${seed('processing')}/file`)).json.code, 'not-ready');
    assert.equal((await as.anna.request('GET', `/api/recordings/${seed('failed')}/file`)).status, 404);
    sql(server, `UPDATE recordings SET state = 'failed', stopped_at = ${now} WHERE id = '${running}'`);
  });

  it('a ready recording whose file is missing is 404, and logged', async () => {
    const id = seed('ready', { file: false });
    const r = await as.anna.request('GET', `/api/recordings/${id}/file`);
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'not-found');
    assert.match(fs.readFileSync(server.logFile, 'utf8'), new RegExp(`recording ${id}: its file ${id}\\.mp4 is missing`));
  });

  it('unknown and malformed ids are 404, without touching anything', async () => {
    // A file named like the malformed id would be served if the id reached the file system.
    fs.writeFileSync(path.join(recDir(), 'ABCDEF0123456789.mp4'), 'x');
    for (const bad of ['ffffffffffffffff', 'ABCDEF0123456789', encodeURIComponent('../x'), 'a'.repeat(300),
      '0123456789abcde', encodeURIComponent('0123456789abcdef\u0000')]) {
      for (const [method, suffix] of [['GET', '/file'], ['DELETE', '']]) {
        const r = await unchanged(server, () => as.admin.request(method, `/api/recordings/${bad}${suffix}`));
        assert.equal(r.status, 404, `${method} ${bad.slice(0, 40)}: ${r.text}`);
        assert.equal(r.json.code, 'not-found');
      }
    }
    assert.ok(fs.existsSync(path.join(recDir(), 'ABCDEF0123456789.mp4')));
  });

  it('deleting a room deletes its recordings\' files and rows; not while one of them runs', async () => {
    const other = (await as.anna.request('POST', '/api/rooms', { body: { title: 'Temp', slug: 'temp' } })).json;
    const done = seed('ready', { roomId: other.id });
    const running = seed('recording', { roomId: other.id });
    const refused = await unchanged(server, () => as.anna.request('DELETE', `/api/rooms/${other.id}`));
    assert.equal(refused.status, 409);
    assert.equal(refused.json.code, 'recording-running');
    assert.ok(fs.existsSync(finalFile(done)));
    sql(server, `UPDATE recordings SET state = 'recovered', stopped_at = ${now} WHERE id = '${running}'`);
    fs.renameSync(partFile(running), finalFile(running));
    assert.equal((await as.anna.request('DELETE', `/api/rooms/${other.id}`)).status, 204);
    for (const id of [done, running]) assert.ok(!fs.existsSync(finalFile(id)) && !fs.existsSync(partFile(id)), id);
    assert.equal(sql(server, `SELECT count(*) FROM recordings WHERE room_id = ${other.id}`).trim(), '0');
    assert.match(fs.readFileSync(server.logFile, 'utf8'), new RegExp(`recording ${done} deleted \\(by room deleted\\)`));
  });
});
