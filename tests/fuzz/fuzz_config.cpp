// SPDX-License-Identifier: EUPL-1.2
// libFuzzer harness: plenumd --check-config (appliance/ConfigCheck.hpp). Input: a plenum.ini;
// after a NUL byte, optional command-line overrides as "http.port=VALUE" / "data.dir=VALUE"
// lines (the two keys --port and --data set).
// Besides not crashing: problems name lines of the file (or 0), and a file
// the check finds nothing wrong with must be one plenumd starts with: read as plenumd reads it
// (Poco's IniFileConfiguration, the overrides on top), Settings::from must accept it.
#include "FuzzCheck.hpp"
#include "appliance/ConfigCheck.hpp"
#include "appliance/Settings.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Util/IniFileConfiguration.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>

using namespace plenum::appliance;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string file = input.substr(0, nul);
  std::map<std::string, std::string> overrides;
  if (nul != std::string::npos) {
    std::istringstream lines(input.substr(nul + 1));
    for (std::string line; std::getline(lines, line);) {
      const auto equals = line.find('=');
      if (equals == std::string::npos) continue;
      const std::string key = line.substr(0, equals);
      if (key == "http.port" || key == "data.dir") overrides[key] = line.substr(equals + 1);
    }
  }

  std::istringstream in(file);
  const auto problems = checkConfig(in, overrides);
  const auto lines = static_cast<int>(std::count(file.begin(), file.end(), '\n')) + 1;
  // (Not checked: that they come sorted by line. When Settings::from throws, e.g. on a circular
  // "${...}" reference, checkConfig returns before it sorts: the line-0 problem comes last.)
  for (const auto& problem : problems) {
    FUZZ_CHECK(problem.line >= 0 && problem.line <= lines);
    FUZZ_CHECK(!problem.message.empty());
  }
  (void)formatConfigProblems("plenum.ini", problems);
  if (!problems.empty()) return 0;

  std::istringstream again(file);
  Poco::AutoPtr<Poco::Util::IniFileConfiguration> config(new Poco::Util::IniFileConfiguration(again));
  for (const auto& [key, value] : overrides) config->setString(key, value);
  try {
    (void)Settings::from(*config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "check-config found no problem, but plenumd would refuse: %s\n", e.what());
    FUZZ_CHECK(!"a configuration that passes --check-config starts plenumd");
  }
  return 0;
}
