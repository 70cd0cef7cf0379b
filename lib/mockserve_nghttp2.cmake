# nghttp2 (Debian's libnghttp2-dev), which speaks HTTP/2 for mockserve::http:
# the imported target mockserve::nghttp2, defined here for the build and
# again by the installed package (find_package(mockserve CONFIG)), since
# nghttp2 ships no CMake package of its own. With MOCKSERVE_NGHTTP2_STATIC
# the static library is preferred (the mockserve command links its
# dependencies statically).
if(NOT TARGET mockserve::nghttp2)
  find_path(MOCKSERVE_NGHTTP2_INCLUDE_DIR nghttp2/nghttp2.h)
  if(MOCKSERVE_NGHTTP2_STATIC)
    find_library(MOCKSERVE_NGHTTP2_LIBRARY NAMES libnghttp2.a nghttp2)
  else()
    find_library(MOCKSERVE_NGHTTP2_LIBRARY NAMES nghttp2)
  endif()
  if(NOT MOCKSERVE_NGHTTP2_INCLUDE_DIR OR NOT MOCKSERVE_NGHTTP2_LIBRARY)
    message(FATAL_ERROR "mockserve needs nghttp2 for HTTP/2: install libnghttp2-dev")
  endif()
  add_library(mockserve::nghttp2 UNKNOWN IMPORTED)
  set_target_properties(mockserve::nghttp2 PROPERTIES
    IMPORTED_LOCATION "${MOCKSERVE_NGHTTP2_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MOCKSERVE_NGHTTP2_INCLUDE_DIR}")
endif()
