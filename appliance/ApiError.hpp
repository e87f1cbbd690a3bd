// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A refused REST request: thrown by the API's handlers, turned into the JSON error body
// {"code", "message"} (plus "retryAfter" for 429, and any numbers added with withDetail, e.g.
// "rooms" for owns-rooms) by ApiHandler. Codes are stable; messages are for people.
#include <Poco/Net/HTTPResponse.h>

#include <stdexcept>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace plenum::appliance {

class ApiError : public std::runtime_error {
public:
  using Status = Poco::Net::HTTPResponse::HTTPStatus;
  using Details = std::vector<std::pair<std::string, std::int64_t>>;
  ApiError(Status status, std::string code, const std::string& message, int retryAfter = 0)
      : std::runtime_error(message), status_(status), code_(std::move(code)), retryAfter_(retryAfter) {}

  Status status() const { return status_; }
  const std::string& code() const { return code_; }
  int retryAfter() const { return retryAfter_; }
  const Details& details() const { return details_; }

  // Adds a number the client needs besides the message (the body's field `name`).
  ApiError withDetail(const std::string& name, std::int64_t value) && {
    details_.emplace_back(name, value);
    return std::move(*this);
  }

  static ApiError badRequest(const std::string& message) { return {Status::HTTP_BAD_REQUEST, "bad-request", message}; }
  static ApiError badField(const std::string& field, const std::string& why) {
    return {Status::HTTP_BAD_REQUEST, "bad-field", "field '" + field + "' " + why};
  }
  static ApiError notLoggedIn() { return {Status::HTTP_UNAUTHORIZED, "not-logged-in", "log in first"}; }
  static ApiError forbidden(const std::string& message) { return {Status::HTTP_FORBIDDEN, "forbidden", message}; }
  static ApiError notFound(const std::string& message) { return {Status::HTTP_NOT_FOUND, "not-found", message}; }
  static ApiError conflict(const std::string& message) { return {Status::HTTP_CONFLICT, "conflict", message}; }
  static ApiError rateLimited(int seconds) {
    return {Status::HTTP_TOO_MANY_REQUESTS, "rate-limited",
            "too many attempts: try again in " + std::to_string(seconds) + " s", seconds};
  }

private:
  Status status_;
  std::string code_;
  int retryAfter_;
  Details details_;
};

}  // namespace plenum::appliance
