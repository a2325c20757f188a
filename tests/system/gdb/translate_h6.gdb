monitor iommu
continue
monitor translate iommu 3 0x30000000
monitor translate iommu 3 0x7ff00000
monitor stop-on none
continue
