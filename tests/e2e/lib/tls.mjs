// SPDX-License-Identifier: EUPL-1.2
// A self-signed certificate for localhost and 127.0.0.1 (and `ips`) (openssl req -x509, EC P-256, two days),
// the base64 SHA-256 of its SubjectPublicKeyInfo (what Chromium's
// --ignore-certificate-errors-spki-list takes: the browser then trusts exactly this key), and an
// HTTPS GET that trusts exactly this certificate.
import fs from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';

export function makeCertificate(dir, { ips = [] } = {}) {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '2', '-subj', '/CN=localhost', '-addext', `subjectAltName=${['DNS:localhost', 'IP:127.0.0.1', ...ips.map((ip) => `IP:${ip}`)].join(',')}`,
    '-keyout', keyFile, '-out', certFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const pem = fs.readFileSync(certFile, 'utf8');
  const spki = new crypto.X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return { certFile, keyFile, pem, spki: crypto.createHash('sha256').update(spki).digest('base64') };
}

/**
 * A request over HTTPS trusting only `ca` (PEM): `method`, `headers`, `body` (string).
 * Resolves { status, headers, body, json }.
 */
export function httpsRequest(url, { ca, method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    const req = https.request(url, { ca, method, headers: h, timeout: 10000, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** GET over HTTPS trusting only `ca` (PEM). Resolves { status, headers, body, protocol }. */
export function httpsGet(url, { ca, minVersion, maxVersion, ciphers } = {}) {
  return new Promise((resolve, reject) => {
    // agent: false: a connection of its own, closed after the response (no keep-alive pool).
    const req = https.get(url, { ca, minVersion, maxVersion, ciphers, timeout: 5000, agent: false }, (res) => {
      const protocol = res.socket && res.socket.getProtocol ? res.socket.getProtocol() : undefined;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, protocol }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
  });
}
