// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Random secrets from libsodium's CSPRNG: session ids, CSRF and invite tokens, guest ids and
// phone PINs; and the one-way hash under which a session id is stored.
#include <cstddef>
#include <string>
#include <string_view>

namespace plenum::appliance {

// Calls sodium_init() once; throws if libsodium cannot start (no entropy source).
void initSodium();

// `bytes` random bytes as URL-safe base64 without padding (A-Z a-z 0-9 - _):
// 16 bytes (128 bits) give 22 characters, 32 bytes give 43.
std::string randomToken(std::size_t bytes = 16);

// `bytes` random bytes as lowercase hex (recording ids: 8 bytes, 16 digits).
std::string randomHex(std::size_t bytes);

// `length` (6-9) random decimal digits, the first not 0 (a leading zero gets lost in
// spreadsheets and phone books); each PIN is drawn independently of every other.
std::string randomPin(int length);

// Hex of a BLAKE2b-256 hash: what the store keeps instead of a session id.
std::string hashSessionId(std::string_view sessionId);

// Compares two secrets in time independent of where they differ.
bool equalSecrets(std::string_view a, std::string_view b);

}  // namespace plenum::appliance
