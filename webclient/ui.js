// SPDX-License-Identifier: EUPL-1.2
// DOM updates of the room page (room.html). Everything from users or the server goes through
// textContent or attributes, never through HTML parsing.

import { t } from './i18n.js';
import { icon } from './icons.js';

export const $ = (id) => document.getElementById(id);

// name: 'prejoin' | 'password' | 'consent' | 'lobby' | 'room' | 'ended'
export function showScreen(name) {
  for (const el of document.querySelectorAll('.screen')) el.hidden = el.id !== `screen-${name}`;
}

// A mic/camera toggle button: aria-pressed="true" while the device is on.
export function setToggle(btn, { on, available, titleOn, titleOff, titleNone }) {
  const pressed = !!(on && available);
  btn.setAttribute('aria-pressed', String(pressed));
  btn.disabled = !available;
  btn.title = !available ? titleNone : pressed ? titleOn : titleOff;
}

export function setText(id, text) {
  const el = $(id);
  el.textContent = text || '';
  el.hidden = !text;
}

export const setNotice = (text) => setText('media-notice', text);
export const setBanner = (text) => setText('banner', text);
export const setStageStatus = (text) => setText('stage-status', text);
export function setNameError(text) {
  setText('name-error', text);
  $('name-input').setAttribute('aria-invalid', String(!!text));
}

// `urgent`: styled as a warning and announced at once (role=alert).
export function toast(text, ms = 4000, urgent = false) {
  const box = $('toasts');
  const el = document.createElement('div');
  el.className = urgent ? 'toast urgent' : 'toast';
  if (urgent) el.setAttribute('role', 'alert');
  el.textContent = text;
  box.append(el);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => el.remove(), ms);
}

// Pre-join camera preview; `cam` null or `on` false shows the placeholder text instead.
export function setPreview(cam, on, offText) {
  const video = $('preview');
  const show = !!cam && on;
  if (show) {
    const cur = video.srcObject;
    if (!cur || cur.getVideoTracks()[0] !== cam) video.srcObject = new MediaStream([cam]);
    video.play().catch(() => {});
  }
  video.hidden = !show;
  $('preview-off-text').textContent = offText;
  $('preview-off').hidden = show;
}

export function clearPreview() {
  $('preview').srcObject = null;
}

// The side panel: four tabs (participants, chat, speakers, breakout rooms). On wide screens it sits beside the
// video, on narrow ones over it (style.css).
export const TABS = ['participants', 'chat', 'speakers', 'breakouts'];
let currentTab = 'participants';

export function isPanelOpen() {
  return !$('participants-panel').hidden;
}

export const panelTab = () => currentTab;

/** Whether `tab` is what the user sees in the panel right now. */
export const tabShowing = (tab) => isPanelOpen() && currentTab === tab;

export function setPanelOpen(open, tab = currentTab) {
  currentTab = TABS.includes(tab) ? tab : 'participants';
  $('participants-panel').hidden = !open;
  document.body.dataset.panel = open ? currentTab : '';
  for (const name of TABS) {
    const selected = name === currentTab;
    const btn = $(`tab-btn-${name}`);
    btn.setAttribute('aria-selected', String(selected));
    btn.tabIndex = selected ? 0 : -1;
    $(`tab-${name}`).hidden = !selected;
  }
  // The toolbar buttons are "expanded" when their own tab is the one showing.
  $('btn-participants').setAttribute('aria-expanded', String(open && currentTab !== 'chat'));
  $('btn-chat').setAttribute('aria-expanded', String(open && currentTab === 'chat'));
}

export function showSoundButton(show) {
  $('btn-sound').hidden = !show;
}

export function showEnded({ title, text, canRejoin, rejoinLabel = t('ended.rejoin') }) {
  $('ended-title').textContent = title;
  setText('ended-text', text);
  $('btn-rejoin').hidden = !canRejoin;
  $('btn-rejoin').textContent = rejoinLabel;
  showScreen('ended');
  (canRejoin ? $('btn-rejoin') : $('ended-home')).focus();
}

// list: [{id, name, audio, video, role}]; the own entry is shown first and marked; moderators
// are marked for everyone. `moderator`: whether we moderate (then each other entry gets the
// actions mute / make moderator / remove, as buttons with data-action and data-id, and everyone
// the action "give the floor"). `marks(id)` → {floor, position, pointOfOrder, speaking}: the
// floor holder, a raised hand's place in the queue, the active speaker.
export function renderParticipants(list, selfId, moderator, marks = () => ({})) {
  const sorted = [...list].sort((a, b) => (b.id === selfId) - (a.id === selfId));
  const box = $('participant-list');
  // The list is rebuilt on every change: keep the keyboard focus on the same action.
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset : null;
  box.replaceChildren(...sorted.map((p) => participantItem(p, p.id === selfId, moderator, marks(p.id))));
  if (focused && focused.action) {
    const again = box.querySelector(`button[data-action="${focused.action}"][data-id="${CSS.escape(focused.id)}"]`);
    if (again) again.focus();
  }
  $('participant-count').textContent = String(list.length);
}

