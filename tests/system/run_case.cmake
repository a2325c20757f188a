# Runs one command and checks its exit status and output. Used by every system test:
#   cmake -DCOMMAND="socsim|run|virt|--firmware|hello.elf" -DEXPECT_STATUS=0
#         [-DEXPECT_STDOUT=file]            stdout must equal the file's contents
#         [-DEXPECT_STDOUT_REGEX=regex]     stdout must match
#         [-DEXPECT_STDERR_REGEX=regex]     stderr must match
#         [-DEXPECT_STDERR_LINES=N]         stderr must have exactly N lines
#         [-DWORKING_DIRECTORY=dir] [-DINPUT_FILE=file (the command's stdin)] -P run_case.cmake
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
