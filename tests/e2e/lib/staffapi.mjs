// SPDX-License-Identifier: EUPL-1.2
// Staff rooms from Node, without a browser (lib/staff.mjs does it from inside a page): the first
// admin (plenumd --create-admin), its session cookie and CSRF token, then POST /api/rooms. For
// tests and benches that need rooms with PINs, or with known slugs for sip.direct-rooms.
import { createAdmin } from './staff.mjs';

/** Logs in as a new admin; returns request(method, path, body) -> { status, body }. */
export async function adminClient(server, username = 'admin', password = 'admin-passwort-123') {
  await createAdmin(server, username, password);
  let cookie = '';
  let csrf = '';
  const request = async (method, path, body) => {
    const headers = { 'Content-Type': 'application/json' };
    if (cookie) headers.Cookie = cookie;
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const r = await fetch(`${server.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = r.headers.getSetCookie?.() || [];
    if (set.length) cookie = set.map((c) => c.split(';')[0]).join('; ');
    let json = null;
    try { json = await r.json(); } catch { json = null; }
    return { status: r.status, body: json };
  };
  const login = await request('POST', '/api/session', { username, password });
  if (login.status !== 200) throw new Error(`admin login: ${JSON.stringify(login)}`);
  csrf = login.body.csrfToken;
  return request;
}

/** Creates a staff room ({ title, slug?, lobby? }); returns its record ({ slug, pin, ... }). */
export async function createRoom(request, room) {
  const r = await request('POST', '/api/rooms', { lobby: false, ...room });
  if (r.status !== 201) throw new Error(`POST /api/rooms ${JSON.stringify(room)}: ${JSON.stringify(r)}`);
  return r.body;
}
