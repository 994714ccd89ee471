// Element-wise, reduction, shape and linear-algebra ops. Op codes mirror ModelDsl.Runtime.UnaryOp / BinaryOp.
#include "shim.h"

namespace mdsl {

at::Tensor activate(const at::Tensor& x, int32_t activation) {
  switch (activation) {
    case Linear: return x;
    case Relu: return at::relu(x);
    case Sigmoid: return at::sigmoid(x);
    case Tanh: return at::tanh(x);
    case Softmax: return at::softmax(x, -1);
    case Elu: return at::elu(x);
    case Selu: return at::selu(x);
    case Softplus: return at::softplus(x);
    case Softsign: return x / (x.abs() + 1);
    case Gelu: return at::gelu(x);
    case Swish: return at::silu(x);
    // Keras 2's piecewise-linear form.
    case HardSigmoid: return at::clamp(x * 0.2 + 0.5, 0.0, 1.0);
    case Exponential: return at::exp(x);
    default: TORCH_CHECK(false, "unknown activation code ", activation);
  }
}

}  // namespace mdsl

using namespace mdsl;

namespace {

at::Tensor unary(const at::Tensor& x, int32_t op) {
  switch (op) {
    case 0: return at::neg(x);
    case 1: return at::abs(x);
    case 2: return at::sqrt(x);
    case 3: return at::rsqrt(x);
    case 4: return at::exp(x);
    case 5: return at::log(x);
    case 6: return at::square(x);
    case 7: return at::sign(x);
    case 8: return at::floor(x);
    case 9: return at::isfinite(x);
    case 10: return at::logical_not(x);
    case 11: return x.clone();
    case 12: return x.detach();
    case 13: return x.contiguous();
    case 14: return x;  // an alias: a second handle on the same tensor
    case 15: return at::log1p(x);
    default: TORCH_CHECK(false, "unknown unary op ", op);
  }
}

at::Tensor binary(const at::Tensor& a, const at::Tensor& b, int32_t op) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::maximum(a, b);
    case 6: return at::minimum(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 13: return at::logical_and(a, b);
    case 14: return at::logical_or(a, b);
    default: TORCH_CHECK(false, "unknown binary op ", op);
  }
}

at::Tensor binary_scalar(const at::Tensor& a, const at::Scalar& s, int32_t op) {
  switch (op) {
    case 0: return at::add(a, s);
    case 1: return at::sub(a, s);
    case 2: return at::mul(a, s);
    case 3: return at::div(a, s);
    case 4: return at::pow(a, s);
    case 5: return at::clamp_min(a, s);
    case 6: return at::clamp_max(a, s);
    case 7: return at::eq(a, s);
    case 8: return at::ne(a, s);
    case 9: return at::lt(a, s);
    case 10: return at::le(a, s);
    case 11: return at::gt(a, s);
    case 12: return at::ge(a, s);
    case 15: return at::rsub(a, s);
    case 16: return at::reciprocal(a) * s;
    default: TORCH_CHECK(false, "unknown scalar op ", op);
  }
}

void binary_inplace(at::Tensor& a, const at::Tensor& b, int32_t op, const at::Scalar& alpha) {
  switch (op) {
    case 0: a.add_(b, alpha); break;
    case 1: a.sub_(b, alpha); break;
    case 2: a.mul_(b); break;
    case 3: a.div_(b); break;
    case 4: a.pow_(b); break;
    case 5: at::maximum_out(a, a, b); break;
    case 6: at::minimum_out(a, a, b); break;
    default: TORCH_CHECK(false, "unknown in-place op ", op);
  }
}

void binary_scalar_inplace(at::Tensor& a, const at::Scalar& s, int32_t op) {
  switch (op) {
    case 0: a.add_(s); break;
    case 1: a.sub_(s); break;
    case 2: a.mul_(s); break;
    case 3: a.div_(s); break;
    case 4: a.pow_(s); break;
    case 5: a.clamp_min_(s); break;
    case 6: a.clamp_max_(s); break;
    default: TORCH_CHECK(false, "unknown in-place scalar op ", op);
  }
}

}  // namespace

