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

// Runs update(i, p, g) for every parameter that has a gradient (the others are left alone), with autograd off.
template <class F>
void for_each_gradient(mdsl_tensor const* params, int32_t count, F&& update) {
  at::NoGradGuard no_grad;
  for (int32_t i = 0; i < count; ++i) {
    auto& p = *params[i];
    const auto& g = p.grad();
    if (g.defined()) update(i, p, g);
  }
}

// The rate is a double in an eager step and a 0-dim device tensor in a captured one (CUDA graphs: read on the
// device, never by the host); these overloads let one update serve both.
double rate_for(double rate, const at::Tensor&) { return rate; }
at::Tensor rate_for(const at::Tensor& rate, const at::Tensor& p) { return rate.to(p.scalar_type()); }
void sub_scaled(at::Tensor& x, const at::Tensor& y, double rate) { x.sub_(y, rate); }
void sub_scaled(at::Tensor& x, const at::Tensor& y, const at::Tensor& rate) { x.sub_(y * rate); }
void add_quotient(at::Tensor& x, const at::Tensor& n, const at::Tensor& d, double rate) { x.addcdiv_(n, d, rate); }
void add_quotient(at::Tensor& x, const at::Tensor& n, const at::Tensor& d, const at::Tensor& rate) {
  x.add_(at::div(n, d).mul_(rate));
}
void sub_quotient(at::Tensor& x, const at::Tensor& n, const at::Tensor& d, double rate) { x.addcdiv_(n, d, -rate); }
void sub_quotient(at::Tensor& x, const at::Tensor& n, const at::Tensor& d, const at::Tensor& rate) {
  x.sub_(at::div(n, d).mul_(rate));
}

// Adam's update in libtorch ops for one parameter (AMSGrad: max_v keeps the largest v); the unfused eager step and
// the captured one share it.
template <class Rate>
void adam_unfused(at::Tensor& p, const at::Tensor& g, at::Tensor& m, at::Tensor& v, at::Tensor* max_v, bool decays,
                  const Rate& keep, const Rate& alpha, double beta1, double beta2, double epsilon) {
  if (decays) p.mul_(keep);  // Keras' AdamW: p -= p * weight_decay * lr
  m.mul_(beta1).add_(g, 1.0 - beta1);
  v.mul_(beta2).addcmul_(g, g, 1.0 - beta2);
  if (max_v != nullptr) at::maximum_out(*max_v, *max_v, v);
  sub_quotient(p, m, (max_v != nullptr ? *max_v : v).sqrt().add_(epsilon), alpha);
}

// Legacy Keras decay from device tensors: base_lr / (1 + decay * iterations), a float64 scalar.
at::Tensor decayed_rate(const at::Tensor& base_lr, const at::Tensor& iterations, double decay) {
  return base_lr / (iterations * decay + 1.0);
}

// Keras' SGD: velocity = momentum * velocity - lr * g; p += velocity (nesterov: p += momentum * velocity - lr * g).
// velocity is null without momentum.
template <class Rate>
void sgd_update(mdsl_tensor const* params, mdsl_tensor const* velocity, int32_t count, const Rate& lr, double momentum,
                bool nesterov) {
  for_each_gradient(params, count, [&](int32_t i, at::Tensor& p, const at::Tensor& g) {
    auto rate = rate_for(lr, p);
    if (velocity == nullptr) {
      sub_scaled(p, g, rate);
      return;
    }
    auto& vel = *velocity[i];
    vel.mul_(momentum);
    sub_scaled(vel, g, rate);
    if (nesterov) {
      p.add_(vel, momentum);
      sub_scaled(p, g, rate);
    } else {
      p.add_(vel);
    }
  });
}

