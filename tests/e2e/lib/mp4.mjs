// SPDX-License-Identifier: EUPL-1.2
// What a user would find in a downloaded recording, read with Debian's ffmpeg/ffprobe: its
// streams and duration, the order of its top-level boxes (moov before mdat: a browser can play
// it while downloading), the test colours in a frame and the test tones in a stretch of audio.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

const run = (cmd, args) => execFileSync(cmd, args, { maxBuffer: 256 << 20, timeout: 120000 });

/** { video: codec, audio: codec, duration (s), width, height } of the file (ffprobe). */
export function probe(file) {
  const out = JSON.parse(run('ffprobe', ['-v', 'error', '-show_entries',
    'stream=codec_type,codec_name,width,height:format=duration', '-of', 'json', file]).toString());
  const video = out.streams.find((s) => s.codec_type === 'video');
  const audio = out.streams.find((s) => s.codec_type === 'audio');
  return {
    video: video?.codec_name, audio: audio?.codec_name, width: video?.width, height: video?.height,
    duration: Number(out.format.duration),
  };
}

/** The types of the file's top-level boxes, in order ("ftyp", "moov", "mdat", ...). */
export function topLevelBoxes(file) {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const head = Buffer.alloc(16);
  const types = [];
  try {
    for (let at = 0; at + 8 <= size;) {
      fs.readSync(fd, head, 0, 16, at);
      let len = head.readUInt32BE(0);
      if (len === 1) len = Number(head.readBigUInt64BE(8));
      else if (len === 0) len = size - at;
      types.push(head.toString('latin1', 4, 8));
      if (len < 8) break;
      at += len;
    }
  } finally {
    fs.closeSync(fd);
  }
  return types;
}

/** Fractions of a frame's pixels near red, green and blue, at `seconds` (as the page probe). */
export function frameColors(file, seconds) {
  const { width, height } = probe(file);
  const rgb = run('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  let red = 0, green = 0, blue = 0;
  const n = width * height;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
    if (r > 150 && g < 90 && b < 90) red++;
    else if (g > 150 && r < 90 && b < 90) green++;
    else if (b > 150 && r < 90 && g < 90) blue++;
  }
  return { red: red / n, green: green / n, blue: blue / n };
}

/** Magnitude of `freq` in `x` (48 kHz), by the Goertzel algorithm, scaled to a sine's amplitude. */
function amplitude(x, freq) {
  const w = (2 * Math.PI * freq) / 48000;
  const c = 2 * Math.cos(w);
  let s1 = 0, s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s = x[i] + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2))) / x.length;
}

/**
 * For each frequency: its level in dB relative to the median level of a grid from 100 Hz to
 * 5 kHz (the noise floor), over `length` seconds of audio from `seconds` on, mixed to mono.
 */
export function toneLevels(file, seconds, length, freqs) {
  const raw = run('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-t', String(length), '-i', file, '-vn',
    '-ac', '1', '-ar', '48000', '-f', 'f32le', '-']);
  const x = new Float32Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 4));
  const grid = [];
  for (let f = 100; f <= 5000; f += 37) grid.push(amplitude(x, f));
  grid.sort((a, b) => a - b);
  const floor = Math.max(grid[Math.floor(grid.length / 2)], 1e-9);
  return Object.fromEntries(freqs.map((f) => {
    const a = amplitude(x, f);
    return [f, { rel: 20 * Math.log10(Math.max(a, 1e-12) / floor), dbfs: 20 * Math.log10(Math.max(a, 1e-12)) }];
  }));
}

/**
 * The RMS level in dBFS of `length` seconds of audio from `seconds` on, mixed to mono, and how
 * many seconds there were (a live recording may be shorter yet): { dbfs, seconds }. For speech
 * (the phone prompts), where a tone's level says little.
 */
export function rmsLevel(file, seconds, length) {
  const raw = run('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-t', String(length), '-i', file, '-vn',
    '-ac', '1', '-ar', '48000', '-f', 'f32le', '-']);
  const x = new Float32Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 4));
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  const rms = x.length ? Math.sqrt(sum / x.length) : 0;
  return { dbfs: 20 * Math.log10(Math.max(rms, 1e-9)), seconds: x.length / 48000 };
}