MDSL_EXPORT mdsl_tensor mdsl_unary(mdsl_tensor t, int32_t op) {
  return guard_tensor([&] { return unary(*t, op); });
}

MDSL_EXPORT mdsl_tensor mdsl_activation(mdsl_tensor t, int32_t activation) {
  return guard_tensor([&] { return activate(*t, activation); });
}

MDSL_EXPORT mdsl_tensor mdsl_softmax(mdsl_tensor t, int64_t dim, int32_t log) {
  return guard_tensor([&] { return log ? at::log_softmax(*t, dim) : at::softmax(*t, dim); });
}

MDSL_EXPORT mdsl_tensor mdsl_binary(mdsl_tensor a, mdsl_tensor b, int32_t op) {
  return guard_tensor([&] { return binary(*a, *b, op); });
}

MDSL_EXPORT mdsl_tensor mdsl_binary_scalar(mdsl_tensor a, double s, int32_t op) {
  return guard_tensor([&] { return binary_scalar(*a, s, op); });
}

MDSL_EXPORT int32_t mdsl_binary_inplace(mdsl_tensor a, mdsl_tensor b, int32_t op, double alpha) {
  return guard_status([&] { binary_inplace(*a, *b, op, alpha); });
}

MDSL_EXPORT int32_t mdsl_binary_scalar_inplace(mdsl_tensor a, double s, int32_t op) {
  return guard_status([&] { binary_scalar_inplace(*a, s, op); });
}

MDSL_EXPORT int32_t mdsl_fill_inplace(mdsl_tensor t, double value) {
  return guard_status([&] { t->fill_(value); });
}

MDSL_EXPORT int32_t mdsl_copy_inplace(mdsl_tensor destination, mdsl_tensor source) {
  return guard_status([&] { destination->copy_(*source); });
}

MDSL_EXPORT mdsl_tensor mdsl_clamp(mdsl_tensor t, double min, double max, int32_t has_min, int32_t has_max) {
  return guard_tensor([&] {
    return at::clamp(*t, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                     has_max ? c10::optional<at::Scalar>(max) : c10::nullopt);
  });
}

MDSL_EXPORT mdsl_tensor mdsl_where(mdsl_tensor condition, mdsl_tensor a, mdsl_tensor b) {
  return guard_tensor([&] { return at::where(*condition, *a, *b); });
}

MDSL_EXPORT int32_t mdsl_all_finite(mdsl_tensor t, int32_t* result) {
  return guard_status([&] { *result = at::isfinite(*t).all().item<bool>() ? 1 : 0; });
}

// op: 0 sum, 1 mean, 2 max, 3 min, 4 all, 5 any. No dims: over every element.
MDSL_EXPORT mdsl_tensor mdsl_reduce(mdsl_tensor t, int32_t op, const int64_t* dim_values, int32_t ndims,
                                    int32_t keepdim) {
  return guard_tensor([&] {
    const auto& x = *t;
    bool keep = keepdim != 0;
    auto d = dims(dim_values, ndims);
    if (ndims == 0) {
      switch (op) {
        case 0: return x.sum();
        case 1: return x.mean();
        case 2: return x.max();
        case 3: return x.min();
        case 4: return x.all();
        case 5: return x.any();
      }
    } else {
      switch (op) {
        case 0: return x.sum(d, keep);
        case 1: return x.mean(d, keep);
        case 2: return x.amax(d, keep);
        case 3: return x.amin(d, keep);
        case 4:
        case 5: {
          TORCH_CHECK(ndims == 1, "all/any take one dimension");
          return op == 4 ? x.all(d[0], keep) : x.any(d[0], keep);
        }
      }
    }
    TORCH_CHECK(false, "unknown reduction ", op);
  });
}

MDSL_EXPORT mdsl_tensor mdsl_argmax(mdsl_tensor t, int64_t dim, int32_t keepdim) {
  return guard_tensor([&] { return at::argmax(*t, dim, keepdim != 0); });
}

MDSL_EXPORT int32_t mdsl_max_dim(mdsl_tensor t, int64_t dim, int32_t keepdim, mdsl_tensor* values,
                                 mdsl_tensor* indices) {
  return guard_status([&] {
    auto result = at::max(*t, dim, keepdim != 0);
    auto* v = wrap(std::get<0>(result));
    *indices = wrap(std::get<1>(result));
    *values = v;
  });
}

