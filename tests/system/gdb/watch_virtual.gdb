# mmu_remap runs its DMA part from the TTBR1 alias of RAM (MMU_RAM_ALIAS, runtime/mmu.h): PC and
# SP at virtual addresses that are not the physical ones. A breakpoint there, then a write
# watchpoint on a stack slot below SP, by its virtual address.
break *(0xffffff8000000000 + (long)&dma_from_high_half)
continue
set $slot = $sp - 64
watch *(long *)$slot
continue
p/x $pc
x/i $pc - 4
delete
continue
