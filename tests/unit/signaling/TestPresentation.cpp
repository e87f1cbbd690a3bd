// SPDX-License-Identifier: EUPL-1.2
// Presenting through the Conference and its Room (ConferenceFixture.hpp): one presentation at a
// time (a screen share or a document's pages), who may start, stop and turn pages, what
// everyone hears of it, and that a document is discarded when nothing shows it any more.
#include "ConferenceFixture.hpp"

namespace {

// Documents whose pages are "rendered" when the test says so.
struct FakeDocuments : DocumentPages {
  std::optional<std::string> page(const std::string& id, int n,
                                  std::function<void(std::optional<std::string>)> ready) override {
    const std::string file = id + "/page-" + std::to_string(n) + ".png";
    if (rendered.count(file)) return file;
    waiting.emplace_back(file, std::move(ready));
    return std::nullopt;
  }
  void discard(const std::string& id) override { discarded.push_back(id); }

  // Renders every page asked for so far and tells whoever waits.
  void renderAll() {
    auto pending = std::move(waiting);
    waiting.clear();
    for (auto& [file, ready] : pending) {
      rendered.insert(file);
      ready(file);
    }
  }

  std::set<std::string> rendered;
  std::vector<std::pair<std::string, std::function<void(std::optional<std::string>)>>> waiting;
  std::vector<std::string> discarded;
};

Poco::JSON::Object::Ptr lastPresentation(const Client& c) {
  const auto all = c.of("presentation");
  REQUIRE_FALSE(all.empty());
  return all.back();
}

std::string kindOf(const Client& c) {
  const auto p = lastPresentation(c);
  return p->isNull("kind") ? "none" : p->getValue<std::string>("kind");
}

std::string tokenOf(const Client& c) {
  const auto joined = c.of("joined");
  REQUIRE_FALSE(joined.empty());
  return joined.front()->getValue<std::string>("uploadToken");
}

DocumentInfo deck(const std::string& id = "doc1", unsigned pages = 20) { return DocumentInfo{id, "Haushalt.pdf", pages, 1}; }

}  // namespace

TEST_CASE("Screen sharing: one at a time, guests only when allowed, ends with its presenter", "[signaling][presentation]") {
  World world;
  auto mod = world.join("Mod", adHoc("rat"));
  auto guest = world.join("Gast", adHoc("rat"));
  const FakeMedia::State& media = world.media["rat"];
  REQUIRE(kindOf(*guest) == "none");  // the meeting state a newcomer gets

  SECTION("a moderator shares; everyone sees it; stopping ends it") {
    world.send(mod, R"({"type":"screen-share-start","requestId":"s1"})");
    CHECK(media.screen == mod->id);
    for (auto* c : {mod.get(), guest.get()}) {
      CHECK(kindOf(*c) == "screen");
      CHECK(lastPresentation(*c)->getValue<std::string>("participantId") == mod->id);
      CHECK(lastPresentation(*c)->getValue<std::string>("name") == "Mod");
    }
    CHECK(lastPresentation(*mod)->getValue<std::string>("requestId") == "s1");
    world.send(mod, R"({"type":"screen-share-stop"})");
    CHECK_FALSE(media.screen);
    CHECK(kindOf(*guest) == "none");
  }

  SECTION("a guest may not share until a moderator allows it; then a second share is busy") {
    world.send(guest, R"({"type":"screen-share-start"})");
    CHECK(guest->lastError() == "forbidden");
    CHECK_FALSE(media.screen);
    world.send(guest, R"({"type":"presentation-settings","guestsMayShare":true,"documentDownload":false})");
    CHECK(guest->lastError() == "forbidden");
    world.send(mod, R"({"type":"presentation-settings","guestsMayShare":true,"documentDownload":false})");
    CHECK(lastPresentation(*guest)->getValue<bool>("guestsMayShare"));
    world.send(guest, R"({"type":"screen-share-start"})");
    CHECK(media.screen == guest->id);
    world.send(mod, R"({"type":"screen-share-start"})");
    CHECK(mod->lastError() == "presentation-busy");
    CHECK(media.screen == guest->id);
    // A moderator stops anyone's share; the guest learns it from `presentation`.
    world.send(mod, R"({"type":"presentation-stop"})");
    CHECK_FALSE(media.screen);
    CHECK(kindOf(*guest) == "none");
  }

  SECTION("the presenter leaving ends the share for the others") {
    world.send(mod, R"({"type":"screen-share-start"})");
    world.close(mod);
    CHECK_FALSE(world.media["rat"].screen);
    CHECK(kindOf(*guest) == "none");
  }

  SECTION("stopping someone else's share with screen-share-stop does nothing") {
    world.send(mod, R"({"type":"screen-share-start"})");
    guest->clear();
    world.send(guest, R"({"type":"screen-share-stop"})");
    CHECK(media.screen == mod->id);
    CHECK(guest->errors().empty());
  }
}