// The active speaker changes often: marked in place rather than by rebuilding the list.
export function markSpeaking(id) {
  for (const li of $('participant-list').children) {
    const speaking = li.dataset.id === id;
    if ((li.dataset.speaking === 'true') === speaking) continue;
    li.dataset.speaking = String(speaking);
    const tags = li.querySelector('.ptags');
    const old = tags.querySelector('.ptag.speaking');
    if (old) old.remove();
    if (speaking) tags.prepend(speakingTag());
  }
}

/** A small icon-only button; the label is its tooltip and what screen readers say. */
export function smallIconButton(iconName, label, extraClass) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = extraClass ? `icon-btn small ${extraClass}` : 'icon-btn small';
  b.title = label;
  b.setAttribute('aria-label', label);
  b.append(icon(iconName));
  return b;
}

function actionButton(action, id, iconName, label, extraClass) {
  const b = smallIconButton(iconName, label, extraClass);
  b.dataset.action = action;
  b.dataset.id = id;
  return b;
}

function participantItem(p, self, moderator, mark) {
  const li = document.createElement('li');
  li.className = 'participant';
  li.dataset.id = p.id;
  li.dataset.floor = String(!!mark.floor);
  li.dataset.hand = String(mark.position || 0);
  li.dataset.speaking = String(!!mark.speaking);
  li.dataset.audio = String(p.audio);
  li.dataset.video = String(p.video);
  li.dataset.role = p.role;
  li.dataset.phone = String(!!p.phone);

  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  avatar.textContent = initial(p.name);
  avatar.style.setProperty('--hue', String(hue(p.id)));

  const name = document.createElement('span');
  name.className = 'pname';
  const text = document.createElement('span');
  text.className = 'pname-text';
  text.textContent = p.name;
  name.append(text);
  if (self) {
    const you = document.createElement('span');
    you.className = 'you';
    you.textContent = ` ${t('room.you')}`;
    text.append(you);
  }
  if (p.role === 'moderator') {
    const badge = document.createElement('span');
    badge.className = 'role-badge';
    badge.append(icon('shield'), document.createTextNode(t('p.moderator')));
    name.append(badge);
  }
  name.append(meetingTags(mark));

  const state = document.createElement('span');
  state.className = 'pstate';
  state.append(
    stateIcon(p.audio ? 'mic' : 'mic-off', t(p.audio ? 'p.micOn' : 'p.micOff'), !p.audio),
    // A telephone caller has no camera: the phone symbol says why.
    p.phone ? stateIcon('phone', t('p.phone'), false)
      : stateIcon(p.video ? 'cam' : 'cam-off', t(p.video ? 'p.camOn' : 'p.camOff'), !p.video),
  );
  li.append(avatar, name, state);
  if (moderator && self && !mark.floor) {
    const actions = document.createElement('span');
    actions.className = 'pactions';
    actions.append(actionButton('give-floor', p.id, 'podium', t('floor.give', { name: p.name }), 'ok-icon'));
    li.append(actions);
  }
  if (moderator && !self) {
    const actions = document.createElement('span');
    actions.className = 'pactions';
    const who = { name: p.name };
    if (!mark.floor) actions.append(actionButton('give-floor', p.id, 'podium', t('floor.give', who), 'ok-icon'));
    if (p.audio) actions.append(actionButton('mute', p.id, 'mic-off', t('mod.muteName', who)));
    if (p.role !== 'moderator') actions.append(actionButton('promote', p.id, 'shield-plus', t('mod.promoteName', who)));
    actions.append(actionButton('remove', p.id, 'user-x', t('mod.removeName', who), 'danger-icon'));
    li.append(actions);
  }
  return li;
}

// The floor holder, a raised hand (with its place in the queue; a point of order marked) and the
// active speaker, as small labelled tags under the name.
function meetingTags(mark) {
  const box = document.createElement('span');
  box.className = 'ptags';
  const tag = (cls, iconName, text, title) => {
    const s = document.createElement('span');
    s.className = `ptag ${cls}`;
    if (title) s.title = title;
    s.append(icon(iconName), document.createTextNode(text));
    box.append(s);
  };
  if (mark.speaking) box.append(speakingTag());
  if (mark.floor) tag('floor', 'podium', t('floor.mark'));
  if (mark.position) {
    tag(mark.pointOfOrder ? 'hand po' : 'hand', mark.pointOfOrder ? 'point-of-order' : 'hand',
      mark.pointOfOrder ? `${t('queue.pointOfOrderShort')} · ${t('queue.raisedShort', { n: mark.position })}` : t('queue.raised', { n: mark.position }));
  }
  return box;
}

function speakingTag() {
  const s = document.createElement('span');
  s.className = 'ptag speaking';
  s.append(icon('wave'), document.createTextNode(t('speaker.active')));
  return s;
}

