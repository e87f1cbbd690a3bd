# SPDX-License-Identifier: EUPL-1.2
# The phone's voice prompts (appliance/PhonePrompts.hpp): packaging/prompts/prompts.<lang>.txt
# spoken by espeak-ng (packaging/prompts/generate.sh) into ${CMAKE_BINARY_DIR}/prompts/<lang>/
# <name>.wav at build time, again whenever a text or the script changes. The package installs
# them to /usr/share/plenum/prompts; plenumd finds them through PLENUM_PROMPTS_DIR, compiled in
# (the development build reads them from the build folder).
include(GNUInstallDirs)
set(PLENUM_PROMPTS_DIR "${CMAKE_BINARY_DIR}/prompts" CACHE PATH
    "Where plenumd finds the shipped phone prompts (<dir>/<lang>/<name>.wav)")

find_program(PLENUM_ESPEAK_NG espeak-ng)
if(NOT PLENUM_ESPEAK_NG)
  message(FATAL_ERROR "espeak-ng is needed to make the phone prompts (packaging/dev/install-deps.sh installs it)")
endif()

set(_plenum_prompts_generator ${CMAKE_SOURCE_DIR}/packaging/prompts/generate.sh)
set(_plenum_prompts_stamps)
foreach(_lang de en)
  set(_text ${CMAKE_SOURCE_DIR}/packaging/prompts/prompts.${_lang}.txt)
  set(_stamp ${CMAKE_BINARY_DIR}/prompts/${_lang}.stamp)
  # One stamp per language: the script writes every file of the text; the WAVs' names are in
  # the text, which CMake does not read.
  add_custom_command(
    OUTPUT ${_stamp}
    COMMAND sh ${_plenum_prompts_generator} ${_lang} ${_text} ${CMAKE_BINARY_DIR}/prompts/${_lang}
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
    DEPENDS ${_text} ${_plenum_prompts_generator}
    COMMENT "Speaking the ${_lang} phone prompts (espeak-ng)"
    VERBATIM)
  list(APPEND _plenum_prompts_stamps ${_stamp})
endforeach()
add_custom_target(plenum_prompts ALL DEPENDS ${_plenum_prompts_stamps})
if(TARGET plenum_appliance)
  # PhonePrompts' compiled-in default; the prompts are not needed to compile it, only to run.
  target_compile_definitions(plenum_appliance PRIVATE PLENUM_PROMPTS_DIR="${PLENUM_PROMPTS_DIR}")
endif()

install(DIRECTORY ${CMAKE_BINARY_DIR}/prompts/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/plenum/prompts
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                              WORLD_READ WORLD_EXECUTE
        FILES_MATCHING PATTERN "*.wav")
# The unit tests also load the shipped prompts (tests/unit/appliance/TestPhonePrompts.cpp).
if(TARGET plenum_unit_tests)
  add_dependencies(plenum_unit_tests plenum_prompts)
endif()
