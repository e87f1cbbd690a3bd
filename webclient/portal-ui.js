// SPDX-License-Identifier: EUPL-1.2
// Shared DOM helpers of the staff pages (login, rooms, admin). Everything that comes from users
// or the server goes through textContent or attributes, never through HTML parsing.

import { t, withLang } from './portal-i18n.js';
import { ApiError, getSession, logout } from './api.js';

export const $ = (id) => document.getElementById(id);

// ---- icons (stroke style, 24×24), built with DOM calls ------------------------------------

const NS = 'http://www.w3.org/2000/svg';
const SHAPES = {
  plus: [['path', { d: 'M12 5v14M5 12h14' }]],
  edit: [['path', { d: 'M12 20h9' }], ['path', { d: 'M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4L16.5 3.5z' }]],
  trash: [['path', { d: 'M3 6h18M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2m3 0v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6' }]],
  copy: [['rect', { x: '9', y: '9', width: '13', height: '13', rx: '2' }],
    ['path', { d: 'M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1' }]],
  calendar: [['rect', { x: '3', y: '4', width: '18', height: '18', rx: '2' }], ['path', { d: 'M16 2v4M8 2v4M3 10h18' }]],
  logout: [['path', { d: 'M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4' }], ['path', { d: 'M16 17l5-5-5-5M21 12H9' }]],
  cam: [['path', { d: 'M23 7l-7 5 7 5V7z' }], ['rect', { x: '1', y: '5', width: '15', height: '14', rx: '2' }]],
  lock: [['rect', { x: '3', y: '11', width: '18', height: '11', rx: '2' }], ['path', { d: 'M7 11V7a5 5 0 0 1 10 0v4' }]],
  refresh: [['path', { d: 'M23 4v6h-6M1 20v-6h6' }],
    ['path', { d: 'M3.51 9a9 9 0 0 1 14.85-3.36L23 10M1 14l4.64 4.36A9 9 0 0 0 20.49 15' }]],
  play: [['path', { d: 'M5 3l14 9-14 9V3z' }]],
  download: [['path', { d: 'M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3' }]],
  unlock: [['rect', { x: '3', y: '11', width: '18', height: '11', rx: '2' }], ['path', { d: 'M7 11V7a5 5 0 0 1 9.9-1' }]],
};

export function icon(name) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  for (const [tag, attrs] of SHAPES[name] || []) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  }
  return svg;
}

// Prepends the icon named by data-picon to each element below root (once).
export function decorate(root = document) {
  for (const el of root.querySelectorAll('[data-picon]')) {
    if (el.firstElementChild && el.firstElementChild.classList.contains('icon')) continue;
    el.prepend(icon(el.dataset.picon));
  }
}

// ---- small helpers ----------------------------------------------------------------------------

export function setText(el, text) {
  if (typeof el === 'string') el = $(el);
  el.textContent = text || '';
  el.hidden = !text;
}

// Polite announcements and short visible confirmations.
export function toast(text, ms = 4000) {
  let box = $('toasts');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toasts';
    box.className = 'portal-toasts';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  const el = document.createElement('div');
  el.className = 'portal-toast';
  el.textContent = text;
  box.append(el);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => el.remove(), ms);
}

// Copies text to the clipboard; true on success. Falls back to a hidden textarea and
// execCommand where the Clipboard API is missing (plain HTTP on a LAN address).
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall through */ }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  const active = document.activeElement;
  document.body.append(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  area.remove();
  if (active && typeof active.focus === 'function') active.focus();
  return ok;
}

// A user-facing sentence for an API error.
export function errorText(e) {
  if (!(e instanceof ApiError)) return t('err.unexpected');
  switch (e.code) {
    case 'network': return t('err.network');
    case 'forbidden': return t('err.forbidden');
    case 'not-found': return t('err.notFound');
    case 'csrf': return t('err.csrf');
    case 'rate-limited': return t('err.rateLimited', { n: e.retryAfter ?? '?' });
    case 'conflict': return t('err.conflict');
    case 'recording-running': return t('err.recordingRunning');
    case 'not-ready': return t('err.notReady');
    case 'bad-request':
    case 'bad-field': return t('err.badField', { message: e.message || e.code });
    default:
      if (e.status >= 500) return t('err.server', { status: e.status });
      return t('err.generic', { code: e.code });
  }
}

