// SPDX-License-Identifier: EUPL-1.2
// Seeding recordings as the recorder leaves them: rows written with the sqlite3 shell into a
// running plenumd's database (WAL: the shell's writes are fine meanwhile), and a real small
// MP4 made with ffmpeg (H.264 + AAC, moov first).
import path from 'node:path';
import { spawnSync } from 'node:child_process';

/** Runs one SQL statement on the server's database; returns the shell's output. */
export function sql(server, statement) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', server.dbFile, statement], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}

/** A 2 s test picture with a tone, as <dir>/sample.mp4; returns its path. */
export function makeMp4(dir) {
  const out = path.join(dir, 'sample.mp4');
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=d=2:s=320x240', '-f', 'lavfi',
    '-i', 'sine=d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', out],
  { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return out;
}

/** Inserts a recording row; `stoppedAt` 0 while it records. */
export function insertRecording(server, { id, roomId, startedAt, stoppedAt, durationMs, bytes, state }) {
  sql(server, `INSERT INTO recordings (id, room_id, started_by, started_at, stopped_at, duration_ms, bytes, state, notice_count)
    VALUES ('${id}', ${roomId}, 2, ${startedAt}, ${stoppedAt}, ${durationMs}, ${bytes}, '${state}', 3)`);
}
