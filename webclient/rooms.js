// SPDX-License-Identifier: EUPL-1.2
// The staff page (/rooms): one's own rooms (admins: all rooms) — create, edit, delete, copy the
// invitation (guest link, PIN, .ics calendar file), replace a leaked link or PIN, start the
// meeting, and the rooms' recordings (recordings.js).

import { t, lang, applyI18n, withLang } from './portal-i18n.js';
import {
  ApiError, listRooms, createRoom, updateRoom, deleteRoom, listAccounts, invitationIcsUrl, renewInvite, renewPin,
} from './api.js';
import { isValidRoom, sanitizeRoom } from './names.js';
import { setupRecordings } from './recordings.js';
import {
  $, decorate, setText, toast, copyText, errorText, isLoggedOut, requireSession, setupHeader,
  openDialog, closeDialog, confirmDialog, deleteAfterConfirm,
} from './portal-ui.js';

const MIN_PARTICIPANTS = 2;
const MAX_PARTICIPANTS = 100; // the highest rooms.max-participants plenumd accepts

let me = null;             // the logged-in account
let rooms = [];
let ownerNames = new Map(); // account id → display name (admins only)
let editing = null;        // the room being edited, or null when creating

// ---- the list -----------------------------------------------------------------------------------

const guestLink = (room) => new URL(String(room.inviteUrl || ''), location.origin).href;
const startLink = (room) => withLang(`/r/${encodeURIComponent(room.slug)}`);

// 6–9 digits in groups that are easy to read aloud: 123 456, 123 4567, 1234 5678, 123 456 789.
function formatPin(pin) {
  const s = String(pin ?? '');
  if (!/^\d{6,9}$/.test(s)) return s;
  const groups = { 6: [3, 3], 7: [3, 4], 8: [4, 4], 9: [3, 3, 3] }[s.length];
  let at = 0;
  return groups.map((n) => s.slice(at, (at += n))).join(' ');
}

// How to dial in by phone (the server's sip.* settings, in every room's JSON), or '' when off.
function phoneText(room) {
  if (!room.dialIn || !room.pin) return '';
  const pin = formatPin(room.pin);
  return room.dialInNumber ? t('invite.phone', { number: room.dialInNumber, pin }) : t('invite.pin', { pin });
}

function invitationText(room, link) {
  const lines = [t('invite.intro', { title: room.title }), '', t('invite.join'), link];
  const phone = phoneText(room);
  if (phone) lines.push('', phone);
  if (room.hasPassword) lines.push('', t('invite.password'));
  if (room.lobby) lines.push('', t('invite.lobby'));
  return lines.join('\n');
}

function tag(text, cls) {
  const li = document.createElement('li');
  li.className = cls ? `tag ${cls}` : 'tag';
  li.textContent = text;
  return li;
}

