// SPDX-License-Identifier: EUPL-1.2
#include "appliance/SipService.hpp"

#include "appliance/AddressRange.hpp"
#include "appliance/PhoneNumber.hpp"
#include "appliance/SdpNegotiation.hpp"
#include "mixer/KeypadRateLimit.hpp"

#include <Poco/Logger.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_glib.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag_io.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace plenum::appliance {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.sip"); }

// Methods we take; sofia answers anything else with 405 (MESSAGE, SUBSCRIBE, REFER, ... are
// not for a conference bridge; UPDATE would need an SDP answer sofia cannot give without SOA).
constexpr const char* kAllow = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO";
// Until the call logic answers, the caller hears ringing after this long (100 Trying at once).
constexpr guint kRingingAfterMs = 1000;

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

// The numeric source address of a request ("::ffff:192.0.2.1" as "192.0.2.1").
std::string sourceAddress(msg_t* msg) {
  if (!msg) return "";
  su_addrinfo_t* info = msg_addrinfo(msg);
  if (!info || !info->ai_addr) return "";
  char host[NI_MAXHOST] = {};
  if (getnameinfo(info->ai_addr, static_cast<socklen_t>(info->ai_addrlen), host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return "";
  }
  std::string address(host);
  if (address.rfind("::ffff:", 0) == 0 && address.find('.') != std::string::npos) address.erase(0, 7);
  return address;
}

// The host of a registrar setting ("sip:pbx.example:5060;transport=tcp" -> "pbx.example").
std::string registrarHost(const std::string& registrar) {
  std::string host = registrar;
  for (const char* scheme : {"sips:", "sip:"}) {
    if (host.rfind(scheme, 0) == 0) host.erase(0, std::strlen(scheme));
  }
  host = host.substr(0, host.find_first_of(";>?"));
  if (const auto at = host.find('@'); at != std::string::npos) host.erase(0, at + 1);
  if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);
  if (std::count(host.begin(), host.end(), ':') == 1) host = host.substr(0, host.find(':'));
  return host;
}

// A DTMF key from an INFO body: application/dtmf-relay ("Signal=5\r\nDuration=160") or
// application/dtmf ("5"). 10 and 11 are * and # (as some gateways send them).
std::optional<char> infoDigit(const std::string& contentType, const std::string& body) {
  std::string value;
  if (contentType == "application/dtmf-relay") {
    std::size_t pos = 0;
    while (pos < body.size()) {
      std::size_t end = body.find('\n', pos);
      if (end == std::string::npos) end = body.size();
      std::string line = body.substr(pos, end - pos);
      pos = end + 1;
      const auto equals = line.find('=');
      if (equals == std::string::npos) continue;
      std::string key = line.substr(0, equals);
      key.erase(std::remove_if(key.begin(), key.end(), [](char c) { return c == ' ' || c == '\t'; }), key.end());
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      if (key == "signal") {
        value = line.substr(equals + 1);
        break;
      }
    }
  } else if (contentType == "application/dtmf") {
    value = body;
  } else {
    return std::nullopt;
  }
  value.erase(std::remove_if(value.begin(), value.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }),
              value.end());
  if (value == "10") return '*';
  if (value == "11") return '#';
  if (value.size() == 1 && ((value[0] >= '0' && value[0] <= '9') || value[0] == '*' || value[0] == '#')) return value[0];
  return std::nullopt;
}

std::string contentTypeOf(const sip_t* sip) {
  if (!sip || !sip->sip_content_type || !sip->sip_content_type->c_type) return "";
  std::string type = sip->sip_content_type->c_type;
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type;
}

std::string payloadOf(const sip_t* sip) {
  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data) return "";
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

}  // namespace

class SipLeg;

struct SipService::Impl {
  Impl(const SipSettings& s, GMainContext* c, Calls& k) : settings(s), context(c), calls(k) {}

  static void nuaCallback(nua_event_t event, int status, char const* phrase, nua_t* nua, nua_magic_t* magic,
                          nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip, tagi_t tags[]);
  void callback(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, SipLeg* leg, const sip_t* sip,
                tagi_t tags[]);
  void onInvite(nua_handle_t* nh, const sip_t* sip);
  void onReInvite(nua_handle_t* nh, SipLeg& leg, const sip_t* sip);
  void onInfo(nua_handle_t* nh, SipLeg* leg, const sip_t* sip);
  void onRegister(nua_handle_t* nh, int status, const char* phrase, const sip_t* sip);
  void onTerminated(nua_handle_t* nh, SipLeg* leg);
  void registerLater();
  void sendRegister();
  bool trusted(const std::string& address) const;
  bool fromRegistrar(const std::string& address, const sip_t* sip) const;
  std::size_t callsFrom(const std::string& address) const;
  void forget(nua_handle_t* nh);

