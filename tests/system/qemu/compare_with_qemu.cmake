# Runs one ELF under QEMU and under socsim and requires the same printed lines and exit status.
# QEMU 7.2 writes semihosting output to stderr and the PL011 to stdout; socsim writes both to
# stdout: compare QEMU's two streams together with socsim's stdout.
# PLATFORM: what `socsim run` gets (a name or a .dts/.dtb path), virt unless given.
# Skipped when QEMU is not installed: the test's SKIP_REGULAR_EXPRESSION matches "test skipped:"
# (cmake_language(EXIT 77) needs CMake 3.29; Debian 12 has 3.25, where the test failed instead).
if(NOT QEMU)
  message(FATAL_ERROR "test skipped: qemu-system-aarch64 is not installed")
endif()
string(REPLACE "|" ";" qemu_args "${QEMU_ARGS}")
string(REPLACE "|" ";" socsim_args "${SOCSIM_ARGS}")
if(NOT PLATFORM)
  set(PLATFORM virt)
endif()
execute_process(COMMAND ${QEMU} ${qemu_args} -kernel ${FIRMWARE}
  RESULT_VARIABLE qemu_status OUTPUT_VARIABLE qemu_out ERROR_VARIABLE qemu_out TIMEOUT 60)
execute_process(COMMAND ${SOCSIM} run ${PLATFORM} --firmware ${FIRMWARE} ${socsim_args}
  RESULT_VARIABLE socsim_status OUTPUT_VARIABLE socsim_out ERROR_VARIABLE socsim_err TIMEOUT 60)
if(NOT qemu_out STREQUAL socsim_out)
  message(FATAL_ERROR "output differs\n--- QEMU ---\n${qemu_out}--- socsim ---\n${socsim_out}--- socsim stderr ---\n${socsim_err}")
endif()
if(NOT qemu_status STREQUAL socsim_status)
  message(FATAL_ERROR "exit status differs: QEMU ${qemu_status}, socsim ${socsim_status}")
endif()
message("same output and status (${socsim_status}) on QEMU and socsim:\n${socsim_out}")
