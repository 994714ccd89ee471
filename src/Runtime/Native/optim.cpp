// Optimizer updates, Keras' formulas, every parameter in one call. The learning rate arrives already decayed
// (legacy Keras: lr / (1 + decay * iterations)). Parameters without a gradient are left alone.
#include "shim.h"

#include <cmath>

using namespace mdsl;

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
      if (weight_decay != 0.0) p.mul_(1.0 - lr * weight_decay);  // Keras' AdamW: p -= p * weight_decay * lr
      m[i]->mul_(beta1).add_(g, 1.0 - beta1);
      v[i]->mul_(beta2).addcmul_(g, g, 1.0 - beta2);
      at::Tensor denominator;
      if (max_v != nullptr) {
        at::maximum_out(*max_v[i], *max_v[i], *v[i]);
        denominator = max_v[i]->sqrt().add_(epsilon);
      } else {
        denominator = v[i]->sqrt().add_(epsilon);
      }
      p.addcdiv_(*m[i], denominator, -alpha);
    }
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