  // passed in
  const SipSettings settings;
  GMainContext* context;
  Calls& calls;
  // owned
  su_root_t* root = nullptr;
  GSource* source = nullptr;
  nua_t* nua = nullptr;
  nua_handle_t* registration = nullptr;
  std::map<nua_handle_t*, std::shared_ptr<SipLeg>> legs;
  std::vector<AddressRange> trustedPeers;
  std::vector<AddressRange> registrarAddresses;
  // other
  bool registered = false;
  int authAttempts = 0;  // digest answers since the last success: a second 401 is a wrong password
  bool stopping = false;  // nua_shutdown was called: nua_destroy frees the handles
  bool shutDown = false;
  GSource* retry = nullptr;  // the next registration attempt after a failure
  std::thread::id thread;  // the thread that dispatched the last callback (for tests)
};

// One INVITE dialog. Its handle's magic is this object; the service keeps it until sofia
// reports the dialog terminated, the call logic as long as it likes (then every call is a no-op).
class SipLeg : public SipCallLeg {
public:
  enum class State { Pending, Answered, Ended };

  SipLeg(nua_handle_t* nh, std::string peer) : nh_(nh), peer_(std::move(peer)) {}
  ~SipLeg() override { stopRinging(); }

  void setListener(Listener* listener) override { listener_ = listener; }

  void answer(const std::string& sdp) override {
    if (!service_ || state_ != State::Pending) return;
    stopRinging();
    sdp_ = sdp;
    state_ = State::Answered;
    nua_respond(nh_, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp_.c_str()),
                TAG_END());
  }

  void refuse(int status, const std::string& phrase) override {
    if (!service_ || state_ != State::Pending) return;
    stopRinging();
    state_ = State::Ended;
    if (status < 300 || status > 699) status = 500;
    // nua_respond keeps the phrase's pointer, not a copy, until the stack sends the response
    // (later, from the main loop): `phrase` (often a temporary) would be gone by then and the
    // response would carry whatever the heap holds. sofia's own phrase for the status is static.
    const char* staticPhrase = sip_status_phrase(status);
    nua_respond(nh_, status, staticPhrase ? staticPhrase : "Call Refused", TAG_END());
  }

  void hangUp() override {
    if (!service_ || state_ == State::Ended) return;
    if (state_ == State::Pending) {
      refuse(480, "Temporarily Unavailable");
      return;
    }
    state_ = State::Ended;
    nua_bye(nh_, TAG_END());
  }

  // Sofia's part.
  State state() const { return state_; }
  const std::string& sdp() const { return sdp_; }  // the first answer
  // What the last re-INVITE was answered with (the first answer until then); kept here, as
  // nua_respond keeps the pointer until the response is sent.
  const std::string& currentSdp() const { return reAnswer_.empty() ? sdp_ : reAnswer_; }
  const std::string& direction() const { return direction_; }
  void reAnswer(std::string direction, std::string sdp) {
    direction_ = std::move(direction);
    reAnswer_ = std::move(sdp);
  }
  unsigned nextSdpVersion() { return ++sdpVersion_; }
  void hold(bool held) {
    if (held == held_) return;
    held_ = held;
    if (listener_ && state_ != State::Ended) listener_->OnSipHold(held);
  }
  const std::string& peer() const { return peer_; }
  void setReason(std::string reason) { reason_ = std::move(reason); }

  void startRinging(GMainContext* context) {
    ringing_ = g_timeout_source_new(kRingingAfterMs);
    g_source_set_callback(
        ringing_,
        [](gpointer self) -> gboolean {
          auto* leg = static_cast<SipLeg*>(self);
          if (leg->service_ && leg->state_ == State::Pending) nua_respond(leg->nh_, SIP_180_RINGING, TAG_END());
          g_source_unref(leg->ringing_);
          leg->ringing_ = nullptr;
          return G_SOURCE_REMOVE;
        },
        this, nullptr);
    g_source_attach(ringing_, context);
  }

  // A key by SIP INFO; a flood is cut like one of RTP telephone-events (the first refused key of
  // a call is logged).
  void digit(char key) {
    if (!listener_ || state_ == State::Ended) return;
    if (!keys_.take(mixer::KeypadRateLimit::Clock::now())) {
      if (keys_.limited() == 1) {
        log().warning("SIP INFO keys faster than %d a second: the excess is dropped (logged once per call)",
                      mixer::KeypadRateLimit::kMaxDigitsPerSecond);
      }
      return;
    }
    listener_->OnSipDigit(key);
  }

  // Sofia has terminated the dialog: the handle goes; tells the logic unless it ended the call.
  void terminated(const std::string& fallbackReason) {
    stopRinging();
    service_ = false;
    nh_ = nullptr;
    const bool ours = state_ == State::Ended;
    state_ = State::Ended;
    if (!ours && listener_) listener_->OnSipEnded(reason_.empty() ? fallbackReason : reason_);
  }

  // The service stops: BYE (or 480), and nothing more.
  void shutDown() {
    hangUp();
    stopRinging();
    service_ = false;
    nh_ = nullptr;
  }

