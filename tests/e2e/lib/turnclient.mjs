// SPDX-License-Identifier: EUPL-1.2
// A minimal STUN/TURN client (RFC 8489 STUN, RFC 8656 TURN) over TCP or TLS, for tests that check
// what the appliance's TURN server refuses: Allocate and CreatePermission with long-term
// credentials, and the "TURN REST API" credentials that coturn's use-auth-secret checks.
// Not a relay client: no data is sent through an allocation. Responses are matched by transaction
// ID; their MESSAGE-INTEGRITY and FINGERPRINT are not checked (the tests look at codes only).
import net from 'node:net';
import tls from 'node:tls';
import crypto from 'node:crypto';

const MAGIC = 0x2112a442;
const ALLOCATE = 0x003;
const CREATE_PERMISSION = 0x008;
const CLASS_SUCCESS = 0x100;
const CLASS_ERROR = 0x110;
const METHOD_NAMES = { [ALLOCATE]: 'Allocate', [CREATE_PERMISSION]: 'CreatePermission' };

const ATTR = {
  MAPPED_ADDRESS: 0x0001,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
  XOR_MAPPED_ADDRESS: 0x0020,
  FINGERPRINT: 0x8028,
};

// CRC-32 (IEEE) for FINGERPRINT; zlib.crc32 only exists from Node 20.15 / 22.2.
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function attr(type, value) {
  const a = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4); // zero padding to 4 bytes
  a.writeUInt16BE(type, 0);
  a.writeUInt16BE(value.length, 2);
  value.copy(a, 4);
  return a;
}

/** IPv4 only: the peers the tests name are IPv4, and so is the relay. */
function xorAddress(ip, port) {
  if (!net.isIPv4(ip)) throw new Error(`turnclient: only IPv4 peer addresses are supported, got ${ip}`);
  const parts = ip.split('.').map(Number);
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1);
  v.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  v.writeUInt32BE((((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) ^ MAGIC) >>> 0, 4);
  return v;
}

