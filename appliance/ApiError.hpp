#pragma once
// A refused REST request: thrown by the API's handlers, turned into the JSON error body
// {"code", "message"} (plus "retryAfter" for 429) by ApiHandler. Codes are stable; messages
// are for people.
#include <Poco/Net/HTTPResponse.h>

#include <stdexcept>
#include <string>

namespace plenum::appliance {

class ApiError : public std::runtime_error {
public:
  using Status = Poco::Net::HTTPResponse::HTTPStatus;
  ApiError(Status status, std::string code, const std::string& message, int retryAfter = 0)
      : std::runtime_error(message), status_(status), code_(std::move(code)), retryAfter_(retryAfter) {}

  Status status() const { return status_; }
  const std::string& code() const { return code_; }
  int retryAfter() const { return retryAfter_; }

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
};

}  // namespace plenum::appliance
