// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Documents over HTTP (PROTOCOL.md, "Presenting"): a moderator in a meeting uploads a PDF
// (POST /api/meeting/document, the body is the file) and everyone sees its first page large in
// the composite; while it is shown, participants may download it
// (GET /api/meeting/document/<id>?token=...) if the moderators allow it. The caller proves who
// they are in the meeting with the upload token of their `joined`; the conference thread
// decides. The bytes stream to the DocumentService (to disk, at most documents.max-mb), never
// into memory, and the connection guard hears of every chunk (a large file on a slow line).
#include "appliance/DocumentService.hpp"
#include "signaling/Conference.hpp"
#include "signaling/EventLoop.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

#include <functional>

namespace plenum::appliance {

class DocumentApi : public Poco::Net::HTTPRequestHandler {
public:
  // `documents` null: documents are off (503). `progressed`: told as the upload arrives.
  DocumentApi(signaling::EventLoop& loop, signaling::Conference& conference, DocumentService* documents,
              std::function<void()> progressed);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

  static bool handles(const std::string& path);

private:
  void upload(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  void download(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const std::string& id);

  // passed in
  signaling::EventLoop& loop_;
  signaling::Conference& conference_;
  DocumentService* documents_;
  std::function<void()> progressed_;
};

}  // namespace plenum::appliance
