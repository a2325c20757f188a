break main
continue
info registers pc
stepi
info registers pc
# A core register and an FP/SIMD register, written and put back.
set $saved_x9 = $x9
set $x9 = 0x1234abcd
p/x $x9
set $x9 = $saved_x9
set $saved_v1 = $v1.d.u[0]
set var $v1.d.u[0] = 0x55
p/x $v1.d.u[0]
set var $v1.d.u[0] = $saved_v1
# A device register through the bus (sim-control's ID), and RAM written and put back.
x/xw 0x090f0000
set $saved_word = *(unsigned int *)0x40ff0000
set {unsigned int}0x40ff0000 = 0xcafef00d
x/xw 0x40ff0000
set {unsigned int}0x40ff0000 = $saved_word
monitor time
continue
