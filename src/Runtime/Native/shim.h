// Shared plumbing of the extern "C" shim: handles, the thread-local last error, enum codes.
// The numeric codes below are mirrored one to one by the C# side (src/Runtime/Tensors).
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
// c10::optional is named in the shim: included directly, not through ATen headers whose includes differ across
// libtorch versions (its own type in 1.x, an alias of std::optional in 2.x).
#include <c10/util/Optional.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#define MDSL_EXPORT extern "C" __attribute__((visibility("default")))

// A tensor handle is a heap at::Tensor (a reference to a refcounted TensorImpl).
typedef at::Tensor* mdsl_tensor;

namespace mdsl {

extern std::atomic<int64_t> live_tensors;

void set_error(const char* message);

inline mdsl_tensor wrap(at::Tensor tensor) {
  TORCH_CHECK(tensor.defined(), "the operation produced no tensor");
  auto* handle = new at::Tensor(std::move(tensor));
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return handle;
}

// Runs body; any exception becomes the thread's last error and the call returns `failed`.
template <class R, class F>
R guard(R failed, F&& body) noexcept {
  try {
    return body();
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native exception");
  }
  return failed;
}

// Tensor-returning exports: null on failure.
template <class F>
mdsl_tensor guard_tensor(F&& body) noexcept {
  return guard<mdsl_tensor>(nullptr, [&] { return wrap(body()); });
}

// Status exports: 0 on success, 1 on failure.
template <class F>
int32_t guard_status(F&& body) noexcept {
  return guard<int32_t>(1, [&] {
    body();
    return 0;
  });
}

at::ScalarType to_scalar_type(int32_t code);
int32_t from_scalar_type(at::ScalarType type);
at::Device to_device(int32_t type, int32_t index);
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index);

inline at::IntArrayRef dims(const int64_t* values, int32_t count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

std::vector<at::Tensor> gather(mdsl_tensor const* tensors, int32_t count);

// ModelDsl.Runtime.Activation: Keras' activations, softmax over the last axis.
enum Activation : int32_t {
  Linear, Relu, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, Softsign, Gelu, Swish, HardSigmoid, Exponential
};

at::Tensor activate(const at::Tensor& x, int32_t activation);

// Whether this thread uses the hand-fused kernels (LSTM, Adam); off, the plain libtorch composition runs (tests
// compare the two).
bool fused_kernels();

// fused_lstm.cpp: an LSTM over the whole sequence as one autograd node, for float CPU tensors.
bool fused_lstm_applies(const at::Tensor& x, int32_t activation, int32_t recurrent_activation);
at::Tensor fused_lstm(const at::Tensor& x, const at::Tensor& kernel, const at::Tensor& recurrent, const at::Tensor& bias,
                      int32_t activation, int32_t recurrent_activation);

}  // namespace mdsl
