// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Serves one file of the web client folder, refusing anything outside it.
#include <Poco/Net/HTTPRequestHandler.h>

#include <string>

namespace plenum::appliance {

class StaticFiles : public Poco::Net::HTTPRequestHandler {
public:
  StaticFiles(std::string root, std::string path) : root_(std::move(root)), path_(std::move(path)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

  // The media type for a file name's extension (application/octet-stream when unknown).
  static std::string contentType(const std::string& path);

private:
  std::string root_;
  std::string path_;
};

}  // namespace plenum::appliance
