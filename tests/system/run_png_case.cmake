# A system test whose run leaves a PNG to check (the scanout's last frame): removes PNG, runs
# the case exactly as run_case.cmake does (same -D variables), then
#   PROBE|args...          the probe command (png_probe PNG X,Y...), `|`-separated
#   EXPECT_PROBE_REGEX     its stdout must match (and it must exit 0)
if(NOT PNG OR NOT PROBE OR NOT DEFINED EXPECT_PROBE_REGEX)
  message(FATAL_ERROR "run_png_case.cmake needs PNG, PROBE and EXPECT_PROBE_REGEX")
endif()
file(REMOVE "${PNG}")  # a PNG left by an earlier run must not pass for this one's
include(${CMAKE_CURRENT_LIST_DIR}/run_case.cmake)
string(REPLACE "|" ";" probe "${PROBE}")
execute_process(COMMAND ${probe} RESULT_VARIABLE probe_status OUTPUT_VARIABLE probe_out
  ERROR_VARIABLE probe_err TIMEOUT 30)
if(NOT probe_status EQUAL 0 OR NOT "${probe_out}" MATCHES "${EXPECT_PROBE_REGEX}")
  message(FATAL_ERROR "${probe}: status ${probe_status}\n--- expected ---\n${EXPECT_PROBE_REGEX}\n"
    "--- got ---\n${probe_out}${probe_err}")
endif()
