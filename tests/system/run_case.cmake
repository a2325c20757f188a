# Runs one command and checks its exit status and output. Used by every system test:
#   cmake -DCOMMAND="socsim|run|virt|--firmware|hello.elf" -DEXPECT_STATUS=0
#         [-DEXPECT_STDOUT=file]            stdout must equal the file's contents
#         [-DEXPECT_STDOUT_REGEX=regex]     stdout must match
#         [-DEXPECT_STDERR_REGEX=regex]     stderr must match
#         [-DEXPECT_STDERR_LINES=N]         stderr must have exactly N lines
#         [-DWORKING_DIRECTORY=dir] [-DINPUT_FILE=file (the command's stdin)]
#         [-DTRACE=file]                    the command writes its trace there (its --trace)
#         [-DTWICE=1]                       then run it again: stdout, stderr and the trace must
#                                           be byte-identical (the trace of the second run goes
#                                           to file.again, removed after the comparison)
#         -P run_case.cmake
# The command's words are separated by `|` (CTest would split `;`).
string(REPLACE "|" ";" command "${COMMAND}")
if(NOT WORKING_DIRECTORY)
  set(WORKING_DIRECTORY ".")
endif()
set(input)
if(DEFINED INPUT_FILE)
  set(input INPUT_FILE "${INPUT_FILE}")
endif()
execute_process(COMMAND ${command}
  WORKING_DIRECTORY "${WORKING_DIRECTORY}" ${input}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err
  TIMEOUT 120)
set(failed "")
if(NOT "${status}" STREQUAL "${EXPECT_STATUS}")
  string(APPEND failed "exit status ${status}, expected ${EXPECT_STATUS}\n")
endif()
if(DEFINED EXPECT_STDOUT)
  file(READ "${EXPECT_STDOUT}" expected)
  if(NOT "${out}" STREQUAL "${expected}")
    string(APPEND failed "stdout differs from ${EXPECT_STDOUT}\n--- expected ---\n${expected}--- got ---\n${out}\n")
  endif()
endif()
if(DEFINED EXPECT_STDOUT_REGEX AND NOT "${out}" MATCHES "${EXPECT_STDOUT_REGEX}")
  string(APPEND failed "stdout does not match: ${EXPECT_STDOUT_REGEX}\n")
endif()
if(DEFINED EXPECT_STDERR_REGEX AND NOT "${err}" MATCHES "${EXPECT_STDERR_REGEX}")
  string(APPEND failed "stderr does not match: ${EXPECT_STDERR_REGEX}\n")
endif()
if(DEFINED EXPECT_STDERR_LINES)
  string(REGEX MATCHALL "\n" newlines "${err}")
  list(LENGTH newlines lines)
  if(NOT lines EQUAL EXPECT_STDERR_LINES)
    string(APPEND failed "stderr has ${lines} lines, expected ${EXPECT_STDERR_LINES}\n")
  endif()
endif()
if(failed)
  message(FATAL_ERROR "${command}\n${failed}--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()

# Determinism: the same command again gives the same bytes.
if(TWICE)
  set(again "${command}")
  if(DEFINED TRACE)
    string(REPLACE "${TRACE}" "${TRACE}.again" again "${command}")
  endif()
  execute_process(COMMAND ${again}
    WORKING_DIRECTORY "${WORKING_DIRECTORY}" ${input}
    RESULT_VARIABLE status_again OUTPUT_VARIABLE out_again ERROR_VARIABLE err_again
    TIMEOUT 120)
  set(differs "")
  if(NOT "${status_again}" STREQUAL "${status}")
    string(APPEND differs "exit status ${status_again}, the first run's ${status}\n")
  endif()
  if(NOT "${out_again}" STREQUAL "${out}")
    string(APPEND differs "stdout differs\n--- first run ---\n${out}\n--- second run ---\n${out_again}\n")
  endif()
  if(NOT "${err_again}" STREQUAL "${err}")
    string(APPEND differs "stderr differs\n--- first run ---\n${err}\n--- second run ---\n${err_again}\n")
  endif()
  if(DEFINED TRACE AND (EXISTS "${TRACE}" OR EXISTS "${TRACE}.again"))  # none: refused before opening it
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${TRACE}" "${TRACE}.again" RESULT_VARIABLE trace_differs)
    if(trace_differs)
      string(APPEND differs "the traces differ: ${TRACE} and ${TRACE}.again (kept)\n")
    else()
      file(REMOVE "${TRACE}.again")
    endif()
  endif()
  if(differs)
    message(FATAL_ERROR "${command}\nnot deterministic: the same command run twice:\n${differs}")
  endif()
endif()
