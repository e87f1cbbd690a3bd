// SPDX-License-Identifier: EUPL-1.2 AND MIT AND ISC
// Most shapes are from Feather Icons (MIT, (c) 2013-2023 Cole Bemis), "hand" is from
// Lucide (ISC, (c) Lucide Icons and Contributors): see packaging/debian/copyright.
// Inline SVG icons (stroke style, 24×24), built with DOM calls so no HTML parsing is involved.

const NS = 'http://www.w3.org/2000/svg';

const SHAPES = {
  mic: [
    ['path', { d: 'M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3z' }],
    ['path', { d: 'M19 10v2a7 7 0 0 1-14 0v-2' }],
    ['path', { d: 'M12 19v3M8 22h8' }],
  ],
  'mic-off': [
    ['path', { d: 'M2 2l20 20' }],
    ['path', { d: 'M9 9v3a3 3 0 0 0 5.12 2.12M15 9.34V5a3 3 0 0 0-5.94-.6' }],
    ['path', { d: 'M17 16.95A7 7 0 0 1 5 12v-2m14 0v2a7 7 0 0 1-.11 1.23' }],
    ['path', { d: 'M12 19v3M8 22h8' }],
  ],
  cam: [
    ['path', { d: 'M23 7l-7 5 7 5V7z' }],
    ['rect', { x: '1', y: '5', width: '15', height: '14', rx: '2' }],
  ],
  'cam-off': [
    ['path', { d: 'M16 16v1a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h2m5.66 0H14a2 2 0 0 1 2 2v3.34l1 1L23 7v10' }],
    ['path', { d: 'M1 1l22 22' }],
  ],
  leave: [
    ['path', { d: 'M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4' }],
    ['path', { d: 'M16 17l5-5-5-5M21 12H9' }],
  ],
  people: [
    ['path', { d: 'M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2' }],
    ['circle', { cx: '9', cy: '7', r: '4' }],
    ['path', { d: 'M23 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75' }],
  ],
  link: [
    ['path', { d: 'M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71' }],
    ['path', { d: 'M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71' }],
  ],
  close: [['path', { d: 'M18 6L6 18M6 6l12 12' }]],
  lock: [
    ['rect', { x: '3', y: '11', width: '18', height: '11', rx: '2' }],
    ['path', { d: 'M7 11V7a5 5 0 0 1 10 0v4' }],
  ],
  unlock: [
    ['rect', { x: '3', y: '11', width: '18', height: '11', rx: '2' }],
    ['path', { d: 'M7 11V7a5 5 0 0 1 9.9-1' }],
  ],
  shield: [['path', { d: 'M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z' }]],
  'shield-plus': [
    ['path', { d: 'M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z' }],
    ['path', { d: 'M12 8v6M9 11h6' }],
  ],
  'user-x': [
    ['path', { d: 'M16 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2' }],
    ['circle', { cx: '8.5', cy: '7', r: '4' }],
    ['path', { d: 'M18 8l5 5M23 8l-5 5' }],
  ],
  check: [['path', { d: 'M20 6L9 17l-5-5' }]],
  power: [
    ['path', { d: 'M18.36 6.64a9 9 0 1 1-12.73 0' }],
    ['path', { d: 'M12 2v10' }],
  ],
  bell: [
    ['path', { d: 'M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9' }],
    ['path', { d: 'M13.73 21a2 2 0 0 1-3.46 0' }],
  ],
  hourglass: [
    ['path', { d: 'M6 2h12M6 22h12' }],
    ['path', { d: 'M7 2v4a5 5 0 0 0 10 0V2M7 22v-4a5 5 0 0 1 10 0v4' }],
  ],
  volume: [
    ['path', { d: 'M11 5L6 9H2v6h4l5 4V5z' }],
    ['path', { d: 'M19.07 4.93a10 10 0 0 1 0 14.14M15.54 8.46a5 5 0 0 1 0 7.07' }],
  ],
  hand: [
    ['path', { d: 'M18 11V6a2 2 0 0 0-4 0v5' }],
    ['path', { d: 'M14 10V4a2 2 0 0 0-4 0v6' }],
    ['path', { d: 'M10 10.5V6a2 2 0 0 0-4 0v8' }],
    ['path', { d: 'M18 8a2 2 0 1 1 4 0v6a8 8 0 0 1-8 8h-2c-2.8 0-4.5-.86-5.99-2.34l-3.6-3.6a2 2 0 0 1 2.83-2.82L7 15' }],
  ],
  phone: [['path', { d: 'M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z' }]],
  chat: [['path', { d: 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z' }]],
  send: [['path', { d: 'M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z' }]],
  download: [
    ['path', { d: 'M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4' }],
    ['path', { d: 'M7 10l5 5 5-5M12 15V3' }],
  ],
  'arrow-up': [['path', { d: 'M12 19V5M5 12l7-7 7 7' }]],
  'arrow-down': [['path', { d: 'M12 5v14M19 12l-7 7-7-7' }]],
  podium: [
    ['path', { d: 'M12 2a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3z' }],
    ['path', { d: 'M5 15h14l-2 7H7z' }],
  ],
  'point-of-order': [
    ['path', { d: 'M4 22V4a1 1 0 0 1 1-1h12l-2 5 2 5H5' }],
  ],
  timer: [
    ['circle', { cx: '12', cy: '13', r: '8' }],
    ['path', { d: 'M12 9v4l2 2M9 2h6' }],
  ],
  grid: [
    ['rect', { x: '3', y: '3', width: '7', height: '7', rx: '1' }],
    ['rect', { x: '14', y: '3', width: '7', height: '7', rx: '1' }],
    ['rect', { x: '3', y: '14', width: '7', height: '7', rx: '1' }],
    ['rect', { x: '14', y: '14', width: '7', height: '7', rx: '1' }],
  ],
  'speaker-layout': [
    ['rect', { x: '3', y: '3', width: '18', height: '12', rx: '1' }],
    ['rect', { x: '3', y: '17', width: '5', height: '4', rx: '1' }],
    ['rect', { x: '9.5', y: '17', width: '5', height: '4', rx: '1' }],
    ['rect', { x: '16', y: '17', width: '5', height: '4', rx: '1' }],
  ],
  wave: [['path', { d: 'M2 12h2M6 8v8M10 5v14M14 8v8M18 10v4M22 12h0' }]],
  monitor: [
    ['rect', { x: '2', y: '3', width: '20', height: '14', rx: '2' }],
    ['path', { d: 'M8 21h8M12 17v4' }],
  ],
  file: [
    ['path', { d: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z' }],
    ['path', { d: 'M14 2v6h6M16 13H8M16 17H8M10 9H8' }],
  ],
  'chevron-left': [['path', { d: 'M15 18l-6-6 6-6' }]],
  'chevron-right': [['path', { d: 'M9 18l6-6-6-6' }]],
  stop: [['rect', { x: '5', y: '5', width: '14', height: '14', rx: '2' }]],
  record: [
    ['circle', { cx: '12', cy: '12', r: '9' }],
    ['circle', { cx: '12', cy: '12', r: '4', fill: 'currentColor' }],
  ],
};

export function icon(name, extraClass) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', extraClass ? `icon ${extraClass}` : 'icon');
  for (const [tag, attrs] of SHAPES[name] || []) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  }
  return svg;
}

// <button data-icon="x">: prepends that icon. <button data-icon-on="a" data-icon-off="b">:
// prepends both; CSS shows one according to aria-pressed.
export function decorate(root = document) {
  for (const el of root.querySelectorAll('[data-icon]')) el.prepend(icon(el.dataset.icon));
  for (const el of root.querySelectorAll('[data-icon-on]')) {
    el.prepend(icon(el.dataset.iconOn, 'when-on'), icon(el.dataset.iconOff, 'when-off'));
  }
}
