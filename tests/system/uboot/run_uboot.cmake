# Runs socsim with Debian's U-Boot as the BIOS image and checks the run like run_case.cmake.
#   cmake -DSOCSIM=socsim -DBIOS=u-boot.bin -DARGS="a|b" -DEXPECT_STATUS=0 [checks of run_case]
#         -P run_uboot.cmake
# Skipped when the image is not installed (package u-boot-qemu): the test's
# SKIP_REGULAR_EXPRESSION matches "test skipped:" (cmake_language(EXIT 77) needs CMake 3.29;
# Debian 12 has 3.25, where the test failed instead).
if(NOT EXISTS "${BIOS}")
  message(FATAL_ERROR "test skipped: ${BIOS} is not installed (Debian package u-boot-qemu; scripts/bootstrap installs it)")
endif()
set(COMMAND "${SOCSIM}|run|virt|--bios|${BIOS}|${ARGS}")
include(${CMAKE_CURRENT_LIST_DIR}/../run_case.cmake)
