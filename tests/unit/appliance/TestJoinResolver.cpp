// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/JoinResolver: each way a join is decided (invite, slug, ad-hoc policy,
// session cookie, room password and its rate limit), and the context handed to the conference.
#include "appliance/JoinResolver.hpp"
#include "appliance/Secrets.hpp"
#include "appliance/SqliteStore.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;
using plenum::signaling::ErrorCode;
using plenum::signaling::JoinContext;
using plenum::signaling::JoinRequest;
using plenum::signaling::ProtocolError;
using plenum::signaling::Role;

namespace {
AccessSettings limits() {
  AccessSettings s;
  s.attemptsPerRoom = 3;
  s.attemptsPerAddress = 5;
  return s;
}

struct Fixture {
  AccessSettings settings = limits();  // read by the limiters at construction: first
  SqliteStore store{":memory:"};
  PasswordHasher hasher;
  Sessions sessions{store, hasher, settings};
  JoinResolver resolver{store, sessions, hasher, settings, 25};

  Account addStaff(const std::string& username = "anna", AccountRole role = AccountRole::Staff) {
    Account a;
    a.username = username;
    a.displayName = username;
    a.passwordHash = hasher.hash(username + "-password");
    a.role = role;
    return store.createAccount(a);
  }
  std::string loginAnna() { return login("anna"); }
  std::string login(const std::string& username) {
    return sessions.login(username, username + "-password", "x").sessionId;
  }
  RoomRecord addRoom(std::int64_t owner, std::optional<std::string> password, const std::string& slug = "Team") {
    RoomRecord r;
    r.slug = slug;
    r.title = slug + " meeting";
    r.ownerId = owner;
    r.lobby = true;
    r.maxParticipants = 8;
    r.pin = randomPin(8);
    r.inviteToken = randomToken();
    if (password) r.passwordHash = hasher.hash(*password);
    return store.createRoom(r);
  }

  std::variant<JoinContext, ProtocolError> join(JoinRequest request, const std::string& session = "",
                                                const std::string& guest = "",
                                                const std::string& address = "10.1.1.1") {
    return resolver.resolve(Joiner{session, guest, address}, request);
  }
};

JoinRequest bySlug(const std::string& room) {
  JoinRequest r;
  r.room = room;
  r.name = "Gast";
  return r;
}

JoinRequest byInvite(const std::string& token, std::optional<std::string> password = std::nullopt) {
  JoinRequest r;
  r.invite = token;
  r.password = std::move(password);
  r.name = "Gast";
  return r;
}

ErrorCode errorOf(const std::variant<JoinContext, ProtocolError>& result) {
  REQUIRE(std::holds_alternative<ProtocolError>(result));
  return std::get<ProtocolError>(result).code;
}

JoinContext contextOf(const std::variant<JoinContext, ProtocolError>& result) {
  if (const auto* e = std::get_if<ProtocolError>(&result)) FAIL("refused: " << toString(e->code) << ": " << e->message);
  return std::get<JoinContext>(result);
}
}  // namespace

TEST_CASE("ad-hoc rooms: on while no account exists, off once one does, unless configured", "[appliance][join]") {
  Fixture f;
  JoinContext adHoc = contextOf(f.join(bySlug("anything")));
  CHECK(adHoc.role == Role::Guest);
  CHECK_FALSE(adHoc.policy.persistent);
  CHECK(adHoc.policy.slug == "anything");
  CHECK(adHoc.policy.title == "anything");
  CHECK(adHoc.policy.maxParticipants == 25);
  CHECK(adHoc.accountId.empty());

  f.addStaff();
  // The same answer as for a persistent room entered by name: joins do not tell which exist.
  CHECK(errorOf(f.join(bySlug("anything"))) == ErrorCode::InviteRequired);
  // Staff cannot open ad-hoc rooms either: only persistent ones.
  CHECK(errorOf(f.join(bySlug("anything"), f.loginAnna())) == ErrorCode::InviteRequired);

  f.settings.adHocRooms = true;  // rooms.ad-hoc = true
  CHECK(f.resolver.adHocRoomsEnabled());
  CHECK(contextOf(f.join(bySlug("anything"))).policy.slug == "anything");
  // Ad-hoc rooms belong to nobody: anyone logged in moderates them.
  CHECK(contextOf(f.join(bySlug("anything"), f.loginAnna())).role == Role::Moderator);

  Fixture fresh;
  fresh.settings.adHocRooms = false;  // rooms.ad-hoc = false, before any account exists
  CHECK_FALSE(fresh.resolver.adHocRoomsEnabled());
  CHECK(errorOf(fresh.join(bySlug("anything"))) == ErrorCode::InviteRequired);
}

