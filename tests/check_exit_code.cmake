# Runs CMD (a ;-list) with INPUT on standard input and fails unless it exits with EXPECTED.
execute_process(COMMAND ${CMD} INPUT_FILE ${INPUT} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL EXPECTED)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECTED}: ${err}")
endif()
