# millrace_warnings(target): the warning set for Millrace's own code.
# Generated code (protobuf) is compiled without it.
function(millrace_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual)
  # GCC 12 reports false -Wrestrict/-Wstringop-overflow inside libstdc++'s std::string at -O3 (GCC bug 105329).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow)
  endif()
  if(MILLRACE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # Storage and replication keep assertions on in release builds (design brief, style).
  target_compile_options(${target} PRIVATE -UNDEBUG)
endfunction()
