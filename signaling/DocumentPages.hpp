// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a room needs of the documents uploaded to it (plenumd: appliance::DocumentService, which
// renders them in a sandbox): the image of a page, rendered ahead or on demand, and the
// document gone once the room is done with it. Conference thread only.
#include <functional>
#include <optional>
#include <string>

namespace plenum::signaling {

class DocumentPages {
public:
  virtual ~DocumentPages() = default;
  // Page `n` (1-based) of document `id` as a PNG file, when it is rendered already; otherwise
  // nullopt, and `ready` follows later on the conference thread with the file (nullopt: the page
  // could not be rendered).
  virtual std::optional<std::string> page(const std::string& id, int n,
                                          std::function<void(std::optional<std::string>)> ready) = 0;
  // Deletes the document's files (also while it is being rendered).
  virtual void discard(const std::string& id) = 0;
};

}  // namespace plenum::signaling
