#pragma once
// What a valid username and account password look like; used by the REST API and by
// plenumd --create-admin alike.
#include <optional>
#include <string>
#include <string_view>

namespace plenum::appliance {

// 1-64 characters of A-Z a-z 0-9 . _ @ - (an e-mail address fits).
bool isValidUsername(std::string_view username);

// Why a new account password is not acceptable, or nullopt when it is (8-256 bytes).
std::optional<std::string> passwordProblem(std::string_view password);

}  // namespace plenum::appliance
