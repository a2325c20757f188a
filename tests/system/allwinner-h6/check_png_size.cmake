# cmake -DPNG=file -DWIDTH=w -DHEIGHT=h -P check_png_size.cmake
# The file must be a PNG whose IHDR says WIDTH x HEIGHT (the signature, then the IHDR chunk:
# length, "IHDR", big-endian width and height at bytes 16..23).
if(NOT EXISTS "${PNG}")
  message(FATAL_ERROR "${PNG}: missing")
endif()
file(READ "${PNG}" head LIMIT 24 HEX)
# Eight hex digits, big-endian.
function(hex32 value out)
  math(EXPR v "${value}" OUTPUT_FORMAT HEXADECIMAL)
  string(REGEX REPLACE "^0x" "" v "${v}")
  string(LENGTH "${v}" n)
  while(n LESS 8)
    string(PREPEND v "0")
    math(EXPR n "${n} + 1")
  endwhile()
  set(${out} "${v}" PARENT_SCOPE)
endfunction()
hex32(${WIDTH} w)
hex32(${HEIGHT} h)
string(TOLOWER "89504e470d0a1a0a0000000d49484452${w}${h}" expected)
if(NOT head STREQUAL expected)
  message(FATAL_ERROR "${PNG}: header ${head}, expected ${expected} (a ${WIDTH} x ${HEIGHT} PNG)")
endif()
