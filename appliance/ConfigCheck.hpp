// SPDX-License-Identifier: EUPL-1.2
#pragma once
// plenumd --check-config: reads a plenum.ini line by line (as Poco's INI reader does: "key =
// value", "[section]" prefixes "section." to the keys after it, ";" and "#" start comments) and
// reports every problem with its line: unknown keys (with the closest known key), values the
// settings table refuses, keys set twice, keys that do not fit together, and files the settings
// need (TLS certificate and key when https.port is set, the data folder).
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace plenum::appliance {

struct ConfigProblem {
  int line = 0;  // 1-based; 0: not a line of the file (a default or a command-line option)
  std::string message;
};

// `overrides` are command-line values (--port, --data) that replace the file's keys.
std::vector<ConfigProblem> checkConfig(std::istream& in, const std::map<std::string, std::string>& overrides = {});
// The same for a file; a file that cannot be read is one problem (line 0).
std::vector<ConfigProblem> checkConfigFile(const std::string& path,
                                           const std::map<std::string, std::string>& overrides = {});
// "FILE:LINE: message" lines (as compilers print them), one per problem.
std::string formatConfigProblems(const std::string& path, const std::vector<ConfigProblem>& problems);
// The known key closest to an unknown one (edit distance, case-insensitive), or "" when none
// is close.
std::string closestSettingKey(const std::string& unknown);

}  // namespace plenum::appliance
