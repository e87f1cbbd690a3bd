// SPDX-License-Identifier: EUPL-1.2
// Presenting (signaling/PROTOCOL.md, "Presenting"; issue 13): one's screen, or a PDF's pages
// (moderators), large in the composite. This module has the toolbar's "Present" button with its
// small menu, the screen share (getDisplayMedia → the call's third m-line once the server has
// accepted it), the PDF upload (file picker or a file dropped on the video), the bar above the
// video that everyone sees (who shares; "Slides: name.pdf — page 3 of 20"; the download link),
// the moderators' page controls (buttons, page number, arrow keys) and their two settings.
// The server decides and draws the composite; the page needs no image of a slide.

import { t } from './i18n.js';
import { $ } from './ui.js';

export const UPLOAD_PATH = '/api/meeting/document';
const ASK_TIMEOUT_MS = 15000;

/** Whether this browser can share a screen at all (phones usually cannot). */
export const canShareScreen = () => !!(navigator.mediaDevices && typeof navigator.mediaDevices.getDisplayMedia === 'function');

const NOTHING = Object.freeze({
  kind: null, participantId: null, name: '', document: null, guestsMayShare: false, documentDownload: false,
});

/** A `presentation` message as plain data; anything odd → nothing presented. */
export function normPresentation(msg) {
  if (!msg || typeof msg !== 'object') return { ...NOTHING };
  const out = {
    ...NOTHING,
    guestsMayShare: msg.guestsMayShare === true,
    documentDownload: msg.documentDownload === true,
  };
  const d = msg.document;
  if (msg.kind === 'screen' && msg.participantId != null) {
    out.kind = 'screen';
  } else if (msg.kind === 'slides' && d && typeof d === 'object' && d.id != null
    && Number.isInteger(d.pages) && d.pages > 0) {
    out.kind = 'slides';
    const page = Number.isInteger(d.page) ? Math.min(Math.max(d.page, 1), d.pages) : 1;
    out.document = { id: String(d.id), name: typeof d.name === 'string' ? d.name : '', pages: d.pages, page };
  } else {
    return out;
  }
  out.participantId = msg.participantId == null ? null : String(msg.participantId);
  out.name = typeof msg.name === 'string' ? msg.name : '';
  return out;
}

// The answers of POST /api/meeting/document that have their own text (i18n `upload.<code>`).
const UPLOAD_CODES = new Set(['not-pdf', 'too-large', 'encrypted', 'too-many-pages', 'damaged', 'render-failed',
  'presentation-busy', 'busy', 'forbidden', 'unavailable', 'bad-request', 'length-required']);
const STATUS_CODES = { 400: 'bad-request', 403: 'forbidden', 404: 'unavailable', 409: 'presentation-busy',
  411: 'length-required', 413: 'too-large', 503: 'busy' };

/** The refusal code of an upload's answer: the body's `error` (or `code`), else by status. */
export function uploadCode(status, body) {
  const named = body && typeof body === 'object' ? (body.error || body.code) : null;
  if (typeof named === 'string' && UPLOAD_CODES.has(named)) return named;
  return STATUS_CODES[status] || 'failed';
}

/** A file the picker or a drop gave: a PDF by its type or name (the server checks the bytes). */
export function looksLikePdf(file) {
  if (!file) return false;
  return file.type === 'application/pdf' || /\.pdf$/i.test(file.name || '');
}

