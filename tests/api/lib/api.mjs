// SPDX-License-Identifier: EUPL-1.2
// A REST client for one browser: keeps its cookies and CSRF token like the web pages do.
import assert from 'node:assert/strict';
import WebSocket from '../../e2e/node_modules/ws/wrapper.mjs';
import { dumpDatabase } from './plenumd.mjs';

export class Browser {
  constructor(server, label = 'browser') {
    this.server = server;
    this.label = label;
    this.cookies = new Map();
    this.csrf = null;
  }

  get cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  /**
   * Sends a request. `body` (object) is sent as JSON; `csrf: false` leaves the token out,
   * a string sends that token; `headers` adds headers. Returns { status, headers, json, text }.
   */
  async request(method, path, { body, csrf = true, headers = {}, rawBody } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = this.cookieHeader;
    if (body !== undefined && !('Content-Type' in h)) h['Content-Type'] = 'application/json';
    if (typeof csrf === 'string') h['X-CSRF-Token'] = csrf;
    else if (csrf && this.csrf) h['X-CSRF-Token'] = this.csrf;
    const res = await fetch(this.server.baseUrl + path, {
      method, headers: h, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      redirect: 'manual', signal: AbortSignal.timeout(15000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (attributes.some((a) => /^max-age=0$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, json, text };
  }

  async login(username, password) {
    const r = await this.request('POST', '/api/session', { body: { username, password }, csrf: false });
    if (r.status === 200) this.csrf = r.json.csrfToken;
    return r;
  }

  /** Opens the signaling WebSocket with this browser's cookies. */
  async socket() {
    const ws = new SignalingSocket(this.server.wsUrl, this.cookieHeader);
    await ws.open();
    return ws;
  }
}

/** Logs in or fails the test. */
export async function loggedIn(server, username, password, label = username) {
  const b = new Browser(server, label);
  const r = await b.login(username, password);
  assert.equal(r.status, 200, `${username} logs in: ${r.text}`);
  return b;
}

/** Runs `fn`, then checks that the database is exactly as before (a refused request writes nothing). */
/** Joins over a fresh WebSocket and closes it again: the server's first answer (joined, lobby or error). */
export async function joinOnce(browser, fields) {
  const ws = await browser.socket();
  try {
    return await ws.join(fields);
  } finally {
    ws.close();
  }
}

export async function unchanged(server, fn) {
  const before = dumpDatabase(server.dbFile);
  const result = await fn();
  assert.equal(dumpDatabase(server.dbFile), before, 'the database changed');
  return result;
}

export class SignalingSocket {
  constructor(url, cookie) {
    this.url = url;
    this.cookie = cookie;
    this.messages = [];
    this.closed = false;
  }

  open() {
    this.ws = new WebSocket(this.url, { headers: this.cookie ? { Cookie: this.cookie } : {} });
    this.ws.on('message', (data) => {
      try { this.messages.push(JSON.parse(data.toString())); } catch { this.messages.push({ unparsed: String(data) }); }
    });
    this.ws.on('close', () => { this.closed = true; });
    this.ws.on('error', () => {});
    return new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
  }

  /** Sends a join and resolves with the first answer that decides it (error, joined, lobby). */
  async join(fields, timeout = 15000) {
    this.ws.send(JSON.stringify({ type: 'join', name: 'Tester', ...fields }));
    const deadline = Date.now() + timeout;
    for (;;) {
      const m = this.messages.find((x) => ['error', 'joined', 'lobby'].includes(x.type));
      if (m) return m;
      if (this.closed) throw new Error('closed without an answer to the join');
      if (Date.now() > deadline) throw new Error(`no answer to the join: ${JSON.stringify(this.messages)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close() { try { this.ws.close(); } catch { /* gone */ } }
}
