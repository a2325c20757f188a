# Platform layout from the device tree, for the firmware build.
#
# The platform .dts is the one place a platform's addresses are written. At configure time the
# firmware build compiles it with dtc and reads it back with fdtget, so firmware constants can
# never drift from what the simulator builds from the same file.
#
#   socsim_dtb_compile(DTS <file.dts> DTB <file.dtb>)
#       Compile with dtc; re-run configure when the .dts changes.
#
#   socsim_dtb_read_layout(DTB <file.dtb> PREFIX <p> [DEVICES <KEY> <compatible> ...])
#       Sets in the caller's scope:
#         <p>_RAM_BANKS                every RAM bank, sorted by address: a list of
#                                      "base:size" items, one per `reg` entry of every enabled
#                                      node whose device_type is "memory" (as the simulator's
#                                      builder reads them)
#         <p>_RAM_BASE, <p>_RAM_SIZE   the boot bank: the bank at the lowest address, whatever
#                                      the DT order (the simulator puts the DTB, and firmware
#                                      puts its image, there)
#         <p>_<KEY>_BASE               CPU address of reg[0] of the first enabled node (in
#                                      document order) compatible with <compatible>;
#                                      unset when the platform has no such node
#       Numbers are hexadecimal strings such as 0x40000000.
#
# Addresses go through the `ranges` of every ancestor, so devices under a /soc bus work too.
# CMake integers are signed 64-bit: addresses at or above 2^63 are not supported (none exist).

include_guard(GLOBAL)

find_program(SOCSIM_DTC dtc REQUIRED)
find_program(SOCSIM_FDTGET fdtget REQUIRED)