function renderRoom(room, index) {
  const node = $('tpl-room').content.firstElementChild.cloneNode(true);
  applyI18n(node);
  decorate(node);
  node.dataset.roomId = room.id;
  const titleId = `room-${index}-title`;
  const title = node.querySelector('.room-title');
  title.id = titleId;
  title.textContent = room.title;
  node.setAttribute('aria-labelledby', titleId);
  node.querySelector('.room-address').textContent = `/r/${room.slug}`;

  const tags = node.querySelector('.tags');
  tags.append(tag(room.lobby ? t('rooms.lobbyOn') : t('rooms.lobbyOff'), room.lobby ? 'on' : ''));
  tags.append(tag(room.hasPassword ? t('rooms.passwordOn') : t('rooms.passwordOff'), room.hasPassword ? 'on' : ''));
  if (room.maxParticipants) tags.append(tag(t('rooms.max', { n: room.maxParticipants })));
  if (Array.isArray(room.coHosts) && room.coHosts.length) {
    tags.append(tag(t('rooms.coHosts', { names: room.coHosts.join(', ') }), 'cohosts'));
  }
  if (me.role === 'admin' && room.ownerId !== me.id) {
    tags.append(tag(t('rooms.owner', { name: ownerNames.get(room.ownerId) || t('rooms.ownerUnknown') }), 'owner'));
  }

  const start = node.querySelector('.start');
  start.href = startLink(room);
  start.setAttribute('aria-label', t('rooms.startLabel', { title: room.title }));

  const link = guestLink(room);
  const input = node.querySelector('.invite-link');
  input.id = `room-${index}-link`;
  input.value = link;
  node.querySelector('.invite-label').htmlFor = input.id;
  input.addEventListener('focus', () => input.select());

  const copyLink = node.querySelector('.copy-link');
  copyLink.setAttribute('aria-label', t('rooms.copyLinkLabel', { title: room.title }));
  copyLink.addEventListener('click', async () => {
    if (await copyText(link)) toast(t('rooms.linkCopied'));
    else { input.focus(); input.select(); toast(t('rooms.copyFailed')); }
  });

  node.querySelector('.pin').textContent = formatPin(room.pin);
  // Dial-in on: the number after the PIN (if the admin set one); off: why the PIN does not work yet.
  node.querySelector('.dial-in').hidden = !(room.dialIn && room.dialInNumber);
  node.querySelector('.dial-in-number').textContent = room.dialInNumber || '';
  node.querySelector('.dial-in-off').hidden = !!room.dialIn;

  const renewLink = node.querySelector('.renew-link');
  renewLink.setAttribute('aria-label', t('rooms.renewLinkLabel', { title: room.title }));
  renewLink.addEventListener('click', () => renew(room, 'link'));
  const renewPinButton = node.querySelector('.renew-pin');
  renewPinButton.setAttribute('aria-label', t('rooms.renewPinLabel', { title: room.title }));
  renewPinButton.addEventListener('click', () => renew(room, 'pin'));

  const copyInv = node.querySelector('.copy-invitation');
  copyInv.setAttribute('aria-label', t('rooms.copyInvitationLabel', { title: room.title }));
  copyInv.addEventListener('click', async () => {
    if (await copyText(invitationText(room, link))) toast(t('rooms.invitationCopied'));
    else toast(t('rooms.copyFailed'));
  });

  const ics = node.querySelector('.ics');
  ics.href = invitationIcsUrl(room.id, lang);
  ics.download = `${room.slug || 'plenum'}.ics`;
  ics.setAttribute('aria-label', t('rooms.icsLabel', { title: room.title }));

  const edit = node.querySelector('.edit');
  edit.setAttribute('aria-label', t('rooms.editLabel', { title: room.title }));
  edit.addEventListener('click', () => openRoomDialog(room));

  const del = node.querySelector('.delete');
  del.setAttribute('aria-label', t('rooms.deleteLabel', { title: room.title }));
  del.addEventListener('click', () => removeRoom(room));
  setupRecordings(node, room);
  return node;
}

function render() {
  const list = $('room-list');
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  const sorted = [...rooms].sort((a, b) => collator.compare(a.title, b.title) || collator.compare(a.slug, b.slug));
  list.replaceChildren(...sorted.map(renderRoom));
  $('rooms-empty').hidden = rooms.length > 0;
}

async function removeRoom(room) {
  const gone = await deleteAfterConfirm({
    title: t('rooms.deleteTitle', { title: room.title }),
    text: t('rooms.deleteText'),
    yes: t('common.delete'),
  }, () => deleteRoom(room.id));
  if (!gone) return;
  rooms = rooms.filter((r) => r.id !== room.id);
  render();
  toast(t('rooms.deleted', { title: room.title }));
  $('btn-new-room').focus();
}

