// The reference model's LSTM cell (relu activation, sigmoid or hard-sigmoid gates) on the CPU as one autograd
// node for the whole sequence, with hand-written backpropagation through time. Per step the forward is one
// product plus one pass over the cell's elements, the backward one pass plus one product; the recurrent kernel's
// gradient is a single product over all steps. The generic cell loop would record ~11 autograd nodes per step
// and run ~25 kernels per step backwards, each tiny at batch 32.
#include "shim.h"

#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The gate activations are already applied to gates (i, f, candidate, o blocks of `units` per row).
template <typename T>
void cell_forward(T* gates, const T* c_prev, T* c, T* h, int64_t batch, int64_t units, bool hard_sigmoid) {
  for (int64_t b = 0; b < batch; ++b) {
    T* g = gates + b * 4 * units;
    const T* cp = c_prev ? c_prev + b * units : nullptr;
    T* cb = c + b * units;
    T* hb = h + b * units;
    for (int64_t u = 0; u < units; ++u) {
      if (hard_sigmoid) {
        for (int64_t k : {int64_t{0}, int64_t{1}, int64_t{3}}) {
          T y = g[k * units + u] * T(0.2) + T(0.5);
          g[k * units + u] = y < T(0) ? T(0) : (y > T(1) ? T(1) : y);
        }
      }
      T candidate = g[2 * units + u] > T(0) ? g[2 * units + u] : T(0);
      g[2 * units + u] = candidate;
      T cell = g[u] * candidate + (cp ? g[units + u] * cp[u] : T(0));
      cb[u] = cell;
      hb[u] = g[3 * units + u] * (cell > T(0) ? cell : T(0));
    }
  }
}

// dh = grad_h (the output's gradient, may be null) + dh_recurrent; dc holds dL/dc_t on entry and dL/dc_{t-1} on
// exit; d_gates receives dL/d(pre-activation gates).
template <typename T>
void cell_backward(const T* grad_h, const T* dh_recurrent, T* dc, const T* gates, const T* c, const T* c_prev,
                   T* d_gates, int64_t batch, int64_t units, bool hard_sigmoid) {
  auto gate_slope = [hard_sigmoid](T y) {
    return hard_sigmoid ? (y > T(0) && y < T(1) ? T(0.2) : T(0)) : y * (T(1) - y);
  };
  for (int64_t b = 0; b < batch; ++b) {
    const T* g = gates + b * 4 * units;
    T* d = d_gates + b * 4 * units;
    for (int64_t u = 0; u < units; ++u) {
      int64_t k = b * units + u;
      T i = g[u], f = g[units + u], candidate = g[2 * units + u], o = g[3 * units + u];
      T cell = c[k];
      T dh = dh_recurrent[k] + (grad_h ? grad_h[k] : T(0));
      T active = cell > T(0) ? cell : T(0);
      T dcell = dc[k] + (cell > T(0) ? dh * o : T(0));
      T previous = c_prev ? c_prev[k] : T(0);
      d[u] = dcell * candidate * gate_slope(i);
      d[units + u] = dcell * previous * gate_slope(f);
      d[2 * units + u] = candidate > T(0) ? dcell * i : T(0);
      d[3 * units + u] = dh * active * gate_slope(o);
      dc[k] = dcell * f;
    }
  }
}

struct ReluLstm : public torch::autograd::Function<ReluLstm> {
  // projected: (time, batch, 4 units) = x kernel + bias, time-major; returns h for every step (time, batch, units).
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& projected_input, const at::Tensor& recurrent,
                            bool hard_sigmoid) {
    auto projected = projected_input.contiguous();
    auto time = projected.size(0), batch = projected.size(1), width = projected.size(2), units = width / 4;
    auto gates = at::empty_like(projected);
    auto cells = at::empty({time, batch, units}, projected.options());
    auto hidden = at::empty({time, batch, units}, projected.options());
    for (int64_t t = 0; t < time; ++t) {
      auto g = gates.select(0, t);
      if (t == 0) {
        g.copy_(projected.select(0, 0));
      } else {
        at::addmm_out(g, projected.select(0, t), hidden.select(0, t - 1), recurrent);
      }
      if (!hard_sigmoid) {
        g.narrow(1, 0, 2 * units).sigmoid_();
        g.narrow(1, 3 * units, units).sigmoid_();
      }
      AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "relu_lstm_forward", [&] {
        cell_forward<scalar_t>(g.data_ptr<scalar_t>(), t == 0 ? nullptr : cells.select(0, t - 1).data_ptr<scalar_t>(),
                               cells.select(0, t).data_ptr<scalar_t>(), hidden.select(0, t).data_ptr<scalar_t>(), batch,
                               units, hard_sigmoid);
      });
    }
    ctx->save_for_backward({gates, cells, hidden, recurrent});
    ctx->saved_data["hard_sigmoid"] = hard_sigmoid;
    return hidden;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const auto &gates = saved[0], &cells = saved[1], &hidden = saved[2], &recurrent = saved[3];
    bool hard_sigmoid = ctx->saved_data["hard_sigmoid"].toBool();
    auto time = gates.size(0), batch = gates.size(1), width = gates.size(2), units = width / 4;
    auto grad = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : at::Tensor();
    auto d_gates = at::empty_like(gates);
    auto dh_recurrent = at::zeros({batch, units}, gates.options());
    auto dc = at::zeros({batch, units}, gates.options());
    auto recurrent_t = recurrent.t();
    for (int64_t t = time - 1; t >= 0; --t) {
      auto d = d_gates.select(0, t);
      AT_DISPATCH_FLOATING_TYPES(gates.scalar_type(), "relu_lstm_backward", [&] {
        cell_backward<scalar_t>(grad.defined() ? grad.select(0, t).data_ptr<scalar_t>() : nullptr,
                                dh_recurrent.data_ptr<scalar_t>(), dc.data_ptr<scalar_t>(),
                                gates.select(0, t).data_ptr<scalar_t>(), cells.select(0, t).data_ptr<scalar_t>(),
                                t == 0 ? nullptr : cells.select(0, t - 1).data_ptr<scalar_t>(), d.data_ptr<scalar_t>(),
                                batch, units, hard_sigmoid);
      });
      if (t > 0) at::mm_out(dh_recurrent, d, recurrent_t);
    }
    // Step t's recurrent product used h_{t-1}: one product over steps 1..T-1.
    auto d_recurrent = time > 1 ? at::mm(hidden.narrow(0, 0, time - 1).reshape({(time - 1) * batch, units}).t(),
                                         d_gates.narrow(0, 1, time - 1).reshape({(time - 1) * batch, width}))
                                : at::zeros_like(recurrent);
    return {d_gates, d_recurrent, at::Tensor()};
  }
};

}  // namespace

namespace mdsl {

bool fused_relu_lstm_applies(const at::Tensor& x, int32_t activation, int32_t recurrent_activation) {
  return activation == Relu && (recurrent_activation == Sigmoid || recurrent_activation == HardSigmoid) &&
         x.device().is_cpu() && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble);
}

at::Tensor fused_relu_lstm(const at::Tensor& projected, const at::Tensor& recurrent, int32_t recurrent_activation) {
  return ReluLstm::apply(projected, recurrent, recurrent_activation == HardSigmoid);
}

}  // namespace mdsl
