#pragma once
// The two cookies plenumd sets: plenum_session (a staff or admin login; SameSite=Strict) and
// plenum_guest (a browser's link session for guests, which bans apply to; SameSite=Lax, so that
// it comes along when an invitation link is opened from a mail). Both HttpOnly, Path=/, Secure
// over HTTPS, and without Max-Age: they end with the browser session.
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace plenum::appliance {

inline constexpr const char* kSessionCookie = "plenum_session";
inline constexpr const char* kGuestCookie = "plenum_guest";

// The cookie's value, or "" when the request has none.
std::string cookieValue(const Poco::Net::HTTPServerRequest& request, const std::string& name);

void setSessionCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                      const std::string& sessionId);
void clearSessionCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
// Whether a plenum_guest value looks like one plenumd made (base64url, 16-128 characters).
bool isValidGuestId(const std::string& value);
// Sets a new plenum_guest cookie unless the request has a valid one.
void ensureGuestCookie(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

}  // namespace plenum::appliance
