// How the process's heap treats the large buffers of a training step. glibc serves allocations above its mmap
// threshold with fresh mmap()s and gives the top of the heap back to the system when more than the trim threshold is
// free: a training step frees its activations and gradients at its end, so the next step page-faults them in afresh.
// On the 2-core dev VM that costs more than the arithmetic (the MNIST CNN's step: ~65 ms -> ~14 ms; both sides,
// the PyTorch peer too, see docs/performance.md). Keeping freed memory in the heap lets each step reuse the last
// one's pages, the way PyTorch's CUDA caching allocator does on the GPU. The price: the resident set stays at its
// peak instead of shrinking between steps.
//
// Applied when the shim loads, unless the user set glibc's own knobs (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
// GLIBC_TUNABLES), or MODELDSL_KEEP_FREED_MEMORY=0.
#include "shim.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace {

bool tuned = false;

bool set(const char* name) { return std::getenv(name) != nullptr; }

__attribute__((constructor)) void keep_freed_memory() {
  const char* opt_out = std::getenv("MODELDSL_KEEP_FREED_MEMORY");
  if (opt_out != nullptr && std::strcmp(opt_out, "0") == 0) return;
  if (set("MALLOC_MMAP_THRESHOLD_") || set("MALLOC_TRIM_THRESHOLD_") || set("GLIBC_TUNABLES")) return;
  // 32 MiB is glibc's largest mmap threshold on 64-bit (setting it also stops the threshold's own adjustment);
  // anything larger still gets its own mapping.
  bool mmap_set = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  bool trim_set = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  tuned = mmap_set && trim_set;
}

}  // namespace

MDSL_EXPORT int32_t mdsl_keeps_freed_memory() { return tuned ? 1 : 0; }