private:
  void stopRinging() {
    if (!ringing_) return;
    g_source_destroy(ringing_);
    g_source_unref(ringing_);
    ringing_ = nullptr;
  }

  bool service_ = true;  // false once the handle is gone (the dialog ended, or the service stopped)
  std::string reAnswer_;
  std::string direction_ = "sendrecv";  // of currentSdp()
  unsigned sdpVersion_ = 1;  // our answer's o= version
  bool held_ = false;
  nua_handle_t* nh_;
  std::string peer_;
  Listener* listener_ = nullptr;
  State state_ = State::Pending;
  std::string sdp_;
  std::string reason_;
  GSource* ringing_ = nullptr;
  mixer::KeypadRateLimit keys_;  // keys by SIP INFO
};

void SipService::Impl::nuaCallback(nua_event_t event, int status, char const* phrase, nua_t*, nua_magic_t* magic,
                                   nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip, tagi_t tags[]) {
  static_cast<Impl*>(magic)->callback(event, status, phrase, nh, static_cast<SipLeg*>(hmagic), sip, tags);
}

bool SipService::Impl::trusted(const std::string& address) const {
  const auto parsed = parseRange(address);
  if (!parsed) return false;
  return std::any_of(trustedPeers.begin(), trustedPeers.end(),
                     [&](const AddressRange& range) { return contains(range, *parsed); });
}

bool SipService::Impl::fromRegistrar(const std::string& address, const sip_t* sip) const {
  if (settings.registrar.empty() || settings.user.empty() || !sip) return false;
  const auto parsed = parseRange(address);
  if (!parsed || std::none_of(registrarAddresses.begin(), registrarAddresses.end(),
                              [&](const AddressRange& a) { return contains(a, *parsed); })) {
    return false;
  }
  const std::string requestUser = sip->sip_request ? text(sip->sip_request->rq_url->url_user) : "";
  const std::string toUser = sip->sip_to ? text(sip->sip_to->a_url->url_user) : "";
  return requestUser == settings.user || toUser == settings.user;
}

std::size_t SipService::Impl::callsFrom(const std::string& address) const {
  return static_cast<std::size_t>(std::count_if(legs.begin(), legs.end(), [&](const auto& entry) {
    return entry.second->peer() == address && entry.second->state() != SipLeg::State::Ended;
  }));
}

void SipService::Impl::forget(nua_handle_t* nh) {
  legs.erase(nh);
  nua_handle_bind(nh, nullptr);
  nua_handle_destroy(nh);
}

void SipService::Impl::callback(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, SipLeg* leg,
                                const sip_t* sip, tagi_t tags[]) {
  thread = std::this_thread::get_id();
  const bool ownHandle = nh && nua && nh != nua_default(nua);
  switch (event) {
    case nua_i_invite:
      if (leg) {
        onReInvite(nh, *leg, sip);
      } else {
        onInvite(nh, sip);
      }
      return;
    case nua_i_info:
      onInfo(nh, leg, sip);
      return;
    case nua_i_bye:
      if (leg) leg->setReason("BYE");
      return;
    case nua_i_cancel:
      if (leg) leg->setReason("CANCEL");
      return;
    case nua_i_state: {
      int state = nua_callstate_init;
      tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
      if (state == nua_callstate_terminated && ownHandle && nh != registration) onTerminated(nh, leg);
      return;
    }
    case nua_r_register:
      if (nh == registration) onRegister(nh, status, phrase, sip);
      return;
    case nua_r_unregister:
      if (nh == registration && status >= 200) registered = false;
      return;
    case nua_r_shutdown:
      if (status >= 200) shutDown = true;
      return;
    case nua_i_options:
    case nua_i_message:
    case nua_i_refer:
    case nua_i_subscribe:
    case nua_i_notify:
    case nua_i_publish:
    case nua_i_method:
      // Answered by sofia (OPTIONS keep-alives: 200; the rest: 405). A handle sofia made for a
      // request outside a dialog is ours to destroy.
      if (!leg && ownHandle && nh != registration) nua_handle_destroy(nh);
      return;
    case nua_i_error:
      log().warning("SIP stack error: %d %s", status, text(phrase));
      return;
    default:
      return;
  }
}