// The composite's layout, for everyone; the moderators' two buttons show which one is on.
export function setLayout(layout) {
  const el = $('layout-name');
  el.dataset.layout = layout || '';
  el.textContent = layout === 'speaker' ? t('layout.speakerLong') : layout === 'grid' ? t('layout.gridLong') : '';
  for (const btn of [$('btn-layout-grid'), $('btn-layout-speaker')]) {
    btn.setAttribute('aria-pressed', String(btn.dataset.layout === layout));
  }
  document.body.dataset.layout = layout || '';
}

// The chat's unread count, on the toolbar button and on the chat tab.
export function setUnread(n) {
  for (const id of ['chat-unread', 'chat-tab-badge']) {
    const b = $(id);
    b.textContent = n > 99 ? '99+' : String(n);
    b.hidden = n === 0;
  }
  $('btn-chat').setAttribute('aria-label', n ? `${t('chat.tab')} – ${t('chat.unread', { n })}` : t('chat.tab'));
}

// Moderators: the people waiting in the lobby ([{id, name}] in knock order), in the panel with
// admit/reject buttons, and the first of them in the knock bar above the stage.
export function renderLobby(waiting, moderator) {
  const show = moderator && waiting.length > 0;
  $('lobby-section').hidden = !show;
  $('in-meeting-title').hidden = !show;
  $('lobby-list-title').textContent = t('mod.waiting', { n: waiting.length });
  $('lobby-list').replaceChildren(...(moderator ? waiting : []).map((w) => {
    const li = document.createElement('li');
    li.className = 'participant waiting';
    li.dataset.id = w.id;
    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = initial(w.name);
    avatar.style.setProperty('--hue', String(hue(w.id)));
    const name = document.createElement('span');
    name.className = 'pname';
    name.textContent = w.name;
    const actions = document.createElement('span');
    actions.className = 'pactions';
    actions.append(
      actionButton('admit', w.id, 'check', t('mod.admitName', { name: w.name }), 'ok-icon'),
      actionButton('reject', w.id, 'close', t('mod.rejectName', { name: w.name }), 'danger-icon'),
    );
    li.append(avatar, name, actions);
    return li;
  }));
  const bar = $('knock-bar');
  bar.hidden = !show;
  if (show) {
    const first = waiting[0];
    bar.dataset.id = first.id;
    $('knock-text').textContent = waiting.length === 1
      ? t('mod.knockOne', { name: first.name })
      : t('mod.knockMany', { name: first.name, n: waiting.length - 1 });
    $('btn-knock-all').hidden = waiting.length < 2 || isPanelOpen();
  }
  $('btn-participants').classList.toggle('knocking', show);
}

// The visual knock cue: the bar flashes once.
export function flashKnock() {
  const bar = $('knock-bar');
  bar.classList.remove('flash');
  void bar.offsetWidth; // restart the animation
  bar.classList.add('flash');
}

export function setModerator(moderator) {
  $('mod-tools').hidden = !moderator;
}

export function setLocked(locked) {
  $('lock-state').hidden = !locked;
  const btn = $('btn-lock');
  btn.setAttribute('aria-pressed', String(!!locked));
  $('btn-lock-text').textContent = t(locked ? 'mod.unlock' : 'mod.lock');
}

// A modal question; resolves to true when the user confirms.
export function confirmDialog(text, okLabel) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = okLabel;
  return new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener('close', done);
      resolve(dialog.returnValue === 'ok');
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', done);
    if (dialog.open) dialog.close();
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

export function closeDialog() {
  const dialog = $('confirm');
  if (dialog.open) dialog.close('cancel');
}

// Two short beeps made with WebAudio (no sound file): someone knocks.
let audioCtx = null;
export function playKnockSound() {
  try {
    audioCtx ||= new AudioContext();
    if (audioCtx.state === 'suspended') audioCtx.resume().catch(() => {});
    const now = audioCtx.currentTime;
    for (const [start, freq] of [[0, 880], [0.22, 1175]]) {
      const osc = audioCtx.createOscillator();
      const gain = audioCtx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.25, now + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + 0.18);
      osc.connect(gain).connect(audioCtx.destination);
      osc.start(now + start);
      osc.stop(now + start + 0.2);
    }
    return true;
  } catch {
    return false;
  }
}

function stateIcon(name, label, off) {
  const s = document.createElement('span');
  s.className = off ? 'state off' : 'state';
  s.title = label;
  const text = document.createElement('span');
  text.className = 'sr-only';
  text.textContent = label;
  s.append(icon(name), text);
  return s;
}

function initial(name) {
  const first = [...String(name).trim()][0];
  return first ? first.toLocaleUpperCase() : '?';
}

function hue(id) {
  let h = 7;
  for (const ch of String(id)) h = (h * 31 + ch.codePointAt(0)) % 1000003;
  return Math.round((h * 137.508) % 360); // golden angle: neighbouring ids get distant hues
}
