// SPDX-License-Identifier: EUPL-1.2
// Starts plenumd for the API tests: a fresh data folder with an admin made by
// `plenumd --create-admin` (password on stdin), a copy of plenum-api-test.ini plus the test's own
// keys, a free port; stops it by PID. Helpers (ports, temp folders, polling) come from the e2e
// tests' lib/util.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_DIR, freePort, mkTmp, rmTmp, spawnTracked, tailFile, waitFor, log } from '../../e2e/lib/util.mjs';

export const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PLENUMD = process.env.PLENUMD || path.join(REPO_DIR, 'build', 'appliance', 'plenumd');
export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/** Runs `plenumd --create-admin` on a data folder, the password on stdin. */
export function createAdmin(dataDir, configFile, username, password) {
  return spawnSync(PLENUMD, ['--create-admin', username, '--data', dataDir, '--config', configFile],
    { input: `${password}\n`, encoding: 'utf8', timeout: 30000 });
}

/**
 * A running plenumd. `config`: extra INI lines; `admin: false` starts without any account.
 * Returns { baseUrl, wsUrl, dataDir, dbFile, stop() }.
 */
export async function startPlenumd({ config = '', admin = true } = {}) {
  if (!fs.existsSync(PLENUMD)) throw new Error(`plenumd not found at ${PLENUMD} (build it, or set PLENUMD)`);
  const tmp = mkTmp('api');
  const dataDir = path.join(tmp, 'data');
  fs.mkdirSync(dataDir);
  const configFile = path.join(tmp, 'plenum.ini');
  // PLENUM_BASE_CONFIG: another file to start from (bench/attack.mjs, which also runs older builds).
  const base = process.env.PLENUM_BASE_CONFIG || path.join(API_DIR, 'plenum-api-test.ini');
  fs.writeFileSync(configFile, `${fs.readFileSync(base, 'utf8')}\n${config}\n`);
  if (admin) {
    const made = createAdmin(dataDir, configFile, ADMIN.username, ADMIN.password);
    if (made.status !== 0) throw new Error(`--create-admin failed (${made.status}): ${made.stderr}`);
  }

  const logFile = path.join(tmp, 'plenumd.log');
  const port = await freePort();
  const proc = spawnTracked(PLENUMD, ['--port', String(port), '--data', dataDir, '--config', configFile], { outFile: logFile, cwd: tmp });
  const { child } = proc;

  const baseUrl = `http://127.0.0.1:${port}`;
  const server = {
    baseUrl, wsUrl: `ws://127.0.0.1:${port}/ws`, dataDir, dbFile: path.join(dataDir, 'plenum.db'), tmp, logFile,
    logTail: (n = 60) => tailFile(logFile, n),
    async stop() {
      await proc.terminate();
      rmTmp(tmp);
    },
  };
  try {
    await waitFor(async () => {
      if (proc.exited()) throw Object.assign(new Error(`plenumd exited early: ${JSON.stringify(proc.exited())}`), { fatal: true });
      return (await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).status === 200;
    }, { timeout: 30000, interval: 200, message: `GET ${baseUrl}/healthz == 200` });
  } catch (e) {
    const tail = server.logTail();
    await server.stop();
    throw new Error(`${e.message}\n--- plenumd log ---\n${tail}`);
  }
  log(`plenumd pid ${child.pid} on ${baseUrl}`);
  return server;
}

/** The whole database as SQL text (the sqlite3 shell), to prove a request changed nothing. */
export function dumpDatabase(dbFile) {
  const r = spawnSync('sqlite3', [dbFile, '.dump'], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) throw new Error(`sqlite3 .dump failed: ${r.stderr || r.error}`);
  return r.stdout;
}
