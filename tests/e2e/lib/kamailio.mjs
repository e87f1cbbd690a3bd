// SPDX-License-Identifier: EUPL-1.2
// A real PBX for the registration tests: Debian's kamailio 5.6 as registrar and proxy, in the
// foreground, with a config written at test time (no database: the locations live in memory).
// Every REGISTER is answered with a digest challenge (401) until it carries the right password
// (one for all users); a request for a registered user is forwarded (lookup + t_relay, with
// Record-Route, so the dialog's BYE and ACK pass it too). Each step is one xlog line ("KAM ..."),
// which the tests count:
//
//   const pbx = await Kamailio.start({ tmpDir, password: 'geheim' });
//   pbx.port                               // UDP and TCP on 127.0.0.1
//   pbx.lines(/KAM REGISTER-OK 4711 /)     // the matching lines of its log so far
//   await pbx.stop();
import fs from 'node:fs';
import path from 'node:path';
import dgram from 'node:dgram';
import { freePort, log, spawnTracked, tailFile, waitFor } from './util.mjs';

export const KAMAILIO = process.env.KAMAILIO || '/usr/sbin/kamailio';
const MODULES = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules']
  .find((d) => fs.existsSync(d)) || '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/** The kamailio.cfg of the tests: registrar with digest auth (pv_auth_check: `password` for every user) and proxy. */
export function kamailioConfig({ port, password }) {
  return `#!KAMAILIO
# Written by tests/e2e/lib/kamailio.mjs for one test run.
debug=2
log_stderror=yes
log_prefix=""
children=2
tcp_children=2
auto_aliases=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
mpath="${MODULES}/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "auth.so"
# The locations in memory only.
modparam("usrloc", "db_mode", 0)

request_route {
  xlog("L_NOTICE", "KAM REQ $rm from $si:$sp to $ru\\n");
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("OPTIONS") && uri == myself && $rU == $null) {
    sl_send_reply("200", "OK");
    exit;
  }
  if (is_method("REGISTER")) {
    # The realm is the From domain; the digest user must be the From user (flag 1).
    if (!pv_auth_check("$fd", "${password}", "0", "1")) {
      xlog("L_NOTICE", "KAM REGISTER-CHALLENGE $fU from $si:$sp\\n");
      auth_challenge("$fd", "0");
      exit;
    }
    if (!save("location")) { sl_reply_error(); exit; }
    xlog("L_NOTICE", "KAM REGISTER-OK $fU from $si:$sp contact $ct\\n");
    exit;
  }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("INVITE")) record_route();
  if (!lookup("location")) {
    xlog("L_NOTICE", "KAM NOT-FOUND $rU\\n");
    sl_send_reply("404", "Not Found");
    exit;
  }
  xlog("L_NOTICE", "KAM FORWARD $rm to $ru\\n");
  t_relay();
}

onreply_route {
  xlog("L_NOTICE", "KAM REPLY $rs $rr for $rm from $si:$sp\\n");
}
`;
}

/** Resolves true when an OPTIONS to 127.0.0.1:port over UDP gets a 200 within 1 s. */
function optionsPing(port) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const done = (ok) => { clearTimeout(timer); sock.close(); resolve(ok); };
    const timer = setTimeout(() => done(false), 1000);
    sock.on('error', () => done(false));
    sock.on('message', (m) => { if (/^SIP\/2\.0 200 /.test(m.toString('latin1'))) done(true); });
    sock.bind(0, '127.0.0.1', () => {
      const local = sock.address().port;
      const id = Math.random().toString(36).slice(2);
      const msg = [`OPTIONS sip:127.0.0.1:${port} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${id};rport`,
        'Max-Forwards: 70', `From: <sip:ping@127.0.0.1>;tag=${id}`, `To: <sip:127.0.0.1:${port}>`, `Call-ID: ping-${id}`,
        'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n');
      sock.send(msg, port, '127.0.0.1');
    });
  });
}

export class Kamailio {
  /** Starts kamailio in `tmpDir` on a free port (its config, log, pid file and runtime folder go there). */
  static async start({ tmpDir, password }) {
    if (!fs.existsSync(KAMAILIO)) throw new Error(`kamailio not found at ${KAMAILIO} (packaging/dev/install-deps.sh --test)`);
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const k = new Kamailio({ tmpDir, password, port: await freePort() });
      try {
        await k.launch();
        return k;
      } catch (e) {
        lastError = e;
        await k.stop();
        log(`kamailio: start failed (${e.message}), trying another port`);
      }
    }
    throw lastError;
  }

  constructor({ tmpDir, password, port }) {
    this.port = port;
    this.dir = path.join(tmpDir, `kamailio-${port}`);
    this.logFile = path.join(this.dir, 'kamailio.log');
    this.password = password;
    this.proc = null;
  }

  async launch() {
    const runDir = path.join(this.dir, 'run');
    fs.mkdirSync(runDir, { recursive: true });
    const cfg = path.join(this.dir, 'kamailio.cfg');
    fs.writeFileSync(cfg, kamailioConfig({ port: this.port, password: this.password }));
    // -DD: stays in the foreground (its children with it); -E: logs to stderr; -Y/-P: its
    // runtime folder and pid file here, not in /run; -m/-M: small shared and private memory.
    this.proc = spawnTracked(KAMAILIO, ['-f', cfg, '-DD', '-E', '-Y', runDir, '-P', path.join(this.dir, 'kamailio.pid'),
      '-m', '32', '-M', '8'], { outFile: this.logFile, cwd: this.dir });
    await waitFor(async () => {
      const ex = this.proc.exited();
      if (ex) throw Object.assign(new Error(`kamailio exited ${JSON.stringify(ex)}: ${tailFile(this.logFile, 12)}`), { fatal: true });
      return optionsPing(this.port);
    }, { timeout: 15000, interval: 300, message: `kamailio answering OPTIONS on 127.0.0.1:${this.port}` });
    log(`kamailio pid ${this.proc.child.pid} on 127.0.0.1:${this.port} (log: ${this.logFile})`);
  }

  /** The lines of its log that match `re`. */
  lines(re) {
    let text = '';
    try { text = fs.readFileSync(this.logFile, 'utf8'); } catch { return []; }
    return text.split('\n').filter((l) => re.test(l));
  }

  logTail(n = 40) { return tailFile(this.logFile, n); }

  async stop() {
    if (this.proc) await this.proc.terminate();
  }
}
