package main

import "runtime"

// heapInUse returns the bytes of Go heap in use (runtime.MemStats.HeapInuse):
// flat from epoch to epoch when training allocates nothing that lives on.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
