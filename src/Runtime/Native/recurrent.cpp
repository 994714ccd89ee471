// Keras' LSTM, GRU and SimpleRNN over a whole (batch, time, features) sequence in one call.
// Weights are in Keras' layout: kernel (features, gates * units), recurrent kernel (units, gates * units).
// An LSTM on the CPU runs as one autograd node (fused_lstm.cpp) unless fused kernels are switched off; otherwise,
// when the activations are the ones libtorch fuses (cuDNN on a GPU), libtorch's own RNN runs; else a cell loop of
// autograd-tracked ops. All project every
// timestep's input in one product, unbound once (slicing x[:, t] per step would make each slice's backward write
// a full-size zero gradient).
#include "shim.h"

using namespace mdsl;

namespace {

// (batch, time, features) -> (time, batch, gates * units) = x kernel + bias in one product; time-major, so
// every step's slice is contiguous.
at::Tensor project(const at::Tensor& x, const at::Tensor& kernel, const at::Tensor& bias) {
  TORCH_CHECK(x.dim() == 3, "a recurrent layer needs a 3-D input (batch, time, features), got ", x.dim(), "-D");
  TORCH_CHECK(x.size(1) > 0, "a recurrent layer needs at least one timestep");
  auto batch = x.size(0), time = x.size(1);
  auto flat = x.transpose(0, 1).reshape({time * batch, x.size(2)});
  auto projected = bias.defined() ? at::addmm(bias, flat, kernel) : at::mm(flat, kernel);
  return projected.view({time, batch, kernel.size(1)});
}

// Stacked outputs come back as a (batch, time, units) view of time-major storage: the next recurrent layer's
// projection reads it without a copy.
at::Tensor sequence(const std::vector<at::Tensor>& outputs) { return at::stack(outputs, 0).transpose(0, 1); }

at::Tensor optional_tensor(mdsl_tensor t) { return t ? *t : at::Tensor(); }

bool train_mode() { return c10::GradMode::is_enabled(); }

// Keras' gate blocks (a, b, c) along the last axis reordered as (b, a, c): GRU z, r, h -> PyTorch's r, z, n.
at::Tensor swap_first_gates(const at::Tensor& w) {
  auto parts = w.chunk(3, -1);
  return at::cat({parts[1], parts[0], parts[2]}, -1);
}

at::Tensor lstm(const at::Tensor& x, const at::Tensor& kernel, const at::Tensor& recurrent, const at::Tensor& bias,
                int32_t activation, int32_t recurrent_activation, bool return_sequences) {
  if (fused_kernels() && fused_lstm_applies(x, activation, recurrent_activation)) {
    auto hidden = fused_lstm(x, kernel, recurrent, bias, activation, recurrent_activation);
    return return_sequences ? hidden.transpose(0, 1) : hidden.select(0, hidden.size(0) - 1);
  }
  if (activation == Tanh && recurrent_activation == Sigmoid) {
    auto zeros = at::zeros({1, x.size(0), recurrent.size(0)}, x.options());
    std::vector<at::Tensor> params{kernel.t(), recurrent.t()};
    if (bias.defined()) {
      params.push_back(bias);
      params.push_back(at::zeros_like(bias));
    }
    auto result = at::lstm(x, {zeros, zeros}, params, bias.defined(), 1, 0.0, train_mode(), false, true);
    return return_sequences ? std::get<0>(result) : std::get<1>(result).select(0, 0);
  }
  auto inputs = project(x, kernel, bias).unbind(0);
  std::vector<at::Tensor> outputs;
  at::Tensor h, c;
  for (size_t t = 0; t < inputs.size(); ++t) {
    // h and c start at zero, so the first step has no recurrent product and no forget term.
    auto gates = t == 0 ? inputs[0] : at::addmm(inputs[t], h, recurrent);
    auto g = gates.chunk(4, 1);
    auto i = activate(g[0], recurrent_activation);
    auto candidate = activate(g[2], activation);
    auto o = activate(g[3], recurrent_activation);
    c = t == 0 ? i * candidate : activate(g[1], recurrent_activation) * c + i * candidate;
    h = o * activate(c, activation);
    if (return_sequences) outputs.push_back(h);
  }
  return return_sequences ? sequence(outputs) : h;
}

at::Tensor gru(const at::Tensor& x, const at::Tensor& kernel, const at::Tensor& recurrent, const at::Tensor& bias,
               int32_t activation, int32_t recurrent_activation, bool return_sequences, bool reset_after) {
  auto units = recurrent.size(0);
  auto h = at::zeros({x.size(0), units}, x.options());
  // reset_after: bias is (2, 3 units), an input and a recurrent bias; otherwise one (3 units) input bias.
  auto input_bias = bias.defined() && reset_after ? bias.select(0, 0) : bias;
  auto recurrent_bias = bias.defined() && reset_after ? bias.select(0, 1) : at::Tensor();
  if (reset_after && activation == Tanh && recurrent_activation == Sigmoid) {
    std::vector<at::Tensor> params{swap_first_gates(kernel).t(), swap_first_gates(recurrent).t()};
    if (bias.defined()) {
      params.push_back(swap_first_gates(input_bias));
      params.push_back(swap_first_gates(recurrent_bias));
    }
    auto result = at::gru(x, h.unsqueeze(0), params, bias.defined(), 1, 0.0, train_mode(), false, true);
    return return_sequences ? std::get<0>(result) : std::get<1>(result).select(0, 0);
  }
  auto inputs = project(x, kernel, input_bias).unbind(0);
  auto recurrent_zr = recurrent.narrow(1, 0, 2 * units);
  auto recurrent_h = recurrent.narrow(1, 2 * units, units);
  std::vector<at::Tensor> outputs;
  for (auto& input : inputs) {
    auto xg = input.chunk(3, 1);
    at::Tensor z, candidate;
    if (reset_after) {
      auto rec = recurrent_bias.defined() ? at::addmm(recurrent_bias, h, recurrent) : at::mm(h, recurrent);
      auto rg = rec.chunk(3, 1);
      z = activate(xg[0] + rg[0], recurrent_activation);
      auto r = activate(xg[1] + rg[1], recurrent_activation);
      candidate = activate(xg[2] + r * rg[2], activation);
    } else {
      auto rg = at::mm(h, recurrent_zr).chunk(2, 1);
      z = activate(xg[0] + rg[0], recurrent_activation);
      auto r = activate(xg[1] + rg[1], recurrent_activation);
      candidate = activate(at::addmm(xg[2], r * h, recurrent_h), activation);
    }
    h = candidate + z * (h - candidate);  // z h + (1 - z) candidate
    if (return_sequences) outputs.push_back(h);
  }
  return return_sequences ? sequence(outputs) : h;
}

at::Tensor simple_rnn(const at::Tensor& x, const at::Tensor& kernel, const at::Tensor& recurrent,
                      const at::Tensor& bias, int32_t activation, bool return_sequences) {
  if (activation == Tanh || activation == Relu) {
    auto h0 = at::zeros({1, x.size(0), recurrent.size(0)}, x.options());
    std::vector<at::Tensor> params{kernel.t(), recurrent.t()};
    if (bias.defined()) {
      params.push_back(bias);
      params.push_back(at::zeros_like(bias));
    }
    auto result = activation == Tanh
                      ? at::rnn_tanh(x, h0, params, bias.defined(), 1, 0.0, train_mode(), false, true)
                      : at::rnn_relu(x, h0, params, bias.defined(), 1, 0.0, train_mode(), false, true);
    return return_sequences ? std::get<0>(result) : std::get<1>(result).select(0, 0);
  }
  auto inputs = project(x, kernel, bias).unbind(0);
  std::vector<at::Tensor> outputs;
  at::Tensor h;
  for (size_t t = 0; t < inputs.size(); ++t) {
    h = activate(t == 0 ? inputs[0] : at::addmm(inputs[t], h, recurrent), activation);
    if (return_sequences) outputs.push_back(h);
  }
  return return_sequences ? sequence(outputs) : h;
}

}  // namespace

