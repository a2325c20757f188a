# CMake toolchain file: bare-metal AArch64 firmware with Debian's cross GCC and picolibc.
#
#   cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-picolibc.cmake -S firmware -B build/firmware
#
# Packages: gcc-aarch64-linux-gnu, picolibc-aarch64-linux-gnu.
# The compiler is Debian's Linux-targeted GCC; picolibc.specs swaps in picolibc's headers, libc,
# crt0 and linker script (picolibc.ld). Console and exit go through Arm semihosting
# (--oslib=semihost --crt0=semihost), which both QEMU (-semihosting) and socsim implement.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SOCSIM_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "Prefix of the AArch64 cross tools")
set(CMAKE_C_COMPILER "${SOCSIM_CROSS_PREFIX}gcc")
set(CMAKE_ASM_COMPILER "${SOCSIM_CROSS_PREFIX}gcc")

# Nothing can run on the build host, so CMake's compiler checks build a library, not a program.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# --specs goes in the compile flags only: CMake also passes them when linking, and GCC rejects a
# specs file given twice.
# -fno-pie / -static -no-pie: Debian's GCC defaults to PIE, which would add .interp, .dynamic and
#   GOT indirections to an image that is loaded at its link address and never relocated.
# -mgeneral-regs-only: firmware never touches FP/SIMD registers itself (crt0 enables them for libc).
# -mstrict-align: the firmware runs with the MMU off, where every data access is Device memory and
#   an unaligned access faults; never let GCC merge byte accesses into unaligned loads.
set(CMAKE_C_FLAGS_INIT
    "--specs=picolibc.specs -ffreestanding -fno-pie -fno-stack-protector -mgeneral-regs-only -mstrict-align")
set(CMAKE_ASM_FLAGS_INIT "--specs=picolibc.specs -fno-pie")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -no-pie --oslib=semihost --crt0=semihost")

# Find headers and libraries for the target only; programs (dtc, fdtget) on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