// Keras' (legacy) RMSprop: ms = rho ms + (1 - rho) g^2; without momentum p -= lr g / (sqrt(ms) + epsilon),
// with it mom = momentum mom + lr g / sqrt(ms + epsilon), p -= mom. moment is null without momentum.
template <class Rate>
void rmsprop_update(mdsl_tensor const* params, mdsl_tensor const* mean_square, mdsl_tensor const* moment,
                    int32_t count, const Rate& lr, double rho, double momentum, double epsilon) {
  for_each_gradient(params, count, [&](int32_t i, at::Tensor& p, const at::Tensor& g) {
    auto rate = rate_for(lr, p);
    auto& ms = *mean_square[i];
    ms.mul_(rho).addcmul_(g, g, 1.0 - rho);
    if (moment == nullptr) {
      sub_quotient(p, g, ms.sqrt().add_(epsilon), rate);
    } else {
      add_quotient(moment[i]->mul_(momentum), g, (ms + epsilon).sqrt(), rate);
      p.sub_(*moment[i]);
    }
  });
}

}  // namespace

// Adam (and AdamW when weight_decay != 0), step = iterations + 1. Keras adds epsilon to sqrt(v), not to the
// bias-corrected sqrt(v_hat): p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon).
// max_v is null unless amsgrad.
MDSL_EXPORT int32_t mdsl_adam_step(mdsl_tensor const* params, mdsl_tensor const* m, mdsl_tensor const* v,
                                   mdsl_tensor const* max_v, int32_t count, double lr, double beta1, double beta2,
                                   double epsilon, double weight_decay, int64_t step) {
  return guard_status([&] {
    double t = static_cast<double>(step);
    double alpha = lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t));
    for_each_gradient(params, count, [&](int32_t i, at::Tensor& p, const at::Tensor& g) {
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
        return;
      }
      adam_unfused(p, g, *m[i], *v[i], max_v != nullptr ? max_v[i] : nullptr, weight_decay != 0.0,
                   1.0 - lr * weight_decay, alpha, beta1, beta2, epsilon);
    });
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
    auto& it = *iterations;
    auto lr = decayed_rate(*base_lr, it, decay);
    auto t = it + 1.0;
    auto alpha = lr * at::sqrt(1.0 - at::pow(beta2, t)) / (1.0 - at::pow(beta1, t));
    auto keep = 1.0 - lr * weight_decay;
    for_each_gradient(params, count, [&](int32_t i, at::Tensor& p, const at::Tensor& g) {
      adam_unfused(p, g, *m[i], *v[i], max_v != nullptr ? max_v[i] : nullptr, weight_decay != 0.0,
                   rate_for(keep, p), rate_for(alpha, p), beta1, beta2, epsilon);
    });
    it.add_(1.0);
  });
}

MDSL_EXPORT int32_t mdsl_sgd_step(mdsl_tensor const* params, mdsl_tensor const* velocity, int32_t count, double lr,
                                  double momentum, int32_t nesterov) {
  return guard_status([&] { sgd_update(params, velocity, count, lr, momentum, nesterov != 0); });
}

// SGD and RMSprop with the counter and base rate in device tensors, as mdsl_adam_step_on_device; the counter is
// advanced here.
MDSL_EXPORT int32_t mdsl_sgd_step_on_device(mdsl_tensor const* params, mdsl_tensor const* velocity, int32_t count,
                                            mdsl_tensor base_lr, mdsl_tensor iterations, double decay, double momentum,
                                            int32_t nesterov) {
  return guard_status([&] {
    sgd_update(params, velocity, count, decayed_rate(*base_lr, *iterations, decay), momentum, nesterov != 0);
    iterations->add_(1.0);
  });
}

MDSL_EXPORT int32_t mdsl_rmsprop_step(mdsl_tensor const* params, mdsl_tensor const* mean_square,
                                      mdsl_tensor const* moment, int32_t count, double lr, double rho,
                                      double momentum, double epsilon) {
  return guard_status([&] { rmsprop_update(params, mean_square, moment, count, lr, rho, momentum, epsilon); });
}

MDSL_EXPORT int32_t mdsl_rmsprop_step_on_device(mdsl_tensor const* params, mdsl_tensor const* mean_square,
                                                mdsl_tensor const* moment, int32_t count, mdsl_tensor base_lr,
                                                mdsl_tensor iterations, double decay, double rho, double momentum,
                                                double epsilon) {
  return guard_status([&] {
    rmsprop_update(params, mean_square, moment, count, decayed_rate(*base_lr, *iterations, decay), rho, momentum,
                   epsilon);
    iterations->add_(1.0);
  });
}