void SipService::Impl::onInvite(nua_handle_t* nh, const sip_t* sip) {
  const std::string peer = sourceAddress(nua_current_request(nua));
  if (!trusted(peer) && !fromRegistrar(peer, sip)) {
    log().information("refused a call from an untrusted address (sip.trusted-peers)");
    log().debug("refused a call from %s", peer);
    nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
    return;
  }
  std::size_t active = 0;
  for (const auto& [handle, l] : legs) active += l->state() != SipLeg::State::Ended ? 1 : 0;
  if (active >= static_cast<std::size_t>(std::max(0, settings.maxCalls))) {
    log().warning("call refused (486): %z calls at once (sip.max-calls)", active);
    nua_respond(nh, SIP_486_BUSY_HERE, NUTAG_WITH_THIS(nua), TAG_END());
    return;
  }
  if (callsFrom(peer) >= static_cast<std::size_t>(std::max(0, settings.maxCallsPerPeer))) {
    log().warning("call refused (503): too many calls from one peer (sip.max-calls-per-peer)");
    nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, NUTAG_WITH_THIS(nua), SIPTAG_RETRY_AFTER_STR("30"), TAG_END());
    return;
  }
  IncomingCall call;
  call.callerNumber = sip && sip->sip_from ? text(sip->sip_from->a_url->url_user) : "";
  call.calledUser = sip && sip->sip_request ? text(sip->sip_request->rq_url->url_user) : "";
  const std::string type = contentTypeOf(sip);
  if (type.empty() || type == "application/sdp") call.offerSdp = payloadOf(sip);
  call.peerAddress = peer;

  auto leg = std::make_shared<SipLeg>(nh, peer);
  legs[nh] = leg;
  nua_handle_bind(nh, leg.get());
  leg->startRinging(context);
  log().information("incoming call from %s to %s", maskNumber(call.callerNumber), maskNumber(call.calledUser));
  calls.OnSipIncomingCall(leg, call);
}

void SipService::Impl::onReInvite(nua_handle_t* nh, SipLeg& leg, const sip_t* sip) {
  // The media stays as answered: hold, a new address or port are not followed (the caller's RTP
  // is taken from wherever it comes, symmetric RTP); the answer is our SDP as before, also to a
  // re-INVITE without an offer.
  if (leg.state() != SipLeg::State::Answered) {
    nua_respond(nh, SIP_491_REQUEST_PENDING, NUTAG_WITH_THIS(nua), TAG_END());
    return;
  }
  // A hold (sendonly/inactive) is answered in the matching direction (RFC 3264) and told to the
  // call logic; anything else gets our SDP as before.
  std::string why;
  const std::string offerSdp = payloadOf(sip);
  const auto offer = offerSdp.empty() ? std::nullopt : parsePhoneOffer(offerSdp, why);
  if (offer) {
    const std::string direction = answerDirection(*offer);
    if (direction != leg.direction()) leg.reAnswer(direction, withDirection(leg.sdp(), direction, leg.nextSdpVersion()));
    leg.hold(holds(*offer));
  }
  log().debug("re-INVITE answered (%s)", std::string(offer && holds(*offer) ? "hold" : "as before"));
  nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(nua), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
              SIPTAG_PAYLOAD_STR(leg.currentSdp().c_str()), TAG_END());
}

void SipService::Impl::onInfo(nua_handle_t* nh, SipLeg* leg, const sip_t* sip) {
  if (!leg) {
    nua_respond(nh, 481, "Call Does Not Exist", NUTAG_WITH_THIS(nua), TAG_END());
    if (nh && nh != nua_default(nua)) nua_handle_destroy(nh);
    return;
  }
  const std::string type = contentTypeOf(sip);
  const auto key = infoDigit(type, payloadOf(sip));
  if (!key && (type == "application/dtmf-relay" || type == "application/dtmf")) {
    nua_respond(nh, SIP_400_BAD_REQUEST, NUTAG_WITH_THIS(nua), TAG_END());
    return;
  }
  if (!key && !type.empty()) {
    nua_respond(nh, SIP_415_UNSUPPORTED_MEDIA, NUTAG_WITH_THIS(nua),
                SIPTAG_ACCEPT_STR("application/dtmf-relay, application/dtmf"), TAG_END());
    return;
  }
  nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(nua), TAG_END());  // also an empty INFO (a keep-alive)
  if (key) leg->digit(*key);
}

