// Optimizer updates, Keras' formulas, every parameter in one call. The learning rate arrives already decayed
// (legacy Keras: lr / (1 + decay * iterations)). Parameters without a gradient are left alone.
#include "shim.h"

#include <ATen/Parallel.h>

#include <cmath>

using namespace mdsl;

namespace {

// Adam for one float CPU parameter in a single pass over p, g, m, v (and max_v): the op-by-op form makes six
// passes and allocates the denominator, which at the reference model's size costs a few ms per step.
template <bool Amsgrad>
void adam_fused(float* p, const float* g, float* m, float* v, float* max_v, int64_t n, float beta1, float beta2,
                float alpha, float epsilon, float keep) {
  at::parallel_for(0, n, 32768, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      float gk = g[k];
      float mk = m[k] * beta1 + (1.0f - beta1) * gk;
      float vk = v[k] * beta2 + (1.0f - beta2) * gk * gk;
      m[k] = mk;
      v[k] = vk;
      if constexpr (Amsgrad) {
        vk = max_v[k] > vk ? max_v[k] : vk;
        max_v[k] = vk;
      }
      p[k] = p[k] * keep - alpha * mk / (std::sqrt(vk) + epsilon);
    }
  });
}

bool fusable(const at::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.is_contiguous();
}

// Adam's moments in libtorch ops, one step on (AMSGrad: max_v keeps the largest v); returns sqrt(v) + epsilon, or
// sqrt(max_v) + epsilon. The unfused path and the CUDA-graph path share it.
at::Tensor adam_moments(const at::Tensor& g, at::Tensor& m, at::Tensor& v, at::Tensor* max_v, double beta1,
                        double beta2, double epsilon) {
  m.mul_(beta1).add_(g, 1.0 - beta1);
  v.mul_(beta2).addcmul_(g, g, 1.0 - beta2);
  if (max_v == nullptr) return v.sqrt().add_(epsilon);
  at::maximum_out(*max_v, *max_v, v);
  return max_v->sqrt().add_(epsilon);
}

}  // namespace

// Adam (and AdamW when weight_decay != 0), step = iterations + 1. Keras adds epsilon to sqrt(v), not to the
// bias-corrected sqrt(v_hat): p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon).
// max_v is null unless amsgrad.
MDSL_EXPORT int32_t mdsl_adam_step(mdsl_tensor const* params, mdsl_tensor const* m, mdsl_tensor const* v,
                                   mdsl_tensor const* max_v, int32_t count, double lr, double beta1, double beta2,
                                   double epsilon, double weight_decay, int64_t step) {
  return guard_status([&] {
    at::NoGradGuard no_grad;
    double t = static_cast<double>(step);
    double alpha = lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t));
    for (int32_t i = 0; i < count; ++i) {
      auto& p = *params[i];
      const auto& g = p.grad();
      if (!g.defined()) continue;
      if (fused_kernels() && fusable(p) && fusable(g) && fusable(*m[i]) && fusable(*v[i]) &&
          (max_v == nullptr || fusable(*max_v[i]))) {
        auto keep = static_cast<float>(1.0 - lr * weight_decay);
        if (max_v != nullptr) {
          adam_fused<true>(p.data_ptr<float>(), g.data_ptr<float>(), m[i]->data_ptr<float>(), v[i]->data_ptr<float>(),
                           max_v[i]->data_ptr<float>(), p.numel(), beta1, beta2, alpha, epsilon, keep);
        } else {
          adam_fused<false>(p.data_ptr<float>(), g.data_ptr<float>(), m[i]->data_ptr<float>(),
                            v[i]->data_ptr<float>(), nullptr, p.numel(), beta1, beta2, alpha, epsilon, keep);
        }
        continue;
      }
      if (weight_decay != 0.0) p.mul_(1.0 - lr * weight_decay);  // Keras' AdamW: p -= p * weight_decay * lr
      auto denominator = adam_moments(g, *m[i], *v[i], max_v != nullptr ? max_v[i] : nullptr, beta1, beta2, epsilon);
      p.addcdiv_(*m[i], denominator, -alpha);
    }
  });
}

