# Debian's libfdt-dev ships no pkg-config file or CMake config: find it by hand.
find_path(LIBFDT_INCLUDE_DIR libfdt.h REQUIRED)
find_library(LIBFDT_LIBRARY fdt REQUIRED)
add_library(libfdt::libfdt UNKNOWN IMPORTED)
set_target_properties(libfdt::libfdt PROPERTIES
  IMPORTED_LOCATION "${LIBFDT_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LIBFDT_INCLUDE_DIR}")