void SipService::Impl::onRegister(nua_handle_t* nh, int status, const char* phrase, const sip_t* sip) {
  if (status < 200) return;
  if (status == 401 || status == 407) {
    const sip_www_authenticate_t* challenge = nullptr;
    if (sip) challenge = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
    const char* realm = challenge ? msg_params_find(challenge->au_params, "realm=") : nullptr;
    // One digest answer per challenge; a second 401 means a wrong password, unless the PBX
    // only says our nonce went stale (then once more).
    const bool stale = challenge && msg_params_find(challenge->au_params, "stale=") != nullptr;
    if (challenge && realm && authAttempts < (stale ? 2 : 1)) {
      ++authAttempts;
      const std::string user = settings.authUser.empty() ? settings.user : settings.authUser;
      // realm comes quoted ("\"asterisk\"").
      const std::string credentials =
          text(challenge->au_scheme) + ":" + realm + ":" + user + ":" + settings.password;
      nua_authenticate(nh, NUTAG_AUTH(credentials.c_str()), TAG_END());
      return;
    }
  }
  const bool wasRegistered = registered;
  if (status >= 200 && status < 300) {
    authAttempts = 0;
    registered = sip && sip->sip_contact;  // a 200 without our binding: an unregistration
    if (registered && !wasRegistered) log().information("registered with the PBX");
    return;
  }
  registered = false;
  authAttempts = 0;
  log().warning("registration failed: %d %s", status, text(phrase));
  registerLater();
}

void SipService::Impl::registerLater() {
  // sofia gives a failed registration up; the PBX may be back in a while.
  if (retry || stopping) return;
  retry = g_timeout_source_new_seconds(30);
  g_source_set_callback(
      retry,
      [](gpointer self) -> gboolean {
        auto& s = *static_cast<Impl*>(self);
        g_source_unref(s.retry);
        s.retry = nullptr;
        if (s.registration && !s.stopping) s.sendRegister();
        return G_SOURCE_REMOVE;
      },
      this, nullptr);
  g_source_attach(retry, context);
}

void SipService::Impl::sendRegister() {
  std::string registrar = settings.registrar;
  if (registrar.rfind("sip:", 0) != 0 && registrar.rfind("sips:", 0) != 0) registrar = "sip:" + registrar;
  const std::string expires = std::to_string(settings.registerExpiresS);
  // sofia refreshes the registration before it expires and keeps it alive (OPTIONS).
  nua_register(registration, NUTAG_REGISTRAR(URL_STRING_MAKE(registrar.c_str())),
               NUTAG_M_USERNAME(settings.user.c_str()), SIPTAG_EXPIRES_STR(expires.c_str()), TAG_END());
}

void SipService::Impl::onTerminated(nua_handle_t* nh, SipLeg*) {
  if (stopping) return;
  const auto found = legs.find(nh);
  const auto leg = found == legs.end() ? nullptr : found->second;
  forget(nh);
  if (leg) leg->terminated("ended");
}

SipService::SipService(const SipSettings& settings, GMainContext* context, Calls& calls)
    : impl_(std::make_unique<Impl>(settings, context, calls)) {}

SipService::~SipService() { stop(); }

namespace {
// sofia's own messages ("strange ACK from <sip:0301234567@…>", "received garbage from
// udp/192.0.2.1:5060") name callers and addresses in full: they go to our log at debug level
// only (off by default), never to stderr (the journal), and numbers (runs of more than four
// digits) are masked even then.
void sofiaLog(void*, const char* format, va_list arguments) {
  Poco::Logger& sofia = Poco::Logger::get("plenum.sip");
  if (!sofia.debug()) return;
  char line[512];
  std::vsnprintf(line, sizeof line, format, arguments);
  std::string text;
  for (const char* c = line; *c;) {
    const char* end = c;
    while (*end >= '0' && *end <= '9') ++end;
    if (end - c > 4) {
      text += maskNumber(std::string(c, end));
    } else if (end > c) {
      text.append(c, end);
    } else {
      text += *end++;
    }
    c = end;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!text.empty()) sofia.debug("sofia-sip: %s", text);
}
}  // namespace

