// SPDX-License-Identifier: EUPL-1.2
// Small helpers shared by the end-to-end tests: polling, temp folders, free ports, logging.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(E2E_DIR, '..', '..');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Processes of spawnTracked still running when the test process exits (a test that threw
// before it stopped them): killed.
const tracked = new Set();
process.on('exit', () => {
  for (const child of tracked) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/**
 * Starts `cmd args` in `cwd`, its output appended to `outFile`. Returns { child, exitPromise,
 * exited() (null while it runs: then { code, signal } or { error }), terminate({ onSlow }) }:
 * terminate sends SIGTERM and, if it has not exited within 10 s, awaits `onSlow()` (a stack dump,
 * say), then SIGKILL and waits up to 5 s more; resolves once it is gone (or given up on).
 */
export function spawnTracked(cmd, args, { outFile, cwd }) {
  const out = fs.openSync(outFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], cwd });
  fs.closeSync(out);
  tracked.add(child);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    tracked.delete(child);
    resolve(exited);
  }));
  child.on('error', (e) => { exited = { error: e.message }; });
  return {
    child,
    exitPromise,
    exited: () => exited,
    async terminate({ onSlow } = {}) {
      if (exited) return;
      try { child.kill('SIGTERM'); } catch { /* gone */ }
      if (await Promise.race([exitPromise, sleep(10000).then(() => null)])) return;
      if (onSlow) await onSlow();
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      await Promise.race([exitPromise, sleep(5000)]);
    },
  };
}

/** Print a line into the test output (node --test passes stderr through). */
export function log(...args) {
  const t = new Date().toISOString().slice(11, 23);
  process.stderr.write(`[e2e ${t}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
}

/**
 * Poll `conditionFn` (sync or async) until it returns a truthy value; resolve with that value.
 * A throw from conditionFn counts as "not yet" (remembered for the timeout message), unless the
 * error has `fatal: true`, which ends the wait at once.
 * On timeout rejects with an Error mentioning `message`, the last value and the last error.
 * `describe(lastValue)` may turn the last value into a readable explanation.
 */
export async function waitFor(conditionFn, { timeout = 60000, interval = 500, message = 'condition', describe } = {}) {
  const start = Date.now();
  let last, lastErr, attempts = 0;
  for (;;) {
    attempts++;
    try {
      last = await conditionFn();
      lastErr = undefined;
      if (last) return last;
    } catch (e) {
      if (e && e.fatal) throw e;
      lastErr = e;
    }
    const elapsed = Date.now() - start;
    if (elapsed >= timeout) {
      let detail = '';
      try {
        detail = describe ? describe(last) : JSON.stringify(last);
      } catch { detail = String(last); }
      const err = new Error(`timed out after ${elapsed} ms (${attempts} attempts) waiting for ${message}` +
        (detail !== undefined ? `; last value: ${detail}` : '') +
        (lastErr ? `; last error: ${lastErr.stack || lastErr}` : ''));
      err.lastValue = last;
      throw err;
    }
    await sleep(Math.min(interval, Math.max(0, timeout - elapsed)));
  }
}

/** A new temporary folder (removed by the caller via rmTmp unless E2E_KEEP_TMP=1). */
export function mkTmp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `plenum-e2e-${prefix}-`));
}

export function rmTmp(dir) {
  if (!dir || process.env.E2E_KEEP_TMP === '1') return;
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
}

/** A TCP port that was free a moment ago (bind to 0, read it, release it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function randomId(n = 8) {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += abc[Math.floor(Math.random() * abc.length)];
  return s;
}

/** Last `n` lines of a text file ('' if unreadable). */
export function tailFile(file, n = 60) {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    return lines.slice(-n - 1).join('\n');
  } catch (e) {
    return `(cannot read ${file}: ${e.message})`;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
export const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far; `missing` when it is gone. */
export function cpuSeconds(pid, missing = NaN) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
  } catch {
    return missing;
  }
}

export const fmt = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : String(x));
