// Whole-step CUDA graphs: a training step (forward, loss, backward, optimizer update) is captured once on a side
// stream and replayed per batch, so a small model pays one graph launch per step instead of a kernel launch per op.
// Compiled with CUDA only where the libtorch found has it (MDSL_WITH_CUDA, CMakeLists.txt); a CPU build exports the
// same entry points, which fail with a message saying so.
#include "shim.h"

using namespace mdsl;

#ifdef MDSL_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <optional>

// The graph, the side stream that warm-up and capture run on, and the stream that was current before.
struct mdsl_graph_state {
  explicit mdsl_graph_state(c10::DeviceIndex device)
      : device(device), side(c10::cuda::getStreamFromPool(false, device)) {}
  c10::DeviceIndex device;
  at::cuda::CUDAGraph graph;
  c10::cuda::CUDAStream side;
  std::optional<c10::cuda::CUDAStream> outer;
  bool captured = false;
};

namespace {

// Work queued on `from` so far happens before anything queued on `to` from now on.
void order_after(const c10::cuda::CUDAStream& from, const c10::cuda::CUDAStream& to) {
  at::cuda::CUDAEvent event;
  event.record(from);
  event.block(to);
}

void enter_side_stream(mdsl_graph_state& state) {
  TORCH_CHECK(!state.outer, "this CUDA graph's side stream is already current");
  auto outer = c10::cuda::getCurrentCUDAStream(state.device);
  order_after(outer, state.side);
  state.outer = outer;
  c10::cuda::setCurrentCUDAStream(state.side);
}

void leave_side_stream(mdsl_graph_state& state) {
  TORCH_CHECK(state.outer, "this CUDA graph's side stream is not current");
  c10::cuda::setCurrentCUDAStream(*state.outer);
  order_after(state.side, *state.outer);
  state.outer.reset();
}

}  // namespace

MDSL_EXPORT mdsl_graph_state* mdsl_cuda_graph_new(int32_t device_index) {
  return guard<mdsl_graph_state*>(nullptr, [&] {
    TORCH_CHECK(device_index >= 0 && device_index < static_cast<int32_t>(c10::cuda::device_count()),
                "CUDA device ", device_index, " is not there (", static_cast<int>(c10::cuda::device_count()),
                " visible)");
    c10::cuda::CUDAGuard device(static_cast<c10::DeviceIndex>(device_index));
    return new mdsl_graph_state(static_cast<c10::DeviceIndex>(device_index));
  });
}

// Warm-up steps run eagerly on the side stream (libtorch's lazy set-up, cuBLAS workspaces included, must happen
// outside a capture, on the stream that will capture).
MDSL_EXPORT int32_t mdsl_cuda_graph_enter(mdsl_graph_state* state) {
  return guard_status([&] { enter_side_stream(*state); });
}

MDSL_EXPORT int32_t mdsl_cuda_graph_leave(mdsl_graph_state* state) {
  return guard_status([&] { leave_side_stream(*state); });
}

// Starts recording on the side stream (entered first). Tensors allocated until the end come from the graph's private
// memory pool and keep their addresses on every replay.
MDSL_EXPORT int32_t mdsl_cuda_graph_capture_begin(mdsl_graph_state* state) {
  return guard_status([&] {
    TORCH_CHECK(!state->captured, "this CUDA graph has been captured already");
    enter_side_stream(*state);
    try {
      state->graph.capture_begin();
    } catch (...) {
      leave_side_stream(*state);
      throw;
    }
  });
}

MDSL_EXPORT int32_t mdsl_cuda_graph_capture_end(mdsl_graph_state* state) {
  return guard_status([&] {
    struct Leave {
      mdsl_graph_state& s;
      ~Leave() {
        if (s.outer) leave_side_stream(s);
      }
    } leave{*state};
    state->graph.capture_end();
    state->captured = true;
  });
}

// Runs the captured work again on the current stream's device. The default CUDA generator is registered with the
// graph, so every replay draws fresh dropout masks.
MDSL_EXPORT int32_t mdsl_cuda_graph_replay(mdsl_graph_state* state) {
  return guard_status([&] {
    TORCH_CHECK(state->captured, "this CUDA graph has not been captured");
    state->graph.replay();
  });
}

MDSL_EXPORT void mdsl_cuda_graph_free(mdsl_graph_state* state) {
  guard_status([&] {
    if (state->outer) leave_side_stream(*state);
    delete state;
  });
}

MDSL_EXPORT int32_t mdsl_cuda_graphs_available() { return 1; }

#else

struct mdsl_graph_state;

namespace {
constexpr const char* no_cuda =
    "this build of the native shim has no CUDA: build it against a CUDA libtorch (see docs/performance.md)";
}

MDSL_EXPORT mdsl_graph_state* mdsl_cuda_graph_new(int32_t) {
  set_error(no_cuda);
  return nullptr;
}

MDSL_EXPORT int32_t mdsl_cuda_graph_enter(mdsl_graph_state*) { return set_error(no_cuda), 1; }
MDSL_EXPORT int32_t mdsl_cuda_graph_leave(mdsl_graph_state*) { return set_error(no_cuda), 1; }
MDSL_EXPORT int32_t mdsl_cuda_graph_capture_begin(mdsl_graph_state*) { return set_error(no_cuda), 1; }
MDSL_EXPORT int32_t mdsl_cuda_graph_capture_end(mdsl_graph_state*) { return set_error(no_cuda), 1; }
MDSL_EXPORT int32_t mdsl_cuda_graph_replay(mdsl_graph_state*) { return set_error(no_cuda), 1; }
MDSL_EXPORT void mdsl_cuda_graph_free(mdsl_graph_state*) {}
MDSL_EXPORT int32_t mdsl_cuda_graphs_available() { return 0; }

#endif
