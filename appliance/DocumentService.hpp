// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The documents of running meetings in plenumd: a PDF a moderator uploads is stored under a
// random id in <dataDir>/documents/<id>/, checked and its first page rendered (DocumentRenderer,
// in a sandbox) before the upload is answered; one worker thread then renders the other pages
// ahead, a batch at a time, so that turning a page is instant. A page asked for that is not
// rendered yet goes before the render-ahead. Documents belong to meetings: a room discards its
// document when it stops showing it, and everything left is deleted when plenumd stops or
// starts. Nothing is kept of a refused upload.
#include "appliance/DocumentRenderer.hpp"
#include "signaling/DocumentPages.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace plenum::appliance {

class DocumentService : public signaling::DocumentPages {
public:
  static constexpr int kUploadsAtOnce = 2;  // being checked and rendered, server-wide
  static constexpr int kBatchPages = 10;    // pages per renderer run of the render-ahead, at most
  static constexpr int kMaxFailedRuns = 4;  // of one document: then its other pages are given up

  // `post` runs a job on the conference thread (plenumd passes the event loop's post). Removes
  // whatever is in `documentsDir` (left by an earlier run) and checks the sandbox.
  DocumentService(std::string documentsDir, DocumentLimits limits, std::function<void(std::function<void()>)> post);
  // Stops the worker (killing a renderer that runs) and deletes every document. After the HTTP
  // server has stopped: no accept() may run any more.
  ~DocumentService() override;
  DocumentService(const DocumentService&) = delete;
  DocumentService& operator=(const DocumentService&) = delete;

  struct Accepted {
    std::string id;  // 22 characters of URL-safe base64
    int pages;
  };
  struct Refused {
    DocumentProblem problem;
    std::string message;  // for the uploader, English, one line
  };
  // HTTP thread: copies at most limits().maxBytes (+1 to detect more) from `body` into a
  // temporary file, inspects it, renders page 1 (so it can be shown at once), then queues the
  // other pages for the worker. `contentLength`: as the client announced it (0: not announced);
  // a body that ends before it is refused as cut off. Busy when kUploadsAtOnce others are being
  // accepted. Nothing is left on disk when refused.
  std::variant<Accepted, Refused> accept(std::istream& body, std::uint64_t contentLength);

  // DocumentPages (conference thread): page n's PNG file if it is rendered; otherwise nullopt,
  // and `ready` (the file, or nullopt when it cannot be rendered or the document is gone) is
  // posted later. The page is rendered next, before the render-ahead.
  std::optional<std::string> page(const std::string& id, int n,
                                  std::function<void(std::optional<std::string>)> ready) override;
  // Deletes the document's files (on the worker; a renderer running for it is killed). Whoever
  // still waits for one of its pages is told nullopt.
  void discard(const std::string& id) override;

  // The uploaded PDF (for the download); nullopt for an unknown or discarded id.
  std::optional<std::string> pdfPath(const std::string& id) const;

  const DocumentLimits& limits() const { return renderer_.limits(); }
  bool available() const { return renderer_.available(); }
  std::string unavailableReason() const { return renderer_.unavailableReason(); }

  // Waits until the worker has done everything asked so far (tests).
  void drain();

private:
  struct Document;
  using Ready = std::function<void(std::optional<std::string>)>;
  // A renderer run the worker is to do: pages first..last of a document.
  struct Job {
    std::shared_ptr<Document> document;
    std::string id;
    int first = 0;
    int last = 0;
  };

  std::variant<Accepted, Refused> acceptInto(const std::string& id, const std::string& folder, std::istream& body,
                                             std::uint64_t contentLength);
  void run();
  std::optional<Job> nextJob();  // with mutex_ held
  // With mutex_ held: records the outcome of a run, collecting who is to be told what.
  void finish(const Job& job, std::optional<DocumentProblem> problem,
              std::vector<std::pair<Ready, std::optional<std::string>>>& answers);
  void answer(std::vector<std::pair<Ready, std::optional<std::string>>> answers);
  // Removes the documents' and uploads' folders in directory_; how many there were.
  std::size_t removeAll();

  // passed in
  const std::string directory_;
  const std::function<void(std::function<void()>)> post_;
  // owned
  DocumentRenderer renderer_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::shared_ptr<Document>> documents_;
  std::deque<std::pair<std::string, int>> wanted_;  // pages asked for and not rendered: newest first
  std::deque<std::string> ahead_;                   // documents with pages to render ahead, in turn
  std::vector<std::string> removals_;               // folders of discarded documents
  int accepting_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;  // last: starts when everything it uses exists
};

}  // namespace plenum::appliance
