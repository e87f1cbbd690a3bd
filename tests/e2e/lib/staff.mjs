// SPDX-License-Identifier: EUPL-1.2
// Staff set-up in the end-to-end tests: the first admin account (as a city's admin makes it,
// with plenumd --create-admin) and JSON requests made from inside a page, with its cookies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PLENUMD, TEST_CONFIG } from './server.mjs';

/** plenumd --create-admin NAME on the server's data folder, the password on standard input. */
export function createAdmin(server, username, password) {
  return new Promise((resolve, reject) => {
    const child = spawn(PLENUMD, ['--config', TEST_CONFIG, '--data', server.dataDir, '--create-admin', username],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`--create-admin exited ${code}: ${out}`))));
    child.stdin.end(`${password}\n`);
  });
}

/** A JSON request from inside the page (its cookies, same origin); returns { status, body }. */
export const api = (b, method, url, body, csrf) => b.page.evaluate(async ({ method, url, body, csrf }) => {
  const headers = { 'Content-Type': 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  let json = null;
  try { json = await r.json(); } catch { json = null; }
  return { status: r.status, body: json };
}, { method, url, body, csrf });

/**
 * In browser `b`: the first admin (plenumd --create-admin) creates the staff account "schmidt",
 * logs out, and schmidt logs in. Returns schmidt's CSRF token. Each answer is asserted.
 */
export async function loginAsNewStaff(b, server) {
  await createAdmin(server, 'admin', 'admin-passwort-123');
  await b.page.goto(`${server.baseUrl}/login`, { waitUntil: 'domcontentloaded' });
  const admin = await api(b, 'POST', '/api/session', { username: 'admin', password: 'admin-passwort-123' });
  assert.equal(admin.status, 200, JSON.stringify(admin));
  const staff = await api(b, 'POST', '/api/accounts',
    { username: 'schmidt', displayName: 'Frau Schmidt', password: 'staff-passwort-123', role: 'staff' }, admin.body.csrfToken);
  assert.equal(staff.status, 201, JSON.stringify(staff));
  assert.equal((await api(b, 'DELETE', '/api/session', undefined, admin.body.csrfToken)).status, 204);
  const login = await api(b, 'POST', '/api/session', { username: 'schmidt', password: 'staff-passwort-123' });
  assert.equal(login.status, 200, JSON.stringify(login));
  return login.body.csrfToken;
}
