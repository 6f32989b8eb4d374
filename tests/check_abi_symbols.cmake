# Compares the symbols libtokwise.so exports with the committed list tests/data/abi_symbols.txt,
# and with the functions tokwise.h declares, so that every ABI change is deliberate.
#
#   cmake -DNM=nm -DLIBRARY=libtokwise.so -DHEADER=tokwise.h -DEXPECTED=abi_symbols.txt
#         [-DUPDATE=ON] -P check_abi_symbols.cmake
#
# UPDATE=ON rewrites the list from the library (then review the diff and commit it).
cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND "${NM}" -D --defined-only "${LIBRARY}"
                OUTPUT_VARIABLE nm_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIBRARY}")
endif()

# "0000000000029a30 T tokwise_version_number@@TOKWISE_0" -> "T tokwise_version_number@@TOKWISE_0"
string(REPLACE "\n" ";" lines "${nm_out}")
set(actual "")
set(exported_functions "")
foreach(line IN LISTS lines)
  if(line MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) (.+)$")
    set(type "${CMAKE_MATCH_1}")
    set(name "${CMAKE_MATCH_2}")
    list(APPEND actual "${type} ${name}")
    if(type STREQUAL "T" AND name MATCHES "^(tokwise_[a-z0-9_]+)")
      list(APPEND exported_functions "${CMAKE_MATCH_1}")
    endif()
  endif()
endforeach()
list(SORT actual)

if(UPDATE)
  list(JOIN actual "\n" text)
  file(WRITE "${EXPECTED}"
       "# Symbols exported by libtokwise.so (nm -D --defined-only), checked by the abi_symbols\n"
       "# test. Regenerate with -DUPDATE=ON only for a deliberate ABI change.\n${text}\n")
  message(STATUS "wrote ${EXPECTED}")
  return()
endif()

file(STRINGS "${EXPECTED}" expected REGEX "^[^#]")
list(SORT expected)
set(failed FALSE)
foreach(sym IN LISTS actual)
  if(NOT sym IN_LIST expected)
    message(SEND_ERROR "exported but not in ${EXPECTED}: ${sym}")
    set(failed TRUE)
  endif()
endforeach()
foreach(sym IN LISTS expected)
  if(NOT sym IN_LIST actual)
    message(SEND_ERROR "in ${EXPECTED} but not exported: ${sym}")
    set(failed TRUE)
  endif()
endforeach()

# Every function the header declares is exported, and nothing else is.
file(READ "${HEADER}" header)
string(REGEX MATCHALL "\nTOKWISE_API [^(]*\\(" decls "${header}")
set(declared "")
foreach(decl IN LISTS decls)
  if(decl MATCHES "(tokwise_[a-z0-9_]+)[ ]*\\($")
    list(APPEND declared "${CMAKE_MATCH_1}")
  endif()
endforeach()
list(SORT declared)
list(SORT exported_functions)
if(NOT declared STREQUAL exported_functions)
  message(SEND_ERROR "declared in ${HEADER}: ${declared}\nexported: ${exported_functions}")
  set(failed TRUE)
endif()
list(LENGTH actual n)
list(LENGTH declared n_declared)
if(failed)
  message(FATAL_ERROR "the exported ABI differs; if the change is deliberate, regenerate the "
                      "list with -DUPDATE=ON and commit it")
endif()
message(STATUS "${n} exported symbols, ${n_declared} declared functions: as committed")
