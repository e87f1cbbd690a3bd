// SPDX-License-Identifier: EUPL-1.2
// Room names and display names: validation and cleaning (see signaling/PROTOCOL.md, `join`).

const ROOM_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_NAME = 64;

// "." and ".." are allowed by the protocol but cannot live in a URL path (/r/. → /r/).
export function isValidRoom(room) {
  return typeof room === 'string' && ROOM_RE.test(room) && room !== '.' && room !== '..';
}

const GERMAN = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss' };

// Turns typed text into something a room name may hold: whitespace → "-", umlauts
// transliterated, accents dropped, everything else not allowed removed, at most 64 chars.
export function sanitizeRoom(text) {
  return String(text ?? '')
    .replace(/[äöüÄÖÜß]/g, (c) => GERMAN[c])
    .normalize('NFKD')
    .replace(/\s+/g, '-')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 64);
}

// The room of a /r/<room> path, or null.
export function roomFromPath(pathname) {
  const m = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  let room;
  try { room = decodeURIComponent(m[1]); } catch { return null; }
  return isValidRoom(room) ? room : null;
}

// The invite token of a /j/<token> path (signaling/PROTOCOL.md, `join`'s `invite`), or null.
const INVITE_RE = /^[A-Za-z0-9_-]{1,128}$/;
export function inviteFromPath(pathname) {
  const m = /^\/j\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  let token;
  try { token = decodeURIComponent(m[1]); } catch { return null; }
  return INVITE_RE.test(token) ? token : null;
}

// Control characters (C0, DEL, C1), line/paragraph separators and bidi overrides are removed,
// then surrounding whitespace is trimmed.
const UNWANTED = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

export function cleanDisplayName(text) {
  return String(text ?? '').replace(UNWANTED, '').trim();
}

// Counts Unicode code points, like "characters" in the protocol.
export function isValidDisplayName(name) {
  const n = [...String(name)].length;
  return n >= 1 && n <= MAX_NAME;
}
