// SPDX-License-Identifier: EUPL-1.2
// Starts plenumd for one test file: free port, fresh data folder, tests/e2e/plenum-test.ini,
// stdout+stderr captured to a log file; polls /healthz; stops it by PID.
// With `https` ({ certFile, keyFile, hsts }) it also serves HTTPS on a second free port:
// baseUrl/wsUrl are then https://localhost:PORT and wss://, httpUrl the plain-HTTP side
// (which redirects, except /healthz). `config` is extra INI text appended to the test config.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { E2E_DIR, REPO_DIR, freePort, mkTmp, rmTmp, spawnTracked, tailFile, waitFor, log } from './util.mjs';

export const PLENUMD = process.env.PLENUMD || path.join(REPO_DIR, 'build', 'appliance', 'plenumd');
export const TEST_CONFIG = process.env.PLENUM_TEST_CONFIG || path.join(E2E_DIR, 'plenum-test.ini');

/**
 * Starts plenumd on a free port in a new temporary folder; `dataDir` reuses another server's data
 * folder (a restart after a crash), which then stays where it is.
 */
export async function startServer({ healthTimeout = 30000, extraArgs = [], https = null, config = '', dataDir: reuse = null } = {}) {
  if (!fs.existsSync(PLENUMD)) {
    throw new Error(`plenumd not found at ${PLENUMD} (build it, or set PLENUMD=/path/to/plenumd)`);
  }
  const tmp = mkTmp('server');
  const dataDir = reuse || path.join(tmp, 'data');
  if (!reuse) fs.mkdirSync(dataDir);
  const logFile = path.join(tmp, 'plenumd.log');
  const port = await freePort();
  let configFile = TEST_CONFIG;
  let httpsPort = null;
  if (https || config) {
    const lines = [fs.readFileSync(TEST_CONFIG, 'utf8'), config];
    if (https) {
      httpsPort = https.port || await freePort();
      lines.push(`https.port = ${httpsPort}`, `tls.certificate = ${https.certFile}`, `tls.key = ${https.keyFile}`,
        `tls.hsts = ${https.hsts ? 'true' : 'false'}`);
    }
    configFile = path.join(tmp, 'plenum.ini');
    fs.writeFileSync(configFile, `${lines.join('\n')}\n`);
  }
  const args = ['--port', String(port), '--data', dataDir, '--config', configFile, ...extraArgs];
  log(`starting ${PLENUMD} ${args.join(' ')} (log: ${logFile})`);
  const proc = spawnTracked(PLENUMD, args, { outFile: logFile, cwd: tmp });
  const { child, exitPromise } = proc;

  const httpUrl = `http://127.0.0.1:${port}`;
  const baseUrl = httpsPort ? `https://localhost:${httpsPort}` : httpUrl;
  const wsUrl = httpsPort ? `wss://localhost:${httpsPort}/ws` : `ws://127.0.0.1:${port}/ws`;
  const server = {
    port, httpsPort, baseUrl, httpUrl, wsUrl, configFile, dataDir, dbFile: path.join(dataDir, 'plenum.db'), logFile, tmp, pid: child.pid,
    get exited() { return proc.exited(); },
    logTail: (n = 80) => tailFile(logFile, n),
    async healthz() {
      // Plain HTTP also with HTTPS on: /healthz is not redirected (monitoring).
      const r = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
      return r.status;
    },
    /**
     * Writes all threads' backtraces (gdb, if installed; E2E_GDB=0 disables) to `file`.
     * Returns the file name, or null.
     */
    async dumpStacks(file = path.join(tmp, `plenumd-stacks-${Date.now()}.txt`)) {
      if (proc.exited() || process.env.E2E_GDB === '0' || !fs.existsSync('/usr/bin/gdb')) return null;
      return new Promise((resolve) => {
        execFile('/usr/bin/gdb', ['-batch', '-nx', '-ex', 'set pagination off', '-ex', 'thread apply all bt',
          // /proc/PID/exe: still readable when the binary was rebuilt (replaced) meanwhile.
          `/proc/${child.pid}/exe`, '-p', String(child.pid)],
          { timeout: 90000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
            try { fs.writeFileSync(file, `${stdout}\n${stderr}`); } catch { resolve(null); return; }
            resolve(file);
          });
      });
    },
    /** kill -9, as a crash or a power cut would stop it; resolves when it is gone. */
    async crash() {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
      return exitPromise;
    },
    async stop({ keepTmp = false } = {}) {
      await proc.terminate({
        onSlow: async () => {
          log(`plenumd pid ${child.pid} did not exit within 10 s of SIGTERM`);
          const stacks = await server.dumpStacks(path.join(tmp, 'plenumd-stacks-at-shutdown.txt'));
          if (stacks) { log(`its threads' backtraces: ${stacks}`); keepTmp = true; }
          log(`SIGKILL plenumd pid ${child.pid}`);
        },
      });
      if (!keepTmp) rmTmp(tmp);
      return proc.exited();
    },
  };

  try {
    await waitFor(async () => {
      if (proc.exited()) throw Object.assign(new Error(`plenumd exited early: ${JSON.stringify(proc.exited())}`), { fatal: true });
      return (await server.healthz()) === 200;
    }, { timeout: healthTimeout, interval: 250, message: `GET ${httpUrl}/healthz == 200` });
  } catch (e) {
    const tail = server.logTail();
    await server.stop({ keepTmp: true });
    throw new Error(`${e.message}\n--- plenumd log tail (${logFile}) ---\n${tail}`);
  }
  log(`plenumd pid ${child.pid} healthy on ${baseUrl}`);
  return server;
}
