// SPDX-License-Identifier: EUPL-1.2
// A small fetch wrapper for the REST API under /api/ (see appliance/API-CONTRACT.md).
// JSON in and out; every non-GET request carries the session's CSRF token in `X-CSRF-Token`
// (kept in sessionStorage after login or GET /api/session); error bodies
// {code, message, retryAfter} become ApiError exceptions.

const CSRF_KEY = 'plenum.csrf';

export class ApiError extends Error {
  // status: HTTP status (0 when the server could not be reached); code: the stable error code.
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function storage() {
  try { return window.sessionStorage; } catch { return null; }
}

export function csrfToken() {
  return storage()?.getItem(CSRF_KEY) || '';
}

export function setCsrfToken(token) {
  const s = storage();
  if (!s) return;
  if (token) s.setItem(CSRF_KEY, String(token));
  else s.removeItem(CSRF_KEY);
}

function retryAfterOf(res, body) {
  const fromBody = Number(body && body.retryAfter);
  if (Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody);
  const fromHeader = Number(res.headers.get('Retry-After'));
  return Number.isFinite(fromHeader) && fromHeader >= 0 ? Math.ceil(fromHeader) : undefined;
}

async function send(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e && e.message);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) {
    const code = data && typeof data.code === 'string' ? data.code : `http-${res.status}`;
    const message = data && typeof data.message === 'string' ? data.message : res.statusText;
    throw new ApiError(res.status, code, message, retryAfterOf(res, data));
  }
  return data;
}

// One request. A 403 `csrf` (token lost, e.g. a new tab, or the session was renewed) refreshes
// the token with GET /api/session and tries once more.
export async function api(method, path, body) {
  try {
    return await send(method, path, body);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'csrf' || method === 'GET' || path === '/api/session') throw e;
    await getSession();
    return send(method, path, body);
  }
}

// ---- session ----------------------------------------------------------------------------

// → {account, csrfToken}; throws ApiError 401 when not logged in.
export async function getSession() {
  try {
    const s = await send('GET', '/api/session');
    setCsrfToken(s && s.csrfToken);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) setCsrfToken('');
    throw e;
  }
}

export async function login(username, password) {
  const s = await send('POST', '/api/session', { username, password });
  setCsrfToken(s && s.csrfToken);
  return s;
}

export async function logout() {
  try {
    await api('DELETE', '/api/session');
  } finally {
    setCsrfToken('');
  }
}

// ---- rooms and accounts -------------------------------------------------------------------

const seg = (id) => encodeURIComponent(String(id));

export const listRooms = () => api('GET', '/api/rooms');
export const createRoom = (room) => api('POST', '/api/rooms', room);
export const updateRoom = (id, changes) => api('PATCH', `/api/rooms/${seg(id)}`, changes);
export const deleteRoom = (id) => api('DELETE', `/api/rooms/${seg(id)}`);
// A fresh invitation link / phone PIN; the old one stops working at once. → the room.
export const renewInvite = (id) => api('POST', `/api/rooms/${seg(id)}/invite`);
export const renewPin = (id) => api('POST', `/api/rooms/${seg(id)}/pin`);
export const invitationIcsUrl = (id, lang) => `/api/rooms/${seg(id)}/invitation.ics?lang=${lang === 'de' ? 'de' : 'en'}`;

// Recordings of a room (its owner, admins). → {recordings: [{id, startedAt, durationSeconds, bytes, state, expiresAt}]}
export const listRecordings = (roomId) => api('GET', `/api/rooms/${seg(roomId)}/recordings`);
export const deleteRecording = (id) => api('DELETE', `/api/recordings/${seg(id)}`);
// The MP4 (ranges: plays in a <video>; sent as an attachment named after the room and date).
export const recordingFileUrl = (id) => `/api/recordings/${seg(id)}/file`;

export const listAccounts = () => api('GET', '/api/accounts');
export const createAccount = (account) => api('POST', '/api/accounts', account);
export const updateAccount = (id, changes) => api('PATCH', `/api/accounts/${seg(id)}`, changes);
// Erases an account; `transferTo` (an account id) takes over its rooms and is needed when it owns any.
export const deleteAccount = (id, transferTo) =>
  api('DELETE', `/api/accounts/${seg(id)}${transferTo ? `?transferTo=${seg(transferTo)}` : ''}`);
