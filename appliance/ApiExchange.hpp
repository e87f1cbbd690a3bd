// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One REST request and its answer: the path's segments, the query, the JSON body (checked for
// type and size), and the JSON, text or empty reply with the headers every API answer carries.
#include "appliance/ClientAddress.hpp"
#include "appliance/Sessions.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace plenum::appliance {

class ApiExchange {
public:
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  using Status = Poco::Net::HTTPResponse::HTTPStatus;

  ApiExchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  const std::string& method() const { return request_.getMethod(); }
  // "/api/rooms/7" -> {"api", "rooms", "7"}
  const std::vector<std::string>& segments() const { return segments_; }
  // A query parameter's value, or nullopt.
  std::optional<std::string> query(const std::string& name) const;
  // Where links in invitations point: http.public-url, else this request's scheme and Host.
  std::string origin(const std::string& publicUrl) const;
  // The client's address (behind one of `trustedProxies`: from X-Forwarded-For).
  std::string clientAddress(const std::vector<std::string>& trustedProxies) const {
    return clientAddressOf(request_, trustedProxies);
  }

  // Reads the whole request body (so that the connection can serve the next request, whatever
  // the answer); a body over kMaxBodyBytes is refused and the connection closed after the answer.
  void readBody();
  // The body as a JSON object; Content-Type must be application/json (a cross-site HTML form
  // cannot send that).
  Poco::JSON::Object::Ptr jsonBody() const;
  // Whether the request carried a body at all (a POST that takes no fields may send none).
  bool hasBody() const { return !body_.empty(); }

  void sendJson(Status status, const Poco::JSON::Object& body);
  void sendJson(Status status, const Poco::JSON::Array& body);
  // A body that is JSON text already (the OpenAPI document).
  void sendJsonText(Status status, const std::string& json);
  void sendNoContent();
  void sendAttachment(const std::string& contentType, const std::string& fileName, const std::string& body);
  // A file as an attachment, read and sent in chunks (files may be gigabytes): the whole file
  // (200), or the one range the Range header asks for (206, see ByteRange; 416 when it starts
  // past the end); HEAD gets the headers only. Throws ApiError::notFound when it cannot be opened.
  void sendFile(const std::filesystem::path& path, const std::string& contentType, const std::string& fileName);
  // `details`: further numeric fields of the error body (ApiError::withDetail).
  void sendError(Status status, const std::string& code, const std::string& message, int retryAfter,
                 const std::vector<std::pair<std::string, std::int64_t>>& details = {});

  Poco::Net::HTTPServerRequest& request() { return request_; }
  Poco::Net::HTTPServerResponse& response() { return response_; }

  // Who is asking: set by ApiHandler when the request carries a valid session cookie.
  std::optional<Caller> caller;
  // Called as a long answer (sendFile) makes progress, so that the connection guard's request
  // deadline counts from the last chunk sent rather than from the request (set by ApiHandler).
  std::function<void()> onProgress;

private:
  void prepare(Status status, const std::string& contentType);
  void streamFile(std::istream& in, std::uint64_t first, std::uint64_t length);

  // passed in
  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
  // owned
  std::vector<std::string> segments_;
  Poco::URI::QueryParameters query_;
  std::string body_;
};

}  // namespace plenum::appliance
