// Neural-network ops: convolutions and pooling (PyTorch layout, and Keras' channels-last in one call),
// batch normalization with Keras' moving statistics, embedding, dropout and the loss primitives.
#include "shim.h"

using namespace mdsl;

namespace {

// Keras layout: (k..., in, out) -> PyTorch's (out, in, k...).
at::Tensor torch_kernel(const at::Tensor& kernel) {
  std::vector<int64_t> order{kernel.dim() - 1, kernel.dim() - 2};
  for (int64_t i = 0; i < kernel.dim() - 2; ++i) order.push_back(i);
  return kernel.permute(order);
}

// (batch, spatial..., channels) <-> (batch, channels, spatial...).
at::Tensor channels_first(const at::Tensor& x) {
  std::vector<int64_t> order{0, x.dim() - 1};
  for (int64_t i = 1; i < x.dim() - 1; ++i) order.push_back(i);
  return x.permute(order);
}

at::Tensor channels_last(const at::Tensor& x) {
  std::vector<int64_t> order{0};
  for (int64_t i = 2; i < x.dim(); ++i) order.push_back(i);
  order.push_back(1);
  return x.permute(order);
}

// Pads the spatial axes of a channels-first tensor: before[i]/after[i] for spatial axis i.
at::Tensor pad_spatial(const at::Tensor& x, const int64_t* before, const int64_t* after, int32_t spatial,
                       double value) {
  bool any = false;
  std::vector<int64_t> pads;  // constant_pad_nd wants the last axis first
  for (int32_t i = spatial - 1; i >= 0; --i) {
    pads.push_back(before[i]);
    pads.push_back(after[i]);
    any = any || before[i] != 0 || after[i] != 0;
  }
  return any ? at::constant_pad_nd(x, pads, value) : x;
}

}  // namespace

MDSL_EXPORT mdsl_tensor mdsl_conv(mdsl_tensor x, mdsl_tensor weight, mdsl_tensor bias, int32_t spatial,
                                  const int64_t* stride, const int64_t* padding, const int64_t* dilation) {
  return guard_tensor([&] {
    auto b = bias ? c10::optional<at::Tensor>(*bias) : c10::nullopt;
    auto s = dims(stride, spatial), p = dims(padding, spatial), d = dims(dilation, spatial);
    TORCH_CHECK(spatial == 1 || spatial == 2, "only 1-D and 2-D convolutions are supported");
    return spatial == 1 ? at::conv1d(*x, *weight, b, s, p, d) : at::conv2d(*x, *weight, b, s, p, d);
  });
}

MDSL_EXPORT mdsl_tensor mdsl_max_pool(mdsl_tensor x, int32_t spatial, const int64_t* kernel, const int64_t* stride,
                                      const int64_t* padding) {
  return guard_tensor([&] {
    auto k = dims(kernel, spatial), s = dims(stride, spatial), p = dims(padding, spatial);
    TORCH_CHECK(spatial == 1 || spatial == 2, "only 1-D and 2-D pooling is supported");
    return spatial == 1 ? at::max_pool1d(*x, k, s, p) : at::max_pool2d(*x, k, s, p);
  });
}

MDSL_EXPORT mdsl_tensor mdsl_constant_pad(mdsl_tensor x, const int64_t* pads, int32_t count, double value) {
  return guard_tensor([&] { return at::constant_pad_nd(*x, dims(pads, count), value); });
}

// Keras' Conv1D/Conv2D: channels-last input, Keras-layout kernel, explicit (possibly uneven) padding.
MDSL_EXPORT mdsl_tensor mdsl_conv_channels_last(mdsl_tensor x, mdsl_tensor kernel, mdsl_tensor bias,
                                                int32_t spatial, const int64_t* stride, const int64_t* dilation,
                                                const int64_t* pad_before, const int64_t* pad_after) {
  return guard_tensor([&] {
    TORCH_CHECK(spatial == 1 || spatial == 2, "only 1-D and 2-D convolutions are supported");
    TORCH_CHECK(x->dim() == spatial + 2, "expected a ", spatial + 2, "-D channels-last input, got ", x->dim(), "-D");
    auto input = pad_spatial(channels_first(*x), pad_before, pad_after, spatial, 0.0);
    auto w = torch_kernel(*kernel);
    auto b = bias ? c10::optional<at::Tensor>(*bias) : c10::nullopt;
    auto s = dims(stride, spatial), d = dims(dilation, spatial);
    std::vector<int64_t> no_padding(static_cast<size_t>(spatial), 0);
    auto y = spatial == 1 ? at::conv1d(input, w, b, s, no_padding, d) : at::conv2d(input, w, b, s, no_padding, d);
    return channels_last(y);
  });
}