function isTextField(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/**
 * `send(msg)` sends a meeting request and returns its requestId (false when it could not be
 * sent); `notify(key, text, urgent)` shows a message; `setScreenTrack(track|null)` puts a track on
 * the call's screen sender; `selfId()` is one's own participant id; `onChange(this)` is called
 * when anything shown changed.
 */
export class Presentation {
  constructor({ send, notify, setScreenTrack, selfId, onChange }) {
    Object.assign(this, { send, notify, setScreenTrack, selfId, onChange });
    this.current = { ...NOTHING };
    this.moderator = false;
    this.token = null;        // joined.uploadToken
    // Own screen share: null, or {state: 'picking' | 'asking' | 'live', track, requestId, timer}.
    this.share = null;
    // Own upload: null, or {name, controller, startedAt}; `lastUpload` says how the last one ended.
    this.upload = null;
    this.lastUpload = null;   // {state: 'uploading' | 'done' | 'refused' | 'failed' | 'cancelled', name, status, code, id, pages, ms}
    this.requestedPage = null; // a page asked for and not shown yet (quick key presses add up)
    this.pageRequest = null;
    this.menuOpen = false;
    this.dragDepth = 0;
    this.bind();
    this.render();
  }

  get sharing() { return !!this.share && this.share.state !== 'picking'; }

  /** `joined`: one's id is known now, and the upload token. */
  joined(token) {
    this.token = typeof token === 'string' && token ? token : null;
    this.render();
  }

  setModerator(moderator) {
    if (this.moderator === moderator) return;
    this.moderator = moderator;
    if (!moderator) this.closeMenu();
    this.render();
  }

  /** Not in a meeting (connecting, reconnecting, left): a share or an upload ends here. */
  reset() {
    if (this.share) this.dropShare();
    if (this.upload) this.upload.controller.abort();
    this.upload = null;
    this.token = null;
    this.current = { ...NOTHING };
    this.requestedPage = null;
    this.pageRequest = null;
    this.closeMenu();
    this.render();
  }

  // ---- from the server ----

  /**
   * `moved` (into a breakout room or back): the server ended one's share with the move; the new
   * room's `presentation` follows.
   */
  moved() {
    if (this.share) this.dropShare();
    this.requestedPage = null;
    this.pageRequest = null;
    this.render();
  }

  update(msg) {
    const now = normPresentation(msg);
    this.current = now;
    const self = this.selfId();
    const mine = now.kind === 'screen' && self != null && now.participantId === self;
    if (this.share && this.share.state === 'asking' && mine) {
      // Accepted: only now does the screen go out.
      clearTimeout(this.share.timer);
      this.share.state = 'live';
      this.setScreenTrack(this.share.track);
    } else if (this.share && this.share.state === 'live' && !mine) {
      // Stopped by a moderator (or replaced): drop the track and say so.
      this.dropShare();
      this.notify('present.shareStoppedByModerator', t('present.shareStoppedByModerator'), true);
    } else if (!this.share && mine) {
      // The server thinks we share, but we do not (any more).
      this.send({ type: 'screen-share-stop' });
    }
    if (now.kind !== 'slides' || (this.requestedPage !== null && now.document.page === this.requestedPage)) {
      this.requestedPage = null;
    }
    this.render();
  }

  /**
   * An `error` answering one of our requests: true when it was about presenting and has been
   * shown here; false leaves it to the general error notice.
   */
  refused(requestId, code) {
    if (!requestId) return false;
    if (this.share && this.share.requestId === requestId) {
      this.dropShare();
      const key = code === 'forbidden' ? 'present.shareForbidden'
        : code === 'presentation-busy' ? 'present.busy' : 'present.shareFailed';
      this.notify(key, t(key), true);
      this.render();
      return true;
    }
    if (this.pageRequest === requestId) {
      this.requestedPage = null;
      this.pageRequest = null;
      this.render();
    }
    return false;
  }

  // ---- the screen share ----

  async startShare() {
    if (this.share || !canShareScreen()) return;
    const share = { state: 'picking', track: null, requestId: null, timer: null };
    this.share = share;
    this.render();
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: 15, width: { max: 1920 }, height: { max: 1080 } }, audio: false,
      });
    } catch (err) {
      if (this.share === share) this.share = null;
      this.render();
      // Cancelled in the browser's picker: nothing to say.
      if (!err || (err.name !== 'NotAllowedError' && err.name !== 'AbortError')) {
        console.warn('plenum: getDisplayMedia failed', err);
        this.notify('present.shareFailed', t('present.shareFailed'), false);
      }
      return;
    }
    const [track, ...rest] = stream.getVideoTracks();
    for (const extra of [...rest, ...stream.getAudioTracks()]) extra.stop();
    if (this.share !== share || !track) {
      // Left the meeting (or stopped) while the picker was open.
      if (track) track.stop();
      if (this.share === share) this.share = null;
      this.render();
      return;
    }
    try { track.contentHint = 'detail'; } catch { /* older browsers */ }
    track.addEventListener('ended', () => this.shareEnded(share));
    share.track = track;
    share.requestId = this.send({ type: 'screen-share-start' });
    if (!share.requestId) {
      this.dropShare();
      this.notify('present.shareFailed', t('present.shareFailed'), false);
      this.render();
      return;
    }
    share.state = 'asking';
    share.timer = setTimeout(() => {
      if (this.share !== share || share.state !== 'asking') return;
      this.send({ type: 'screen-share-stop' });
      this.dropShare();
      this.notify('present.noAnswer', t('present.noAnswer'), true);
      this.render();
    }, ASK_TIMEOUT_MS);
    this.render();
  }

  /** The user stops sharing (our button or the bar's). */
  stopShare() {
    if (!this.sharing) return;
    this.send({ type: 'screen-share-stop' });
    this.dropShare();
    this.render();
  }

  // The browser's own "stop sharing" (or the window shared went away).
  shareEnded(share) {
    if (this.share !== share) return;
    if (share.state !== 'picking') this.send({ type: 'screen-share-stop' });
    this.dropShare();
    this.render();
  }

  dropShare() {
    const share = this.share;
    if (!share) return;
    this.share = null;
    clearTimeout(share.timer);
    if (share.track) share.track.stop();
    if (share.state === 'live') this.setScreenTrack(null);
  }

  // ---- the PDF upload ----

  pickPdf() {
    if (!this.moderator) return;
    const input = $('pdf-input');
    input.value = '';
    input.click();
  }

  async uploadPdf(file) {
    if (!file || !this.moderator) return;
    if (this.upload) {
      this.notify('present.uploadRunning', t('present.uploadRunning'), false);
      return;
    }
    const name = file.name || '';
    if (!looksLikePdf(file) || file.size === 0) {
      this.uploadEnded({ state: 'refused', name, status: 0, code: 'not-pdf' });
      return;
    }
    if (!this.token) {
      this.uploadEnded({ state: 'refused', name, status: 0, code: 'unavailable' });
      return;
    }
    const upload = { name, controller: new AbortController(), startedAt: performance.now() };
    this.upload = upload;
    this.lastUpload = { state: 'uploading', name };
    this.render();
    let res = null;
    let body = null;
    try {
      res = await fetch(UPLOAD_PATH, {
        method: 'POST',
        headers: {
          'X-Plenum-Upload-Token': this.token,
          'X-Plenum-Filename': encodeURIComponent(name),
          'Content-Type': 'application/pdf',
          Accept: 'application/json',
        },
        body: file,
        signal: upload.controller.signal,
        credentials: 'same-origin',
        cache: 'no-store',
      });
      body = await res.json().catch(() => null);
    } catch (err) {
      if (this.upload !== upload) return; // reset meanwhile
      this.upload = null;
      const cancelled = err && err.name === 'AbortError';
      this.uploadEnded({ state: cancelled ? 'cancelled' : 'failed', name, status: 0, code: cancelled ? 'cancelled' : 'network' });
      return;
    }
    if (this.upload !== upload) return;
    this.upload = null;
    const ms = Math.round(performance.now() - upload.startedAt);
    if (res.status === 201) {
      this.uploadEnded({ state: 'done', name, status: 201, id: body && body.id != null ? String(body.id) : null,
        pages: body && Number.isInteger(body.pages) ? body.pages : null, ms });
      return;
    }
    this.uploadEnded({ state: 'refused', name, status: res.status, code: uploadCode(res.status, body), ms });
  }

  uploadEnded(result) {
    this.lastUpload = result;
    if (result.state === 'cancelled') {
      this.notify('present.cancelled', t('present.cancelled'), false);
    } else if (result.state !== 'done') {
      const key = UPLOAD_CODES.has(result.code) || result.code === 'network' ? `upload.${result.code}` : 'upload.failed';
      this.notify(key, t(key, { status: result.status }), true);
    }
    this.render();
  }

  cancelUpload() {
    if (this.upload) this.upload.controller.abort();
  }

  // ---- slides and stopping ----

  turnTo(page) {
    const doc = this.current.kind === 'slides' ? this.current.document : null;
    if (!this.moderator || !doc || !Number.isInteger(page) || page < 1 || page > doc.pages) return;
    const shown = this.requestedPage ?? doc.page;
    if (page === shown) return;
    const requestId = this.send({ type: 'slides-page', page });
    if (!requestId) return;
    this.requestedPage = page;
    this.pageRequest = requestId;
    this.renderPageInput(page);
  }

  step(delta) {
    const doc = this.current.kind === 'slides' ? this.current.document : null;
    if (!doc) return;
    const from = this.requestedPage ?? doc.page;
    this.turnTo(Math.min(Math.max(from + delta, 1), doc.pages));
  }

  // The bar's stop button: one's own share, or (moderators) whatever is presented.
  stopPresenting() {
    if (this.sharing && this.current.kind === 'screen' && this.current.participantId === this.selfId()) {
      this.stopShare();
    } else if (this.moderator && this.current.kind) {
      this.send({ type: 'presentation-stop' });
    } else if (this.sharing) {
      this.stopShare();
    }
  }

  sendSettings() {
    if (!this.moderator) return;
    this.send({
      type: 'presentation-settings',
      guestsMayShare: $('present-guests-share').checked,
      documentDownload: $('present-download').checked,
    });
  }

  // ---- the toolbar button and its menu ----

  /** What the "Present" button offers here: 'screen' (where the browser can), 'pdf' (moderators). */
  choices() {
    const out = [];
    if (canShareScreen()) out.push('screen');
    if (this.moderator) out.push('pdf');
    return out;
  }

  presentClicked() {
    if (this.sharing) {
      this.stopShare();
      return;
    }
    if (this.share) return; // the picker is open
    const choices = this.choices();
    if (choices.length === 1) this.choose(choices[0]);
    else if (choices.length > 1) this.toggleMenu();
  }

  choose(choice) {
    this.closeMenu();
    if (choice === 'screen') this.startShare();
    else if (choice === 'pdf') this.pickPdf();
  }

  toggleMenu() {
    if (this.menuOpen) this.closeMenu();
    else {
      this.menuOpen = true;
      this.renderButton();
      const first = [...$('present-menu').querySelectorAll('button')].find((b) => !b.hidden);
      if (first) first.focus();
    }
  }

  closeMenu() {
    if (!this.menuOpen) return;
    this.menuOpen = false;
    this.renderButton();
  }

  // ---- events ----

  bind() {
    $('btn-present').addEventListener('click', () => this.presentClicked());
    $('btn-share-screen').addEventListener('click', () => this.choose('screen'));
    $('btn-present-pdf').addEventListener('click', () => this.choose('pdf'));
    $('pdf-input').addEventListener('change', () => {
      const input = $('pdf-input');
      const file = input.files && input.files[0];
      if (file) this.uploadPdf(file);
    });
    $('btn-slide-prev').addEventListener('click', () => this.step(-1));
    $('btn-slide-next').addEventListener('click', () => this.step(1));
    $('slide-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.pageEntered();
    });
    $('slide-page').addEventListener('change', () => this.pageEntered());
    $('btn-presentation-stop').addEventListener('click', () => this.stopPresenting());
    $('btn-upload-cancel').addEventListener('click', () => this.cancelUpload());
    $('present-guests-share').addEventListener('change', () => this.sendSettings());
    $('present-download').addEventListener('change', () => this.sendSettings());
    document.addEventListener('keydown', (ev) => this.key(ev));
    document.addEventListener('click', (ev) => {
      if (this.menuOpen && !ev.target.closest('#present-menu, #btn-present')) this.closeMenu();
    });
    // Files dropped anywhere on the page must not replace the meeting with the file.
    const hasFiles = (ev) => !!ev.dataTransfer && [...ev.dataTransfer.types].includes('Files');
    document.addEventListener('dragover', (ev) => { if (hasFiles(ev)) ev.preventDefault(); });
    document.addEventListener('drop', (ev) => { if (hasFiles(ev)) ev.preventDefault(); });
    const stage = document.querySelector('.stage');
    stage.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev) || !this.moderator) return;
      this.dragDepth += 1;
      $('drop-hint').hidden = false;
    });
    stage.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev) || !this.moderator) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
    });
    stage.addEventListener('dragleave', () => {
      this.dragDepth = Math.max(0, this.dragDepth - 1);
      if (!this.dragDepth) $('drop-hint').hidden = true;
    });
    stage.addEventListener('drop', (ev) => {
      this.dragDepth = 0;
      $('drop-hint').hidden = true;
      if (!hasFiles(ev) || !this.moderator) return;
      ev.preventDefault();
      const file = ev.dataTransfer.files && ev.dataTransfer.files[0];
      if (file) this.uploadPdf(file);
    });
  }

  pageEntered() {
    const input = $('slide-page');
    const page = Number(input.value);
    const doc = this.current.document;
    if (!doc || !Number.isInteger(page) || page < 1 || page > doc.pages) {
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    input.setAttribute('aria-invalid', 'false');
    this.turnTo(page);
  }

  key(ev) {
    if (ev.key === 'Escape' && this.menuOpen) {
      this.closeMenu();
      $('btn-present').focus();
      return;
    }
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    if (!this.moderator || this.current.kind !== 'slides') return;
    const delta = ev.key === 'ArrowRight' || ev.key === 'PageDown' ? 1
      : ev.key === 'ArrowLeft' || ev.key === 'PageUp' ? -1 : 0;
    if (!delta) return;
    if (isTextField(ev.target) || isTextField(document.activeElement) || $('confirm').open) return;
    // Arrow keys that move within a widget (the panel's tabs) are theirs.
    if (ev.target.closest && ev.target.closest('[role="tablist"], [role="menu"]')) return;
    ev.preventDefault();
    this.step(delta);
  }

  // ---- rendering ----

  render() {
    this.renderButton();
    this.renderBar();
    this.renderSettings();
    this.onChange(this);
  }

  renderButton() {
    const btn = $('btn-present');
    const shareAllowed = this.moderator || this.current.guestsMayShare;
    btn.hidden = !(this.moderator || this.sharing || (shareAllowed && canShareScreen()));
    btn.setAttribute('aria-pressed', String(this.sharing));
    const label = this.sharing ? t('present.stopShare') : t('present.button');
    $('btn-present-text').textContent = label;
    btn.setAttribute('aria-label', label);
    const choices = this.choices();
    btn.title = this.sharing ? label
      : choices.length > 1 ? t('present.buttonTitle') : choices[0] === 'pdf' ? t('present.pdfLabel') : t('present.shareScreen');
    const two = !this.sharing && choices.length > 1;
    if (two) btn.setAttribute('aria-expanded', String(this.menuOpen));
    else btn.removeAttribute('aria-expanded');
    const menu = $('present-menu');
    menu.hidden = !(this.menuOpen && two && !btn.hidden);
    $('btn-share-screen').hidden = !canShareScreen();
    $('btn-present-pdf').hidden = !this.moderator;
  }

  renderBar() {
    const cur = this.current;
    const uploading = !!this.upload;
    const bar = $('presentation-bar');
    bar.hidden = !cur.kind && !uploading;
    bar.dataset.kind = cur.kind || (uploading ? 'uploading' : '');
    const self = this.selfId();
    let text = '';
    if (cur.kind === 'screen') {
      text = cur.participantId === self ? t('present.screenSelf') : t('present.screenBy', { name: cur.name });
    } else if (cur.kind === 'slides') {
      const doc = cur.document;
      text = t('present.slides', { file: doc.name || t('present.untitled'), page: doc.page, pages: doc.pages });
    }
    if (uploading) {
      const up = t('present.uploading', { file: this.upload.name || t('present.untitled') });
      text = text ? `${text} · ${up}` : up;
    }
    $('presentation-text').textContent = text;
    $('btn-upload-cancel').hidden = !uploading;

    const slides = cur.kind === 'slides';
    const link = $('presentation-download');
    const download = slides && cur.documentDownload && !!this.token;
    link.hidden = !download;
    if (download) {
      const file = cur.document.name || t('present.untitled');
      link.href = `${UPLOAD_PATH}/${encodeURIComponent(cur.document.id)}?token=${encodeURIComponent(this.token)}`;
      link.setAttribute('download', file);
      link.setAttribute('aria-label', t('present.downloadLabel', { file }));
      link.title = t('present.downloadLabel', { file });
    } else {
      link.removeAttribute('href');
    }

    $('slide-controls').hidden = !(slides && this.moderator);
    if (slides) {
      const doc = cur.document;
      $('btn-slide-prev').disabled = (this.requestedPage ?? doc.page) <= 1;
      $('btn-slide-next').disabled = (this.requestedPage ?? doc.page) >= doc.pages;
      $('slide-page').max = String(doc.pages);
      $('slide-total').textContent = t('present.of', { pages: doc.pages });
      this.renderPageInput(this.requestedPage ?? doc.page);
    }

    const ownShare = cur.kind === 'screen' && cur.participantId === self && this.sharing;
    const stop = $('btn-presentation-stop');
    stop.hidden = !(ownShare || (this.moderator && cur.kind));
    const stopLabel = ownShare ? t('present.stopShare') : t('present.stop');
    $('btn-presentation-stop-text').textContent = stopLabel;
    stop.setAttribute('aria-label', stopLabel);
    stop.title = stopLabel;
  }

  renderPageInput(page) {
    const input = $('slide-page');
    if (document.activeElement === input) return;
    input.value = String(page);
    input.setAttribute('aria-invalid', 'false');
    const doc = this.current.document;
    if (doc) {
      $('btn-slide-prev').disabled = page <= 1;
      $('btn-slide-next').disabled = page >= doc.pages;
    }
  }

  renderSettings() {
    $('present-settings').hidden = !this.moderator;
    const guests = $('present-guests-share');
    const download = $('present-download');
    // What the server says (a refused change springs back).
    guests.checked = this.current.guestsMayShare;
    download.checked = this.current.documentDownload;
  }
}
