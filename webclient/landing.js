// SPDX-License-Identifier: EUPL-1.2
// The start page (/): pick a room name, go to /r/<name>.

import { t, applyI18n } from './i18n.js';
import { isValidRoom, sanitizeRoom } from './names.js';

const form = document.getElementById('room-form');
const input = document.getElementById('room-input');
const error = document.getElementById('room-error');

function showError(text) {
  error.textContent = text || '';
  error.hidden = !text;
  input.setAttribute('aria-invalid', String(!!text));
}

// Keeps the field within the allowed characters while typing (spaces become "-").
input.addEventListener('input', () => {
  const clean = sanitizeRoom(input.value);
  if (clean !== input.value) {
    const caret = input.selectionStart ?? input.value.length;
    const before = sanitizeRoom(input.value.slice(0, caret)).length;
    input.value = clean;
    input.setSelectionRange(before, before);
    showError(t('landing.sanitized'));
  } else {
    showError('');
  }
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const room = sanitizeRoom(input.value.trim()).replace(/^-+|-+$/g, '');
  if (!room) {
    showError(t('landing.errEmpty'));
    input.focus();
    return;
  }
  if (!isValidRoom(room)) {
    showError(t('landing.errInvalid'));
    input.focus();
    return;
  }
  const lang = new URLSearchParams(location.search).get('lang');
  const query = lang === 'de' || lang === 'en' ? `?lang=${lang}` : '';
  location.assign(`/r/${encodeURIComponent(room)}${query}`);
});

applyI18n();
document.title = t('landing.docTitle');
