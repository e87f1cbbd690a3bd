// SPDX-License-Identifier: EUPL-1.2
#include "appliance/AccountApi.hpp"

#include "appliance/AccountRules.hpp"
#include "appliance/ApiAccess.hpp"
#include "appliance/ApiError.hpp"
#include "appliance/ApiJson.hpp"
#include "appliance/JsonBody.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/NumberParser.h>

#include <ctime>

namespace plenum::appliance {

using signaling::Action;
using Status = ApiError::Status;

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.auth"); }

std::string displayNameField(const JsonBody& body) {
  const auto name = signaling::normaliseDisplayName(body.string("displayName", 512));
  if (!name) throw ApiError::badField("displayName", "must be 1-64 printable characters");
  return *name;
}

std::string passwordField(const JsonBody& body) {
  std::string password = body.string("password", PasswordHasher::kMaxLength);
  if (auto problem = passwordProblem(password)) throw ApiError::badField("password", *problem);
  return password;
}

// ?transferTo=<account id>: who takes over the rooms of a deleted account (nullopt: not given).
std::optional<Account> heirFromQuery(const ApiExchange& exchange, Store& store, std::int64_t leavingId) {
  const auto text = exchange.query("transferTo");
  if (!text) return std::nullopt;
  Poco::Int64 id = 0;
  const bool digits =
      !text->empty() && text->size() <= 18 && text->find_first_not_of("0123456789") == std::string::npos;
  std::optional<Account> heir;
  if (digits && Poco::NumberParser::tryParse64(*text, id) && id > 0) heir = store.accountById(id);
  if (auto problem = heirProblem(leavingId, heir)) throw ApiError::badField("transferTo", *problem);
  return heir;
}
}  // namespace

void AccountApi::list(ApiExchange& exchange) {
  require(exchange, Action::ManageAccounts);
  Poco::JSON::Array list;
  for (const Account& account : services_.store->accounts()) list.add(toJson(account));
  exchange.sendJson(Status::HTTP_OK, list);
}

void AccountApi::create(ApiExchange& exchange) {
  const Caller& caller = require(exchange, Action::ManageAccounts);
  const JsonBody body(exchange.jsonBody(), {"username", "displayName", "password", "role"});
  Account account;
  account.username = body.string("username", 64);
  if (!isValidUsername(account.username)) {
    throw ApiError::badField("username", "must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
  }
  account.displayName = body.has("displayName") ? displayNameField(body) : account.username;
  const std::string password = passwordField(body);
  const auto role = accountRoleFrom(body.optionalString("role", 16).value_or("staff"));
  if (!role) throw ApiError::badField("role", "must be \"staff\" or \"admin\"");
  account.role = *role;
  // Checked before the (slow) hash; the store's unique index still decides a race.
  if (services_.store->accountByUsername(account.username)) throw ApiError::conflict("the username is taken");
  account.passwordHash = services_.hasher.hash(password);
  account.createdAt = static_cast<std::int64_t>(std::time(nullptr));
  try {
    account = services_.store->createAccount(account);
  } catch (const StoreConflict&) {
    throw ApiError::conflict("the username is taken");
  }
  log().information("%s created the %s account %s", caller.account.username, std::string(toString(account.role)),
                    account.username);
  exchange.sendJson(Status::HTTP_CREATED, toJson(account));
}

void AccountApi::update(ApiExchange& exchange, std::int64_t id) {
  const Caller& caller = require(exchange, Action::ManageAccounts);
  auto account = services_.store->accountById(id);
  if (!account) throw ApiError::notFound("no such account");
  const JsonBody body(exchange.jsonBody(), {"disabled", "displayName", "password"});
  const auto disabled = body.optionalBool("disabled");
  const auto displayName = body.has("displayName") ? std::optional(displayNameField(body)) : std::nullopt;
  const auto password = body.has("password") ? std::optional(passwordField(body)) : std::nullopt;
  if (disabled.value_or(false) && account->id == caller.account.id) {
    throw ApiError::conflict("you cannot disable your own account");
  }

  const bool endSessions = (disabled.value_or(false) && !account->disabled) || password.has_value();
  if (disabled) account->disabled = *disabled;
  if (displayName) account->displayName = *displayName;
  if (password) account->passwordHash = services_.hasher.hash(*password);
  if (disabled || displayName || password) services_.store->updateAccount(*account);
  // A disabled account, or one whose password was reset, keeps no open session (but the admin
  // who changed their own password stays logged in).
  if (endSessions) services_.store->deleteSessionsOf(account->id, caller.session.idHash);
  if (disabled) {
    log().information("%s %s the account %s", caller.account.username,
                      std::string(*disabled ? "disabled" : "enabled"), account->username);
  }
  exchange.sendJson(Status::HTTP_OK, toJson(*account));
}

void AccountApi::remove(ApiExchange& exchange, std::int64_t id) {
  const Caller& caller = require(exchange, Action::ManageAccounts);
  const auto account = services_.store->accountById(id);
  if (!account) throw ApiError::notFound("no such account");
  const auto heir = heirFromQuery(exchange, *services_.store, account->id);
  if (auto refusal = deletionRefusal(*account, caller.account.id, services_.store->enabledAdminCount())) {
    throw ApiError(Status::HTTP_CONFLICT, refusal == DeletionRefusal::LastAdmin ? "last-admin" : "conflict",
                   toMessage(*refusal));
  }
  // Rooms never vanish with their owner: the admin names who takes them over.
  const auto rooms = static_cast<std::int64_t>(services_.store->roomsOwnedBy(account->id).size());
  if (rooms > 0 && !heir) {
    throw ApiError(Status::HTTP_CONFLICT, "owns-rooms",
                   "the account owns " + std::to_string(rooms) +
                       " room(s): name the account that takes them over with ?transferTo=<account id>")
        .withDetail("rooms", rooms);
  }
  // The store checks the same rules again inside its transaction (a room created or an admin
  // disabled meanwhile); sessions and password hash go with the account's row.
  try {
    if (!services_.store->deleteAccount(account->id, heir ? std::optional(heir->id) : std::nullopt)) {
      throw ApiError::notFound("no such account");
    }
  } catch (const StoreConflict& conflict) {
    if (conflict.field() == "last-admin") {
      throw ApiError(Status::HTTP_CONFLICT, "last-admin", toMessage(DeletionRefusal::LastAdmin));
    }
    if (conflict.field() == "rooms") {  // created meanwhile
      const auto now = static_cast<std::int64_t>(services_.store->roomsOwnedBy(account->id).size());
      throw ApiError(Status::HTTP_CONFLICT, "owns-rooms",
                     "the account owns rooms: name the account that takes them over with ?transferTo=<account id>")
          .withDetail("rooms", now);
    }
    throw ApiError::conflict("the account that should take over the rooms was disabled or deleted meanwhile");
  }
  if (heir && rooms > 0) {
    log().information("%s deleted the account %s; its %s room(s) now belong to %s", caller.account.username,
                      account->username, std::to_string(rooms), heir->username);
  } else {
    log().information("%s deleted the account %s", caller.account.username, account->username);
  }
  exchange.sendNoContent();
}

}  // namespace plenum::appliance