function(socsim_dtb_compile)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "DTS;DTB" "")
  if(NOT EXISTS "${arg_DTS}")
    message(FATAL_ERROR "platform device tree not found: ${arg_DTS}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${arg_DTS}")
  get_filename_component(dir "${arg_DTB}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  execute_process(
    COMMAND "${SOCSIM_DTC}" -q -I dts -O dtb -o "${arg_DTB}" "${arg_DTS}"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dtc failed on ${arg_DTS}:\n${err}")
  endif()
endfunction()

# Run fdtget with the given arguments; the output lines become a list in <out>.
function(_socsim_fdtget out)
  execute_process(
    COMMAND "${SOCSIM_FDTGET}" ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fdtget ${ARGN} failed:\n${err}")
  endif()
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# All node paths, depth first in document order (so "first node" means first in the source).
function(_socsim_dtb_nodes dtb node out)
  _socsim_fdtget(children -l "${dtb}" "${node}")
  set(nodes "${node}")
  foreach(child IN LISTS children)
    if(node STREQUAL "/")
      set(path "/${child}")
    else()
      set(path "${node}/${child}")
    endif()
    _socsim_dtb_nodes("${dtb}" "${path}" sub)
    list(APPEND nodes ${sub})
  endforeach()
  set(${out} "${nodes}" PARENT_SCOPE)
endfunction()

function(_socsim_parent path out)
  string(REGEX REPLACE "/[^/]*$" "" parent "${path}")
  if(parent STREQUAL "")
    set(parent "/")
  endif()
  set(${out} "${parent}" PARENT_SCOPE)
endfunction()

# #address-cells and #size-cells a node gives its children (defaults 2 and 1, as in the spec).
function(_socsim_dtb_cells dtb node out_addr out_size)
  _socsim_fdtget(a -t u -d 2 "${dtb}" "${node}" "#address-cells")
  _socsim_fdtget(s -t u -d 1 "${dtb}" "${node}" "#size-cells")
  set(${out_addr} "${a}" PARENT_SCOPE)
  set(${out_size} "${s}" PARENT_SCOPE)
endfunction()

# <count> big-endian cells of <cells> (hex strings, as printed by fdtget -t x) starting at
# <first>, as one hexadecimal number.
function(_socsim_cells_value cells first count out)
  if(count GREATER 2)
    message(FATAL_ERROR "a ${count}-cell number does not fit in 64 bits")
  endif()
  set(value 0)
  math(EXPR last "${first} + ${count} - 1")
  if(count GREATER 0)
    foreach(i RANGE ${first} ${last})
      list(GET cells ${i} cell)
      math(EXPR value "(${value} << 32) + 0x${cell}" OUTPUT_FORMAT HEXADECIMAL)
    endforeach()
  endif()
  math(EXPR value "${value}" OUTPUT_FORMAT HEXADECIMAL)
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Number of (address, size) entries in <node>'s reg.
function(_socsim_dtb_reg_count dtb node out)
  _socsim_parent("${node}" bus)
  _socsim_dtb_cells("${dtb}" "${bus}" ac sc)
  _socsim_fdtget(reg -t x "${dtb}" "${node}" reg)
  string(REPLACE " " ";" reg "${reg}")
  list(LENGTH reg n)
  math(EXPR count "${n} / (${ac} + ${sc})")
  set(${out} "${count}" PARENT_SCOPE)
endfunction()

# reg[0] of <node> as a CPU physical address and size.
function(_socsim_dtb_reg0 dtb node out_base out_size)
  _socsim_dtb_reg("${dtb}" "${node}" 0 base size)
  set(${out_base} "${base}" PARENT_SCOPE)
  set(${out_size} "${size}" PARENT_SCOPE)
endfunction()

# reg[<index>] of <node> as a CPU physical address and size.
function(_socsim_dtb_reg dtb node index out_base out_size)
  _socsim_parent("${node}" bus)
  _socsim_dtb_cells("${dtb}" "${bus}" ac sc)
  _socsim_fdtget(reg -t x "${dtb}" "${node}" reg)
  string(REPLACE " " ";" reg "${reg}")
  list(LENGTH reg n)
  math(EXPR need "(${index} + 1) * (${ac} + ${sc})")
  if(n LESS need)
    message(FATAL_ERROR "${node}: reg has ${n} cells, expected at least ${need}")
  endif()
  math(EXPR first "${index} * (${ac} + ${sc})")
  math(EXPR at_size "${first} + ${ac}")
  _socsim_cells_value("${reg}" ${first} ${ac} addr)
  _socsim_cells_value("${reg}" ${at_size} ${sc} size)

  # Walk up: an address on bus <bus> becomes an address on <bus>'s parent through <bus>'s ranges.
  while(NOT bus STREQUAL "/")
    _socsim_parent("${bus}" up)
    _socsim_dtb_cells("${dtb}" "${up}" up_ac up_sc)
    _socsim_fdtget(ranges -t x -d "none" "${dtb}" "${bus}" ranges)
    if(ranges STREQUAL "none")
      message(FATAL_ERROR "${node} is not CPU-addressable: ${bus} has no ranges property")
    endif()
    if(NOT ranges STREQUAL "")   # `ranges;` is the identity mapping
      string(REPLACE " " ";" ranges "${ranges}")
      list(LENGTH ranges n)
      math(EXPR entry "${ac} + ${up_ac} + ${sc}")
      set(mapped "")
      set(i 0)
      while(i LESS n AND mapped STREQUAL "")
        math(EXPR at_parent "${i} + ${ac}")
        math(EXPR at_size "${at_parent} + ${up_ac}")
        _socsim_cells_value("${ranges}" ${i} ${ac} child)
        _socsim_cells_value("${ranges}" ${at_parent} ${up_ac} parent)
        _socsim_cells_value("${ranges}" ${at_size} ${sc} len)
        # if() compares as doubles: compare a small decimal offset, not raw addresses.
        math(EXPR offset "${addr} - ${child}")
        math(EXPR len "${len}")
        if(offset GREATER_EQUAL 0 AND offset LESS len)
          math(EXPR mapped "${addr} - ${child} + ${parent}" OUTPUT_FORMAT HEXADECIMAL)
        endif()
        math(EXPR i "${i} + ${entry}")
      endwhile()
      if(mapped STREQUAL "")
        message(FATAL_ERROR "${node}: address ${addr} is outside every range of ${bus}")
      endif()
      set(addr "${mapped}")
    endif()
    set(bus "${up}")
    set(ac "${up_ac}")
    set(sc "${up_sc}")
  endwhile()

  set(${out_base} "${addr}" PARENT_SCOPE)
  set(${out_size} "${size}" PARENT_SCOPE)
endfunction()

function(socsim_dtb_read_layout)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "DTB;PREFIX" "DEVICES")
  set(dtb "${arg_DTB}")
  _socsim_dtb_nodes("${dtb}" "/" nodes)

  # One fdtget call reads a property of every node: one output line per node.
  set(compat_args "")
  set(status_args "")
  foreach(node IN LISTS nodes)
    list(APPEND compat_args "${node}" compatible)
    list(APPEND status_args "${node}" status)
  endforeach()
  _socsim_fdtget(compats -t s -d "-" "${dtb}" ${compat_args})
  _socsim_fdtget(statuses -t s -d "okay" "${dtb}" ${status_args})

  # RAM: every reg entry of every enabled memory node (device_type "memory", as the builder
  # reads them), sorted by address; the boot bank is the lowest.
  set(type_args "")
  foreach(node IN LISTS nodes)
    list(APPEND type_args "${node}" device_type)
  endforeach()
  _socsim_fdtget(types -t s -d "-" "${dtb}" ${type_args})
  set(banks "")
  foreach(node type status IN ZIP_LISTS nodes types statuses)
    if(type STREQUAL "memory" AND (status STREQUAL "okay" OR status STREQUAL "ok"))
      _socsim_dtb_reg_count("${dtb}" "${node}" count)
      if(count GREATER 0)
        math(EXPR last "${count} - 1")
        foreach(i RANGE ${last})
          _socsim_dtb_reg("${dtb}" "${node}" ${i} base size)
          list(APPEND banks "${base}:${size}")
        endforeach()
      endif()
    endif()
  endforeach()
  if(banks STREQUAL "")
    message(FATAL_ERROR "${dtb}: no memory node (device_type \"memory\") with a reg entry")
  endif()
  # Selection sort by base; if() compares decimal numbers (exact below 2^53).
  set(sorted "")
  while(banks)
    set(best "")
    foreach(bank IN LISTS banks)
      string(REPLACE ":" ";" parts "${bank}")
      list(GET parts 0 base)
      math(EXPR base "${base}")
      if(best STREQUAL "" OR base LESS best_base)
        set(best "${bank}")
        set(best_base "${base}")
      endif()
    endforeach()
    list(APPEND sorted "${best}")
    list(REMOVE_ITEM banks "${best}")
  endwhile()
  list(GET sorted 0 boot)
  string(REPLACE ":" ";" boot "${boot}")
  list(GET boot 0 ram_base)
  list(GET boot 1 ram_size)
  set(${arg_PREFIX}_RAM_BANKS "${sorted}" PARENT_SCOPE)
  set(${arg_PREFIX}_RAM_BASE "${ram_base}" PARENT_SCOPE)
  set(${arg_PREFIX}_RAM_SIZE "${ram_size}" PARENT_SCOPE)

  # Devices: KEY compatible pairs.
  set(devices ${arg_DEVICES})
  list(LENGTH devices n)
  while(n GREATER 1)
    list(POP_FRONT devices key compatible)
    set(found "")
    foreach(node compat status IN ZIP_LISTS nodes compats statuses)
      string(REPLACE " " ";" compat "${compat}")
      if(found STREQUAL "" AND compatible IN_LIST compat AND NOT status STREQUAL "disabled")
        set(found "${node}")
      endif()
    endforeach()
    if(found STREQUAL "")
      unset(${arg_PREFIX}_${key}_BASE PARENT_SCOPE)
    else()
      _socsim_dtb_reg0("${dtb}" "${found}" base size)
      set(${arg_PREFIX}_${key}_BASE "${base}" PARENT_SCOPE)
    endif()
    list(LENGTH devices n)
  endwhile()
endfunction()
