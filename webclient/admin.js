// SPDX-License-Identifier: EUPL-1.2
// The administrator page (/admin): all accounts — create staff and admin accounts, change a
// display name or set a new password, disable and enable, delete (handing the account's rooms
// to another account).

import { t, lang, applyI18n, withLang } from './portal-i18n.js';
import { ApiError, listAccounts, createAccount, updateAccount, deleteAccount, listRooms } from './api.js';
import {
  $, decorate, icon, setText, toast, errorText, isLoggedOut, requireSession, setupHeader, openDialog, closeDialog,
} from './portal-ui.js';

const MIN_PASSWORD = 8; // as plenumd (PasswordHasher::kMinLength, bytes; characters here)

const USERNAME_RE = /^[A-Za-z0-9._@-]{1,64}$/; // as plenumd (AccountRules.cpp)

let me = null;
let accounts = [];
let editing = null;
let deleting = null;       // the account in the delete dialog

function showForbidden() {
  $('loading').hidden = true;
  $('content').hidden = true;
  $('forbidden').hidden = false;
  $('forbidden-rooms').href = withLang('/rooms');
  document.title = t('admin.forbiddenTitle');
}

// Network and server failures on the page as a whole; a 403 means "not an administrator".
function handleLoadError(e) {
  if (isLoggedOut(e)) return;
  if (e instanceof ApiError && e.status === 403 && e.code !== 'csrf') {
    showForbidden();
    return;
  }
  $('loading').hidden = true;
  setText('load-error', errorText(e));
}

// ---- the list -----------------------------------------------------------------------------------

function tag(text, cls) {
  const li = document.createElement('li');
  li.className = cls ? `tag ${cls}` : 'tag';
  li.textContent = text;
  return li;
}

function renderAccount(acc, index) {
  const node = $('tpl-account').content.firstElementChild.cloneNode(true);
  applyI18n(node);
  decorate(node);
  node.dataset.accountId = acc.id;
  if (acc.disabled) node.classList.add('disabled');
  const name = node.querySelector('.acc-name');
  name.id = `acc-${index}-name`;
  name.textContent = acc.displayName || acc.username;
  node.setAttribute('aria-labelledby', name.id);
  node.querySelector('.acc-user').textContent = t('admin.usernameIs', { username: acc.username });

  const tags = node.querySelector('.tags');
  tags.append(tag(acc.role === 'admin' ? t('role.admin') : t('role.staff'), acc.role === 'admin' ? 'on' : ''));
  tags.append(tag(acc.disabled ? t('admin.disabled') : t('admin.active'), acc.disabled ? 'off' : 'ok'));
  if (acc.id === me.id) tags.append(tag(t('admin.you')));

  const label = acc.displayName || acc.username;
  const edit = node.querySelector('.edit');
  edit.setAttribute('aria-label', t('admin.editLabel', { name: label }));
  edit.addEventListener('click', () => openEditDialog(acc));

  const toggle = node.querySelector('.toggle-disabled');
  if (acc.id === me.id) {
    toggle.remove(); // one cannot lock oneself out
  } else {
    toggle.prepend(icon(acc.disabled ? 'unlock' : 'lock'));
    toggle.querySelector('.toggle-text').textContent = acc.disabled ? t('admin.enable') : t('admin.disable');
    toggle.setAttribute('aria-label', t(acc.disabled ? 'admin.enableLabel' : 'admin.disableLabel', { name: label }));
    toggle.addEventListener('click', () => setDisabled(acc, !acc.disabled, toggle));
  }

  const del = node.querySelector('.delete');
  if (acc.id === me.id) {
    del.remove(); // the server refuses it too
  } else {
    del.setAttribute('aria-label', t('admin.deleteLabel', { name: label }));
    del.addEventListener('click', () => openDeleteDialog(acc, del));
  }
  return node;
}

function render() {
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  const sorted = [...accounts].sort((a, b) =>
    (a.disabled - b.disabled) || collator.compare(a.displayName || a.username, b.displayName || b.username));
  $('account-list').replaceChildren(...sorted.map(renderAccount));
}

function replaceAccount(acc) {
  const i = accounts.findIndex((a) => a.id === acc.id);
  if (i >= 0) accounts[i] = acc; else accounts.push(acc);
  render();
}

function accountButton(id, selector) {
  const card = document.querySelector(`[data-account-id="${CSS.escape(String(id))}"]`);
  return card && (card.querySelector(selector) || card.querySelector('.edit'));
}

function focusAccount(id, selector) {
  const el = accountButton(id, selector);
  if (el) el.focus();
}

