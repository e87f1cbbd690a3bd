// SPDX-License-Identifier: EUPL-1.2
// libFuzzer harness: how the REST API reads a request (appliance/ApiExchange, JsonBody and the
// field rules of AccountApi, RoomApi and SessionApi), up to where a handler would use the store.
// Input, line by line:
//   1: the endpoint, one of session.login accounts.create accounts.update accounts.remove
//      rooms.create rooms.update rooms.invitation rooms.renew (anything else: a body that may
//      hold no field)
//   2: the request URI (path and query)
//   3: the Content-Type header (empty: none)
//   4: the Host header (empty: none)
//   5...: the body (sent with its Content-Length)
// The handlers' own field helpers live in anonymous namespaces; the functions below repeat
// their few lines (same limits, same order) around the shared parts, which are the real ones:
// ApiExchange, JsonBody, normaliseDisplayName, isValidRoomName, isValidUsername,
// passwordProblem, accountRoleFrom. Every refusal must be an ApiError with a 4xx status whose
// JSON answer parses again; anything else would be a 500 from ApiHandler.
#include "FakeHttp.hpp"
#include "FuzzCheck.hpp"
#include "appliance/AccountRules.hpp"
#include "appliance/ApiError.hpp"
#include "appliance/ApiExchange.hpp"
#include "appliance/JsonBody.hpp"
#include "appliance/RoomApi.hpp"
#include "appliance/PasswordHasher.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>

using namespace plenum::appliance;
using plenum::fuzz::FakeRequest;
using plenum::fuzz::FakeResponse;
using plenum::fuzz::takeLine;

