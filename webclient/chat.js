// SPDX-License-Identifier: EUPL-1.2
// The meeting's chat (signaling/PROTOCOL.md, "Chat"): messages to everyone or privately to the
// moderators, the history for late joiners, the unread count, and the moderators' export.
// Message text is only ever put into text nodes; links become <a> elements whose text and href
// come from the same plain string, so nothing typed is interpreted as HTML.

import { t } from './i18n.js';

export const MAX_CHAT = 2000;
const MAX_KEPT = 500; // like the server's history

// http(s) URLs up to the next whitespace; trailing punctuation is left out of the link
// ("see https://example.org." links without the full stop).
const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?)\]}'"»”]+$/;
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Text nodes and <a> elements for `text`; only http/https URLs become links. */
export function linkify(text) {
  const nodes = [];
  let last = 0;
  for (const m of String(text).matchAll(URL_RE)) {
    let url = m[0];
    const trail = TRAILING.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    if (!isHttpUrl(url)) continue;
    if (m.index > last) nodes.push(document.createTextNode(text.slice(last, m.index)));
    const a = document.createElement('a');
    a.href = url;
    a.textContent = url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    nodes.push(a);
    last = m.index + url.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function isHttpUrl(s) {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A server chat message, checked and reduced to what we use; null if unusable. */
export function normMessage(m) {
  if (!m || typeof m !== 'object' || typeof m.text !== 'string') return null;
  const from = m.from && typeof m.from === 'object' ? m.from : {};
  return {
    id: m.id == null ? '' : String(m.id),
    from: {
      participantId: from.participantId == null ? '' : String(from.participantId),
      name: typeof from.name === 'string' ? from.name : '',
      role: from.role === 'moderator' ? 'moderator' : 'guest',
    },
    to: m.to === 'moderators' ? 'moderators' : 'everyone',
    text: m.text,
    time: typeof m.time === 'string' ? m.time : '',
  };
}

// Local HH:MM of an ISO time; '' if it cannot be read.
export function localTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * The chat tab. `send(msg)` sends a signaling message (returns false when not connected);
 * `isVisible()` says whether the chat is on screen (for the unread count); `onChange()` is
 * called when messages or the unread count changed.
 */
export class Chat {
  constructor({ send, isVisible, onChange }) {
    this.send = send;
    this.isVisible = isVisible;
    this.onChange = onChange;
    this.messages = [];
    this.unread = 0;
    this.selfId = null;
    this.pending = null; // {text, requestId}: our last message until it comes back or is refused
    this.list = document.getElementById('chat-list');
    this.input = document.getElementById('chat-input');
    this.to = document.getElementById('chat-to');
    this.input.maxLength = MAX_CHAT;
    document.getElementById('chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    // Enter sends, Shift+Enter is a new line (and Enter while an IME composes is left alone).
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.submit();
      }
    });
  }

  /** A new meeting (or a rejoin): forget everything; `history` follows from the server. */
  reset(selfId) {
    this.selfId = selfId;
    this.messages = [];
    this.unread = 0;
    this.pending = null;
    this.list.replaceChildren();
    this.onChange();
  }

  history(raw) {
    this.messages = (Array.isArray(raw) ? raw : []).map(normMessage).filter(Boolean).slice(-MAX_KEPT);
    this.list.replaceChildren(...this.messages.map((m) => this.item(m)));
    this.unread = 0;
    this.scrollDown();
    this.onChange();
  }

  /** A new message; `requestId` names our request when it is our own message's echo. */
  receive(raw, requestId = null) {
    const m = normMessage(raw);
    if (!m) return;
    const stick = this.atBottom();
    this.messages.push(m);
    this.list.append(this.item(m));
    while (this.messages.length > MAX_KEPT) {
      this.messages.shift();
      this.list.firstElementChild.remove();
    }
    const own = m.from.participantId === this.selfId;
    // Our pending message arrived (an echo of an earlier one leaves it pending).
    if (own && this.pending && this.pending.requestId === requestId) this.pending = null;
    if (!own && !this.isVisible()) this.unread += 1;
    if (stick || own) this.scrollDown();
    this.onChange();
  }

  /** The chat came into view: everything counts as read. */
  seen() {
    if (!this.unread) return;
    this.unread = 0;
    this.scrollDown();
    this.onChange();
  }

  setModerator(moderator) {
    document.getElementById('chat-export').hidden = !moderator;
  }

  submit() {
    // The server refuses control characters other than line feed and tab (pasted ones, say).
    const text = this.input.value.replace(CONTROL, '').trim();
    if (!text) return;
    if ([...text].length > MAX_CHAT) return; // maxlength keeps typing below this
    const to = this.to.value === 'moderators' ? 'moderators' : 'everyone';
    const requestId = this.send({ type: 'chat', text, to });
    if (!requestId) return; // not connected: keep the text
    this.pending = { text: this.input.value, requestId };
    this.input.value = '';
  }

  /**
   * The server refused the request `requestId` (an error that names it). If it was our pending
   * message, nothing was sent: the text goes back into the input (unless the user typed anew).
   */
  refused(requestId) {
    const p = this.pending;
    if (!p || !requestId || p.requestId !== requestId) return;
    this.pending = null;
    if (!this.input.value) this.input.value = p.text;
  }

  requestExport(format) {
    this.send({ type: 'chat-export', format });
  }

  /** The server's `chat-export`: offered as a file download (Blob + object URL, same origin). */
  download(msg) {
    if (typeof msg.content !== 'string') return;
    const markdown = msg.format === 'markdown';
    const fallback = `chat.${markdown ? 'md' : 'txt'}`;
    const name = typeof msg.filename === 'string' && /^[\p{L}\p{N}_.-]{1,128}$/u.test(msg.filename) ? msg.filename : fallback;
    const blob = new Blob([msg.content], { type: `${markdown ? 'text/markdown' : 'text/plain'};charset=utf-8` });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  item(m) {
    const li = document.createElement('li');
    li.className = 'chat-msg';
    li.dataset.id = m.id;
    li.dataset.to = m.to;
    if (m.from.participantId === this.selfId) li.classList.add('own');
    if (m.to === 'moderators') li.classList.add('private');

    const head = document.createElement('p');
    head.className = 'chat-head';
    const name = document.createElement('span');
    name.className = 'chat-name';
    name.textContent = m.from.name;
    const time = document.createElement('time');
    time.className = 'chat-time';
    time.dateTime = m.time;
    time.textContent = localTime(m.time);
    head.append(name, time);
    if (m.to === 'moderators') {
      const mark = document.createElement('span');
      mark.className = 'chat-private';
      mark.textContent = t('chat.private');
      head.append(mark);
    }
    const body = document.createElement('p');
    body.className = 'chat-text';
    body.append(...linkify(m.text));
    li.append(head, body);
    return li;
  }

  // New messages scroll into view only if the reader has not scrolled up to older ones.
  atBottom() {
    const box = this.list.parentElement;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  scrollDown() {
    const box = this.list.parentElement;
    box.scrollTop = box.scrollHeight;
  }
}