// ---- session, header, navigation ------------------------------------------------------------

export function loginUrl(next) {
  return withLang(`/login?next=${encodeURIComponent(next)}`);
}

// Sends the browser to the login page, coming back to `next` (this page) afterwards.
export function goToLogin(next = location.pathname) {
  location.replace(loginUrl(next));
}

// Handles a 401 anywhere on a staff page: the session has expired.
export function isLoggedOut(e) {
  if (e instanceof ApiError && e.status === 401) {
    goToLogin();
    return true;
  }
  return false;
}

// GET /api/session; on 401 goes to the login page (and never resolves).
export async function requireSession() {
  try {
    return await getSession();
  } catch (e) {
    if (isLoggedOut(e)) return new Promise(() => {});
    throw e;
  }
}

// Fills the page header: the account's name, the admin link for admins, the logout button.
export function setupHeader(account) {
  const name = $('user-name');
  if (name) {
    name.textContent = account.displayName || account.username;
    name.title = t('nav.signedInAs', { name: account.username });
  }
  const admin = $('nav-admin');
  if (admin) admin.hidden = account.role !== 'admin';
  for (const a of document.querySelectorAll('.portal-nav a')) a.href = withLang(a.getAttribute('href'));
  const btn = $('btn-logout');
  if (btn) {
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await logout();
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) {
          btn.disabled = false;
          toast(errorText(e));
          return;
        }
      }
      location.assign(withLang('/login'));
    });
  }
}

// ---- dialogs ------------------------------------------------------------------------------------

const focusAfterClose = new WeakMap();

// Opens a <dialog> modally; when it closes, focus goes to the element given to closeDialog,
// else back to the element that had it before (if that is still on the page).
export function openDialog(dialog) {
  const back = document.activeElement;
  focusAfterClose.delete(dialog);
  dialog.addEventListener('close', () => {
    const target = focusAfterClose.get(dialog) || back;
    focusAfterClose.delete(dialog);
    if (target && document.contains(target) && typeof target.focus === 'function') target.focus();
  }, { once: true });
  dialog.showModal();
}

// Closes a dialog opened with openDialog and moves focus to `focusEl` (e.g. the re-rendered
// item the dialog changed) instead of the element that opened it.
export function closeDialog(dialog, focusEl) {
  if (focusEl) focusAfterClose.set(dialog, focusEl);
  dialog.close();
}

// A yes/no question in the page's <dialog id="confirm-dialog">; resolves true for yes.
export function confirmDialog({ title, text, yes }) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = yes;
  return new Promise((resolve) => {
    const onYes = () => { dialog.returnValue = 'yes'; dialog.close(); };
    const onNo = () => { dialog.returnValue = 'no'; dialog.close(); };
    $('confirm-yes').addEventListener('click', onYes);
    $('confirm-no').addEventListener('click', onNo);
    dialog.addEventListener('close', () => {
      $('confirm-yes').removeEventListener('click', onYes);
      $('confirm-no').removeEventListener('click', onNo);
      resolve(dialog.returnValue === 'yes');
    }, { once: true });
    dialog.returnValue = 'no';
    openDialog(dialog);
    $('confirm-no').focus();
  });
}

// Asks `question` ({title, text, yes}) and then runs `del`; true when the thing is gone (also
// when it was gone already: 404), false when cancelled or refused (the reason is shown).
export async function deleteAfterConfirm(question, del) {
  if (!(await confirmDialog(question))) return false;
  try {
    await del();
  } catch (e) {
    if (isLoggedOut(e)) return false;
    if (!(e instanceof ApiError && e.status === 404)) {
      toast(errorText(e), 6000);
      return false;
    }
  }
  return true;
}
