// SPDX-License-Identifier: EUPL-1.2
#include "appliance/AccountRules.hpp"

#include "appliance/PasswordHasher.hpp"

#include <algorithm>

namespace plenum::appliance {

bool isValidUsername(std::string_view username) {
  return !username.empty() && username.size() <= 64 && std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '-';
  });
}

std::optional<std::string> passwordProblem(std::string_view password) {
  if (password.size() < PasswordHasher::kMinLength) {
    return "must be at least " + std::to_string(PasswordHasher::kMinLength) + " characters long";
  }
  if (password.size() > PasswordHasher::kMaxLength) {
    return "must be at most " + std::to_string(PasswordHasher::kMaxLength) + " bytes long";
  }
  return std::nullopt;
}

std::optional<DeletionRefusal> deletionRefusal(const Account& target, std::int64_t callerId,
                                               std::int64_t enabledAdmins) {
  if (target.role == AccountRole::Admin && !target.disabled && enabledAdmins <= 1) return DeletionRefusal::LastAdmin;
  if (target.id == callerId) return DeletionRefusal::OwnAccount;
  return std::nullopt;
}

const char* toMessage(DeletionRefusal refusal) {
  switch (refusal) {
    case DeletionRefusal::LastAdmin: return "the last enabled admin account cannot be deleted";
    case DeletionRefusal::OwnAccount: return "you cannot delete your own account";
  }
  return "the account cannot be deleted";
}

std::optional<std::string> heirProblem(std::int64_t leavingId, const std::optional<Account>& heir) {
  if (!heir) return "must be the id of an existing account";
  if (heir->id == leavingId) return "must be another account than the one deleted";
  if (heir->disabled) return "must be an enabled account";
  return std::nullopt;
}

}  // namespace plenum::appliance
