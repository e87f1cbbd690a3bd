// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Cookies.hpp"

#include "appliance/Secrets.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/NameValueCollection.h>

namespace plenum::appliance {

using Poco::Net::HTTPCookie;

namespace {
HTTPCookie makeCookie(const Poco::Net::HTTPServerRequest& request, const std::string& name, const std::string& value,
                      HTTPCookie::SameSite sameSite) {
  HTTPCookie cookie(cookieName(request, name), value);
  cookie.setPath("/");  // __Host- needs Path=/, Secure and no Domain
  cookie.setHttpOnly(true);
  cookie.setSecure(request.secure());
  cookie.setSameSite(sameSite);
  return cookie;
}
}  // namespace

std::string cookieName(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
  return request.secure() ? "__Host-" + name : name;
}

std::string cookieValue(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
  Poco::Net::NameValueCollection cookies;
  request.getCookies(cookies);
  return cookies.get(cookieName(request, name), "");
}

void setSessionCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                      const std::string& sessionId) {
  response.addCookie(makeCookie(request, kSessionCookie, sessionId, HTTPCookie::SAME_SITE_STRICT));
}

void clearSessionCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  HTTPCookie cookie = makeCookie(request, kSessionCookie, "", HTTPCookie::SAME_SITE_STRICT);
  cookie.setMaxAge(0);
  response.addCookie(cookie);
}

bool isValidGuestId(const std::string& value) {
  return value.size() >= 16 && signaling::isValidInviteToken(value);  // the same alphabet and limit
}

void ensureGuestCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  if (isValidGuestId(cookieValue(request, kGuestCookie))) return;
  response.addCookie(makeCookie(request, kGuestCookie, randomToken(), HTTPCookie::SAME_SITE_LAX));
}

}  // namespace plenum::appliance