TEST_CASE("Slides: a moderator's upload is shown from page 1; pages turn; the document goes with it",
          "[signaling][presentation]") {
  FakeDocuments documents;
  World world;
  world.conference->setDocuments(&documents);
  auto mod = world.join("Mod", adHoc("rat"));
  auto guest = world.join("Gast", adHoc("rat"));
  const FakeMedia::State& media = world.media["rat"];

  SECTION("only a moderator's token may show a document") {
    CHECK(world.conference->mayShowDocument("nobody")->code == ErrorCode::Forbidden);
    CHECK(world.conference->mayShowDocument("")->code == ErrorCode::Forbidden);
    CHECK(world.conference->mayShowDocument(tokenOf(*guest))->code == ErrorCode::Forbidden);
    CHECK_FALSE(world.conference->mayShowDocument(tokenOf(*mod)));
    CHECK(tokenOf(*mod) != tokenOf(*guest));
    CHECK(tokenOf(*mod).size() == 43);
  }

  SECTION("page 1 shows once rendered; turning shows the next; out of range is refused") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    CHECK(kindOf(*guest) == "slides");
    auto document = lastPresentation(*guest)->getObject("document");
    CHECK(document->getValue<unsigned>("page") == 1);
    CHECK(document->getValue<unsigned>("pages") == 20);
    CHECK(document->getValue<std::string>("name") == "Haushalt.pdf");
    CHECK(media.slides.empty());  // not rendered yet
    documents.renderAll();
    REQUIRE(media.slides == std::vector<std::string>{"doc1/page-1.png"});

    world.send(mod, R"({"type":"slides-page","page":2})");
    documents.renderAll();
    CHECK(media.slides.back() == "doc1/page-2.png");
    CHECK(lastPresentation(*guest)->getObject("document")->getValue<unsigned>("page") == 2);
    world.send(mod, R"({"type":"slides-page","page":21})");
    CHECK(mod->lastError() == "bad-field");
    world.send(guest, R"({"type":"slides-page","page":3})");
    CHECK(guest->lastError() == "forbidden");

    // A page rendered ahead shows at once.
    documents.rendered.insert("doc1/page-5.png");
    world.send(mod, R"({"type":"slides-page","page":5})");
    CHECK(media.slides.back() == "doc1/page-5.png");
  }

  SECTION("a late page does not overtake a later turn") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    world.send(mod, R"({"type":"slides-page","page":2})");
    documents.rendered.insert("doc1/page-3.png");
    world.send(mod, R"({"type":"slides-page","page":3})");
    documents.renderAll();  // pages 1 and 2 arrive after page 3 was shown
    CHECK(media.slides == std::vector<std::string>{"doc1/page-3.png"});
  }

  SECTION("while slides are shown, a screen share and a second document are busy") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    world.send(mod, R"({"type":"screen-share-start"})");
    CHECK(mod->lastError() == "presentation-busy");
    CHECK(world.conference->mayShowDocument(tokenOf(*mod))->code == ErrorCode::PresentationBusy);
    CHECK(world.conference->showDocument(tokenOf(*mod), deck("doc2"))->code == ErrorCode::PresentationBusy);
  }

  SECTION("stopping closes the slides and discards the document") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    documents.renderAll();
    world.send(mod, R"({"type":"presentation-stop"})");
    CHECK_FALSE(media.slidesShown);
    CHECK(documents.discarded == std::vector<std::string>{"doc1"});
    CHECK(kindOf(*guest) == "none");
    world.send(mod, R"({"type":"slides-page","page":2})");
    CHECK(mod->lastError() == "no-presentation");
  }

  SECTION("the uploader leaving keeps the slides; the meeting closing discards them") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    world.close(mod);
    CHECK(kindOf(*guest) == "slides");
    CHECK(documents.discarded.empty());
    world.close(guest);
    CHECK(documents.discarded == std::vector<std::string>{"doc1"});
  }

  SECTION("downloads: moderators always, everyone else once allowed") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    CHECK(world.conference->downloadableDocument(tokenOf(*mod)) == "doc1");
    CHECK_FALSE(world.conference->downloadableDocument(tokenOf(*guest)));
    world.send(mod, R"({"type":"presentation-settings","guestsMayShare":false,"documentDownload":true})");
    CHECK(world.conference->downloadableDocument(tokenOf(*guest)) == "doc1");
    CHECK_FALSE(world.conference->downloadableDocument("forged"));
  }

  SECTION("a newcomer learns what is shown") {
    REQUIRE_FALSE(world.conference->showDocument(tokenOf(*mod), deck()));
    auto late = world.join("Spät", adHoc("rat"));
    CHECK(kindOf(*late) == "slides");
  }
}
