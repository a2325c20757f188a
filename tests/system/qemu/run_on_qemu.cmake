# Runs one ELF under QEMU alone and checks its exit status (and optionally its output): the
# reference half of a scenario, useful before socsim has the models it needs.
# Skipped when QEMU is not installed: the test's SKIP_REGULAR_EXPRESSION matches "test skipped:"
# (cmake_language(EXIT 77) needs CMake 3.29; Debian 12 has 3.25, where the test failed instead).
if(NOT QEMU)
  message(FATAL_ERROR "test skipped: qemu-system-aarch64 is not installed")
endif()
string(REPLACE "|" ";" qemu_args "${QEMU_ARGS}")
execute_process(COMMAND ${QEMU} ${qemu_args} -kernel ${FIRMWARE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 60)
if(NOT "${status}" STREQUAL "${EXPECT_STATUS}")
  message(FATAL_ERROR "QEMU exit status ${status}, expected ${EXPECT_STATUS}\n${out}")
endif()
if(DEFINED EXPECT_REGEX AND NOT "${out}" MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "QEMU output does not match ${EXPECT_REGEX}\n${out}")
endif()
message("${out}")
