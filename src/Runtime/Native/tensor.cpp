// Handles, errors, creation, copies, autograd switches and global settings.
#include "shim.h"

#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/Parallel.h>

namespace mdsl {

std::atomic<int64_t> live_tensors{0};

namespace {
thread_local std::string last_error;
}

void set_error(const char* message) { last_error = message ? message : "unknown native error"; }

at::ScalarType to_scalar_type(int32_t code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kDouble;
    case 2: return at::kLong;
    case 3: return at::kByte;
    case 4: return at::kBool;
    case 5: return at::kInt;
    default: TORCH_CHECK(false, "unknown dtype code ", code);
  }
}

int32_t from_scalar_type(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return 0;
    case at::kDouble: return 1;
    case at::kLong: return 2;
    case at::kByte: return 3;
    case at::kBool: return 4;
    case at::kInt: return 5;
    default: TORCH_CHECK(false, "dtype ", type, " is not supported by ModelDsl");
  }
}

at::Device to_device(int32_t type, int32_t index) {
  switch (type) {
    case 0: return at::Device(at::kCPU);
    case 1: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
    default: TORCH_CHECK(false, "unknown device type code ", type);
  }
}

at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
  return at::TensorOptions().dtype(to_scalar_type(dtype)).device(to_device(device_type, device_index));
}

std::vector<at::Tensor> gather(mdsl_tensor const* tensors, int32_t count) {
  std::vector<at::Tensor> result;
  result.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) result.push_back(*tensors[i]);
  return result;
}

}  // namespace mdsl

using namespace mdsl;

// Valid until the next failing call on the same thread; the C# side copies it at once.
MDSL_EXPORT const char* mdsl_last_error() { return last_error.c_str(); }

MDSL_EXPORT int64_t mdsl_live_tensors() { return live_tensors.load(std::memory_order_relaxed); }

