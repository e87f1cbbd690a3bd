// SPDX-License-Identifier: EUPL-1.2
#include "appliance/StaticFiles.hpp"

#include "appliance/HttpRouter.hpp"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include <map>

namespace plenum::appliance {

std::string StaticFiles::contentType(const std::string& path) {
  static const std::map<std::string, std::string> types{
      {"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
      {"json", "application/json"}, {"svg", "image/svg+xml"}, {"png", "image/png"},
      {"ico", "image/x-icon"}, {"webmanifest", "application/manifest+json"}, {"txt", "text/plain; charset=utf-8"},
      {"woff2", "font/woff2"}};
  const auto dot = path.rfind('.');
  if (dot == std::string::npos) return "application/octet-stream";
  const auto it = types.find(path.substr(dot + 1));
  return it == types.end() ? "application/octet-stream" : it->second;
}

void StaticFiles::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  // No "..", no hidden files, nothing but plain names: the path cannot leave the root. It starts
  // with "/": a request target such as "-old/x" would otherwise name "<root>-old/x".
  const bool safe = path_.size() > 1 && path_.front() == '/' && path_.size() < 256 &&
                    path_.find("..") == std::string::npos && path_.find("/.") == std::string::npos &&
                    path_.find('\\') == std::string::npos && path_.find('\0') == std::string::npos;
  Poco::File file(root_ + path_);
  if (!safe || !file.exists() || !file.isFile()) {
    sendJsonError(response, Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "not-found", "no such page");
    return;
  }
  response.setContentType(contentType(path_));
  response.setContentLength64(static_cast<Poco::Int64>(file.getSize()));
  // The client is small and changes with each release: always revalidate.
  response.set("Cache-Control", "no-cache");
  addSecurityHeaders(response);
  if (request.getMethod() == "HEAD") {
    response.send();
    return;
  }
  Poco::FileInputStream in(file.path());
  Poco::StreamCopier::copyStream(in, response.send());
}

}  // namespace plenum::appliance
