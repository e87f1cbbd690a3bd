// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ApiExchange.hpp"

#include "appliance/ApiError.hpp"
#include "appliance/ByteRange.hpp"
#include "appliance/HttpRouter.hpp"
#include "appliance/JsonIntegers.hpp"
#include "signaling/LogText.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <istream>
#include <sstream>

namespace plenum::appliance {

ApiExchange::ApiExchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
    : request_(request), response_(response) {
  const Poco::URI uri(request.getURI());
  uri.getPathSegments(segments_);
  query_ = uri.getQueryParameters();
}

std::optional<std::string> ApiExchange::query(const std::string& name) const {
  for (const auto& [key, value] : query_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string ApiExchange::origin(const std::string& publicUrl) const {
  if (!publicUrl.empty()) return publicUrl;
  std::string host = request_.get(Poco::Net::HTTPRequest::HOST, "");  // getHost() throws without one
  // The Host header is the client's word: allow only what a host name and port consist of.
  const bool plain = !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  if (!plain) host = "localhost";
  return std::string(request_.secure() ? "https" : "http") + "://" + host;
}

void ApiExchange::readBody() {
  if (!request_.hasContentLength() && !request_.getChunkedTransferEncoding()) {
    // No body (GET), or one without a length that Poco would read until the client closes:
    // taken as empty, and then the connection is closed after the answer.
    const std::string& method = request_.getMethod();
    if (method != "GET" && method != "HEAD" && method != "DELETE") response_.setKeepAlive(false);
    return;
  }
  const bool tooLarge =
      request_.hasContentLength() && request_.getContentLength64() > static_cast<Poco::Int64>(kMaxBodyBytes);
  if (!tooLarge) {
    body_.assign(kMaxBodyBytes + 1, '\0');
    request_.stream().read(body_.data(), static_cast<std::streamsize>(body_.size()));
    body_.resize(static_cast<std::size_t>(request_.stream().gcount()));
  }
  if (tooLarge || body_.size() > kMaxBodyBytes) {
    body_.clear();
    response_.setKeepAlive(false);  // the rest of the body is still on the connection
    throw ApiError::badRequest("the body is larger than 64 KiB");
  }
}

Poco::JSON::Object::Ptr ApiExchange::jsonBody() const {
  const std::string type = Poco::toLower(request_.getContentType());
  if (type.rfind("application/json", 0) != 0) {
    throw ApiError::badRequest("the body must be JSON with Content-Type: application/json");
  }
  // Before parsing: the parser would wrap such an integer around (2^64 + 5 reads as 5).
  if (const auto field = integerBeyond64Bits(body_)) {
    if (field->empty()) throw ApiError::badRequest("the body holds an integer outside the 64-bit range");
    throw ApiError::badField(signaling::logText(*field, 64), "is an integer outside the 64-bit range");
  }
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(8);
    const Poco::Dynamic::Var root = parser.parse(body_);
    if (root.type() == typeid(Poco::JSON::Object::Ptr)) return root.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    // answered below
  }
  throw ApiError::badRequest("the body is not a JSON object");
}

void ApiExchange::prepare(Status status, const std::string& contentType) {
  response_.setStatusAndReason(status);
  if (!contentType.empty()) response_.setContentType(contentType);
  response_.set("Cache-Control", "no-store");
  addSecurityHeaders(response_);
}

namespace {
template <class Json>
std::string stringify(const Json& json) {
  std::ostringstream out;
  json.stringify(out);
  return out.str();
}
}  // namespace

void ApiExchange::sendJson(Status status, const Poco::JSON::Object& body) { sendJsonText(status, stringify(body)); }

void ApiExchange::sendJson(Status status, const Poco::JSON::Array& body) { sendJsonText(status, stringify(body)); }

void ApiExchange::sendJsonText(Status status, const std::string& json) {
  prepare(status, "application/json");
  // With a length the connection can stay open for the page's next request.
  response_.sendBuffer(json.data(), json.size());
}

void ApiExchange::sendNoContent() {
  prepare(Status::HTTP_NO_CONTENT, "");
  response_.setContentLength(0);
  response_.send();
}

void ApiExchange::sendAttachment(const std::string& contentType, const std::string& fileName, const std::string& body) {
  prepare(Status::HTTP_OK, contentType);
  response_.set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
  response_.setContentLength(static_cast<std::streamsize>(body.size()));
  response_.send() << body;
}

void ApiExchange::sendFile(const std::filesystem::path& path, const std::string& contentType,
                           const std::string& fileName) {
  std::ifstream in(path, std::ios::binary);
  std::error_code error;
  const std::uint64_t size = std::filesystem::file_size(path, error);
  if (!in || error) throw ApiError::notFound("the file is missing");
  const ByteRange range = ByteRange::parse(request_.get("Range", ""), size);
  if (range.kind == ByteRange::Kind::Unsatisfiable) {
    Poco::Logger::get("plenum.api")
        .notice("download of %s refused: the range starts past its end", path.filename().string());
    response_.set("Content-Range", "bytes */" + std::to_string(size));
    throw ApiError(Status::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE, "range-not-satisfiable",
                   "the range starts past the end of the file (" + std::to_string(size) + " bytes)");
  }
  const bool part = range.kind == ByteRange::Kind::Part;
  prepare(part ? Status::HTTP_PARTIAL_CONTENT : Status::HTTP_OK, contentType);
  response_.set("Accept-Ranges", "bytes");
  response_.set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
  if (part) {
    response_.set("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                       std::to_string(size));
  }
  const std::uint64_t length = part ? range.length() : size;
  response_.setContentLength64(static_cast<Poco::Int64>(length));
  if (method() == "HEAD") {
    response_.send();
    return;
  }
  streamFile(in, part ? range.first : 0, length);
}

void ApiExchange::streamFile(std::istream& in, std::uint64_t first, std::uint64_t length) {
  std::ostream& out = response_.send();
  in.seekg(static_cast<std::streamoff>(first));
  std::vector<char> chunk(64 * 1024);
  // Ends early when the client goes away (the stream turns bad) or the file is shorter than
  // it was (the client sees a short body against Content-Length).
  while (length > 0 && out && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(length, chunk.size())));
    const auto got = in.gcount();
    if (got <= 0) break;
    out.write(chunk.data(), got);
    length -= static_cast<std::uint64_t>(got);
    if (onProgress) onProgress();
  }
}

void ApiExchange::sendError(Status status, const std::string& code, const std::string& message, int retryAfter,
                            const std::vector<std::pair<std::string, std::int64_t>>& details) {
  Poco::JSON::Object body;
  body.set("code", code);
  body.set("message", message);
  for (const auto& [name, value] : details) body.set(name, value);
  if (retryAfter > 0) {
    body.set("retryAfter", retryAfter);
    response_.set("Retry-After", std::to_string(retryAfter));
  }
  sendJson(status, body);
}

}  // namespace plenum::appliance
