// DOM updates of the room page (room.html). Everything from users or the server goes through
// textContent or attributes, never through HTML parsing.

import { t } from './i18n.js';
import { icon } from './icons.js';

export const $ = (id) => document.getElementById(id);

// name: 'prejoin' | 'room' | 'ended'
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

export function toast(text, ms = 4000) {
  const box = $('toasts');
  const el = document.createElement('div');
  el.className = 'toast';
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

export function isPanelOpen() {
  return !$('participants-panel').hidden;
}

export function setPanelOpen(open) {
  $('participants-panel').hidden = !open;
  $('btn-participants').setAttribute('aria-expanded', String(open));
}

export function showSoundButton(show) {
  $('btn-sound').hidden = !show;
}

export function showEnded({ title, text, canRejoin }) {
  $('ended-title').textContent = title;
  setText('ended-text', text);
  $('btn-rejoin').hidden = !canRejoin;
  showScreen('ended');
  (canRejoin ? $('btn-rejoin') : $('ended-home')).focus();
}

// list: [{id, name, audio, video}]; the own entry is shown first and marked.
export function renderParticipants(list, selfId) {
  const sorted = [...list].sort((a, b) => (b.id === selfId) - (a.id === selfId));
  $('participant-list').replaceChildren(...sorted.map((p) => participantItem(p, p.id === selfId)));
  $('participant-count').textContent = String(list.length);
}

function participantItem(p, self) {
  const li = document.createElement('li');
  li.className = 'participant';
  li.dataset.id = p.id;
  li.dataset.audio = String(p.audio);
  li.dataset.video = String(p.video);

  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  avatar.textContent = initial(p.name);
  avatar.style.setProperty('--hue', String(hue(p.id)));

  const name = document.createElement('span');
  name.className = 'pname';
  name.textContent = p.name;
  if (self) {
    const you = document.createElement('span');
    you.className = 'you';
    you.textContent = ` ${t('room.you')}`;
    name.append(you);
  }

  const state = document.createElement('span');
  state.className = 'pstate';
  state.append(
    stateIcon(p.audio ? 'mic' : 'mic-off', t(p.audio ? 'p.micOn' : 'p.micOff'), !p.audio),
    stateIcon(p.video ? 'cam' : 'cam-off', t(p.video ? 'p.camOn' : 'p.camOff'), !p.video),
  );
  li.append(avatar, name, state);
  return li;
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