// ---- shapes ----

// op: 0 reshape, 1 view, 2 permute, 3 expand.
MDSL_EXPORT mdsl_tensor mdsl_shape_op(mdsl_tensor t, int32_t op, const int64_t* values, int32_t count) {
  return guard_tensor([&] {
    auto v = dims(values, count);
    switch (op) {
      case 0: return t->reshape(v);
      case 1: return t->view(v);
      case 2: return t->permute(v);
      case 3: return t->expand(v);
      default: TORCH_CHECK(false, "unknown shape op ", op);
    }
  });
}

MDSL_EXPORT mdsl_tensor mdsl_flatten(mdsl_tensor t, int64_t start, int64_t end) {
  return guard_tensor([&] { return t->flatten(start, end); });
}

MDSL_EXPORT mdsl_tensor mdsl_transpose(mdsl_tensor t, int64_t dim0, int64_t dim1) {
  return guard_tensor([&] { return t->transpose(dim0, dim1); });
}

MDSL_EXPORT mdsl_tensor mdsl_narrow(mdsl_tensor t, int64_t dim, int64_t start, int64_t length) {
  return guard_tensor([&] { return t->narrow(dim, start, length); });
}

MDSL_EXPORT mdsl_tensor mdsl_slice(mdsl_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return guard_tensor([&] { return t->slice(dim, start, end, step); });
}

MDSL_EXPORT mdsl_tensor mdsl_select(mdsl_tensor t, int64_t dim, int64_t index) {
  return guard_tensor([&] { return t->select(dim, index); });
}

MDSL_EXPORT mdsl_tensor mdsl_squeeze(mdsl_tensor t, int64_t dim, int32_t unsqueeze) {
  return guard_tensor([&] { return unsqueeze ? t->unsqueeze(dim) : t->squeeze(dim); });
}

MDSL_EXPORT mdsl_tensor mdsl_index_select(mdsl_tensor t, int64_t dim, mdsl_tensor index) {
  return guard_tensor([&] { return t->index_select(dim, *index); });
}

MDSL_EXPORT mdsl_tensor mdsl_cat(mdsl_tensor const* tensors, int32_t count, int64_t dim, int32_t stack) {
  return guard_tensor([&] {
    auto list = gather(tensors, count);
    return stack ? at::stack(list, dim) : at::cat(list, dim);
  });
}

// Splits into views; *count receives how many (at most capacity) were written to parts.
// op: 0 unbind (capacity = size(dim)), 1 chunk(chunks = capacity).
MDSL_EXPORT int32_t mdsl_split(mdsl_tensor t, int32_t op, int64_t dim, mdsl_tensor* parts, int32_t capacity,
                               int32_t* count) {
  return guard_status([&] {
    auto pieces = op == 0 ? t->unbind(dim) : t->chunk(capacity, dim);
    TORCH_CHECK(static_cast<int64_t>(pieces.size()) <= capacity, "split produced more parts than expected");
    *count = 0;
    for (auto& piece : pieces) parts[(*count)++] = wrap(std::move(piece));
  });
}

// ---- linear algebra ----

MDSL_EXPORT mdsl_tensor mdsl_matmul(mdsl_tensor a, mdsl_tensor b) {
  return guard_tensor([&] { return at::matmul(*a, *b); });
}

// PyTorch's layout: weight (out, in).
MDSL_EXPORT mdsl_tensor mdsl_linear(mdsl_tensor x, mdsl_tensor weight, mdsl_tensor bias) {
  return guard_tensor([&] { return at::linear(*x, *weight, bias ? *bias : at::Tensor()); });
}

// Keras' layout: kernel (in, out), applied to the last axis; bias may be null.
MDSL_EXPORT mdsl_tensor mdsl_dense(mdsl_tensor x, mdsl_tensor kernel, mdsl_tensor bias) {
  return guard_tensor([&] {
    if (x->dim() == 2) return bias ? at::addmm(*bias, *x, *kernel) : at::mm(*x, *kernel);
    auto y = at::matmul(*x, *kernel);
    return bias ? y + *bias : y;
  });
}