async function setDisabled(acc, disabled, button) {
  button.disabled = true;
  try {
    const updated = await updateAccount(acc.id, { disabled });
    replaceAccount(updated);
    const name = updated.displayName || updated.username;
    toast(t(disabled ? 'admin.disabledToast' : 'admin.enabledToast', { name }));
    focusAccount(updated.id, '.toggle-disabled');
  } catch (e) {
    button.disabled = false;
    if (isLoggedOut(e)) return;
    toast(errorText(e), 6000);
  }
}

// ---- delete ------------------------------------------------------------------------------------

const nameOf = (acc) => acc.displayName || acc.username;

// Asks for confirmation, naming the account; when it owns rooms, also who takes them over
// (an enabled account other than it; the admin themselves first).
async function openDeleteDialog(acc, button) {
  button.disabled = true;
  let owned;
  try {
    owned = (await listRooms()).filter((r) => r.ownerId === acc.id).length;
  } catch (e) {
    button.disabled = false;
    if (isLoggedOut(e)) return;
    toast(errorText(e), 6000);
    return;
  }
  button.disabled = false;
  deleting = acc;
  setText('delete-form-error', '');
  $('delete-title').textContent = t('admin.deleteTitle', { name: nameOf(acc) });
  $('delete-text').textContent = t('admin.deleteText', { name: nameOf(acc), username: acc.username });
  const heirs = accounts.filter((a) => a.id !== acc.id && !a.disabled)
    .sort((a, b) => (b.id === me.id) - (a.id === me.id) || nameOf(a).localeCompare(nameOf(b), lang));
  const select = $('delete-heir');
  select.replaceChildren(...heirs.map((a) => {
    const option = document.createElement('option');
    option.value = String(a.id);
    option.textContent = a.id === me.id ? t('admin.deleteHeirYou', { name: nameOf(a) }) : `${nameOf(a)} (${a.username})`;
    return option;
  }));
  $('delete-heir-box').hidden = owned === 0;
  setText('delete-rooms', owned === 0 ? '' : t(owned === 1 ? 'admin.deleteRoomsOne' : 'admin.deleteRoomsMany',
    { name: nameOf(acc), n: owned }));
  $('delete-confirm').disabled = false;
  openDialog($('delete-dialog'));
  (owned > 0 ? select : $('delete-cancel')).focus();
}

async function submitDelete(ev) {
  ev.preventDefault();
  const acc = deleting;
  const needsHeir = !$('delete-heir-box').hidden;
  const heirId = needsHeir ? Number($('delete-heir').value) : 0;
  setText('delete-form-error', '');
  $('delete-confirm').disabled = true;
  try {
    await deleteAccount(acc.id, heirId || undefined);
  } catch (e) {
    $('delete-confirm').disabled = false;
    if (isLoggedOut(e)) return;
    if (e instanceof ApiError && e.code === 'not-found') {
      accounts = accounts.filter((a) => a.id !== acc.id);
      render();
      closeDialog($('delete-dialog'), $('btn-new-account'));
      return;
    }
    const known = { 'owns-rooms': 'admin.errOwnsRooms', 'last-admin': 'admin.errLastAdmin' }[e.code];
    setText('delete-form-error', known ? t(known) : errorText(e));
    return;
  }
  accounts = accounts.filter((a) => a.id !== acc.id);
  render();
  closeDialog($('delete-dialog'), $('btn-new-account'));
  const heir = accounts.find((a) => a.id === heirId);
  toast(heir ? t('admin.deletedRooms', { name: nameOf(acc), heir: nameOf(heir) }) : t('admin.deleted', { name: nameOf(acc) }), 6000);
}

// ---- create ------------------------------------------------------------------------------------

function openCreateDialog() {
  $('account-form').reset();
  $('acc-password').type = 'password';
  for (const id of ['acc-username', 'acc-display', 'acc-password']) fieldError(id, '');
  setText('account-form-error', '');
  $('btn-create-account').disabled = false;
  openDialog($('create-dialog'));
  $('acc-username').focus();
}

function fieldError(id, text) {
  setText(`${id}-error`, text);
  $(id).setAttribute('aria-invalid', String(!!text));
}

