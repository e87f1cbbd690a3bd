// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Whether a WebSocket may be opened: a browser says in the Origin header which site's page opens
// it, and sends the visitor's cookies along whatever that site is. A page on another site must
// not act with a staff member's session (cross-site WebSocket hijacking), so /ws accepts only
// its own origin: the connection's scheme with the request's Host header, or the origin of
// http.public-url (behind a proxy that ends TLS or rewrites Host). No Origin header: not a
// browser (tools, tests), which has no one else's cookies to misuse.
#include <optional>
#include <string>
#include <string_view>

namespace plenum::appliance {

// "scheme://host[:port]" of an http(s) URL: scheme and host in lower case, the scheme's default
// port left out. nullopt for anything else (another scheme, user info, a malformed host or
// port). With `originOnly`, nothing may follow the host and port (the form of an Origin header).
std::optional<std::string> urlOrigin(std::string_view url, bool originOnly = false);

// `origin`: the Origin header (nullopt: none). `secure`: the request came over HTTPS. `host`: the
// Host header. `publicUrl`: http.public-url (may be empty).
bool isOwnOrigin(const std::optional<std::string>& origin, bool secure, std::string_view host,
                 std::string_view publicUrl);

}  // namespace plenum::appliance
