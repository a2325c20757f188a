# Runs socsim with Debian's U-Boot as the BIOS image and checks the run like run_case.cmake.
#   cmake -DSOCSIM=socsim -DBIOS=u-boot.bin -DARGS="a|b" -DEXPECT_STATUS=0 [checks of run_case]
#         -P run_uboot.cmake
# Exits 77 (CTest: skipped) when the image is not installed (package u-boot-qemu).
if(NOT EXISTS "${BIOS}")
  message("${BIOS} is not installed (Debian package u-boot-qemu; scripts/bootstrap installs it): skipped")
  cmake_language(EXIT 77)
endif()
set(COMMAND "${SOCSIM}|run|virt|--bios|${BIOS}|${ARGS}")
include(${CMAKE_CURRENT_LIST_DIR}/../run_case.cmake)