MDSL_EXPORT void mdsl_free(mdsl_tensor t) {
  if (t == nullptr) return;
  delete t;
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

MDSL_EXPORT int32_t mdsl_info(mdsl_tensor t, int32_t* dtype, int32_t* ndim, int32_t* device_type,
                              int32_t* device_index, int32_t* requires_grad) {
  return guard_status([&] {
    *dtype = from_scalar_type(t->scalar_type());
    *ndim = static_cast<int32_t>(t->dim());
    auto device = t->device();
    *device_type = device.is_cuda() ? 1 : 0;
    *device_index = device.is_cuda() ? device.index() : 0;
    *requires_grad = t->requires_grad() ? 1 : 0;
  });
}

// Writes up to capacity sizes; *ndim tells the caller whether it needs a bigger buffer.
MDSL_EXPORT int32_t mdsl_shape(mdsl_tensor t, int64_t* shape, int32_t capacity, int32_t* ndim) {
  return guard_status([&] {
    *ndim = static_cast<int32_t>(t->dim());
    for (int64_t i = 0; i < t->dim() && i < capacity; ++i) shape[i] = t->size(i);
  });
}

// One copy: from the caller's (pinned) buffer straight into the new tensor's storage on its device.
MDSL_EXPORT mdsl_tensor mdsl_from_data(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype,
                                       int32_t device_type, int32_t device_index) {
  return guard_tensor([&] {
    auto source = at::from_blob(const_cast<void*>(data), dims(shape, ndim), options(dtype, 0, 0));
    auto result = at::empty(dims(shape, ndim), options(dtype, device_type, device_index));
    result.copy_(source);
    return result;
  });
}

// One copy from any device and layout into the caller's buffer, which must match the tensor's dtype.
MDSL_EXPORT int32_t mdsl_copy_to(mdsl_tensor t, void* data, int64_t capacity_bytes) {
  return guard_status([&] {
    TORCH_CHECK(static_cast<int64_t>(t->nbytes()) <= capacity_bytes, "destination holds ", capacity_bytes,
                " bytes but the tensor has ", t->nbytes());
    auto target = at::from_blob(data, t->sizes(), at::TensorOptions().dtype(t->scalar_type()));
    target.copy_(t->detach());
  });
}

MDSL_EXPORT int32_t mdsl_item(mdsl_tensor t, double* value) {
  return guard_status([&] { *value = t->item<double>(); });
}

MDSL_EXPORT int32_t mdsl_item_long(mdsl_tensor t, int64_t* value) {
  return guard_status([&] { *value = t->item<int64_t>(); });
}

// kind: 0 zeros, 1 ones, 2 full(value), 3 empty.
MDSL_EXPORT mdsl_tensor mdsl_filled(const int64_t* shape, int32_t ndim, int32_t kind, double value, int32_t dtype,
                                    int32_t device_type, int32_t device_index) {
  return guard_tensor([&] {
    auto opts = options(dtype, device_type, device_index);
    auto size = dims(shape, ndim);
    switch (kind) {
      case 0: return at::zeros(size, opts);
      case 1: return at::ones(size, opts);
      case 2: return at::full(size, value, opts);
      case 3: return at::empty(size, opts);
      default: TORCH_CHECK(false, "unknown fill kind ", kind);
    }
  });
}

// kind: 0 uniform [a, b), 1 normal(mean a, std b), 2 Keras' truncated normal (redrawn beyond 2 std).
MDSL_EXPORT mdsl_tensor mdsl_random(const int64_t* shape, int32_t ndim, int32_t kind, double a, double b,
                                    int32_t dtype, int32_t device_type, int32_t device_index) {
  return guard_tensor([&] {
    auto opts = options(dtype, device_type, device_index);
    auto size = dims(shape, ndim);
    switch (kind) {
      case 0: return at::empty(size, opts).uniform_(a, b);
      case 1: return at::empty(size, opts).normal_(a, b);
      case 2: {
        auto values = at::randn(size, opts);
        for (;;) {
          auto outside = values.abs() > 2.0;
          if (!outside.any().item<bool>()) break;
          values = at::where(outside, at::randn(size, opts), values);
        }
        return values.mul_(b).add_(a);
      }
      default: TORCH_CHECK(false, "unknown random kind ", kind);
    }
  });
}

MDSL_EXPORT mdsl_tensor mdsl_randperm(int64_t n, int32_t device_type, int32_t device_index) {
  return guard_tensor([&] { return at::randperm(n, options(2, device_type, device_index)); });
}

MDSL_EXPORT mdsl_tensor mdsl_arange(double start, double end, double step, int32_t dtype, int32_t device_type,
                                    int32_t device_index) {
  return guard_tensor([&] { return at::arange(start, end, step, options(dtype, device_type, device_index)); });
}

// kind: 0 zeros_like, 1 ones_like, 2 full_like(value), 3 empty_like, 4 rand_like, 5 randn_like.
MDSL_EXPORT mdsl_tensor mdsl_like(mdsl_tensor t, int32_t kind, double value) {
  return guard_tensor([&] {
    switch (kind) {
      case 0: return at::zeros_like(*t);
      case 1: return at::ones_like(*t);
      case 2: return at::full_like(*t, value);
      case 3: return at::empty_like(*t);
      case 4: return at::rand_like(*t);
      case 5: return at::randn_like(*t);
      default: TORCH_CHECK(false, "unknown like kind ", kind);
    }
  });
}

MDSL_EXPORT mdsl_tensor mdsl_to(mdsl_tensor t, int32_t dtype, int32_t device_type, int32_t device_index,
                                int32_t copy) {
  return guard_tensor([&] {
    return t->to(to_device(device_type, device_index), to_scalar_type(dtype), /*non_blocking=*/false, copy != 0);
  });
}

// Keras' orthogonal initializer: QR of a normal matrix, signs fixed by R's diagonal, the tall side transposed.
MDSL_EXPORT mdsl_tensor mdsl_orthogonal(int64_t rows, int64_t cols, double gain, int32_t dtype) {
  return guard_tensor([&] {
    auto normal = at::randn({std::max(rows, cols), std::min(rows, cols)}, at::TensorOptions().dtype(at::kDouble));
    auto qr = at::linalg_qr(normal, "reduced");
    auto q = std::get<0>(qr) * at::sign(at::diagonal(std::get<1>(qr)));
    if (rows < cols) q = q.t();
    return (q * gain).contiguous().to(to_scalar_type(dtype));
  });
}

// ---- autograd ----

MDSL_EXPORT int32_t mdsl_set_requires_grad(mdsl_tensor t, int32_t value) {
  return guard_status([&] { t->set_requires_grad(value != 0); });
}

// *grad is null when the tensor has no gradient (yet).
MDSL_EXPORT int32_t mdsl_grad(mdsl_tensor t, mdsl_tensor* grad) {
  return guard_status([&] {
    const auto& g = t->grad();
    *grad = g.defined() ? wrap(g) : nullptr;
  });
}

MDSL_EXPORT int32_t mdsl_backward(mdsl_tensor t, mdsl_tensor gradient, int32_t retain_graph) {
  return guard_status([&] {
    t->backward(gradient ? *gradient : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
  });
}

// Drops the gradients (like PyTorch's zero_grad(set_to_none=True)): nothing to zero, the next backward writes anew.
MDSL_EXPORT int32_t mdsl_clear_grads(mdsl_tensor const* tensors, int32_t count) {
  return guard_status([&] {
    for (int32_t i = 0; i < count; ++i) tensors[i]->mutable_grad().reset();
  });
}

MDSL_EXPORT int32_t mdsl_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

MDSL_EXPORT void mdsl_set_grad_enabled(int32_t enabled) { c10::GradMode::set_enabled(enabled != 0); }

// Replaces the tensor's data in place (PyTorch's `param.data = other`): identity and requires_grad stay.
MDSL_EXPORT int32_t mdsl_set_data(mdsl_tensor t, mdsl_tensor source) {
  return guard_status([&] { t->set_data(*source); });
}

// ---- global settings ----

MDSL_EXPORT int32_t mdsl_manual_seed(uint64_t seed) {
  return guard_status([&] { at::manual_seed(seed); });
}

MDSL_EXPORT int32_t mdsl_set_num_threads(int32_t threads) {
  return guard_status([&] { at::set_num_threads(threads); });
}

MDSL_EXPORT int32_t mdsl_get_num_threads() { return at::get_num_threads(); }

// OpenBLAS reads OPENBLAS_NUM_THREADS only when it loads; this resizes its pool afterwards. Weak, so the shim still
// loads where libblas.so.3 is another BLAS: then it reports 0 and changes nothing.
extern "C" void openblas_set_num_threads(int threads) __attribute__((weak));
extern "C" int openblas_get_num_threads() __attribute__((weak));

MDSL_EXPORT int32_t mdsl_set_blas_threads(int32_t threads) {
  if (openblas_set_num_threads == nullptr) return 0;
  openblas_set_num_threads(threads);
  return 1;
}

MDSL_EXPORT int32_t mdsl_get_blas_threads() {
  return openblas_get_num_threads == nullptr ? 0 : openblas_get_num_threads();
}

namespace {
thread_local bool use_fused_kernels = true;
}

bool mdsl::fused_kernels() { return use_fused_kernels; }

MDSL_EXPORT void mdsl_set_fused_kernels(int32_t enabled) { use_fused_kernels = enabled != 0; }

MDSL_EXPORT int32_t mdsl_get_fused_kernels() { return use_fused_kernels ? 1 : 0; }

MDSL_EXPORT int32_t mdsl_cuda_device_count() {
  return guard<int32_t>(0, [] { return static_cast<int32_t>(torch::cuda::device_count()); });
}

MDSL_EXPORT int32_t mdsl_cuda_synchronize(int32_t device_index) {
  return guard_status([&] {
    if (torch::cuda::is_available()) torch::cuda::synchronize(device_index);
  });
}

MDSL_EXPORT const char* mdsl_torch_version() { return TORCH_VERSION; }
