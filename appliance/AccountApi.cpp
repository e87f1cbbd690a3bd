#include "appliance/AccountApi.hpp"

#include "appliance/AccountRules.hpp"
#include "appliance/ApiAccess.hpp"
#include "appliance/ApiError.hpp"
#include "appliance/ApiJson.hpp"
#include "appliance/JsonBody.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>

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

}  // namespace plenum::appliance
