// SPDX-License-Identifier: EUPL-1.2
// Known media for the fake camera and microphone of each test participant:
// a solid-colour Y4M (320x240, 15 fps, looped by Chromium) and a mono 48 kHz sine WAV.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Pure saturated colours. Tones far apart (Opus leaves codec noise at -60..-80 dB within a few
// hundred Hz of a tone) and chosen so that no harmonic (up to the 6th) of one tone comes within
// 110 Hz of a harmonic of another, and no intermodulation product of two tones up to 7th order
// (|a*f1 + b*f2|, |a|+|b| <= 7) comes within 110 Hz of the third: a mix-minus that distorts
// (clipping) must not fake the listener's own tone. 110 Hz is about 20 FFT bins.
export const PARTICIPANTS = [
  { name: 'Rot', color: 'red', argb: 0xffff0000, tone: 560 },
  { name: 'Gruen', color: 'green', argb: 0xff00ff00, tone: 1340 },
  { name: 'Blau', color: 'blue', argb: 0xff0000ff, tone: 2570 },
];
// A fourth participant who shows grey (none of the three colours) and is silent: a moderator
// whose own picture and sound no test looks for.
export const SILENT_GREY = { name: 'Mod', color: 'grey', argb: 0xff808080, tone: 440, volume: 0 };
// Sine amplitude: 0.25 (-12 dBFS), so that a mix of all three stays below full scale.
export const TONE_VOLUME = 0.25;
export const COLORS = PARTICIPANTS.map((p) => p.color);
export const TONES = PARTICIPANTS.map((p) => p.tone);

const hex = (n) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

/**
 * Writes <dir>/<name>.y4m and <dir>/<name>.wav for participant `p`. Returns { y4m, wav }.
 * videoSeconds is short (Chromium loops the file); audioSeconds should exceed the test. The
 * camera is 320x240 unless `width` and `height` say otherwise.
 */
export async function makeMedia(dir, p, { videoSeconds = 4, audioSeconds = 120, width = 320, height = 240 } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const y4m = path.join(dir, `${p.name}.y4m`);
  const wav = path.join(dir, `${p.name}.wav`);
  const fps = 15;
  const spb = 4800; // samples per buffer: 100 ms at 48 kHz
  await Promise.all([
    run('gst-launch-1.0', ['-q',
      'videotestsrc', 'pattern=solid-color', `foreground-color=${hex(p.argb)}`, `num-buffers=${videoSeconds * fps}`,
      '!', `video/x-raw,format=I420,width=${width},height=${height},framerate=${fps}/1`,
      '!', 'y4menc', '!', 'filesink', `location=${y4m}`]),
    run('gst-launch-1.0', ['-q',
      'audiotestsrc', 'wave=sine', `freq=${p.tone}`, `volume=${p.volume ?? TONE_VOLUME}`, `samplesperbuffer=${spb}`,
      `num-buffers=${Math.ceil((audioSeconds * 48000) / spb)}`,
      '!', 'audio/x-raw,format=S16LE,rate=48000,channels=1',
      '!', 'wavenc', '!', 'filesink', `location=${wav}`]),
  ]);
  for (const f of [y4m, wav]) {
    const st = fs.statSync(f);
    if (st.size < 1000) throw new Error(`fixture ${f} is only ${st.size} bytes`);
  }
  return { y4m, wav };
}

/** Media for all PARTICIPANTS: returns a map name -> { y4m, wav }. */
export async function makeAllMedia(dir, participants = PARTICIPANTS, opts) {
  const out = {};
  for (const p of participants) out[p.name] = await makeMedia(dir, p, opts);
  return out;
}