TEST_CASE("a join does not tell whether a slug exists", "[appliance][join]") {
  Fixture f;
  const Account anna = f.addStaff();
  const Account bert = f.addStaff("bert");
  f.addRoom(anna.id, std::string("room-pw"), "gemeinderat");
  const auto known = f.join(bySlug("gemeinderat"));
  const auto unknown = f.join(bySlug("gemeinderat2"));
  REQUIRE(std::holds_alternative<ProtocolError>(known));
  REQUIRE(std::holds_alternative<ProtocolError>(unknown));
  CHECK(std::get<ProtocolError>(known).code == std::get<ProtocolError>(unknown).code);
  CHECK(std::get<ProtocolError>(known).message == std::get<ProtocolError>(unknown).message);
  // Logged in but neither owner nor co-host: the same.
  const std::string bertSession = f.login("bert");
  CHECK(std::get<ProtocolError>(f.join(bySlug("gemeinderat"), bertSession)).message ==
        std::get<ProtocolError>(f.join(bySlug("gemeinderat2"), bertSession)).message);
  (void)bert;
}

TEST_CASE("persistent rooms: the owner and the co-hosts moderate, other staff and admins are guests",
          "[appliance][join]") {
  Fixture f;
  const Account anna = f.addStaff();
  const Account bert = f.addStaff("bert");
  const Account carla = f.addStaff("carla");
  const Account root = f.addStaff("root", AccountRole::Admin);
  const RoomRecord room = f.addRoom(anna.id, std::string("room-pw"));  // with lobby
  REQUIRE(f.store.setRoomCoHosts(room.id, {bert.id}));

  SECTION("the owner and a co-host enter by slug or invite, without the password") {
    for (const std::string who : {"anna", "bert"}) {
      CAPTURE(who);
      const JoinContext bySlugContext = contextOf(f.join(bySlug("Team"), f.login(who)));
      CHECK(bySlugContext.role == Role::Moderator);
      CHECK(bySlugContext.policy.persistent);
      CHECK(contextOf(f.join(byInvite(room.inviteToken), f.login(who))).role == Role::Moderator);
    }
    CHECK(contextOf(f.join(bySlug("Team"), f.login("bert"))).accountId == std::to_string(bert.id));
  }
  SECTION("other staff and admins: not by slug; by invite only with the password, as guests") {
    for (const std::string who : {"carla", "root"}) {
      CAPTURE(who);
      const std::string session = f.login(who);
      CHECK(errorOf(f.join(bySlug("Team"), session)) == ErrorCode::InviteRequired);
      CHECK(errorOf(f.join(byInvite(room.inviteToken), session)) == ErrorCode::PasswordRequired);
      CHECK(errorOf(f.join(byInvite(room.inviteToken, "wrong"), session, "", who)) == ErrorCode::WrongPassword);
      const JoinContext c = contextOf(f.join(byInvite(room.inviteToken, "room-pw"), session, "", who));
      CHECK(c.role == Role::Guest);
      CHECK(c.policy.lobby);  // and so they wait in the lobby like any guest
    }
    (void)carla;
    (void)root;
  }
  SECTION("a co-host no longer named is a guest again") {
    REQUIRE(f.store.setRoomCoHosts(room.id, {}));
    CHECK(errorOf(f.join(bySlug("Team"), f.login("bert"))) == ErrorCode::InviteRequired);
    CHECK(contextOf(f.join(byInvite(room.inviteToken, "room-pw"), f.login("bert"))).role == Role::Guest);
  }
  SECTION("co-hosts of one room are guests in the owner's other rooms") {
    const RoomRecord other = f.addRoom(anna.id, std::nullopt, "other");
    CHECK(errorOf(f.join(bySlug("other"), f.login("bert"))) == ErrorCode::InviteRequired);
    CHECK(contextOf(f.join(byInvite(other.inviteToken), f.login("bert"))).role == Role::Guest);
  }
}

TEST_CASE("persistent rooms: guests by invite, the owner also by slug", "[appliance][join]") {
  Fixture f;
  const Account anna = f.addStaff();
  const RoomRecord room = f.addRoom(anna.id, std::nullopt);

  SECTION("a guest with the invite enters under the room's policy") {
    JoinRequest request = byInvite(room.inviteToken);
    const JoinContext c = contextOf(f.resolver.resolve(Joiner{"", "", "a"}, request));
    CHECK(c.role == Role::Guest);
    CHECK(c.policy.persistent);
    CHECK(c.policy.slug == "Team");
    CHECK(c.policy.title == "Team meeting");
    CHECK(c.policy.lobby);
    CHECK(c.policy.maxParticipants == 8);
    CHECK(c.policy.ownerAccountId == std::to_string(anna.id));
    CHECK(request.room == "Team");  // the invite named the room
  }
  SECTION("an unknown invite") { CHECK(errorOf(f.join(byInvite("no-such-invite-token"))) == ErrorCode::NoSuchRoom); }
  SECTION("a guest by slug needs the invite") {
    CHECK(errorOf(f.join(bySlug("team"))) == ErrorCode::InviteRequired);
  }
  SECTION("with ad-hoc rooms on, a guest by slug still gets no room (not an ad-hoc one of that name)") {
    f.settings.adHocRooms = true;
    CHECK(errorOf(f.join(bySlug("team"))) == ErrorCode::InviteRequired);
  }
  SECTION("a guest with a stale or forged session cookie is still a guest") {
    CHECK(errorOf(f.join(bySlug("Team"), "forged-session-id")) == ErrorCode::InviteRequired);
  }
  SECTION("the owner enters by slug (any case) as moderator") {
    const JoinContext c = contextOf(f.join(bySlug("TEAM"), f.loginAnna()));
    CHECK(c.role == Role::Moderator);
    CHECK(c.accountId == std::to_string(anna.id));
    CHECK(c.policy.slug == "Team");
  }
  SECTION("the owner with an invite is moderator too") {
    CHECK(contextOf(f.join(byInvite(room.inviteToken), f.loginAnna())).role == Role::Moderator);
  }
}

