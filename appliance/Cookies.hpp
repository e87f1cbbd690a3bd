// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The two cookies plenumd sets: plenum_session (a staff or admin login; SameSite=Strict) and
// plenum_guest (a browser's link session for guests, which bans apply to; SameSite=Lax, so that
// it comes along when an invitation link is opened from a mail). Both HttpOnly, Path=/, no
// Domain, and without Max-Age: they end with the browser session. Over HTTPS they are named
// __Host-plenum_session and __Host-plenum_guest and are Secure: a browser then accepts them only
// from this very host over HTTPS (not from a sibling subdomain or a plain-HTTP man in the
// middle), and plenumd reads only those names there. Over plain HTTP (localhost development,
// or TLS ended by a proxy in front) they keep their plain names.
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace plenum::appliance {

inline constexpr const char* kSessionCookie = "plenum_session";
inline constexpr const char* kGuestCookie = "plenum_guest";

// The name a cookie of ours has on this request's connection: "__Host-" + name over HTTPS.
std::string cookieName(const Poco::Net::HTTPServerRequest& request, const std::string& name);
// The value of our cookie `name` (kSessionCookie, kGuestCookie) under the name it has on this
// request's connection (cookieName), or "" when the request has none.
std::string cookieValue(const Poco::Net::HTTPServerRequest& request, const std::string& name);

void setSessionCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                      const std::string& sessionId);
void clearSessionCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
// Whether a plenum_guest value looks like one plenumd made (base64url, 16-128 characters).
bool isValidGuestId(const std::string& value);
// Sets a new plenum_guest cookie unless the request has a valid one.
void ensureGuestCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

}  // namespace plenum::appliance
