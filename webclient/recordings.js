// SPDX-License-Identifier: EUPL-1.2
// The "Recordings" section of a room card on /rooms (the room's owner and admins): loaded when
// opened; each recording with its start, length, size, state and the day it is deleted
// automatically; Play (an in-page <video> on the file URL, which answers range requests),
// Download (the same URL: the server names the file) and Delete after a confirmation.

import { t, lang, applyI18n } from './portal-i18n.js';
import { listRecordings, deleteRecording, recordingFileUrl } from './api.js';
import { $, decorate, setText, toast, errorText, isLoggedOut, deleteAfterConfirm } from './portal-ui.js';

const PLAYABLE = new Set(['ready', 'recovered']);

const when = (iso) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
const day = (iso) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(iso));

// m:ss, or h:mm:ss from an hour on.
export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function formatSize(bytes) {
  const mb = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format((Number(bytes) || 0) / 1e6);
  return t('recordings.size', { mb });
}

// Shows or hides the player below the recording's line.
function togglePlayer(node, recording, button) {
  const open = node.querySelector('video');
  const label = button.querySelector('.btn-text');
  if (open) {
    open.pause();
    open.remove();
    label.textContent = t('recordings.play');
    return;
  }
  const video = document.createElement('video');
  video.className = 'recording-video';
  video.controls = true;
  video.preload = 'metadata';
  video.playsInline = true;
  video.src = recordingFileUrl(recording.id);
  node.append(video);
  label.textContent = t('recordings.close');
  video.play().catch(() => { /* the controls are there; autoplay may be refused */ });
}

async function remove(recording, section) {
  const text = when(recording.startedAt);
  const gone = await deleteAfterConfirm({
    title: t('recordings.deleteTitle', { when: text }),
    text: t('recordings.deleteText'),
    yes: t('common.delete'),
  }, () => deleteRecording(recording.id));
  if (!gone) return;
  toast(t('recordings.deleted', { when: text }));
  await load(section);
  section.querySelector('summary').focus();
}

function renderRecording(recording, section) {
  const node = $('tpl-recording').content.firstElementChild.cloneNode(true);
  applyI18n(node);
  decorate(node);
  const text = when(recording.startedAt);
  node.querySelector('.rec-when').textContent = text;
  node.querySelector('.rec-meta').textContent = t('recordings.meta',
    { duration: formatDuration(recording.durationSeconds), size: formatSize(recording.bytes) });
  const state = node.querySelector('.rec-state');
  state.textContent = t(`recordings.state.${recording.state}`);
  state.classList.add(recording.state === 'failed' ? 'off' : recording.state === 'recording' ? 'on' : 'ok');
  setText(node.querySelector('.rec-expires'), recording.expiresAt ? t('recordings.expires', { date: day(recording.expiresAt) }) : '');

  const playable = PLAYABLE.has(recording.state);
  const play = node.querySelector('.play');
  const download = node.querySelector('.download');
  play.hidden = !playable;
  download.hidden = !playable;
  play.setAttribute('aria-label', t('recordings.playLabel', { when: text }));
  play.addEventListener('click', () => togglePlayer(node, recording, play));
  download.href = recordingFileUrl(recording.id);
  download.setAttribute('download', '');
  download.setAttribute('aria-label', t('recordings.downloadLabel', { when: text }));
  const del = node.querySelector('.delete-recording');
  del.hidden = recording.state === 'recording';
  del.setAttribute('aria-label', t('recordings.deleteLabel', { when: text }));
  del.addEventListener('click', () => remove(recording, section));
  return node;
}

async function load(section) {
  const status = section.querySelector('.recordings-status');
  const list = section.querySelector('.recording-list');
  setText(status, t('recordings.loading'));
  let recordings;
  try {
    recordings = (await listRecordings(section.dataset.roomId)).recordings || [];
  } catch (e) {
    if (isLoggedOut(e)) return;
    setText(status, errorText(e));
    return;
  }
  list.replaceChildren(...recordings.map((r) => renderRecording(r, section)));
  setText(status, recordings.length ? '' : t('recordings.none'));
}

// Fills the card's <details class="recordings">: the list is fetched each time it is opened.
export function setupRecordings(card, room) {
  const section = card.querySelector('.recordings');
  section.dataset.roomId = room.id;
  section.querySelector('summary').setAttribute('aria-label', t('recordings.headingLabel', { title: room.title }));
  section.addEventListener('toggle', () => {
    if (section.open) load(section);
    else section.querySelector('.recording-list').replaceChildren();  // stops a playing video
  });
}
