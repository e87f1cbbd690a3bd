// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A request and a response without a socket, for the harnesses that drive the appliance's HTTP
// code (ApiExchange, HttpRouter, StaticFiles): the request's headers are set by the caller, its
// body is read from a string, and what the handler sends is kept in a string.
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>

#include <sstream>
#include <string>

namespace plenum::fuzz {

class FakeResponse : public Poco::Net::HTTPServerResponse {
public:
  void sendContinue() override {}
  std::ostream& send() override {
    sent_ = true;
    return body_;
  }
  void sendFile(const std::string& path, const std::string& mediaType) override {
    sent_ = true;
    setContentType(mediaType);
    body_ << "<file " << path << ">";
  }
  void sendBuffer(const void* buffer, std::size_t length) override {
    sent_ = true;
    body_.write(static_cast<const char*>(buffer), static_cast<std::streamsize>(length));
  }
  void redirect(const std::string& uri, HTTPStatus status) override {
    sent_ = true;
    setStatusAndReason(status);
    set("Location", uri);
  }
  void requireAuthentication(const std::string&) override { sent_ = true; }
  bool sent() const override { return sent_; }

  std::string body() const { return body_.str(); }

private:
  bool sent_ = false;
  std::ostringstream body_;
};

class FakeRequest : public Poco::Net::HTTPServerRequest {
public:
  FakeRequest(FakeResponse& response, std::string body, bool secure)
      : response_(response),
        body_(std::move(body)),
        secure_(secure),
        client_("192.0.2.10", 40000),
        server_("127.0.0.1", 8080),
        params_(new Poco::Net::HTTPServerParams) {}

  std::istream& stream() override { return body_; }
  const Poco::Net::SocketAddress& clientAddress() const override { return client_; }
  const Poco::Net::SocketAddress& serverAddress() const override { return server_; }
  const Poco::Net::HTTPServerParams& serverParams() const override { return *params_; }
  Poco::Net::HTTPServerResponse& response() const override { return response_; }
  bool secure() const override { return secure_; }

private:
  // passed in
  FakeResponse& response_;
  // owned
  std::istringstream body_;
  bool secure_;
  Poco::Net::SocketAddress client_;
  Poco::Net::SocketAddress server_;
  Poco::Net::HTTPServerParams::Ptr params_;
};

// The first line of `rest` (without its "\n" or "\r\n"); `rest` keeps what follows it.
inline std::string takeLine(std::string& rest) {
  const auto end = rest.find('\n');
  std::string line = rest.substr(0, end);
  rest = end == std::string::npos ? std::string() : rest.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace plenum::fuzz