// A new guest link or phone PIN after a confirmation: the old one stops working at once.
async function renew(room, what) {
  const ok = await confirmDialog({
    title: t(what === 'link' ? 'rooms.renewLinkTitle' : 'rooms.renewPinTitle', { title: room.title }),
    text: t(what === 'link' ? 'rooms.renewLinkText' : 'rooms.renewPinText'),
    yes: t(what === 'link' ? 'rooms.renewLink' : 'rooms.renewPin'),
  });
  if (!ok) return;
  let updated;
  try {
    updated = what === 'link' ? await renewInvite(room.id) : await renewPin(room.id);
  } catch (e) {
    if (isLoggedOut(e)) return;
    toast(errorText(e), 6000);
    return;
  }
  const i = rooms.findIndex((r) => r.id === updated.id);
  if (i >= 0) rooms[i] = updated; else rooms.push(updated);
  render();
  const card = document.querySelector(`[data-room-id="${CSS.escape(String(updated.id))}"]`);
  const focus = card && card.querySelector(what === 'link' ? '.copy-link' : '.renew-pin');
  if (focus) focus.focus();
  toast(t(what === 'link' ? 'rooms.linkRenewed' : 'rooms.pinRenewed', { title: updated.title }), 6000);
}

// ---- the create / edit dialog ------------------------------------------------------------------

function fieldError(id, text) {
  setText(`${id}-error`, text);
  $(id).setAttribute('aria-invalid', String(!!text));
}

function clearErrors() {
  for (const id of ['room-title', 'room-slug', 'room-password', 'room-max', 'room-cohosts']) fieldError(id, '');
  setText('room-form-error', '');
}

function syncPasswordBox() {
  const use = $('room-use-password').checked;
  $('password-box').hidden = !use;
  const keep = editing && editing.hasPassword;
  $('room-password').placeholder = use && keep ? t('roomForm.passwordKeep') : '';
  $('room-password-hint').textContent = !use ? t('roomForm.passwordOffHint')
    : keep ? t('roomForm.passwordKeepHint') : t('roomForm.passwordHint');
}

function openRoomDialog(room) {
  editing = room || null;
  clearErrors();
  $('room-dialog-title').textContent = room ? t('roomForm.editTitle') : t('roomForm.newTitle');
  $('room-save').textContent = room ? t('common.save') : t('roomForm.create');
  $('room-title').value = room ? room.title : '';
  $('slug-new').hidden = !!room;
  $('room-slug').value = '';
  setText('slug-fixed', room ? t('roomForm.slugFixed', { slug: room.slug }) : '');
  $('room-use-password').checked = room ? !!room.hasPassword : false;
  $('room-password').value = '';
  $('room-lobby').checked = room ? !!room.lobby : true;
  $('room-max').value = room && room.maxParticipants ? String(room.maxParticipants) : '';
  $('room-max').placeholder = room ? '' : t('roomForm.maxPlaceholder');
  $('room-cohosts').value = room && Array.isArray(room.coHosts) ? room.coHosts.join(', ') : '';
  syncPasswordBox();
  $('room-save').disabled = false;
  openDialog($('room-dialog'));
  $('room-title').focus();
}

// Reads and checks the form; returns the request body or null (errors shown).
function readForm() {
  clearErrors();
  let first = null;
  const fail = (id, text) => { fieldError(id, text); first = first || id; };

  const title = $('room-title').value.trim();
  if (!title) fail('room-title', t('roomForm.errTitle'));

  let slug = '';
  if (!editing) {
    slug = $('room-slug').value.trim().replace(/^-+|-+$/g, '');
    if (slug && !isValidRoom(slug)) fail('room-slug', t('roomForm.errSlug'));
  }

  const use = $('room-use-password').checked;
  const password = $('room-password').value;
  if (use && !password && !(editing && editing.hasPassword)) fail('room-password', t('roomForm.errPassword'));

  const maxText = $('room-max').value.trim();
  let max = null;
  if (maxText || editing) {
    max = Number(maxText);
    if (!maxText || !Number.isInteger(max) || max < MIN_PARTICIPANTS || max > MAX_PARTICIPANTS) {
      fail('room-max', t('roomForm.errMax', { min: MIN_PARTICIPANTS, max: MAX_PARTICIPANTS }));
    }
  }
  if (first) {
    $(first).focus();
    return null;
  }

  const lobby = $('room-lobby').checked;
  // Usernames, separated by commas or white space.
  const coHosts = [...new Set($('room-cohosts').value.split(/[\s,;]+/).filter(Boolean))];
  if (!editing) {
    const body = { title, lobby };
    if (slug) body.slug = slug;
    if (use && password) body.password = password;
    if (max !== null) body.maxParticipants = max;
    if (coHosts.length) body.coHosts = coHosts;
    return body;
  }
  const changes = {};
  const before = Array.isArray(editing.coHosts) ? editing.coHosts : [];
  const same = (a, b) => a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i].toLowerCase());
  if (!same([...coHosts].sort(), [...before].sort())) changes.coHosts = coHosts;
  if (title !== editing.title) changes.title = title;
  if (lobby !== !!editing.lobby) changes.lobby = lobby;
  if (max !== editing.maxParticipants) changes.maxParticipants = max;
  if (!use && editing.hasPassword) changes.password = '';
  else if (use && password) changes.password = password;
  return changes;
}