namespace {

constexpr int kServerLimit = 25;  // rooms.max-participants' default

// AccountApi.cpp
std::string displayNameField(const JsonBody& body) {
  const auto name = plenum::signaling::normaliseDisplayName(body.string("displayName", 512));
  if (!name) throw ApiError::badField("displayName", "must be 1-64 printable characters");
  FUZZ_CHECK(!name->empty() && name->size() <= 512);
  return *name;
}

std::string passwordField(const JsonBody& body) {
  std::string password = body.string("password", PasswordHasher::kMaxLength);
  if (auto problem = passwordProblem(password)) throw ApiError::badField("password", *problem);
  FUZZ_CHECK(password.size() >= PasswordHasher::kMinLength && password.size() <= PasswordHasher::kMaxLength);
  return password;
}

// RoomApi.cpp
std::string titleField(const JsonBody& body) {
  const auto title = plenum::signaling::normaliseDisplayName(body.string("title", 512));
  if (!title) throw ApiError::badField("title", "must be 1-64 printable characters");
  return *title;
}

int maxParticipantsField(const JsonBody& body, int serverLimit) {
  const long long value = *body.optionalInteger("maxParticipants", 2, serverLimit);
  FUZZ_CHECK(value >= 2 && value <= serverLimit);
  return static_cast<int>(value);
}

void validate(const std::string& endpoint, ApiExchange& exchange) {
  if (endpoint == "session.login") {
    const JsonBody body(exchange.jsonBody(), {"username", "password"});
    (void)body.string("username", 256);
    (void)body.string("password", PasswordHasher::kMaxLength);
  } else if (endpoint == "accounts.create") {
    const JsonBody body(exchange.jsonBody(), {"username", "displayName", "password", "role"});
    const std::string username = body.string("username", 64);
    if (!isValidUsername(username)) throw ApiError::badField("username", "must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
    if (body.has("displayName")) (void)displayNameField(body);
    (void)passwordField(body);
    const auto role = accountRoleFrom(body.optionalString("role", 16).value_or("staff"));
    if (!role) throw ApiError::badField("role", "must be \"staff\" or \"admin\"");
  } else if (endpoint == "accounts.update") {
    const JsonBody body(exchange.jsonBody(), {"disabled", "displayName", "password"});
    (void)body.optionalBool("disabled");
    if (body.has("displayName")) (void)displayNameField(body);
    if (body.has("password")) (void)passwordField(body);
  } else if (endpoint == "accounts.remove") {
    // AccountApi.cpp heirFromQuery, up to the store's look-up.
    if (const auto text = exchange.query("transferTo")) {
      Poco::Int64 id = 0;
      const bool digits =
          !text->empty() && text->size() <= 18 && text->find_first_not_of("0123456789") == std::string::npos;
      if (digits && Poco::NumberParser::tryParse64(*text, id)) FUZZ_CHECK(id >= 0);
    }
  } else if (endpoint == "rooms.create") {
    const JsonBody body(exchange.jsonBody(), {"title", "slug", "password", "lobby", "maxParticipants"});
    (void)titleField(body);
    const std::string slug = body.optionalString("slug", 256).value_or("");
    if (!slug.empty() && !plenum::signaling::isValidRoomName(slug)) {
      throw ApiError::badField("slug", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
    }
    (void)body.optionalBool("lobby");
    if (body.has("maxParticipants")) FUZZ_CHECK(maxParticipantsField(body, kServerLimit) <= kServerLimit);
    if (body.has("password")) (void)body.string("password", plenum::signaling::kMaxPasswordBytes);
  } else if (endpoint == "rooms.update") {
    const JsonBody body(exchange.jsonBody(), {"title", "password", "lobby", "maxParticipants"});
    if (body.has("title")) (void)titleField(body);
    (void)body.optionalBool("lobby");
    if (body.has("maxParticipants")) FUZZ_CHECK(maxParticipantsField(body, kServerLimit) >= 2);
    if (body.has("password")) (void)body.string("password", plenum::signaling::kMaxPasswordBytes);
  } else if (endpoint == "rooms.invitation") {
    const std::string lang = exchange.query("lang").value_or("en");
    if (lang != "de" && lang != "en") throw ApiError::badField("lang", "must be de or en");
    (void)eventFromQuery(exchange);
  } else {  // RoomApi.cpp noFields (renewing the invitation link or the PIN), and unknown endpoints
    if (exchange.hasBody()) JsonBody(exchange.jsonBody(), {});
  }
}

const char* methodOf(const std::string& endpoint) {
  if (endpoint == "accounts.update" || endpoint == "rooms.update") return "PATCH";
  if (endpoint == "accounts.remove") return "DELETE";
  if (endpoint == "rooms.invitation") return "GET";
  return "POST";
}

// Whether Poco cannot decode the URI's query (see the harness's note in LLVMFuzzerTestOneInput).
bool queryDoesNotDecode(const std::string& uri) {
  try {
    (void)Poco::URI(uri).getQueryParameters();
    return false;
  } catch (const Poco::SyntaxException&) {
    return true;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string rest(reinterpret_cast<const char*>(data), size);
  const std::string endpoint = takeLine(rest);
  const std::string uri = takeLine(rest);
  const std::string contentType = takeLine(rest);
  const std::string host = takeLine(rest);
  const std::string& body = rest;

  // HttpRouter hands a request to the API only when its URI parses (else 400 bad-uri).
  try {
    (void)Poco::URI(uri).getPath();
  } catch (const Poco::Exception&) {
    return 0;
  }

  FakeResponse response;
  FakeRequest request(response, body, !host.empty() && host.front() == 's');
  request.setMethod(methodOf(endpoint));
  request.setURI(uri);
  if (!contentType.empty()) request.setContentType(contentType);
  if (!host.empty()) request.setHost(host);
  if (!body.empty()) request.setContentLength(static_cast<std::streamsize>(body.size()));

  std::optional<ApiExchange> exchange;
  try {
    exchange.emplace(request, response);
  } catch (const Poco::SyntaxException&) {
    // A query that does not percent-decode ("?x=%zz") makes ApiExchange's constructor throw;
    // ApiHandler answers 400 bad-request then. Only that case may end here.
    FUZZ_CHECK(queryDoesNotDecode(uri));
    return 0;
  }

  try {
    exchange->readBody();
    FUZZ_CHECK(body.size() <= ApiExchange::kMaxBodyBytes);
    const std::string origin = exchange->origin("");
    FUZZ_CHECK(origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0);
    FUZZ_CHECK(origin.find_first_of("/?#@ \r\n", origin.find("//") + 2) == std::string::npos);
    validate(endpoint, *exchange);
  } catch (const ApiError& e) {
    FUZZ_CHECK(static_cast<int>(e.status()) >= 400 && static_cast<int>(e.status()) < 500);
    FUZZ_CHECK(!e.code().empty());
    exchange->sendError(e.status(), e.code(), e.what(), e.retryAfter(), e.details());
    FUZZ_CHECK(response.sent());
    Poco::JSON::Parser parser;
    const auto answer = parser.parse(response.body()).extract<Poco::JSON::Object::Ptr>();
    FUZZ_CHECK(answer->getValue<std::string>("code") == e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "not an ApiError (ApiHandler answers 500): %s\n", e.what());
    FUZZ_CHECK(!"every refusal of a request is an ApiError");
  }
  return 0;
}
