// Command heapprofile shows what the eksa-irsa plugin holds in its heap at the point where
// `make bench` reads its peak RSS: after every package's initialisation and one GetSchema.
// It prints the Go runtime's heap figures at both points and writes a heap profile that
// `go tool pprof` reads (for example `go tool pprof -top -sample_index=alloc_space`), so a
// change meant to make the plugin leaner can be checked package by package rather than by
// the one RSS figure. Run it with GODEBUG=memprofilerate=1 to record every allocation,
// including those of package initialisation, which run before main could set the rate.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	p "github.com/pulumi/pulumi-go-provider"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

func main() {
	out := flag.String("o", "heap.pprof", "file to write the heap profile to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "heapprofile:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	report("after package initialisation")
	if _, err := p.GetSchema(context.Background(), provider.Name, provider.Version, provider.Provider()); err != nil {
		return err
	}
	report("after one GetSchema")
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	// The profile's in-use figures are those of the last collection, so collect first.
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}

// report prints the heap figures that bear on RSS: what was ever allocated, what is still
// reachable, and what the runtime has taken from the system for the heap.
func report(when string) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	const mib = 1 << 20
	fmt.Printf("%-32s allocated %6.1f MiB in %8d objects; live %6.1f MiB; heap from system %6.1f MiB\n",
		when+":", float64(m.TotalAlloc)/mib, m.Mallocs, float64(m.HeapAlloc)/mib, float64(m.HeapSys)/mib)
}