void SipService::start() {
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    su_init();
    su_log_redirect(su_log_default, &sofiaLog, nullptr);
    su_log_redirect(su_log_global, &sofiaLog, nullptr);
  });
  Impl& s = *impl_;
  if (s.nua) return;
  for (const auto& peer : s.settings.trustedPeers) {
    if (auto range = parseRange(peer)) {
      s.trustedPeers.push_back(*range);
    } else {
      log().warning("sip.trusted-peers: \"%s\" is not an address or range; ignored", peer);
    }
  }
  if (!s.settings.registrar.empty()) {
    // Calls through the registration come from the registrar (looked up once, here).
    const std::string host = registrarHost(s.settings.registrar);
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0) {
      for (addrinfo* a = found; a; a = a->ai_next) {
        char numeric[NI_MAXHOST] = {};
        if (getnameinfo(a->ai_addr, a->ai_addrlen, numeric, sizeof numeric, nullptr, 0, NI_NUMERICHOST) != 0) continue;
        if (auto range = parseRange(numeric)) s.registrarAddresses.push_back(*range);
      }
      freeaddrinfo(found);
    } else {
      log().warning("sip.registrar: its host name cannot be looked up now");
    }
  }

  s.root = su_glib_root_create(&s);
  if (!s.root) throw std::runtime_error("SIP: cannot create sofia's root");
  s.source = su_glib_root_gsource(s.root);
  g_source_ref(s.source);
  g_source_attach(s.source, s.context);

  std::string address = s.settings.address.empty() || s.settings.address == "0.0.0.0" ? "*" : s.settings.address;
  if (address.find(':') != std::string::npos && address.front() != '[') address = "[" + address + "]";
  const std::string url = "sip:" + address + ":" + std::to_string(s.settings.port);
  s.nua = nua_create(s.root, Impl::nuaCallback, &s, NUTAG_URL(url.c_str()), NUTAG_MEDIA_ENABLE(0),
                     SIPTAG_ALLOW_STR(kAllow), NUTAG_APPL_METHOD("INFO"), NUTAG_AUTOANSWER(0),
                     NUTAG_ENABLEMESSAGE(0), NUTAG_SESSION_TIMER(0), NUTAG_OUTBOUND("natify no-validate"),
                     SIPTAG_USER_AGENT_STR("Plenum"), TAG_END());
  if (!s.nua) {
    su_root_destroy(s.root);
    g_source_destroy(s.source);
    g_source_unref(s.source);
    s.root = nullptr;
    s.source = nullptr;
    throw std::runtime_error("SIP: cannot listen on port " + std::to_string(s.settings.port) +
                             " (sip.address, sip.port: in use or not an address of this machine)");
  }
  log().information("listening for SIP on port %d (UDP and TCP)", s.settings.port);

  if (!s.settings.registrar.empty() && !s.settings.user.empty()) {
    std::string host = registrarHost(s.settings.registrar);
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    const std::string aor = "sip:" + s.settings.user + "@" + host;
    s.registration = nua_handle(s.nua, nullptr, SIPTAG_TO_STR(aor.c_str()), SIPTAG_FROM_STR(aor.c_str()), TAG_END());
    s.sendRegister();
  }
}

void SipService::stop() {
  Impl& s = *impl_;
  if (!s.nua) return;
  auto legs = s.legs;
  for (auto& [nh, leg] : legs) leg->shutDown();
  s.legs.clear();
  s.stopping = true;
  if (s.retry) {
    g_source_destroy(s.retry);
    g_source_unref(s.retry);
    s.retry = nullptr;
  }
  // nua_shutdown ends the dialogs and unregisters; its answer comes through the context.
  s.shutDown = false;
  nua_shutdown(s.nua);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!s.shutDown && std::chrono::steady_clock::now() < deadline) {
    if (g_main_context_acquire(s.context)) {
      g_main_context_iteration(s.context, FALSE);
      g_main_context_release(s.context);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!s.shutDown) log().warning("the SIP stack did not finish within 2 s; stopped anyway");
  nua_destroy(s.nua);
  s.nua = nullptr;
  s.registration = nullptr;
  s.registered = false;
  s.stopping = false;
  su_root_destroy(s.root);
  s.root = nullptr;
  g_source_destroy(s.source);
  g_source_unref(s.source);
  s.source = nullptr;
}

bool SipService::registered() const { return impl_->registered; }

}  // namespace plenum::appliance