async function submitCreate(ev) {
  ev.preventDefault();
  for (const id of ['acc-username', 'acc-display', 'acc-password']) fieldError(id, '');
  setText('account-form-error', '');
  const username = $('acc-username').value.trim();
  const displayName = $('acc-display').value.trim();
  const password = $('acc-password').value;
  const role = $('acc-role').value === 'admin' ? 'admin' : 'staff';
  let first = null;
  if (!username) { fieldError('acc-username', t('admin.errUsername')); first = first || 'acc-username'; }
  else if (!USERNAME_RE.test(username)) { fieldError('acc-username', t('admin.errUsernameChars')); first = first || 'acc-username'; }
  if (!displayName) { fieldError('acc-display', t('admin.errDisplayName')); first = first || 'acc-display'; }
  if (!password) { fieldError('acc-password', t('admin.errPassword')); first = first || 'acc-password'; }
  else if ([...password].length < MIN_PASSWORD) {
    fieldError('acc-password', t('admin.errPasswordShort', { n: MIN_PASSWORD }));
    first = first || 'acc-password';
  }
  if (first) { $(first).focus(); return; }

  const btn = $('btn-create-account');
  btn.disabled = true;
  try {
    const acc = await createAccount({ username, displayName, password, role });
    replaceAccount(acc);
    closeDialog($('create-dialog'), accountButton(acc.id, '.edit'));
    toast(t('admin.created', { name: acc.displayName || acc.username }));
  } catch (e) {
    if (isLoggedOut(e)) return;
    if (e instanceof ApiError && e.code === 'conflict') {
      fieldError('acc-username', t('admin.errUsernameTaken'));
      $('acc-username').focus();
    } else if (e instanceof ApiError && e.status === 403 && e.code !== 'csrf') {
      $('create-dialog').close();
      showForbidden();
    } else {
      setText('account-form-error', errorText(e));
    }
  } finally {
    btn.disabled = false;
  }
}

// ---- edit ----------------------------------------------------------------------------------------

function openEditDialog(acc) {
  editing = acc;
  fieldError('edit-display', '');
  setText('edit-form-error', '');
  $('account-dialog-title').textContent = t('admin.editTitle', { name: acc.displayName || acc.username });
  $('edit-username').textContent = t('admin.usernameIs', { username: acc.username });
  $('edit-display').value = acc.displayName || '';
  $('edit-password').value = '';
  $('edit-password').type = 'password';
  $('edit-show-password').checked = false;
  $('edit-save').disabled = false;
  openDialog($('account-dialog'));
  $('edit-display').focus();
}

async function submitEdit(ev) {
  ev.preventDefault();
  fieldError('edit-display', '');
  setText('edit-form-error', '');
  const displayName = $('edit-display').value.trim();
  const password = $('edit-password').value;
  if (!displayName) {
    fieldError('edit-display', t('admin.errDisplayName'));
    $('edit-display').focus();
    return;
  }
  if (password && [...password].length < MIN_PASSWORD) {
    setText('edit-form-error', t('admin.errPasswordShort', { n: MIN_PASSWORD }));
    $('edit-password').focus();
    return;
  }
  const changes = {};
  if (displayName !== editing.displayName) changes.displayName = displayName;
  if (password) changes.password = password;
  if (Object.keys(changes).length === 0) {
    $('account-dialog').close();
    return;
  }
  $('edit-save').disabled = true;
  try {
    const acc = await updateAccount(editing.id, changes);
    replaceAccount(acc);
    closeDialog($('account-dialog'), accountButton(acc.id, '.edit'));
    if (acc.id === me.id) setupName(acc);
    toast(t(changes.password ? 'admin.savedPassword' : 'admin.saved', { name: acc.displayName || acc.username }));
  } catch (e) {
    $('edit-save').disabled = false;
    if (isLoggedOut(e)) return;
    setText('edit-form-error', errorText(e));
  }
}

function setupName(acc) {
  $('user-name').textContent = acc.displayName || acc.username;
}

// ---- start ---------------------------------------------------------------------------------------

function bind() {
  $('btn-new-account').addEventListener('click', openCreateDialog);
  $('create-cancel').addEventListener('click', () => $('create-dialog').close());
  $('account-form').addEventListener('submit', submitCreate);
  $('edit-account-form').addEventListener('submit', submitEdit);
  $('edit-cancel').addEventListener('click', () => $('account-dialog').close());
  $('delete-form').addEventListener('submit', submitDelete);
  $('delete-cancel').addEventListener('click', () => $('delete-dialog').close());
  $('acc-show-password').addEventListener('change', (ev) => {
    $('acc-password').type = ev.target.checked ? 'text' : 'password';
  });
  $('edit-show-password').addEventListener('change', (ev) => {
    $('edit-password').type = ev.target.checked ? 'text' : 'password';
  });
}

async function main() {
  applyI18n();
  decorate();
  document.title = t('admin.docTitle');
  bind();
  let session;
  try {
    session = await requireSession();
  } catch (e) {
    handleLoadError(e);
    return;
  }
  me = session.account;
  setupHeader(me);
  if (me.role !== 'admin') {
    showForbidden();
    return;
  }
  try {
    const list = await listAccounts();
    accounts = Array.isArray(list) ? list : [];
  } catch (e) {
    handleLoadError(e);
    return;
  }
  $('loading').hidden = true;
  $('content').hidden = false;
  render();
}

main();