// Adam as above with the step counter and the base learning rate in device tensors (float64 scalars), so one
// captured CUDA graph replays exact bias corrections and legacy decay, lr / (1 + decay * iterations), step after
// step; the counter is advanced here. No host value is read, so nothing syncs.
MDSL_EXPORT int32_t mdsl_adam_step_on_device(mdsl_tensor const* params, mdsl_tensor const* m, mdsl_tensor const* v,
                                             mdsl_tensor const* max_v, int32_t count, mdsl_tensor base_lr,
                                             mdsl_tensor iterations, double decay, double beta1, double beta2,
                                             double epsilon, double weight_decay) {
  return guard_status([&] {
    at::NoGradGuard no_grad;
    auto& it = *iterations;
    auto lr = *base_lr / (it * decay + 1.0);
    auto t = it + 1.0;
    auto alpha = lr * at::sqrt(1.0 - at::pow(beta2, t)) / (1.0 - at::pow(beta1, t));
    auto keep = 1.0 - lr * weight_decay;
    for (int32_t i = 0; i < count; ++i) {
      auto& p = *params[i];
      const auto& g = p.grad();
      if (!g.defined()) continue;
      if (weight_decay != 0.0) p.mul_(keep.to(p.scalar_type()));
      auto denominator = adam_moments(g, *m[i], *v[i], max_v != nullptr ? max_v[i] : nullptr, beta1, beta2, epsilon);
      p.sub_(at::div(*m[i], denominator).mul_(alpha.to(p.scalar_type())));
    }
    it.add_(1.0);
  });
}

// Keras' SGD: velocity = momentum * velocity - lr * g; p += velocity (nesterov: p += momentum * velocity - lr * g).
// velocity is null without momentum.
MDSL_EXPORT int32_t mdsl_sgd_step(mdsl_tensor const* params, mdsl_tensor const* velocity, int32_t count, double lr,
                                  double momentum, int32_t nesterov) {
  return guard_status([&] {
    at::NoGradGuard no_grad;
    for (int32_t i = 0; i < count; ++i) {
      auto& p = *params[i];
      const auto& g = p.grad();
      if (!g.defined()) continue;
      if (velocity == nullptr) {
        p.sub_(g, lr);
        continue;
      }
      auto& vel = *velocity[i];
      vel.mul_(momentum).sub_(g, lr);
      if (nesterov) {
        p.add_(vel, momentum).sub_(g, lr);
      } else {
        p.add_(vel);
      }
    }
  });
}

// Keras' (legacy) RMSprop: ms = rho ms + (1 - rho) g^2; without momentum p -= lr g / (sqrt(ms) + epsilon),
// with it mom = momentum mom + lr g / sqrt(ms + epsilon), p -= mom. moment is null without momentum.
MDSL_EXPORT int32_t mdsl_rmsprop_step(mdsl_tensor const* params, mdsl_tensor const* mean_square,
                                      mdsl_tensor const* moment, int32_t count, double lr, double rho,
                                      double momentum, double epsilon) {
  return guard_status([&] {
    at::NoGradGuard no_grad;
    for (int32_t i = 0; i < count; ++i) {
      auto& p = *params[i];
      const auto& g = p.grad();
      if (!g.defined()) continue;
      auto& ms = *mean_square[i];
      ms.mul_(rho).addcmul_(g, g, 1.0 - rho);
      if (moment == nullptr) {
        p.addcdiv_(g, ms.sqrt().add_(epsilon), -lr);
      } else {
        moment[i]->mul_(momentum).addcdiv_(g, (ms + epsilon).sqrt(), lr);
        p.sub_(*moment[i]);
      }
    }
  });
}
