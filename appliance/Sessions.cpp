// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Sessions.hpp"

#include "appliance/AccountRules.hpp"
#include "appliance/Secrets.hpp"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace plenum::appliance {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.auth"); }

// The expiry moves forward when it was last set this long ago (or more).
std::int64_t refreshInterval(std::int64_t lifetime) { return std::min<std::int64_t>(300, lifetime / 10); }
}  // namespace

signaling::Role Caller::role() const {
  return account.role == AccountRole::Admin ? signaling::Role::Admin : signaling::Role::Staff;
}

Sessions::WallClock Sessions::defaultClock() {
  return [] { return static_cast<std::int64_t>(std::time(nullptr)); };
}

Sessions::Sessions(Store& store, PasswordHasher& hasher, const AccessSettings& settings, WallClock now)
    : store_(store),
      hasher_(hasher),
      now_(std::move(now)),
      lifetime_(std::max<std::int64_t>(1, std::llround(settings.sessionHours * 3600))),
      perAccount_(settings.attemptsPerAccount, std::chrono::seconds(settings.attemptWindowSeconds),
                  &std::chrono::steady_clock::now, RateLimiter::WhenFull::RefuseKnownSources),
      perAddress_(settings.attemptsPerAddress, std::chrono::seconds(settings.attemptWindowSeconds)) {}

Sessions::LoginResult Sessions::login(const std::string& username, const std::string& password,
                                      const std::string& clientAddress) {
  LoginResult result;
  const std::string accountKey = Poco::toLower(username);
  const std::string addressKey = clientAddressKey(clientAddress);
  // Counted before the (slow) password check, so that parallel guesses cannot all pass; taken
  // back below if the password is right. The address's limit decides for every account; the
  // account's limit refuses the addresses that failed at it, and lets other addresses (its
  // owner) still try (see RateLimiter::WhenFull::RefuseKnownSources).
  result.retryAfter = perAddress_.reserve(addressKey, accountKey);
  if (result.retryAfter == 0) {
    result.retryAfter = perAccount_.reserve(accountKey, addressKey);
    if (result.retryAfter > 0) perAddress_.release(addressKey, accountKey);
  }
  if (result.retryAfter > 0) {
    result.outcome = Outcome::RateLimited;
    if (isValidUsername(username)) log().notice("login of %s refused: too many attempts", username);
    return result;
  }

  std::optional<Account> account;
  if (isValidUsername(username)) account = store_.accountByUsername(username);
  bool passwordOk = false;
  if (account) passwordOk = hasher_.verify(account->passwordHash, password);
  else hasher_.verifyNothing(password);  // as slow as a wrong password: usernames stay secret
  if (!passwordOk) {  // the reserved attempts stay counted
    result.outcome = Outcome::WrongCredentials;
    if (account) log().notice("login of %s refused: wrong password", account->username);
    return result;
  }
  perAddress_.release(addressKey, accountKey);
  // This address's typos no longer count; other addresses' failures at the account still do.
  perAccount_.forgetSource(accountKey, addressKey);
  if (account->disabled) {
    result.outcome = Outcome::Disabled;
    log().notice("login of %s refused: the account is disabled", account->username);
    return result;
  }

  const std::int64_t now = now_();
  store_.deleteSessionsExpiredAt(now);
  result.sessionId = randomToken(32);
  SessionRecord session{hashSessionId(result.sessionId), account->id, randomToken(), now, now + lifetime_};
  store_.createSession(session);
  result.outcome = Outcome::LoggedIn;
  result.caller = Caller{*account, session};
  log().information("%s logged in", account->username);
  return result;
}

std::optional<Caller> Sessions::recognise(const std::string& sessionId) {
  if (sessionId.empty() || sessionId.size() > 128) return std::nullopt;
  auto session = store_.sessionByIdHash(hashSessionId(sessionId));
  const std::int64_t now = now_();
  if (!session || session->expiresAt <= now) return std::nullopt;
  auto account = store_.accountById(session->accountId);
  if (!account || account->disabled) return std::nullopt;
  if (now - (session->expiresAt - lifetime_) >= refreshInterval(lifetime_)) {
    session->expiresAt = now + lifetime_;
    store_.setSessionExpiry(session->idHash, session->expiresAt);
  }
  return Caller{*account, *session};
}

void Sessions::logout(const Caller& caller) {
  store_.deleteSession(caller.session.idHash);
  log().information("%s logged out", caller.account.username);
}

}  // namespace plenum::appliance