async function submitRoom(ev) {
  ev.preventDefault();
  const body = readForm();
  if (!body) return;
  const save = $('room-save');
  if (editing && Object.keys(body).length === 0) {
    $('room-dialog').close();
    return;
  }
  save.disabled = true;
  try {
    const room = editing ? await updateRoom(editing.id, body) : await createRoom(body);
    const i = rooms.findIndex((r) => r.id === room.id);
    if (i >= 0) rooms[i] = room; else rooms.push(room);
    render();
    // Focus moves to the room just saved: its "copy" button when new, else its "edit" button.
    const card = document.querySelector(`[data-room-id="${CSS.escape(String(room.id))}"]`);
    closeDialog($('room-dialog'), card && card.querySelector(editing ? '.edit' : '.copy-link'));
    if (card) card.scrollIntoView({ block: 'nearest' });
    toast(editing ? t('rooms.saved', { title: room.title }) : t('rooms.created', { title: room.title }));
  } catch (e) {
    save.disabled = false;
    if (isLoggedOut(e)) return;
    if (e instanceof ApiError && e.code === 'conflict' && !editing) {
      fieldError('room-slug', t('roomForm.errSlugTaken'));
      $('room-slug').focus();
    } else if (e instanceof ApiError && e.code === 'bad-field' && /coHosts/.test(e.message || '')) {
      fieldError('room-cohosts', errorText(e));
      $('room-cohosts').focus();
    } else {
      setText('room-form-error', errorText(e));
    }
  }
}

function bindDialog() {
  $('room-form').addEventListener('submit', submitRoom);
  $('room-cancel').addEventListener('click', () => $('room-dialog').close());
  $('room-use-password').addEventListener('change', () => {
    syncPasswordBox();
    if ($('room-use-password').checked) $('room-password').focus();
  });
  const slug = $('room-slug');
  slug.addEventListener('input', () => {
    const clean = sanitizeRoom(slug.value);
    if (clean !== slug.value) {
      const caret = slug.selectionStart ?? slug.value.length;
      const before = sanitizeRoom(slug.value.slice(0, caret)).length;
      slug.value = clean;
      slug.setSelectionRange(before, before);
      fieldError('room-slug', t('roomForm.slugSanitized'));
    } else {
      fieldError('room-slug', '');
    }
  });
}

// ---- start ---------------------------------------------------------------------------------------

async function main() {
  applyI18n();
  decorate();
  document.title = t('rooms.docTitle');
  bindDialog();
  $('btn-new-room').addEventListener('click', () => openRoomDialog(null));
  let session;
  try {
    session = await requireSession();
  } catch (e) {
    $('loading').hidden = true;
    setText('load-error', errorText(e));
    return;
  }
  me = session.account;
  setupHeader(me);
  if (me.role === 'admin') $('rooms-heading').textContent = t('rooms.headingAdmin');
  try {
    const [list, accounts] = await Promise.all([
      listRooms(),
      me.role === 'admin' ? listAccounts().catch(() => []) : Promise.resolve([]),
    ]);
    rooms = Array.isArray(list) ? list : [];
    ownerNames = new Map((accounts || []).map((a) => [a.id, a.displayName || a.username]));
  } catch (e) {
    if (isLoggedOut(e)) return;
    $('loading').hidden = true;
    setText('load-error', errorText(e));
    return;
  }
  $('loading').hidden = true;
  $('content').hidden = false;
  render();
}

main();
