continue
# The core stopped right after the device read during which the DMA ran: the edu's status poll.
x/i $pc - 4
monitor translate smmu 8 0xffff000
continue
continue
monitor translate smmu 8 0xffff000
monitor tlb smmu
monitor stop-on none
continue