TEST_CASE("the link session comes from the guest cookie, or is made up", "[appliance][join]") {
  Fixture f;
  const std::string cookie = randomToken();
  CHECK(contextOf(f.join(bySlug("r"), "", cookie)).linkSession == cookie);
  const std::string a = contextOf(f.join(bySlug("r"), "", "bad cookie!")).linkSession;
  const std::string b = contextOf(f.join(bySlug("r"))).linkSession;
  CHECK(a.size() >= 22);
  CHECK(b.size() >= 22);
  CHECK(a != b);
}

TEST_CASE("room passwords: guests need them, moderators not; wrong ones are rate-limited", "[appliance][join]") {
  Fixture f;
  const Account anna = f.addStaff();
  const RoomRecord room = f.addRoom(anna.id, std::string("room-pw"));

  CHECK(errorOf(f.join(byInvite(room.inviteToken))) == ErrorCode::PasswordRequired);
  CHECK(errorOf(f.join(byInvite(room.inviteToken, ""))) == ErrorCode::PasswordRequired);
  CHECK(errorOf(f.join(byInvite(room.inviteToken, "wrong"))) == ErrorCode::WrongPassword);
  CHECK(contextOf(f.join(byInvite(room.inviteToken, "room-pw"))).role == Role::Guest);
  CHECK(contextOf(f.join(bySlug("Team"), f.loginAnna())).role == Role::Moderator);

  SECTION("per room: three wrong passwords refuse the addresses that made them, not other guests") {
    CHECK(errorOf(f.join(byInvite(room.inviteToken, "w1"), "", "", "10.0.0.2")) == ErrorCode::WrongPassword);
    CHECK(errorOf(f.join(byInvite(room.inviteToken, "w2"), "", "", "10.0.0.3")) == ErrorCode::WrongPassword);
    CHECK(errorOf(f.join(byInvite(room.inviteToken, "w3"), "", "", "10.0.0.2")) == ErrorCode::WrongPassword);
    const auto limited = f.join(byInvite(room.inviteToken, "room-pw"), "", "", "10.0.0.2");
    REQUIRE(errorOf(limited) == ErrorCode::RateLimited);
    CHECK(std::get<ProtocolError>(limited).retryAfter > 0);
    CHECK(errorOf(f.join(byInvite(room.inviteToken, "room-pw"), "", "", "10.0.0.3")) == ErrorCode::RateLimited);
    // A guest arriving from elsewhere still gets in with the right password.
    CHECK(contextOf(f.join(byInvite(room.inviteToken, "room-pw"), "", "", "10.0.0.4")).role == Role::Guest);
    // Moderators do not type the password: not affected.
    CHECK(contextOf(f.join(bySlug("Team"), f.loginAnna())).role == Role::Moderator);

    SECTION("many addresses together get a bounded number of guesses") {
      for (int i = 3; i < 3 * RateLimiter::kFreshSourceFactor; ++i) {
        CHECK(errorOf(f.join(byInvite(room.inviteToken, "x"), "", "", "10.9.0." + std::to_string(i))) ==
              ErrorCode::WrongPassword);
      }
      CHECK(errorOf(f.join(byInvite(room.inviteToken, "room-pw"), "", "", "10.0.0.5")) == ErrorCode::RateLimited);
    }
  }
  SECTION("per address, across rooms") {
    // "evil" fails 5 times over three rooms, none of which reaches its own limit of 3.
    const RoomRecord second = f.addRoom(anna.id, std::string("pw2"), "second");
    const RoomRecord third = f.addRoom(anna.id, std::string("pw3"), "third");
    CHECK(errorOf(f.join(byInvite(room.inviteToken, "x"), "", "", "evil")) == ErrorCode::WrongPassword);
    for (int i = 0; i < 2; ++i) {
      CHECK(errorOf(f.join(byInvite(second.inviteToken, "x"), "", "", "evil")) == ErrorCode::WrongPassword);
      CHECK(errorOf(f.join(byInvite(third.inviteToken, "x"), "", "", "evil")) == ErrorCode::WrongPassword);
    }
    CHECK(errorOf(f.join(byInvite(third.inviteToken, "pw3"), "", "", "evil")) == ErrorCode::RateLimited);
    CHECK(contextOf(f.join(byInvite(third.inviteToken, "pw3"), "", "", "good")).policy.slug == "third");
  }
}
