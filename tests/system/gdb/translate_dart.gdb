monitor iommu
continue
monitor translate dwc3_0_dart_0 0 0xffffc000
monitor translate dwc3_0_dart_0 0 0xffff8000
monitor tlb dwc3_0_dart_0
monitor stop-on none
continue
