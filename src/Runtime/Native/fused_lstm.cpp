// Keras' LSTM on the CPU as one autograd node for the whole sequence (input projection included), with hand-written
// backpropagation through time, for cell activations relu, tanh, sigmoid, linear, hard-sigmoid and gates sigmoid or
// hard-sigmoid (the reference model's relu cell, and tanh, where libtorch's CPU LSTM is a cell loop of ~20
// autograd-tracked ops per step). Per step the forward is one product accumulated into the gate buffer, a few
// vectorised in-place activations and two passes over the cell; the backward one pass plus one product; the
// kernels' gradients are single products over all steps. All buffers are allocated once per call.
// The products go to oneDNN's sgemm where libtorch brought it along (it picks AVX-512 kernels by CPU feature, and
// runs these shapes ~2x faster than OpenBLAS' Haswell kernels on the reference machine), else to libtorch's mm.
#include "shim.h"

#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

extern "C" int dnnl_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc)
    __attribute__((weak));

namespace {

using torch::autograd::AutogradContext;

// A 2-D operand as sgemm sees it (row-major): 'N' with rows `stride(0)` apart, or 'T' for a transposed view.
bool describe(const at::Tensor& m, char& trans, int64_t& ld) {
  if (m.stride(1) == 1 && m.stride(0) >= std::max<int64_t>(m.size(1), 1)) {
    trans = 'N', ld = m.stride(0);
    return true;
  }
  if (m.stride(0) == 1 && m.stride(1) >= std::max<int64_t>(m.size(0), 1)) {
    trans = 'T', ld = m.stride(1);
    return true;
  }
  return false;
}

// out = beta * out + a @ b (beta 0: out's contents are ignored).
void gemm(at::Tensor out, const at::Tensor& a, const at::Tensor& b, float beta) {
  char ta, tb, tc;
  int64_t lda, ldb, ldc;
  if (dnnl_sgemm != nullptr && out.scalar_type() == at::kFloat && a.numel() > 0 && b.numel() > 0 &&
      describe(a, ta, lda) && describe(b, tb, ldb) && describe(out, tc, ldc) && tc == 'N' &&
      dnnl_sgemm(ta, tb, a.size(0), b.size(1), a.size(1), 1.0f, a.data_ptr<float>(), lda, b.data_ptr<float>(), ldb,
                 beta, out.data_ptr<float>(), ldc) == 0) {
    return;
  }
  if (beta == 0.0f) {
    at::mm_out(out, a, b);
  } else {
    out.addmm_(a, b, beta, 1.0);
  }
}
using torch::autograd::variable_list;

// tanh and sigmoid go through libtorch's vectorised kernels; the piecewise-linear ones are computed inline.
bool transcendental(int32_t activation) { return activation == mdsl::Tanh || activation == mdsl::Sigmoid; }

void activate_(at::Tensor x, int32_t activation) {
  if (activation == mdsl::Tanh) x.tanh_();
  if (activation == mdsl::Sigmoid) x.sigmoid_();
}

template <int32_t A, typename T>
inline T inline_activation(T x) {
  if constexpr (A == mdsl::Relu) return x > T(0) ? x : T(0);
  if constexpr (A == mdsl::HardSigmoid) {
    T y = x * T(0.2) + T(0.5);
    return y < T(0) ? T(0) : (y > T(1) ? T(1) : y);
  }
  return x;  // Linear, or already applied (tanh, sigmoid)
}

// The activation's derivative from its output y.
template <int32_t A, typename T>
inline T slope(T y) {
  if constexpr (A == mdsl::Relu) return y > T(0) ? T(1) : T(0);
  if constexpr (A == mdsl::Tanh) return T(1) - y * y;
  if constexpr (A == mdsl::Sigmoid) return y * (T(1) - y);
  if constexpr (A == mdsl::HardSigmoid) return (y > T(0)) & (y < T(1)) ? T(0.2) : T(0);
  return T(1);
}

// gates: (batch, 4 units) pre-activations, except that transcendental activations are already applied; on exit
// they hold the activated gates. Writes c_t, and act(c_t) and h_t unless act is transcendental (then the caller
// activates `active` in place and calls output_step). Branch-free over restrict pointers (c_prev is zeros at the first
// step) so the compiler vectorises the inner loops.
template <int32_t A, int32_t G, typename T>
void cell_forward(T* __restrict gates, const T* __restrict c_prev, T* __restrict c, T* __restrict active,
                  T* __restrict h, int64_t batch, int64_t units) {
  for (int64_t b = 0; b < batch; ++b) {
    T* __restrict gi = gates + b * 4 * units;
    T* __restrict gf = gi + units;
    T* __restrict gz = gi + 2 * units;
    T* __restrict go = gi + 3 * units;
    int64_t row = b * units;
    for (int64_t u = 0; u < units; ++u) {
      T i = inline_activation<G>(gi[u]), f = inline_activation<G>(gf[u]);
      T z = inline_activation<A>(gz[u]), o = inline_activation<G>(go[u]);
      gi[u] = i, gf[u] = f, gz[u] = z, go[u] = o;
      T cell = i * z + f * c_prev[row + u];
      T y = inline_activation<A>(cell);
      c[row + u] = cell;
      active[row + u] = y;
      h[row + u] = o * y;  // overwritten by output_step for transcendental activations
    }
  }
}

template <typename T>
void output_step(const T* __restrict gates, const T* __restrict active, T* __restrict h, int64_t batch, int64_t units) {
  for (int64_t b = 0; b < batch; ++b) {
    const T* __restrict o = gates + b * 4 * units + 3 * units;
    for (int64_t u = 0; u < units; ++u) h[b * units + u] = o[u] * active[b * units + u];
  }
}

// dh = grad_h (the output's gradient, zeros where there is none) + dh_recurrent; dc holds dL/dc_t on entry and
// dL/dc_{t-1} on exit; d_gates receives dL/d(pre-activation gates).
template <int32_t A, int32_t G, typename T>
void cell_backward(const T* __restrict grad_h, const T* __restrict dh_recurrent, T* __restrict dc,
                   const T* __restrict gates, const T* __restrict active, const T* __restrict c_prev,
                   T* __restrict d_gates, int64_t batch, int64_t units) {
  for (int64_t b = 0; b < batch; ++b) {
    const T* __restrict g = gates + b * 4 * units;
    T* __restrict d = d_gates + b * 4 * units;
    int64_t row = b * units;
    for (int64_t u = 0; u < units; ++u) {
      int64_t k = row + u;
      T i = g[u], f = g[units + u], z = g[2 * units + u], o = g[3 * units + u];
      T y = active[k];
      T dh = dh_recurrent[k] + grad_h[k];
      T dcell = dc[k] + dh * o * slope<A>(y);
      d[u] = dcell * z * slope<G>(i);
      d[units + u] = dcell * c_prev[k] * slope<G>(f);
      d[2 * units + u] = dcell * i * slope<A>(z);
      d[3 * units + u] = dh * y * slope<G>(o);
      dc[k] = dcell * f;
    }
  }
}

// Calls body.template operator()<A, G>() with the activation codes as compile-time constants.
template <class F>
void dispatch_activations(int32_t activation, int32_t gate, F&& body) {
  auto with_gate = [&](auto a) {
    if (gate == mdsl::HardSigmoid) {
      body(a, std::integral_constant<int32_t, mdsl::HardSigmoid>{});
    } else {
      body(a, std::integral_constant<int32_t, mdsl::Sigmoid>{});
    }
  };
  switch (activation) {
    case mdsl::Relu: return with_gate(std::integral_constant<int32_t, mdsl::Relu>{});
    case mdsl::Tanh: return with_gate(std::integral_constant<int32_t, mdsl::Tanh>{});
    case mdsl::Sigmoid: return with_gate(std::integral_constant<int32_t, mdsl::Sigmoid>{});
    case mdsl::HardSigmoid: return with_gate(std::integral_constant<int32_t, mdsl::HardSigmoid>{});
    default: return with_gate(std::integral_constant<int32_t, mdsl::Linear>{});
  }
}

struct FusedLstm : public torch::autograd::Function<FusedLstm> {
  // x: (batch, time, features); kernel (features, 4 units), recurrent (units, 4 units), bias (4 units) or undefined.
  // Returns h for every step, time-major: (time, batch, units).
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& kernel_input,
                            const at::Tensor& recurrent_input, const at::Tensor& bias, int64_t activation, int64_t gate) {
    auto batch = x.size(0), time = x.size(1), features = x.size(2);
    auto kernel = kernel_input.contiguous(), recurrent = recurrent_input.contiguous();
    auto units = recurrent.size(0), width = 4 * units;
    // Time-major rows, so every step's slice is contiguous (a free view when x is a previous layer's output).
    auto inputs = x.transpose(0, 1).contiguous().view({time * batch, features});
    auto gates = at::empty({time, batch, width}, x.options());
    auto flat_gates = gates.view({time * batch, width});
    if (bias.defined()) flat_gates.copy_(bias.expand({time * batch, width}));
    gemm(flat_gates, inputs, kernel, bias.defined() ? 1.0f : 0.0f);
    auto cells = at::empty({time, batch, units}, x.options());
    auto active = at::empty({time, batch, units}, x.options());
    auto hidden = at::empty({time, batch, units}, x.options());
    auto zeros = at::zeros({batch, units}, x.options());
    for (int64_t t = 0; t < time; ++t) {
      auto g = gates.select(0, t);
      // h and c start at zero: the first step has no recurrent product and no forget term.
      if (t > 0) gemm(g, hidden.select(0, t - 1), recurrent, 1.0f);
      if (gate == mdsl::Sigmoid) {
        g.narrow(1, 0, 2 * units).sigmoid_();
        g.narrow(1, 3 * units, units).sigmoid_();
      }
      activate_(g.narrow(1, 2 * units, units), static_cast<int32_t>(activation));
      AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "fused_lstm_forward", [&] {
        dispatch_activations(activation, gate, [&](auto a, auto r) {
          cell_forward<decltype(a)::value, decltype(r)::value, scalar_t>(
              g.data_ptr<scalar_t>(), (t == 0 ? zeros : cells.select(0, t - 1)).data_ptr<scalar_t>(),
              cells.select(0, t).data_ptr<scalar_t>(), active.select(0, t).data_ptr<scalar_t>(),
              hidden.select(0, t).data_ptr<scalar_t>(), batch, units);
        });
        if (transcendental(static_cast<int32_t>(activation))) {
          activate_(active.select(0, t), static_cast<int32_t>(activation));
          output_step<scalar_t>(g.data_ptr<scalar_t>(), active.select(0, t).data_ptr<scalar_t>(),
                                hidden.select(0, t).data_ptr<scalar_t>(), batch, units);
        }
      });
    }
    ctx->save_for_backward({inputs, kernel, recurrent, gates, cells, active, hidden});
    ctx->saved_data["activation"] = activation;
    ctx->saved_data["gate"] = gate;
    ctx->saved_data["has_bias"] = bias.defined();
    ctx->saved_data["batch"] = batch;
    return hidden;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const auto &inputs = saved[0], &kernel = saved[1], &recurrent = saved[2], &gates = saved[3], &cells = saved[4],
               &active = saved[5], &hidden = saved[6];
    auto activation = ctx->saved_data["activation"].toInt(), gate = ctx->saved_data["gate"].toInt();
    auto batch = ctx->saved_data["batch"].toInt();
    auto time = gates.size(0), width = gates.size(2), units = width / 4, features = inputs.size(1);
    auto grad = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : at::Tensor();
    auto d_gates = at::empty_like(gates);
    auto dh_recurrent = at::zeros({batch, units}, gates.options());
    auto dc = at::zeros({batch, units}, gates.options());
    auto zeros = at::zeros({batch, units}, gates.options());
    auto recurrent_t = recurrent.t();
    for (int64_t t = time - 1; t >= 0; --t) {
      auto d = d_gates.select(0, t);
      AT_DISPATCH_FLOATING_TYPES(gates.scalar_type(), "fused_lstm_backward", [&] {
        dispatch_activations(activation, gate, [&](auto a, auto r) {
          cell_backward<decltype(a)::value, decltype(r)::value, scalar_t>(
              (grad.defined() ? grad.select(0, t) : zeros).data_ptr<scalar_t>(), dh_recurrent.data_ptr<scalar_t>(),
              dc.data_ptr<scalar_t>(), gates.select(0, t).data_ptr<scalar_t>(),
              active.select(0, t).data_ptr<scalar_t>(),
              (t == 0 ? zeros : cells.select(0, t - 1)).data_ptr<scalar_t>(), d.data_ptr<scalar_t>(), batch, units);
        });
      });
      if (t > 0) gemm(dh_recurrent, d, recurrent_t, 0.0f);
    }
    auto flat_d = d_gates.view({time * batch, width});
    // Step t's recurrent product used h_{t-1}: one product over steps 1..T-1.
    auto d_recurrent = at::zeros_like(recurrent);
    if (time > 1) {
      gemm(d_recurrent, hidden.narrow(0, 0, time - 1).view({(time - 1) * batch, units}).t(),
           d_gates.narrow(0, 1, time - 1).view({(time - 1) * batch, width}), 0.0f);
    }
    auto d_kernel = at::empty_like(kernel);
    gemm(d_kernel, inputs.t(), flat_d, 0.0f);
    at::Tensor d_x;
    if (ctx->needs_input_grad(0)) {
      auto d_inputs = at::empty({time * batch, features}, gates.options());
      gemm(d_inputs, flat_d, kernel.t(), 0.0f);
      d_x = d_inputs.view({time, batch, features}).transpose(0, 1);
    }
    auto d_bias = ctx->saved_data["has_bias"].toBool() ? flat_d.sum(0) : at::Tensor();
    return {d_x, d_kernel, d_recurrent, d_bias, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

namespace mdsl {

bool fused_lstm_applies(const at::Tensor& x, int32_t activation, int32_t recurrent_activation) {
  bool cell = activation == Relu || activation == Tanh || activation == Sigmoid || activation == Linear ||
              activation == HardSigmoid;
  return cell && (recurrent_activation == Sigmoid || recurrent_activation == HardSigmoid) && x.device().is_cpu() &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble);
}

at::Tensor fused_lstm(const at::Tensor& x, const at::Tensor& kernel, const at::Tensor& recurrent, const at::Tensor& bias,
                      int32_t activation, int32_t recurrent_activation) {
  TORCH_CHECK(x.dim() == 3, "a recurrent layer needs a 3-D input (batch, time, features), got ", x.dim(), "-D");
  TORCH_CHECK(x.size(1) > 0, "a recurrent layer needs at least one timestep");
  return FusedLstm::apply(x, kernel, recurrent, bias, static_cast<int64_t>(activation),
                          static_cast<int64_t>(recurrent_activation));
}

}  // namespace mdsl
