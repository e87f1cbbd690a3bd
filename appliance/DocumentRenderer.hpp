// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Uploaded PDFs come from the network: Debian's poppler (pdfinfo, pdftoppm) reads them in a
// sandbox of bubblewrap, never in plenumd. Each run is a process of its own with no network
// (its own empty network namespace), no view of the file system but /usr, the fonts, a private
// /tmp, the one PDF (read-only) and one fresh output folder (read-write), limits on its address
// space, CPU time, file size and open files, and a wall-clock limit after which it is killed.
// Without a working sandbox nothing is rendered (available() says why). Blocking calls; any
// number of threads may call them at once.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace plenum::appliance {

struct DocumentLimits {
  std::uint64_t maxBytes = 50ull << 20;           // documents.max-mb
  int maxPages = 300;                             // documents.max-pages
  int pageWidth = 1280, pageHeight = 720;         // every page is rendered to fit this box, aspect ratio kept
  std::chrono::milliseconds timeLimit{30000};     // wall clock per renderer run (documents.render-timeout-s)
  std::uint64_t memoryLimitBytes = 512ull << 20;  // address space of the renderer (documents.render-memory-mb)
};

enum class DocumentProblem { NotPdf, TooLarge, Encrypted, TooManyPages, Damaged, LimitExceeded, Unavailable, Busy };

// "not-pdf", "too-large", "encrypted", "too-many-pages", "damaged", "render-failed", "unavailable", "busy"
const char* toCode(DocumentProblem problem);

class DocumentRenderer {
public:
  // How one sandboxed run ended.
  struct Run {
    bool started = false;    // the sandbox could be started at all
    int exitCode = -1;       // when it exited (bwrap passes its command's status on; 128 + n: killed by signal n)
    int signal = 0;          // when bwrap itself was killed by a signal
    bool timedOut = false;   // killed at the wall-clock limit
    bool cancelled = false;  // killed because `cancel` was set
    std::string out;         // the first kMaxOutput bytes of stdout
    std::string err;         // the first kMaxOutput bytes of stderr
  };
  static constexpr std::size_t kMaxOutput = 256 * 1024;  // pdfinfo says about 50 bytes per page

  // Checks at once that the sandbox and poppler run (a trial run of pdfinfo -v).
  explicit DocumentRenderer(DocumentLimits limits);
  DocumentRenderer(const DocumentRenderer&) = delete;
  DocumentRenderer& operator=(const DocumentRenderer&) = delete;

  const DocumentLimits& limits() const { return limits_; }
  bool available() const { return reason_.empty(); }
  // Why not, for the log (empty when available).
  const std::string& unavailableReason() const { return reason_; }

  // The number of pages, or why the file is refused: too large, not a PDF (by its first bytes),
  // encrypted (needs a password to open), more than maxPages, damaged (poppler cannot read it),
  // LimitExceeded (pdfinfo was killed at a limit), Unavailable.
  std::variant<int, DocumentProblem> inspect(const std::string& pdfPath) const;

  // Renders pages first..last (1-based, of an inspected document) to outDir/page-<n>.png, each
  // as large as fits the limits' box with its aspect ratio kept. Every file appears complete
  // (renamed from a temporary name). On a problem the pages certainly complete before it are
  // kept: LimitExceeded when the renderer was killed at the time or memory limit, Damaged when
  // it failed otherwise, Unavailable when cancelled (by `cancel` becoming true) or without a
  // sandbox.
  std::optional<DocumentProblem> render(const std::string& pdfPath, int first, int last, const std::string& outDir,
                                        const std::atomic<bool>* cancel = nullptr) const;

  // Runs `argv` (an absolute path first) in the sandbox, with `file` (if not empty) read-only at
  // kSandboxFile and `writableDir` (if not empty) at kSandboxOut, within the limits; returns when
  // every process of the sandbox has ended. What inspect and render use; public for the tests
  // (what the sandbox can reach).
  Run runSandboxed(const std::vector<std::string>& argv, const std::string& file, const std::string& writableDir,
                   const std::atomic<bool>* cancel = nullptr) const;
  static constexpr const char* kSandboxFile = "/in/document.pdf";
  static constexpr const char* kSandboxOut = "/out";

private:
  std::vector<std::string> sandboxArguments(const std::string& file, const std::string& writableDir) const;
  Run execute(const std::vector<std::string>& argv, const std::string& file, const std::string& writableDir,
              const std::atomic<bool>* cancel, std::chrono::milliseconds timeLimit, std::uint64_t memoryLimitBytes) const;

  // passed in
  const DocumentLimits limits_;
  // owned
  std::vector<std::string> systemBinds_;  // bwrap arguments for /usr, /lib*, the fonts: found once
  std::string reason_;                    // why the sandbox cannot run; empty when it can
};

}  // namespace plenum::appliance
