// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Every configuration key of plenumd with its default. plenum.ini (packaging/plenum.ini is the
// commented sample) may set any of them; --port and --data override http.port and data.dir.
// The keys, their types, defaults and ranges are one table (settingKeys()); Settings::from and
// plenumd --check-config (ConfigCheck) both judge values by it.
#include "appliance/DocumentRenderer.hpp"
#include "signaling/Conference.hpp"

#include <Poco/Util/AbstractConfiguration.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plenum::appliance {

// Accounts, login sessions, persistent rooms and how hard guessing is made.
struct AccessSettings {
  double sessionHours = 12;           // a login session ends after this long without use
  std::optional<bool> adHocRooms;     // unset: on while no account exists, off once one does
  int pinLength = 8;                  // digits of a new room's phone PIN (6-9)
  int attemptsPerAccount = 5;         // failed logins per account within the window
  int attemptsPerAddress = 20;        // failed logins (or room passwords) per client address
  int attemptsPerRoom = 10;           // wrong room passwords per room
  int attemptWindowSeconds = 300;
  std::string publicUrl;              // origin in invitations; empty: from the request's Host
};

// Recordings of persistent rooms' meetings (files in <data>/recordings).
struct RecordingSettings {
  bool enabled = true;
  int retentionDays = 30;  // deleted automatically this long after they stopped
  int minFreeMb = 2048;    // no start below this much free disk; a running one stops cleanly
};

// How a key's value is read and checked.
enum class SettingType {
  Integer,          // decimal, within [min, max]
  Number,           // decimal fraction, within [min, max] (or (min, max] with minExclusive)
  Boolean,          // true/false, yes/no, on/off, 1/0
  OptionalBoolean,  // empty (unset) or a boolean
  Text,             // anything, also empty
  Url,              // empty or starting with http:// or https://
  List,             // comma-separated, may be empty
  Codecs,           // comma-separated H264, VP8
  LogLevel,         // fatal, critical, error, warning, notice, information, debug, trace
};

struct SettingKey {
  std::string_view key;
  SettingType type;
  std::string_view defaultValue;  // as it would be written in plenum.ini
  double min = 0;
  double max = 0;
  bool minExclusive = false;
};

// Every key plenum.ini may set, in the order of packaging/plenum.ini.
const std::vector<SettingKey>& settingKeys();
// The table's entry for a key (case-insensitive, like Poco's INI files), or nullptr.
const SettingKey* findSettingKey(std::string_view key);
// What is wrong with a value for this key (e.g. "is not a number"), or nothing. `value` is as
// written in the file, untrimmed or trimmed.
std::optional<std::string> checkSettingValue(const SettingKey& key, const std::string& value);

// TLS: HTTPS on httpsPort (0: off) with the PEM certificate chain and key; HSTS only when asked.
struct TlsSettings {
  int httpsPort = 0;
  std::string certificateFile;
  std::string keyFile;
  bool hsts = false;
  bool enabled() const { return httpsPort != 0; }
};

// The TURN relay (coturn, run by plenumd; see TurnRelay.hpp): lets participants whose network
// allows nothing but TCP to port 443 (or an HTTP proxy) take part. Clients reach it on the
// HTTP(S) port itself (SharedPort.hpp).
struct TurnSettings {
  bool enabled = true;
  std::string server = "/usr/bin/turnserver";  // coturn's binary
  std::string host;      // the host name in the TURN URLs; empty: the Host the browser used
  std::string relayIp;   // the relay's address; empty: this machine's first non-loopback one
  int minPort = 40000;   // UDP ports of the relayed addresses
  int maxPort = 40999;
  int credentialTtlS = 86400;  // how long a participant's credentials work
  int maxConnections = 200;    // TURN connections open at once on the whole server (0 in the
                               // file: twice rooms.max-total-participants)
  int maxConnectionsPerAddress = 50;  // ... from one client address (an office's NAT)
};

// Phone dial-in (SipService, PhoneCalls): the city's PBX routes a number to plenumd, which
// either registers with it as an extension or accepts INVITEs from the PBX's addresses.
struct SipSettings {
  bool enabled = false;
  std::string address;  // where SIP and RTP listen, and the address in our SDP; empty: this
                        // machine's first non-loopback address
  int port = 5060;      // UDP and TCP
  std::vector<std::string> trustedPeers;  // addresses (or CIDR ranges) whose INVITEs are taken
  // Registration as an extension (all empty: no registration).
  std::string registrar;     // e.g. "sip:pbx.stadt.example"
  std::string user;          // the extension's user name ("4711")
  std::string authUser;      // the digest user; empty: user
  std::string password;
  int registerExpiresS = 600;
  int rtpMinPort = 41000;
  int rtpMaxPort = 41999;
  int rtpTimeoutS = 30;      // a call that sends no RTP for this long is ended
  std::string language = "de";  // of the voice prompts: "de" or "en"
  std::string promptsDir;    // the admin's own WAV prompts (empty: the shipped ones only)
  // Called user part -> room slug: callers of this number skip the PIN ("4711=rat,4712=bau").
  std::vector<std::pair<std::string, std::string>> directRooms;
  // How many digits of the caller's number others see ("Telefon …1234"); 0: none.
  int showDigits = 4;
  int maxCalls = 100;           // calls at once on the whole server
  int maxCallsPerPeer = 100;    // ... from one peer address
  // Wrong PINs on the whole server per minute before every PIN entry is refused for a minute.
  int pinFailuresPerMinute = 30;
  // The number callers dial, as printed on /rooms and in invitations ("+49 30 1234-5678");
  // empty: invitations give only the PIN.
  std::string dialInNumber;
};

struct Settings {
  std::string httpAddress = "0.0.0.0";
  int httpPort = 8080;
  TlsSettings tls;
  std::string webRoot;  // default: the source tree's webclient/ (development build)
  int maxConnections = 500;
  int maxWebSockets = 2000;  // open at once on the whole server (each has a thread of its own)
  int maxConnectionsPerAddress = 20;
  int maxHttpConnectionsPerAddress = 60;
  // Reverse proxies whose X-Forwarded-For names the client (see ClientAddress.hpp).
  std::vector<std::string> trustedProxies;  // HTTP connections (pages, API; keep-alive) from one address  // WebSockets open at once from one client address (/64)
  std::string dataDir = "./var";
  int signalingTimeoutMs = 8000;
  int joinTimeoutS = 30;    // a WebSocket that has not sent a join by then is closed
  int joinsPerMinute = 30;  // join messages from one client address
  std::string logLevel = "information";
  int watchdogTimeoutS = 20;  // 0: no watchdog
  signaling::ConferenceSettings conference;
  AccessSettings access;
  RecordingSettings recordings;
  TurnSettings turn;
  bool documentsEnabled = true;  // moderators may show PDFs (DocumentService)
  DocumentLimits documents;
  SipSettings sip;

  // Throws std::invalid_argument naming the first key whose value checkSettingValue refuses, or
  // (with crossCheck) the first inconsistency between keys (crossCheckProblems).
  static Settings from(const Poco::Util::AbstractConfiguration& config, bool crossCheck = true);
};

// Problems between keys of otherwise valid settings, each with the key it is best reported at:
// https.port without tls.certificate/tls.key, https.port equal to http.port, ice.min-port above
// ice.max-port, turn.min-port above turn.max-port, a turn.relay-ip that is no usable address.
struct SettingsProblem {
  std::string key;
  std::string message;
};

std::vector<SettingsProblem> crossCheckProblems(const Settings& settings);

}  // namespace plenum::appliance
