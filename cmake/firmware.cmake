# Builds the firmware (firmware/, its own CMake project with the AArch64 cross toolchain) as an
# external project of the simulator's build. Include it from the top-level CMakeLists.txt:
#
#   include(cmake/firmware.cmake)
#
# Afterwards:
#   firmware               target; built by `all`, and re-run on every build (BUILD_ALWAYS),
#                          where its own Ninja rebuilds whatever changed
#   SOCSIM_FIRMWARE_DIR    the firmware build folder; scenario ELFs are
#                          ${SOCSIM_FIRMWARE_DIR}/<platform>/<scenario>.elf
#
# Tests that run an ELF should depend on the target, e.g. with a CTest fixture or
# add_dependencies(<test driver> firmware), so the ELFs exist before the tests run.

include_guard(GLOBAL)
include(ExternalProject)

# The repository root, from this file's location, so the including project can be any project.
get_filename_component(_socsim_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

find_program(SOCSIM_AARCH64_GCC aarch64-linux-gnu-gcc)
if(NOT SOCSIM_AARCH64_GCC)
  message(FATAL_ERROR "aarch64-linux-gnu-gcc not found: the firmware needs the Debian packages "
                      "gcc-aarch64-linux-gnu, picolibc-aarch64-linux-gnu and device-tree-compiler")
endif()

# include() shares the caller's scope, so a plain set() is visible to the including file.
set(SOCSIM_FIRMWARE_DIR "${CMAKE_BINARY_DIR}/firmware")

ExternalProject_Add(firmware
  SOURCE_DIR "${_socsim_root}/firmware"
  BINARY_DIR "${SOCSIM_FIRMWARE_DIR}"
  CMAKE_GENERATOR Ninja
  CMAKE_ARGS
    "-DCMAKE_TOOLCHAIN_FILE=${_socsim_root}/cmake/aarch64-picolibc.cmake"
    "-DSOCSIM_PLATFORM_DIR=${_socsim_root}/platforms"
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  USES_TERMINAL_CONFIGURE ON
  USES_TERMINAL_BUILD ON
)