function readAddress(v, xor, tid) {
  if (v.length < 8) throw new Error('address attribute too short');
  const family = v.readUInt8(1);
  let port = v.readUInt16BE(2);
  if (xor) port ^= MAGIC >>> 16;
  if (family === 0x01) {
    let a = v.readUInt32BE(4);
    if (xor) a = (a ^ MAGIC) >>> 0;
    return { ip: [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.'), port };
  }
  if (family === 0x02 && v.length >= 20) {
    const a = Buffer.from(v.subarray(4, 20));
    if (xor) {
      const mask = Buffer.alloc(16);
      mask.writeUInt32BE(MAGIC, 0);
      tid.copy(mask, 4);
      for (let i = 0; i < 16; i++) a[i] ^= mask[i];
    }
    const groups = [];
    for (let i = 0; i < 16; i += 2) groups.push(a.readUInt16BE(i).toString(16));
    return { ip: groups.join(':'), port };
  }
  throw new Error(`unknown address family ${family}`);
}

/**
 * Builds a request. With `auth` ({ username, realm, nonce, key }) it carries USERNAME, REALM,
 * NONCE and MESSAGE-INTEGRITY; FINGERPRINT always goes last.
 */
function encode(method, tid, attrs, auth) {
  const parts = [...attrs];
  if (auth) {
    parts.push(attr(ATTR.USERNAME, Buffer.from(auth.username, 'utf8')));
    parts.push(attr(ATTR.REALM, Buffer.from(auth.realm, 'utf8')));
    parts.push(attr(ATTR.NONCE, Buffer.from(auth.nonce, 'utf8')));
  }
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0);
  header.writeUInt32BE(MAGIC, 4);
  tid.copy(header, 8);
  let msg = Buffer.concat([header, ...parts]);
  // MESSAGE-INTEGRITY and FINGERPRINT each cover the message with the length field already
  // counting themselves (RFC 8489 14.5, 14.7).
  if (auth) {
    msg.writeUInt16BE(msg.length - 20 + 24, 2);
    const mac = crypto.createHmac('sha1', auth.key).update(msg).digest();
    msg = Buffer.concat([msg, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
  }
  msg.writeUInt16BE(msg.length - 20 + 8, 2);
  const fp = Buffer.alloc(4);
  fp.writeUInt32BE((crc32(msg) ^ 0x5354554e) >>> 0, 0);
  return Buffer.concat([msg, attr(ATTR.FINGERPRINT, fp)]);
}

/** Parses one whole STUN message; throws on anything malformed. */
function decode(buf) {
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  if (buf.readUInt32BE(4) !== MAGIC) throw new Error('bad magic cookie');
  if (length % 4 !== 0 || buf.length !== 20 + length) throw new Error(`bad message length ${length}`);
  const tid = buf.subarray(8, 20);
  const attrs = new Map(); // first occurrence wins (RFC 8489 14)
  for (let off = 20; off < buf.length;) {
    if (off + 4 > buf.length) throw new Error('truncated attribute header');
    const t = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (off + 4 + len > buf.length) throw new Error(`attribute 0x${t.toString(16)} overruns the message`);
    if (!attrs.has(t)) attrs.set(t, buf.subarray(off + 4, off + 4 + len));
    off += 4 + Math.ceil(len / 4) * 4;
  }
  return { method: type & 0x3eef, cls: type & 0x0110, tid, attrs };
}

function errorOf(m, where) {
  const v = m.attrs.get(ATTR.ERROR_CODE);
  if (!v || v.length < 4) throw new Error(`${where}: error response without a valid ERROR-CODE`);
  // coturn counts a trailing NUL into some reason phrases ("Bad Request\0"): drop it.
  const reason = v.subarray(4).toString('utf8').replace(/\0+$/, '');
  return { code: (v.readUInt8(2) & 0x07) * 100 + v.readUInt8(3), reason };
}

const text = (m, type) => (m.attrs.has(type) ? m.attrs.get(type).toString('utf8') : undefined);

/**
 * Opens a TCP (or TLS, any certificate accepted) connection to a TURN server and returns
 * { allocate(), createPermission(peerIp), close() }; see the functions below for their results.
 * Rejects if the connection is not up within `timeoutMs`; each request has the same timeout.
 */
export async function turnSession({ host, port, tls: useTls = false, username, password, timeoutMs = 10000 }) {
  const where = `TURN ${useTls ? 'tls' : 'tcp'}://${host}:${port}`;
  const socket = useTls
    ? tls.connect({ host, port, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host })
    : net.connect({ host, port });
  const pending = new Map(); // transaction id (hex) -> { resolve, reject, timer }
  let inbuf = Buffer.alloc(0);
  let failure = null; // once set, the session is dead and every request rejects with it

  const fail = (err) => {
    if (!failure) failure = err;
    for (const p of pending.values()) { clearTimeout(p.timer); p.reject(failure); }
    pending.clear();
    socket.destroy();
  };

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${where}: no connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once(useTls ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve(); });
    socket.once('error', (e) => { clearTimeout(timer); reject(new Error(`${where}: ${e.message}`)); });
  }).catch((e) => { socket.destroy(); throw e; });

  socket.on('error', (e) => fail(new Error(`${where}: ${e.message}`)));
  socket.on('close', () => fail(new Error(`${where}: connection closed by the server`)));
  socket.on('data', (chunk) => {
    inbuf = Buffer.concat([inbuf, chunk]);
    // Messages follow each other on the stream; a message's length is in its header.
    while (inbuf.length > 0) {
      // We open no channels, so every frame must be STUN: top two bits zero, then the magic
      // cookie. Checked as soon as the bytes are there, so that junk fails at once.
      if ((inbuf[0] & 0xc0) !== 0 || (inbuf.length >= 8 && inbuf.readUInt32BE(4) !== MAGIC)) {
        return fail(new Error(`${where}: not a STUN message (starts ${inbuf.subarray(0, 8).toString('hex')})`));
      }
      if (inbuf.length < 20) return;
      const total = 20 + inbuf.readUInt16BE(2);
      if (inbuf.length < total) return;
      const frame = inbuf.subarray(0, total);
      inbuf = inbuf.subarray(total);
      let m;
      try { m = decode(frame); } catch (e) { return fail(new Error(`${where}: malformed STUN message: ${e.message}`)); }
      const p = pending.get(m.tid.toString('hex'));
      if (!p) continue; // not ours (or a late answer to a timed-out request): ignore
      pending.delete(m.tid.toString('hex'));
      clearTimeout(p.timer);
      p.resolve(m);
    }
  });

  const transact = (method, attrs, auth) => {
    if (failure) return Promise.reject(failure);
    const tid = crypto.randomBytes(12);
    const name = METHOD_NAMES[method];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(tid.toString('hex'));
        reject(new Error(`${where}: no answer to ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(tid.toString('hex'), { resolve, reject, timer });
      socket.write(encode(method, tid, attrs, auth));
    }).then((m) => {
      if (m.method !== method) throw new Error(`${where}: answer to ${name} has method 0x${m.method.toString(16)}`);
      if (m.cls !== CLASS_SUCCESS && m.cls !== CLASS_ERROR) throw new Error(`${where}: answer to ${name} is not a response`);
      return m;
    });
  };

  let auth = null; // { username, realm, nonce, key } once the server has challenged us

  // Unauthenticated first (the server answers with 401 + REALM + NONCE), then with credentials;
  // a 438 Stale Nonce gets one retry with the nonce it carries.
  const request = async (method, attrs) => {
    let m = await transact(method, attrs, auth);
    if (!auth && m.cls === CLASS_ERROR && errorOf(m, where).code === 401) {
      const realm = text(m, ATTR.REALM);
      const nonce = text(m, ATTR.NONCE);
      if (realm === undefined || nonce === undefined) throw new Error(`${where}: 401 without REALM and NONCE`);
      // Long-term credential key (RFC 8489 9.2.2), without SASLprep: test credentials are ASCII.
      const key = crypto.createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
      auth = { username, realm, nonce, key };
      m = await transact(method, attrs, auth);
    }
    if (auth && m.cls === CLASS_ERROR && errorOf(m, where).code === 438) {
      const nonce = text(m, ATTR.NONCE);
      if (nonce === undefined) throw new Error(`${where}: 438 without NONCE`);
      auth.nonce = nonce;
      m = await transact(method, attrs, auth);
    }
    return m;
  };

  return {
    /**
     * Allocate with REQUESTED-TRANSPORT UDP. Resolves { ok: true, relayed: {ip, port},
     * mapped: {ip, port}, lifetime } or { ok: false, code, reason }.
     */
    async allocate() {
      const m = await request(ALLOCATE, [attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]))]);
      if (m.cls === CLASS_ERROR) return { ok: false, ...errorOf(m, where) };
      const relayed = m.attrs.get(ATTR.XOR_RELAYED_ADDRESS);
      if (!relayed) throw new Error(`${where}: Allocate success without XOR-RELAYED-ADDRESS`);
      const xm = m.attrs.get(ATTR.XOR_MAPPED_ADDRESS);
      const pm = m.attrs.get(ATTR.MAPPED_ADDRESS);
      const lt = m.attrs.get(ATTR.LIFETIME);
      try {
        return {
          ok: true,
          relayed: readAddress(relayed, true, m.tid),
          mapped: xm ? readAddress(xm, true, m.tid) : pm ? readAddress(pm, false, m.tid) : undefined,
          lifetime: lt && lt.length >= 4 ? lt.readUInt32BE(0) : undefined,
        };
      } catch (e) {
        throw new Error(`${where}: Allocate success: ${e.message}`);
      }
    },

    /** CreatePermission for one IPv4 peer (port is ignored by TURN). Resolves { ok: true } or { ok: false, code, reason }. */
    async createPermission(peerIp) {
      const m = await request(CREATE_PERMISSION, [attr(ATTR.XOR_PEER_ADDRESS, xorAddress(peerIp, 0))]);
      return m.cls === CLASS_ERROR ? { ok: false, ...errorOf(m, where) } : { ok: true };
    },

    close() {
      failure = failure || new Error(`${where}: session closed`);
      // Our FIN first, then no waiting for the server's: nothing may keep the test process alive.
      socket.end(() => socket.destroy());
    },
  };
}

/**
 * Credentials in the "TURN REST API" scheme (what coturn's use-auth-secret checks): the username
 * is "<expiry unix seconds>:<name>", the password base64(HMAC-SHA1(secret, username)).
 * A negative ttlSeconds gives a credential that has already expired.
 */
export function turnRestCredentials(secret, ttlSeconds, name = 'test') {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${name}`;
  return { username, password: crypto.createHmac('sha1', secret).update(username).digest('base64') };
}
