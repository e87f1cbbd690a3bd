// SPDX-License-Identifier: EUPL-1.2
// The plenum.ini of the browser benches: bench/plenum-bench.ini, optionally another composite
// size, and the per-address limits lifted (every client comes from 127.0.0.1, many a minute).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Writes DIR/NAME and returns its path; `video` = { width, height, framerate } or null. */
export function writeBenchConfig(dir, name, video = null) {
  let base = fs.readFileSync(path.join(HERE, 'plenum-bench.ini'), 'utf8');
  const lines = [];
  if (video) {
    base = base.replace(/^video\.(width|height|framerate)\s*=.*$/gm, '');
    lines.push(`video.width = ${video.width}`, `video.height = ${video.height}`, `video.framerate = ${video.framerate}`);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, [
    base, ...lines,
    'http.max-connections-per-address = 1000',
    'http.max-http-connections-per-address = 100000',
    'signaling.joins-per-minute = 100000',
    '',
  ].join('\n'));
  return file;
}
