monitor stop-on none
monitor dma-watch 0x40000000 0x8000000
continue
monitor dma-watch off
continue
