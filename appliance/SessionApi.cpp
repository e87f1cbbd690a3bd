// SPDX-License-Identifier: EUPL-1.2
#include "appliance/SessionApi.hpp"

#include "appliance/ApiError.hpp"
#include "appliance/ApiJson.hpp"
#include "appliance/Cookies.hpp"
#include "appliance/JsonBody.hpp"

namespace plenum::appliance {

namespace {
Poco::JSON::Object sessionJson(const Caller& caller) {
  Poco::JSON::Object o;
  o.set("account", toJson(caller.account));
  o.set("csrfToken", caller.session.csrfToken);
  return o;
}
}  // namespace

void SessionApi::login(ApiExchange& exchange) {
  const JsonBody body(exchange.jsonBody(), {"username", "password"});
  const std::string username = body.string("username", 256);
  const std::string password = body.string("password", PasswordHasher::kMaxLength);
  auto result = services_.sessions.login(username, password, exchange.clientAddress(services_.settings.trustedProxies));
  switch (result.outcome) {
    case Sessions::Outcome::RateLimited: throw ApiError::rateLimited(result.retryAfter);
    case Sessions::Outcome::WrongCredentials:
      throw ApiError(ApiError::Status::HTTP_UNAUTHORIZED, "wrong-credentials", "wrong username or password");
    case Sessions::Outcome::Disabled: throw ApiError::forbidden("this account is disabled");
    case Sessions::Outcome::LoggedIn: break;
  }
  // A login replaces the session this browser had.
  if (exchange.caller) services_.sessions.logout(*exchange.caller);
  setSessionCookie(exchange.request(), exchange.response(), result.sessionId);
  exchange.sendJson(ApiError::Status::HTTP_OK, sessionJson(*result.caller));
}

void SessionApi::show(ApiExchange& exchange) {
  exchange.sendJson(ApiError::Status::HTTP_OK, sessionJson(*exchange.caller));
}

void SessionApi::logout(ApiExchange& exchange) {
  services_.sessions.logout(*exchange.caller);
  clearSessionCookie(exchange.request(), exchange.response());
  exchange.sendNoContent();
}

}  // namespace plenum::appliance