MDSL_EXPORT mdsl_tensor mdsl_lstm(mdsl_tensor x, mdsl_tensor kernel, mdsl_tensor recurrent, mdsl_tensor bias,
                                  int32_t activation, int32_t recurrent_activation, int32_t return_sequences) {
  return guard_tensor([&] {
    return lstm(*x, *kernel, *recurrent, optional_tensor(bias), activation, recurrent_activation,
                return_sequences != 0);
  });
}

MDSL_EXPORT mdsl_tensor mdsl_gru(mdsl_tensor x, mdsl_tensor kernel, mdsl_tensor recurrent, mdsl_tensor bias,
                                 int32_t activation, int32_t recurrent_activation, int32_t return_sequences,
                                 int32_t reset_after) {
  return guard_tensor([&] {
    return gru(*x, *kernel, *recurrent, optional_tensor(bias), activation, recurrent_activation,
               return_sequences != 0, reset_after != 0);
  });
}

MDSL_EXPORT mdsl_tensor mdsl_simple_rnn(mdsl_tensor x, mdsl_tensor kernel, mdsl_tensor recurrent, mdsl_tensor bias,
                                        int32_t activation, int32_t return_sequences) {
  return guard_tensor([&] {
    return simple_rnn(*x, *kernel, *recurrent, optional_tensor(bias), activation, return_sequences != 0);
  });
}
