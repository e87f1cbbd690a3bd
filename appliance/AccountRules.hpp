// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a valid username and account password look like (used by the REST API and by
// plenumd --create-admin alike), and when an account may be deleted.
#include "appliance/Store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plenum::appliance {

// 1-64 characters of A-Z a-z 0-9 . _ @ - (an e-mail address fits).
bool isValidUsername(std::string_view username);

// Why a new account password is not acceptable, or nullopt when it is (8-256 bytes).
std::optional<std::string> passwordProblem(std::string_view password);

// Why an admin may not delete an account (409), most fundamental first: the last enabled admin
// (nobody could administer the server any more), then one's own account (an admin cannot
// lock themselves out, as with disabling).
enum class DeletionRefusal { LastAdmin, OwnAccount };
// `enabledAdmins`: the enabled admin accounts, `target` included if it is one.
std::optional<DeletionRefusal> deletionRefusal(const Account& target, std::int64_t callerId,
                                               std::int64_t enabledAdmins);
const char* toMessage(DeletionRefusal refusal);

// Why `heir` (nullopt: no such account) cannot take over the rooms of the deleted account
// `leavingId`, or nullopt when it can: it must exist, be another account, and be enabled.
std::optional<std::string> heirProblem(std::int64_t leavingId, const std::optional<Account>& heir);

}  // namespace plenum::appliance