// Keras' MaxPooling: padded cells never win (they hold -inf).
MDSL_EXPORT mdsl_tensor mdsl_max_pool_channels_last(mdsl_tensor x, int32_t spatial, const int64_t* kernel,
                                                    const int64_t* stride, const int64_t* pad_before,
                                                    const int64_t* pad_after) {
  return guard_tensor([&] {
    TORCH_CHECK(spatial == 1 || spatial == 2, "only 1-D and 2-D pooling is supported");
    TORCH_CHECK(x->dim() == spatial + 2, "expected a ", spatial + 2, "-D channels-last input, got ", x->dim(), "-D");
    auto input = pad_spatial(channels_first(*x), pad_before, pad_after, spatial,
                             -std::numeric_limits<double>::infinity());
    auto k = dims(kernel, spatial), s = dims(stride, spatial);
    auto y = spatial == 1 ? at::max_pool1d(input, k, s) : at::max_pool2d(input, k, s);
    return channels_last(y);
  });
}

// Keras' BatchNormalization over the last axis: batch statistics (biased variance) in training, which also
// move the moving averages (moving = moving * momentum + batch * (1 - momentum)); moving statistics otherwise.
MDSL_EXPORT mdsl_tensor mdsl_batch_norm(mdsl_tensor x, mdsl_tensor gamma, mdsl_tensor beta, mdsl_tensor moving_mean,
                                        mdsl_tensor moving_variance, int32_t training, double momentum,
                                        double epsilon) {
  return guard_tensor([&] {
    auto features = x->size(-1);
    auto flat = x->reshape({-1, features});
    auto g = gamma ? *gamma : at::Tensor();
    auto b = beta ? *beta : at::Tensor();
    at::Tensor y;
    if (training) {
      y = at::batch_norm(flat, g, b, at::Tensor(), at::Tensor(), true, 0.0, epsilon, true);
      at::NoGradGuard no_grad;
      auto data = flat.detach();
      auto mean = data.mean(0);
      auto variance = (data - mean).square().mean(0);
      moving_mean->mul_(momentum).add_(mean, 1.0 - momentum);
      moving_variance->mul_(momentum).add_(variance, 1.0 - momentum);
    } else {
      y = at::batch_norm(flat, g, b, *moving_mean, *moving_variance, false, 0.0, epsilon, true);
    }
    return y.view(x->sizes());
  });
}

MDSL_EXPORT mdsl_tensor mdsl_embedding(mdsl_tensor weight, mdsl_tensor indices) {
  return guard_tensor([&] { return at::embedding(*weight, indices->to(at::kLong)); });
}

MDSL_EXPORT mdsl_tensor mdsl_dropout(mdsl_tensor x, double rate, int32_t training) {
  return guard_tensor([&] { return at::dropout(*x, rate, training != 0); });
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction).
MDSL_EXPORT mdsl_tensor mdsl_nll_loss(mdsl_tensor log_probabilities, mdsl_tensor targets, int32_t reduction) {
  return guard_tensor([&] { return at::nll_loss(*log_probabilities, targets->to(at::kLong), {}, reduction); });
}

// kind: 0 mse, 1 l1, 2 binary cross-entropy with logits.
MDSL_EXPORT mdsl_tensor mdsl_pointwise_loss(mdsl_tensor input, mdsl_tensor target, int32_t kind, int32_t reduction) {
  return guard_tensor([&] {
    auto t = target->to(input->scalar_type());
    switch (kind) {
      case 0: return at::mse_loss(*input, t, reduction);
      case 1: return at::l1_loss(*input, t, reduction);
      case 2: return at::binary_cross_entropy_with_logits(*input, t, {}, {}, reduction);
      default: TORCH_CHECK(false, "unknown loss kind ", kind);
    }
  });
}
