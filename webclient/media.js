// SPDX-License-Identifier: EUPL-1.2
// Local camera and microphone (getUserMedia), with graceful fallbacks.

const VIDEO = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 25, max: 30 } };

// audioProcessing=false turns off echo cancellation, noise suppression and automatic gain
// (needed for test tones and for music).
export function audioConstraints(audioProcessing) {
  const on = !!audioProcessing;
  return { echoCancellation: on, noiseSuppression: on, autoGainControl: on };
}

function isDenied(err) {
  return err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
}

// Resolves (never rejects) to { mic, cam, problem }: the tracks (or null) and, when something
// is missing, one of 'denied' | 'none' | 'busy' | 'noCamera' | 'noMic' | 'insecure' | 'unsupported'.
export async function getLocalMedia({ audioProcessing = true } = {}) {
  const result = { mic: null, cam: null, problem: null };
  const md = navigator.mediaDevices;
  if (!md || typeof md.getUserMedia !== 'function') {
    result.problem = window.isSecureContext ? 'unsupported' : 'insecure';
    return result;
  }
  const audio = audioConstraints(audioProcessing);
  const take = (stream) => {
    for (const track of stream.getTracks()) {
      if (track.kind === 'audio' && !result.mic) result.mic = track;
      else if (track.kind === 'video' && !result.cam) result.cam = track;
      else track.stop();
    }
  };
  const errors = [];
  try {
    take(await md.getUserMedia({ audio, video: VIDEO }));
  } catch (err) {
    errors.push(err);
    if (isDenied(err)) {
      result.problem = 'denied';
      return result;
    }
    // One of the two may be missing or busy: try each alone.
    try { take(await md.getUserMedia({ audio })); } catch (e) { errors.push(e); }
    try { take(await md.getUserMedia({ video: VIDEO })); } catch (e) { errors.push(e); }
  }
  if (!result.mic && !result.cam) {
    result.problem = errors.some(isDenied) ? 'denied'
      : errors.some((e) => e && e.name === 'NotReadableError') ? 'busy' : 'none';
  } else if (!result.cam) {
    result.problem = 'noCamera';
  } else if (!result.mic) {
    result.problem = 'noMic';
  }
  if (errors.length) console.info('plenum: getUserMedia:', errors.map((e) => e && e.name).join(', '));
  return result;
}

export function stopLocalMedia(media) {
  if (!media) return;
  for (const track of [media.mic, media.cam]) if (track) track.stop();
}
