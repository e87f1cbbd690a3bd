// SPDX-License-Identifier: EUPL-1.2
// The staff login page (/login): username and password → POST /api/session, then on to the
// page named by `?next=/path` (a path on this server only), else /rooms.

import { t, applyI18n, withLang } from './portal-i18n.js';
import { ApiError, getSession, login } from './api.js';
import { $, errorText } from './portal-ui.js';

const DEFAULT_NEXT = '/rooms';

// `next` must be a path on this origin: "/rooms", not "//evil.example" or "https://…".
function safeNext(raw, origin = location.origin) {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return DEFAULT_NEXT;
  let url;
  try { url = new URL(raw, origin); } catch { return DEFAULT_NEXT; }
  if (url.origin !== origin || url.pathname === '/login' || url.pathname.startsWith('/api/')) return DEFAULT_NEXT;
  return url.pathname + url.search + url.hash;
}

const next = safeNext(new URLSearchParams(location.search).get('next'));
const form = $('login-form');
const user = $('username');
const pass = $('password');
const btn = $('btn-login');
const error = $('login-error');
const announce = $('login-announce');
let countdown = null;

function showError(text, { invalid = false, speak = true } = {}) {
  error.textContent = text || '';
  error.hidden = !text;
  user.setAttribute('aria-invalid', String(invalid));
  pass.setAttribute('aria-invalid', String(invalid));
  if (speak) announce.textContent = text || '';
}

function stopCountdown() {
  if (countdown) clearInterval(countdown);
  countdown = null;
  btn.disabled = false;
  btn.textContent = t('login.submit');
}

// 429: the button stays disabled and the message counts the seconds down.
function startCountdown(seconds) {
  stopCountdown();
  let left = Math.max(1, Math.ceil(Number(seconds) || 30));
  btn.disabled = true;
  showError(t('login.rateLimited', { n: left }));
  btn.textContent = t('login.wait', { n: left });
  countdown = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      stopCountdown();
      showError('', { speak: false });
      announce.textContent = t('login.tryAgainNow');
      return;
    }
    showError(t('login.rateLimited', { n: left }), { speak: false });
    btn.textContent = t('login.wait', { n: left });
  }, 1000);
}

function proceed() {
  location.replace(withLang(next));
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (countdown) return;
  const username = user.value.trim();
  const password = pass.value;
  if (!username || !password) {
    showError(t('login.errEmpty'), { invalid: true });
    (username ? pass : user).focus();
    return;
  }
  btn.disabled = true;
  btn.textContent = t('login.busy');
  try {
    await login(username, password);
    proceed();
  } catch (e) {
    stopCountdown();
    if (e instanceof ApiError && e.code === 'rate-limited') {
      startCountdown(e.retryAfter);
    } else if (e instanceof ApiError && e.code === 'wrong-credentials') {
      showError(t('login.wrongCredentials'), { invalid: true });
      pass.value = '';
      pass.focus();
    } else if (e instanceof ApiError && e.code === 'forbidden') {
      showError(t('login.forbidden'), { invalid: true });
    } else {
      showError(errorText(e));
    }
  }
});

async function main() {
  applyI18n();
  document.title = t('login.docTitle');
  $('link-home').href = withLang('/');
  try {
    await getSession();
    proceed(); // already logged in
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) showError(errorText(e));
  }
  user.focus();
}

main();
