// SPDX-License-Identifier: EUPL-1.2
// Recording (signaling/PROTOCOL.md, "Recording") as the page shows it: the indicator everyone
// sees while the meeting is recorded, the moderators' record button, the notices when a
// recording starts and stops, the lobby's notice, the consent screen's text, and the consent the
// user gave. The server records and decides; this only shows what it says and asks the user.

import { t, lang } from './i18n.js';
import { $, setText } from './ui.js';

const REASONS = new Set(['stopped', 'disk-full', 'failed', 'meeting-ended']);
const STOPPED = Object.freeze({ state: 'stopped', startedAt: null, startedBy: null, reason: null });

/** A `recording-updated` message as {state, startedAt, startedBy, reason}; anything odd → stopped. */
export function normRecording(msg) {
  if (!msg || msg.state !== 'recording') {
    return { ...STOPPED, reason: msg && REASONS.has(msg.reason) ? msg.reason : null };
  }
  return {
    state: 'recording',
    startedAt: typeof msg.startedAt === 'string' && msg.startedAt ? msg.startedAt : null,
    startedBy: typeof msg.startedBy === 'string' && msg.startedBy ? msg.startedBy : null,
    reason: null,
  };
}

/** "m:ss" below an hour, "h:mm:ss" from then on (a recording may run all evening). */
export function formatElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** The local wall-clock time ("19:04") of an ISO time, or '' when there is none. */
export function clockTime(iso) {
  const ms = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms)) return '';
  return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}

/**
 * The i18n key for a `recording-unavailable` refusal. The protocol has one code for several
 * causes and says the (English) message tells which; a message we cannot place gets the
 * general text, which quotes it.
 */
export function unavailableKey(message) {
  const m = String(message || '').toLowerCase();
  if (/persistent|ad-hoc/.test(m)) return 'error.recording-unavailable.adhoc';
  if (/disk|space/.test(m)) return 'error.recording-unavailable.disk';
  if (/\boff\b|disabled/.test(m)) return 'error.recording-unavailable.off';
  return 'error.recording-unavailable';
}

/**
 * `send(msg)` sends a meeting request; `confirm(text, ok)` asks (resolves to a boolean);
 * `notify(text, urgent)` shows a short message; `onChange(this)` is called when the state or
 * the consent changed.
 */
export class Recording {
  constructor({ send, confirm, notify, onChange }) {
    this.send = send;
    this.confirm = confirm;
    this.notify = notify;
    this.onChange = onChange;
    this.current = { ...STOPPED };
    // Whether the first state message of this connection has come: it describes how things
    // are, not a change, so it gets no notice (the consent screen or the lobby said it already).
    this.known = false;
    this.moderator = false;
    // The user agreed to be in a recorded meeting: by "Join anyway", or by staying in the
    // meeting or the lobby while the indicator showed a recording. Sent with every join of this
    // page from then on, so that a reconnect does not throw the user out onto the consent
    // screen. In memory only, like the room password.
    this.consent = false;
    this.ticker = null;
    $('btn-record').addEventListener('click', () => this.toggle());
    this.render();
  }

  get recording() { return this.current.state === 'recording'; }

  /** Not in a meeting (connecting, reconnecting, left): nothing is known. The consent stays. */
  reset() {
    this.current = { ...STOPPED };
    this.known = false;
    this.render();
  }

  setModerator(moderator) {
    if (this.moderator === moderator) return;
    this.moderator = moderator;
    this.render();
  }

  giveConsent() {
    this.consent = true;
    this.onChange(this);
  }

  // ---- from the server ----

  update(msg) {
    const before = this.current;
    const now = normRecording(msg);
    this.current = now;
    if (this.recording) this.consent = true;
    const changed = this.known && before.state !== now.state;
    this.known = true;
    this.render();
    if (changed) this.announce(now);
  }

  announce(now) {
    if (now.state === 'recording') {
      this.notify(now.startedBy ? t('rec.started', { name: now.startedBy }) : t('rec.startedAnon'), false);
      return;
    }
    const reason = now.reason || 'stopped';
    // A recording that broke off is news the moderators must not miss: shown as a warning.
    this.notify(t(`rec.stopped.${reason}`), reason === 'disk-full' || reason === 'failed');
  }

  // ---- actions ----

  async toggle() {
    if (!this.moderator) return;
    if (!this.recording) {
      this.send({ type: 'recording-start' });
      return;
    }
    if (await this.confirm(t('rec.stopConfirm'), t('rec.stop')) && this.recording) {
      this.send({ type: 'recording-stop' });
    }
  }

  // ---- rendering ----

  render() {
    const on = this.recording;
    const btn = $('btn-record');
    btn.hidden = !this.moderator;
    btn.setAttribute('aria-pressed', String(on));
    // The label is also the accessible name: narrow screens show the icon only.
    const label = t(on ? 'rec.stop' : 'rec.start');
    $('btn-record-text').textContent = label;
    btn.setAttribute('aria-label', label);
    btn.title = label;
    const indicator = $('rec-indicator');
    indicator.hidden = !on;
    indicator.title = on ? this.sinceText() : '';
    setText('lobby-recording', on ? t('rec.lobby') : '');
    clearInterval(this.ticker);
    this.ticker = null;
    if (on) this.ticker = setInterval(() => this.renderTime(), 1000);
    this.renderTime();
    this.onChange(this);
  }

  // Only the time changes every second; it is hidden from screen readers (room.html), which
  // would otherwise read the status out every second.
  // The elapsed time counts from the server's startedAt by this browser's clock: a clock that is
  // off shows an elapsed time that is off by as much (never below zero).
  renderTime() {
    const started = Date.parse(this.current.startedAt || '');
    $('rec-time').textContent = this.recording && Number.isFinite(started) ? formatElapsed(Date.now() - started) : '';
  }

  sinceText() {
    const time = clockTime(this.current.startedAt);
    const by = this.current.startedBy;
    if (time && by) return t('rec.sinceBy', { time, name: by });
    return time ? t('rec.since', { time }) : t('rec.label');
  }
}

/**
 * Since when the meeting is recorded, from a `recording-consent-required` error: its field
 * `startedAt`, else a UTC time in its message (PROTOCOL.md: "the message's `startedAt`"); null
 * when neither says (the consent screen then leaves the time out).
 */
export function consentStartedAt(msg) {
  if (typeof msg.startedAt === 'string' && msg.startedAt) return msg.startedAt;
  const m = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z/.exec(typeof msg.message === 'string' ? msg.message : '');
  return m ? m[0] : null;
}

/** Fills the consent screen: since when the meeting is recorded (when the server said so). */
export function renderConsent(startedAt) {
  const time = clockTime(startedAt);
  setText('consent-since', time ? t('consent.since', { time }) : '');
}
