# cmake -DREPO=<source dir> -DWORK=<scratch dir> -P platform_layout_test.cmake
#
# The firmware build's layout reader (cmake/platform_layout.cmake) on RAM: every memory node and
# every reg entry of each is a bank, the banks come out sorted by address, and the boot bank
# (PLATFORM_RAM_BASE/SIZE) is the lowest, whatever the DT order; virt.dts keeps its one bank.
cmake_minimum_required(VERSION 3.25)
include("${REPO}/cmake/platform_layout.cmake")
file(MAKE_DIRECTORY "${WORK}")

function(expect name actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(FATAL_ERROR "${name}: got '${actual}', expected '${expected}'")
  endif()
endfunction()

function(compile dts dtb)
  execute_process(COMMAND "${SOCSIM_DTC}" -q -I dts -O dtb -o "${dtb}" "${dts}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dtc failed on ${dts}:\n${err}")
  endif()
endfunction()

# Banks out of order: a high bank first, then a node with two entries (the higher one first), and
# a disabled bank that does not count.
file(WRITE "${WORK}/banks.dts" [=[
/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    memory@880000000 { device_type = "memory"; reg = <0x8 0x80000000 0x4 0x0>; };
    memory@80000000 { device_type = "memory"; reg = <0x0 0x90000000 0x0 0x1000000 0x0 0x80000000 0x0 0x800000>; };
    memory@10000000 { device_type = "memory"; reg = <0x0 0x10000000 0x0 0x100000>; status = "disabled"; };
    uart@9000000 { compatible = "arm,pl011"; reg = <0x0 0x09000000 0x0 0x1000>; };
};
]=])
compile("${WORK}/banks.dts" "${WORK}/banks.dtb")
socsim_dtb_read_layout(DTB "${WORK}/banks.dtb" PREFIX t DEVICES UART arm,pl011)
expect("banks" "${t_RAM_BANKS}" "0x80000000:0x800000;0x90000000:0x1000000;0x880000000:0x400000000")
expect("boot bank base" "${t_RAM_BASE}" "0x80000000")
expect("boot bank size" "${t_RAM_SIZE}" "0x800000")
expect("uart" "${t_UART_BASE}" "0x9000000")

# virt: one bank, as before.
compile("${REPO}/platforms/virt.dts" "${WORK}/virt.dtb")
socsim_dtb_read_layout(DTB "${WORK}/virt.dtb" PREFIX v)
expect("virt banks" "${v_RAM_BANKS}" "0x40000000:0x8000000")
expect("virt base" "${v_RAM_BASE}" "0x40000000")
expect("virt size" "${v_RAM_SIZE}" "0x8000000")
message(STATUS "platform layout: banks ${t_RAM_BANKS}; virt ${v_RAM_BANKS}")
