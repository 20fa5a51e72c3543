"""Bad and edge inputs across minigrad's public API, written once for minigrad and for torch.

Each ``Case(name, fn, match)`` calls ``fn(L)``, where ``L`` names one library's API the torch
way: ``L.lib`` (``minigrad`` / ``torch``), ``L.nn``, ``L.F`` (``nn.functional``), ``L.data``
(``minigrad.data`` / ``torch.utils.data``), ``L.autograd`` and ``L.optim`` (``optimizers`` /
``torch.optim``). ``make_engine_edge_refs.py`` runs every case with torch 2.13 and records its
outcome (the value returned, or the exception's type and message) in
``engine_edge_refs.json``; ``tests/reliability/test_engine_table.py`` and
``test_nn_data_table.py`` run the same line on minigrad and require the same outcome:

- torch returns a value: minigrad returns the same value (dtype, shape, numbers);
- torch raises: minigrad raises an exception of the same built-in kind (``IndexError``,
  ``TypeError``, ``ValueError``, ``RuntimeError``, ...) whose message matches ``match``, a
  regex naming the problem. With ``torch_wording=True`` the regex is torch's own wording (the
  reference script checks it against torch's message).

Deliberate differences are stated per case: ``differs`` says why minigrad raises where torch
accepts (a bool option given a truthy string, ...), ``kind`` replaces torch's exception type
where torch's is an accident (``AssertionError`` from a Python ``assert``) or less precise
(a wrong type of argument is a ``TypeError``, a bad value a ``ValueError``, where torch says
``RuntimeError``). ``minigrad_only``
cases use API torch does not have (the course data sets); ``error`` and ``match`` state the
expected outcome.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Case:
    name: str
    fn: object
    match: str = None  # regex the error message must match (error cases)
    torch_wording: bool = False  # ``match`` is torch's wording, checked against torch's message
    kind: type = None  # the exception type minigrad raises where torch's is an accident
    differs: str = None  # why minigrad raises where torch returns a value
    error: type = None  # the exception minigrad raises (``differs`` and ``minigrad_only`` cases)
    minigrad_only: bool = False  # API that torch does not have
    group: str = "engine"  # "engine" (tensors, ops, autograd) or "nn_data"


# ---------------------------------------------------------------------------- helpers


def t(L, values, dtype=None, requires_grad=False):
    """``L.lib.tensor(values)`` with an optional dtype name (``"int64"``, ``"float32"``...)."""
    return L.lib.tensor(values, dtype=None if dtype is None else getattr(L.lib, dtype),
                        requires_grad=requires_grad)


def x23(L, requires_grad=False):
    """The 2 x 3 float64 matrix [[0, 1, 2], [3, 4, 5]]."""
    return t(L, np.arange(6.0).reshape(2, 3), requires_grad=requires_grad)


def leaf(L):
    """A float64 leaf [1, 2, 3] that requires grad."""
    return t(L, [1.0, 2.0, 3.0], requires_grad=True)


def linear(L, n_in=3, n_out=2, bias=True):
    """``nn.Linear(n_in, n_out)`` with deterministic weights (0.1 * k, k = 0, 1, ...)."""
    module = L.nn.Linear(n_in, n_out, bias=bias)
    with L.lib.no_grad():
        module.weight.copy_(t(L, 0.1 * np.arange(n_in * n_out).reshape(n_out, n_in)))
        if bias:
            module.bias.copy_(t(L, [0.5] * n_out))
    return module


def backward_twice(L):
    x = leaf(L)
    y = (x * x).sum()
    y.backward()
    y.backward()


def grads_of(L, y, xs, **kwargs):
    return L.autograd.grad(y, xs, **kwargs)


def modified_saved(L):
    x = leaf(L)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def second_derivative(L):
    x = leaf(L)
    (g,) = L.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = L.autograd.grad(g.sum(), x)
    return g, h


def accumulated(L):
    x = leaf(L)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    return x.grad


def setitem(L, x, index, value):
    x[index] = value
    return x


def call_inplace(L, x, method, *args, **kwargs):
    getattr(x, method)(*args, **kwargs)
    return x


def state_dict_without(L, key):
    module = linear(L)
    state = dict(module.state_dict())
    del state[key]
    return module.load_state_dict(state)


def state_dict_with(L, key, value, strict=True):
    module = linear(L)
    state = dict(module.state_dict())
    state[key] = value
    result = module.load_state_dict(state, strict=strict)
    return result, module.weight, module.bias


def dataset(L, n=4):
    """A TensorDataset of n samples: features [[0, 1], [2, 3], ...] and labels 0, 1, 0, ..."""
    return L.data.TensorDataset(t(L, np.arange(2.0 * n).reshape(n, 2)), t(L, np.arange(n) % 2))


def batches(L, loader):
    return [tuple(batch) if isinstance(batch, (tuple, list)) else batch for batch in loader]


def optimizer_with_state(L, **changes):
    """Adam on one parameter after one step, then its state dict loaded with ``changes``."""
    p = L.nn.Parameter(t(L, [1.0, 2.0]))
    optimizer = L.optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    optimizer.step()
    state = optimizer.state_dict()
    for key, value in changes.items():
        state["state"][0][key] = value
    fresh = L.optim.Adam([p], lr=0.1)
    fresh.load_state_dict(state)
    (p * p).sum().backward()
    fresh.step()
    return p


def shape_of(value):
    return tuple(value.shape)


def module_with_bad_name(L, kind):
    module = L.nn.Module()
    if kind == "parameter":
        module.register_parameter("a.b", L.nn.Parameter(t(L, [1.0])))
    else:
        module.add_module("", L.nn.Linear(1, 1))


def assign_tensor_to_parameter(L):
    module = linear(L)
    module.weight = t(L, np.zeros((2, 3)))


def batchnorm(L, channels, shape, training=True):
    module = L.nn.BatchNorm1d(channels)
    module.train(training)
    return module(t(L, np.arange(float(np.prod(shape))).reshape(shape)))


# ---------------------------------------------------------------------------- engine cases

INT = "int64"
F32 = "float32"
INT_POWER = ("torch computes 2 ** -1 = 0 in integers when the exponent is a tensor (only its "
             "scalar-exponent path raises); minigrad raises torch's error on every path")
LEAF_INPLACE = r"a leaf Variable that requires grad is being used in an in-place operation\."
DIM_RANGE = r"[Dd]imension out of range \(expected to be in range of \[{lo}, {hi}\], but got {got}\)"


def dim_range(lo, hi, got):
    return DIM_RANGE.format(lo=lo, hi=hi, got=got)


ENGINE = [
    # ---- construction
    Case("tensor_int_pow_negative_int", lambda L: t(L, [1, 2], INT) ** -1,
         r"^Integers to negative integer powers are not allowed\.$", torch_wording=True),
    Case("tensor_int_pow_negative_int_tensor", lambda L: t(L, [1, 2], INT) ** t(L, [-1, 1], INT),
         r"^Integers to negative integer powers are not allowed\.$", differs=INT_POWER, error=RuntimeError),
    Case("int_scalar_pow_negative_int_tensor", lambda L: 2 ** t(L, [-1, 2], INT),
         r"^Integers to negative integer powers are not allowed\.$", differs=INT_POWER, error=RuntimeError),
    Case("int_pow_method_negative", lambda L: t(L, [3], INT).pow(-2),
         r"^Integers to negative integer powers are not allowed\.$", torch_wording=True),
    Case("int_pow_float_exponent", lambda L: t(L, [1, 2, 4], INT) ** -0.5),
    Case("int_pow_zero", lambda L: t(L, [0, 2], INT) ** 0),
    Case("tensor_overflow_2_pow_70", lambda L: t(L, [2 ** 70]), r"Overflow|too large"),
    Case("tensor_overflow_2_pow_63", lambda L: t(L, 2 ** 63), r"Overflow|too large"),
    Case("tensor_min_int64", lambda L: t(L, -2 ** 63)),
    Case("tensor_overflow_mixed_signs", lambda L: t(L, [2 ** 63, -1]), r"Overflow|too large"),
    Case("float_constructor_2_pow_70", lambda L: L.lib.Tensor([2 ** 70, 1])),
    Case("float_constructor_none", lambda L: L.lib.Tensor([1.0, None]), r"NoneType"),
    Case("tensor_ragged", lambda L: t(L, [[1.0, 2.0], [3.0]]),
         r"expected sequence of length 2 at dim 1 \(got 1\)|ragged|same length"),
    Case("tensor_string", lambda L: t(L, "abc"), r"str|string"),
    Case("tensor_list_of_strings", lambda L: t(L, ["a", "b"]), r"str|string", kind=TypeError),
    Case("tensor_none", lambda L: t(L, None), r"Could not infer dtype of NoneType", torch_wording=True, kind=TypeError),
    Case("tensor_list_with_none", lambda L: t(L, [1.0, None]), r"Could not infer dtype of NoneType", torch_wording=True,
         kind=TypeError),
    Case("tensor_numpy_strings", lambda L: t(L, np.array(["a"])), r"str"),
    Case("tensor_empty_list", lambda L: t(L, [])),
    Case("tensor_zero_dim", lambda L: t(L, 3.5)),
    Case("tensor_bools", lambda L: t(L, [True, False])),
    Case("tensor_float32_array_kept", lambda L: t(L, np.array([1.5, 2.5], dtype=np.float32))),
    Case("tensor_mixed_int_float", lambda L: t(L, [1, 2.5])),
    Case("tensor_nan_inf", lambda L: t(L, [float("nan"), float("inf"), -float("inf")])),
    Case("tensor_numpy_scalar", lambda L: t(L, np.float64(2.0))),
    Case("tensor_int_requires_grad", lambda L: t(L, [1, 2], INT, requires_grad=True),
         r"[Oo]nly Tensors of floating point .*can require gradients"),
    Case("tensor_requires_grad_string", lambda L: t(L, [1.0], requires_grad="yes"),
         r"requires_grad.*bool"),
    Case("tensor_float32_overflow_to_inf", lambda L: t(L, [1e39], F32)),
    Case("zeros_negative", lambda L: L.lib.zeros(-1),
         r"Dimension size must be non-negative|negative dimension -1"),
    Case("zeros_float_size", lambda L: L.lib.zeros(2.5), r"int.*float|float.*int"),
    Case("zeros_tuple", lambda L: L.lib.zeros((2, 3))),
    Case("ones_string_size", lambda L: L.lib.ones(2, "a"), r"int|str"),
    Case("full_value", lambda L: L.lib.full((2, 2), 3.0)),
    Case("full_string_value", lambda L: L.lib.full((2,), "a"), r"fill_value|number|str"),
    Case("arange_zero_step", lambda L: L.lib.arange(0, 1, 0), r"step must be nonzero", torch_wording=True),
    Case("arange_wrong_sign", lambda L: L.lib.arange(0, 10, -1),
         r"upper bound and lower? bound inconsistent with step sign"),
    Case("arange_int", lambda L: L.lib.arange(5)),
    Case("arange_float", lambda L: L.lib.arange(0, 1, 0.25)),
    Case("arange_empty", lambda L: L.lib.arange(3, 3)),
    Case("linspace_negative_steps", lambda L: L.lib.linspace(0, 1, -1),
         r"number of steps must be non-negative", torch_wording=True),
    Case("linspace_five", lambda L: L.lib.linspace(0, 1, 5)),
    Case("linspace_one", lambda L: L.lib.linspace(2, 3, 1)),
    Case("eye_negative", lambda L: L.lib.eye(-1), r"n must be greater or equal to 0, got -1", torch_wording=True),
    Case("eye_rectangular", lambda L: L.lib.eye(2, 3)),
    Case("randn_negative", lambda L: L.lib.randn(-2), r"negative dimension -2", torch_wording=True),
    Case("randn_shape", lambda L: shape_of(L.lib.randn(2, 3))),
    Case("randint_empty_range", lambda L: L.lib.randint(5, 3, (2,)),
         r"random_ expects 'from' to be less than 'to', but got from=5 >= to=3", torch_wording=True),
    Case("normal_negative_std", lambda L: L.lib.normal(0.0, -1.0, (2,)),
         r"normal expects std >= 0.0, but found std -1", torch_wording=True),
    Case("empty_shape", lambda L: shape_of(L.lib.empty(2, 3))),
    Case("zeros_like_string", lambda L: L.lib.zeros_like("a"), r"Tensor|str"),
    # ---- elementwise ops and broadcasting
    Case("add_shape_mismatch", lambda L: t(L, [1.0, 2.0]) + t(L, [1.0, 2.0, 3.0]),
         r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0",
         torch_wording=True),
    Case("mul_shape_mismatch_2d", lambda L: x23(L) * t(L, np.ones((3, 2))),
         r"The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 1",
         torch_wording=True),
    Case("add_string", lambda L: x23(L) + "a", r"str"),
    Case("add_none", lambda L: x23(L) + None, r"NoneType|None"),
    Case("add_broadcast_row", lambda L: x23(L) + t(L, [10.0, 20.0, 30.0])),
    Case("add_broadcast_column", lambda L: x23(L) + t(L, [[1.0], [2.0]])),
    Case("add_alpha", lambda L: x23(L).add(x23(L), alpha=2)),
    Case("add_numpy_array", lambda L: t(L, [1.0, 2.0]) + np.array([1.0, 2.0])),
    Case("float32_plus_float64_tensor", lambda L: t(L, [1.0], F32) + t(L, [2.0])),
    Case("float32_plus_python_float", lambda L: t(L, [1.0], F32) + 2.5),
    Case("int_plus_python_float", lambda L: t(L, [1, 2], INT) + 0.5),
    Case("int_times_float_tensor", lambda L: t(L, [1, 2], INT) * t(L, [0.5], F32)),
    Case("int_true_division", lambda L: t(L, [1, 2], INT) / t(L, [2, 4], INT)),
    Case("int_divided_by_zero", lambda L: t(L, [1, 0, -1], INT) / 0),
    Case("float_divided_by_zero", lambda L: t(L, [1.0, -1.0, 0.0]) / 0.0),
    Case("log_of_zero_and_negative", lambda L: L.lib.log(t(L, [0.0, -1.0]))),
    Case("sqrt_negative", lambda L: L.lib.sqrt(t(L, [-1.0, 4.0]))),
    Case("negative_base_fractional_power", lambda L: t(L, [-8.0]) ** (1 / 3)),
    Case("zero_to_negative_power", lambda L: t(L, [0.0]) ** -1),
    Case("exp_float32_overflow", lambda L: L.lib.exp(t(L, [100.0], F32))),
    Case("exp_of_int", lambda L: L.lib.exp(t(L, [0, 1], INT))),
    Case("sigmoid_of_int", lambda L: L.lib.sigmoid(t(L, [0, 1], INT))),
    Case("abs_of_int", lambda L: L.lib.abs(t(L, [-2, 3], INT))),
    Case("neg_of_bool", lambda L: -t(L, [True, False]),
         r"Negation, the `-` operator, on a bool tensor is not supported", torch_wording=True),
    Case("clamp_no_bounds", lambda L: x23(L).clamp(),
         r"At least one of 'min' or 'max' must not be None", torch_wording=True, kind=ValueError),
    Case("clamp_min_above_max", lambda L: x23(L).clamp(min=4.0, max=1.0)),
    Case("clamp_string_bound", lambda L: x23(L).clamp(min="a"), r"min.*str|str.*min"),
    Case("maximum_shape_mismatch", lambda L: L.lib.maximum(t(L, [1.0, 2.0]), t(L, [1.0, 2.0, 3.0])),
         r"The size of tensor a \(2\) must match the size of tensor b \(3\)", torch_wording=True),
    Case("where_float_condition", lambda L: L.lib.where(t(L, [1.0, 0.0]), t(L, [1.0, 2.0]), t(L, [3.0, 4.0])),
         r"where expected condition to be a boolean tensor, but got a tensor with dtype", torch_wording=True,
         kind=TypeError),
    Case("where_broadcast", lambda L: L.lib.where(t(L, [True, False]), x23(L)[:, :2], t(L, 0.0))),
    Case("where_shape_mismatch", lambda L: L.lib.where(t(L, [True, False, True]), t(L, [1.0, 2.0]), 0.0),
         r"The size of tensor a \(3\) must match the size of tensor b \(2\)|cannot be broadcast"),
    Case("compare_shape_mismatch", lambda L: t(L, [1.0, 2.0]) < t(L, [1.0, 2.0, 3.0]),
         r"The size of tensor a \(2\) must match the size of tensor b \(3\)", torch_wording=True),
    Case("eq_with_number", lambda L: t(L, [1.0, 2.0]) == 1.0),
    Case("matmul_shape_mismatch", lambda L: x23(L) @ x23(L),
         r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)", torch_wording=True),
    Case("matmul_vectors_mismatch", lambda L: t(L, [1.0, 2.0, 3.0]) @ t(L, [1.0, 2.0]),
         r"inconsistent tensor size, expected tensor \[3\] and src \[2\]|shapes \(3,\) and \(2,\) are not aligned"),
    Case("matmul_zero_dim", lambda L: t(L, 2.0) @ t(L, [1.0]),
         r"both arguments to matmul need to be at least 1D, but they are 0D and 1D", torch_wording=True),
    Case("matmul_batched_broadcast", lambda L: t(L, np.ones((2, 1, 2, 3))) @ t(L, np.ones((3, 3, 1)))),
    Case("matmul_matrix_vector", lambda L: x23(L) @ t(L, [1.0, 0.0, -1.0])),
    # ---- reductions
    Case("sum_dim_out_of_range", lambda L: x23(L).sum(dim=2), dim_range(-2, 1, 2), torch_wording=True),
    Case("sum_dim_negative_out_of_range", lambda L: x23(L).sum(dim=-3), dim_range(-2, 1, -3), torch_wording=True),
    Case("sum_dim_float", lambda L: x23(L).sum(dim=1.5), r"dim.*float|float"),
    Case("sum_dim_repeated", lambda L: x23(L).sum(dim=(0, 0)), r"dim 0 appears multiple times in the list of dims|appears more than once", kind=ValueError),
    Case("sum_dim_negative", lambda L: x23(L).sum(dim=-1, keepdim=True)),
    Case("sum_keepdim_string", lambda L: x23(L).sum(dim=0, keepdim="yes"), r"keepdim.*str|bool"),
    Case("sum_of_empty", lambda L: L.lib.zeros(0).sum()),
    Case("sum_of_bool", lambda L: t(L, [True, True, False]).sum()),
    Case("sum_of_int32", lambda L: t(L, [1, 2], "int32").sum()),
    Case("sum_zero_dim_dim0", lambda L: t(L, 2.0).sum(dim=0)),
    Case("sum_zero_dim_dim1", lambda L: t(L, 2.0).sum(dim=1), dim_range(-1, 0, 1), torch_wording=True),
    Case("mean_of_empty", lambda L: L.lib.zeros(0).mean()),
    Case("mean_dim0_of_zero_rows", lambda L: L.lib.zeros(0, 3).mean(dim=0)),
    Case("mean_of_int", lambda L: t(L, [1, 2], INT).mean(),
         r"mean\(\): could not infer output dtype\. Input dtype must be either a floating point or complex dtype\. Got: (Long|int64)",
         torch_wording=True),
    Case("mean_float32_kept", lambda L: t(L, [1.0, 2.0], F32).mean()),
    Case("prod_of_empty", lambda L: L.lib.zeros(0).prod()),
    Case("max_of_empty", lambda L: L.lib.zeros(0).max(),
         r"max\(\): Expected reduction dim to be specified for input\.numel\(\) == 0", torch_wording=True),
    Case("max_dim_of_empty", lambda L: L.lib.zeros(0, 3).max(dim=0),
         r"max\(\): Expected reduction dim 0 to have non-zero size", torch_wording=True),
    Case("amax_of_empty", lambda L: L.lib.zeros(0, 3).amax(dim=0),
         r"amax\(\): Expected reduction dim 0 to have non-zero size", torch_wording=True),
    Case("argmax_of_empty", lambda L: L.lib.zeros(0).argmax(),
         r"argmax\(\): Expected reduction dim to be specified for input\.numel\(\) == 0", torch_wording=True),
    Case("max_dim_values_indices", lambda L: tuple(t(L, [[1.0, 5.0], [7.0, 2.0]]).max(dim=1))),
    Case("min_dim_keepdim", lambda L: tuple(t(L, [[1.0, 5.0], [7.0, 2.0]]).min(dim=0, keepdim=True))),
    Case("max_with_tensor", lambda L: t(L, [1.0, 5.0]).max(t(L, [3.0, 2.0]))),
    Case("max_dim_out_of_range", lambda L: x23(L).max(dim=2), dim_range(-2, 1, 2), torch_wording=True),
    Case("argmax_dim_keepdim", lambda L: x23(L).argmax(dim=1, keepdim=True)),
    Case("argmin_ties_first", lambda L: t(L, [2.0, 1.0, 1.0]).argmin()),
    Case("var_single_element", lambda L: t(L, [1.0]).var()),
    Case("var_correction_0", lambda L: x23(L).var(dim=1, correction=0)),
    Case("var_correction_too_large", lambda L: t(L, [1.0, 3.0]).var(correction=2)),
    Case("std_unbiased_false", lambda L: x23(L).std(unbiased=False)),
    Case("var_dim_out_of_range", lambda L: x23(L).var(dim=5), dim_range(-2, 1, 5), torch_wording=True),
    Case("norm_default", lambda L: x23(L).norm()),
    Case("norm_p1_dim", lambda L: x23(L).norm(p=1, dim=1)),
    Case("norm_inf", lambda L: x23(L).norm(p=float("inf"))),
    Case("logsumexp_all_minus_inf", lambda L: t(L, [-float("inf"), -float("inf")]).logsumexp(dim=0)),
    Case("logsumexp_dim_out_of_range", lambda L: x23(L).logsumexp(dim=3), dim_range(-2, 1, 3), torch_wording=True),
    Case("logsumexp_large", lambda L: t(L, [1000.0, 1000.0]).logsumexp(dim=0)),
    Case("softmax_dim_out_of_range", lambda L: x23(L).softmax(dim=2), dim_range(-2, 1, 2), torch_wording=True),
    Case("softmax_large_values", lambda L: t(L, [1000.0, 0.0]).softmax(dim=0)),
    Case("log_softmax_dim0", lambda L: x23(L).log_softmax(dim=0)),
    Case("cumsum_dim_out_of_range", lambda L: x23(L).cumsum(dim=5), dim_range(-2, 1, 5), torch_wording=True),
    Case("cumsum_int", lambda L: t(L, [1, 2, 3], INT).cumsum(dim=0)),
    Case("all_of_float", lambda L: t(L, [1.0, 0.0]).all()),
    Case("any_dim", lambda L: t(L, [[0.0, 0.0], [1.0, 0.0]]).any(dim=1)),
    Case("all_of_empty", lambda L: L.lib.zeros(0).all()),
    # ---- shape ops
    Case("reshape_float_size", lambda L: t(L, [1.0, 2.0, 3.0, 4.0]).reshape(2.0, 2),
         r"reshape.*(int|float)"),
    Case("reshape_wrong_numel", lambda L: t(L, [1.0, 2.0, 3.0, 4.0]).reshape(3, 3),
         r"shape '\[3, 3\]' is invalid for input of size 4", torch_wording=True),
    Case("reshape_two_minus_one", lambda L: t(L, [1.0, 2.0, 3.0, 4.0]).reshape(-1, -1),
         r"only one dimension can be inferred", torch_wording=True),
    Case("reshape_minus_two", lambda L: t(L, [1.0, 2.0, 3.0, 4.0]).reshape(-2, 2),
         r"invalid shape dimension -2", torch_wording=True),
    Case("reshape_minus_one_not_dividing", lambda L: t(L, [1.0, 2.0, 3.0, 4.0]).reshape(-1, 3),
         r"shape '\[-1, 3\]' is invalid for input of size 4", torch_wording=True),
    Case("reshape_to_zero_dim", lambda L: t(L, [5.0]).reshape(())),
    Case("reshape_tuple", lambda L: x23(L).reshape((3, -1))),
    Case("view_non_contiguous", lambda L: x23(L).T.view(6),
         r"view size is not compatible with input tensor's size and stride", torch_wording=True),
    Case("view_minus_one", lambda L: x23(L).view(-1)),
    Case("squeeze_dim_out_of_range", lambda L: x23(L).squeeze(5), dim_range(-2, 1, 5), torch_wording=True),
    Case("squeeze_non_singleton", lambda L: x23(L).squeeze(0)),
    Case("squeeze_all", lambda L: t(L, np.ones((1, 2, 1))).squeeze()),
    Case("unsqueeze_out_of_range", lambda L: x23(L).unsqueeze(3), dim_range(-3, 2, 3), torch_wording=True),
    Case("unsqueeze_negative", lambda L: x23(L).unsqueeze(-3)),
    Case("unsqueeze_float_dim", lambda L: x23(L).unsqueeze(1.0), r"dim.*(int|float)"),
    Case("flatten_start_after_end", lambda L: t(L, np.ones((2, 3, 4))).flatten(2, 1),
         r"flatten\(\) has invalid args: start_dim cannot come after end_dim", torch_wording=True),
    Case("flatten_zero_dim", lambda L: t(L, 3.0).flatten()),
    Case("flatten_middle", lambda L: t(L, np.ones((2, 3, 4))).flatten(1)),
    Case("expand_non_singleton", lambda L: x23(L).expand(3, 3),
         r"The expanded size of the tensor \(3\) must match the existing size \(2\) at non-singleton dimension 0",
         torch_wording=True),
    Case("expand_too_few_sizes", lambda L: x23(L).expand(3),
         r"the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)",
         torch_wording=True),
    Case("expand_minus_one", lambda L: t(L, [[1.0], [2.0]]).expand(-1, 3)),
    Case("expand_new_leading_dim", lambda L: t(L, [1.0, 2.0]).expand(2, 2)),
    Case("repeat_too_few", lambda L: x23(L).repeat(2),
         r"Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
         torch_wording=True),
    Case("repeat_negative", lambda L: x23(L).repeat(-1, 1), r"negative dimension|non-negative|negative"),
    Case("repeat_more_dims", lambda L: t(L, [1.0, 2.0]).repeat(2, 2)),
    Case("permute_too_few", lambda L: x23(L).permute(0),
         r"number of dimensions in the tensor input does not match the length of the desired ordering of dimensions"),
    Case("permute_repeated", lambda L: x23(L).permute(0, 0), r"repeated dim"),
    Case("permute_out_of_range", lambda L: x23(L).permute(0, 2), dim_range(-2, 1, 2), torch_wording=True),
    Case("transpose_out_of_range", lambda L: x23(L).transpose(0, 2), dim_range(-2, 1, 2), torch_wording=True),
    Case("transpose_three_dims_numpy_style", lambda L: t(L, np.ones((2, 3, 4))).transpose(1, 0, 2),
         r"transpose.*(two|2|permute)"),
    Case("transpose_negative", lambda L: t(L, np.arange(24.0).reshape(2, 3, 4)).transpose(-1, 0)),
    Case("mT_of_vector", lambda L: t(L, [1.0, 2.0]).mT,
         r"tensor\.mT is only supported on matrices or batches of matrices\. Got 1-D tensor\.", torch_wording=True),
    Case("cat_size_mismatch", lambda L: L.lib.cat([x23(L), t(L, np.ones((1, 2)))]),
         r"Sizes of tensors must match except in dimension 0\. Expected size 3 but got size 2 for tensor number 1 in the list",
         torch_wording=True),
    Case("cat_empty_list", lambda L: L.lib.cat([]), r"expected a non-empty list of Tensors", torch_wording=True),
    Case("cat_dim_out_of_range", lambda L: L.lib.cat([x23(L), x23(L)], dim=2), dim_range(-2, 1, 2), torch_wording=True),
    Case("cat_zero_dim", lambda L: L.lib.cat([t(L, 1.0), t(L, 2.0)]),
         r"zero-dimensional tensor \(at position 0\) cannot be concatenated", torch_wording=True),
    Case("cat_dim1", lambda L: L.lib.cat([x23(L), x23(L)], dim=1)),
    Case("cat_float32_float64", lambda L: L.lib.cat([t(L, [1.0], F32), t(L, [2.0])])),
    Case("stack_shape_mismatch", lambda L: L.lib.stack([t(L, [1.0, 2.0]), t(L, [1.0, 2.0, 3.0])]),
         r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1",
         torch_wording=True),
    Case("stack_empty", lambda L: L.lib.stack([]), r"stack expects a non-empty TensorList", torch_wording=True),
    Case("stack_new_last_dim", lambda L: L.lib.stack([t(L, [1.0, 2.0]), t(L, [3.0, 4.0])], dim=-1)),
    Case("stack_dim_out_of_range", lambda L: L.lib.stack([t(L, [1.0]), t(L, [2.0])], dim=3),
         dim_range(-2, 1, 3), torch_wording=True),
    Case("chunk_zero", lambda L: x23(L).chunk(0), r"chunk expects `chunks` to be greater than 0, got: 0", torch_wording=True),
    Case("chunk_uneven", lambda L: t(L, np.arange(5.0)).chunk(3)),
    Case("split_sizes_wrong_sum", lambda L: t(L, np.arange(4.0)).split([1, 2]),
         r"split_with_sizes expects split_sizes to sum exactly to 4", torch_wording=True),
    Case("split_size_zero", lambda L: t(L, np.arange(4.0)).split(0),
         r"split_size can only be 0 if dimension size is 0", torch_wording=True),
    Case("split_uneven", lambda L: t(L, np.arange(5.0)).split(2)),
    Case("gather_index_out_of_range", lambda L: x23(L).gather(1, t(L, [[0, 5], [1, 1]], INT)),
         r"index 5 is out of bounds for dimension 1 with size 3", torch_wording=True, kind=IndexError),
    Case("gather_float_index", lambda L: x23(L).gather(1, t(L, [[0.0], [1.0]])),
         r"gather\(\): Expected dtype int(32/int)?64 for index", torch_wording=True),
    Case("gather_ndim_mismatch", lambda L: x23(L).gather(1, t(L, [0, 1], INT)),
         r"Index tensor must have the same number of dimensions as input tensor", torch_wording=True),
    Case("gather_values", lambda L: x23(L).gather(1, t(L, [[2, 0], [1, 1]], INT))),
    Case("flip_dim_out_of_range", lambda L: x23(L).flip(2), dim_range(-2, 1, 2), torch_wording=True),
    Case("size_dim_out_of_range", lambda L: x23(L).size(5), dim_range(-2, 1, 5), torch_wording=True),
    Case("size_negative", lambda L: x23(L).size(-1)),
    Case("item_of_two", lambda L: t(L, [1.0, 2.0]).item(),
         r"a Tensor with 2 elements cannot be converted to Scalar", torch_wording=True),
    Case("item_of_empty", lambda L: L.lib.zeros(0).item(),
         r"a Tensor with 0 elements cannot be converted to Scalar", torch_wording=True),
    Case("len_of_zero_dim", lambda L: len(t(L, 1.0)), r"len\(\) of a 0-d tensor", torch_wording=True),
    Case("bool_of_two", lambda L: bool(t(L, [1.0, 2.0])),
         r"Boolean value of Tensor with more than one value is ambiguous", torch_wording=True),
    Case("iter_zero_dim", lambda L: list(t(L, 1.0)), r"iteration over a 0-d tensor", torch_wording=True),
    Case("float_of_two", lambda L: float(t(L, [1.0, 2.0])),
         r"only one element tensors can be converted to Python scalars|2 elements"),
    Case("int_of_float_tensor", lambda L: int(t(L, [2.7]))),
    Case("tolist_zero_dim", lambda L: [t(L, 2.5).tolist()]),
    # ---- indexing
    Case("index_out_of_range", lambda L: t(L, [1.0, 2.0, 3.0])[5],
         r"index 5 is out of bounds for dimension 0 with size 3", torch_wording=True),
    Case("index_negative_out_of_range", lambda L: t(L, [1.0, 2.0, 3.0])[-4],
         r"index -4 is out of bounds for dimension 0 with size 3", torch_wording=True),
    Case("index_too_many", lambda L: x23(L)[0, 0, 0],
         r"too many indices for tensor of dimension 2", torch_wording=True),
    Case("index_float", lambda L: x23(L)[1.5],
         r"only integers, slices \(`:`\), ellipsis \(`\.\.\.`\), None and long or byte Variables are valid indices"),
    Case("index_string", lambda L: x23(L)["a"],
         r"only integers, slices \(`:`\), ellipsis \(`\.\.\.`\), None and long or byte Variables are valid indices",
         kind=IndexError),
    Case("index_mask_wrong_shape", lambda L: t(L, [1.0, 2.0, 3.0])[t(L, [True, False])],
         r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor \[3\] at index 0",
         torch_wording=True),
    Case("index_float_tensor", lambda L: t(L, [1.0, 2.0, 3.0])[t(L, [0.0, 1.0])],
         r"tensors used as indices must be long, int, byte or bool tensors", torch_wording=True),
    Case("index_list_out_of_range", lambda L: t(L, [1.0, 2.0, 3.0])[[0, 5]],
         r"index 5 is out of bounds for dimension 0 with size 3", torch_wording=True),
    Case("index_none", lambda L: x23(L)[None]),
    Case("index_ellipsis", lambda L: x23(L)[..., 0]),
    Case("index_negative_step", lambda L: t(L, [1.0, 2.0, 3.0])[::-1], r"step must be greater than zero", torch_wording=True),
    Case("index_int_tensor", lambda L: t(L, [1.0, 2.0, 3.0])[t(L, [0, 2], INT)]),
    Case("index_bool_mask", lambda L: t(L, [1.0, 2.0, 3.0])[t(L, [True, False, True])]),
    Case("index_empty_list", lambda L: t(L, [1.0, 2.0, 3.0])[t(L, [], INT)]),
    Case("index_empty_slice", lambda L: t(L, [1.0, 2.0, 3.0])[1:1]),
    Case("index_slice_past_end", lambda L: t(L, [1.0, 2.0, 3.0])[1:10]),
    Case("setitem_string", lambda L: setitem(L, t(L, [1.0, 2.0]), 0, "a"), r"str"),
    Case("setitem_shape_mismatch", lambda L: setitem(L, t(L, [1.0, 2.0, 3.0]), slice(0, 2), t(L, [1.0, 2.0, 3.0])),
         r"The expanded size of the tensor \(2\) must match the existing size \(3\)|shape mismatch|cannot be broadcast"),
    Case("setitem_out_of_range", lambda L: setitem(L, t(L, [1.0, 2.0]), 5, 1.0),
         r"index 5 is out of bounds for dimension 0 with size 2", torch_wording=True),
    Case("setitem_float_into_int", lambda L: setitem(L, t(L, [1, 2], INT), 0, 2.7)),
    Case("setitem_leaf_requires_grad", lambda L: setitem(L, leaf(L), 0, 5.0), LEAF_INPLACE, torch_wording=True),
    Case("setitem_broadcast", lambda L: setitem(L, x23(L), slice(None), t(L, [7.0, 8.0, 9.0]))),
    Case("setitem_mask", lambda L: setitem(L, t(L, [1.0, -2.0, 3.0]), t(L, [False, True, False]), 0.0)),
    # ---- in-place ops
    Case("add__leaf_requires_grad", lambda L: leaf(L).add_(1.0), LEAF_INPLACE, torch_wording=True),
    Case("iadd_leaf_requires_grad", lambda L: call_inplace(L, leaf(L), "__iadd__", 1.0), LEAF_INPLACE, torch_wording=True),
    Case("mul__view_of_leaf", lambda L: leaf(L)[:2].mul_(2.0),
         r"a view of a leaf Variable that requires grad is being used in an in-place operation\.", torch_wording=True),
    Case("add__int_with_float", lambda L: t(L, [1, 2], INT).add_(1.5),
         r"result type (Double|float64) can't be cast to the desired output type (Long|int64)"),
    Case("div__int", lambda L: t(L, [1, 2], INT).div_(2),
         r"result type (Double|float64) can't be cast to the desired output type (Long|int64)"),
    Case("add__broadcast_grows", lambda L: t(L, [1.0, 2.0]).add_(t(L, np.ones((3, 2)))),
         r"output with shape \[2\] doesn't match the broadcast shape \[3, 2\]", torch_wording=True),
    Case("add__alpha", lambda L: t(L, [1.0, 2.0]).add_(t(L, [1.0, 1.0]), alpha=3)),
    Case("add__alpha_string", lambda L: t(L, [1.0, 2.0]).add_(t(L, [1.0, 1.0]), alpha="a"), r"alpha|str"),
    Case("mul__none", lambda L: t(L, [1.0, 2.0]).mul_(None), r"NoneType|None"),
    Case("copy__wrong_shape", lambda L: t(L, [1.0, 2.0]).copy_(t(L, [1.0, 2.0, 3.0])),
         r"The size of tensor a \(2\) must match the size of tensor b \(3\)|expanded size|cannot be broadcast"),
    Case("copy__broadcast", lambda L: x23(L).copy_(t(L, [1.0, 2.0, 3.0]))),
    Case("fill__tensor_of_two", lambda L: t(L, [1.0, 2.0]).fill_(t(L, [1.0, 2.0])),
         r"fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions", torch_wording=True),
    Case("fill__string", lambda L: t(L, [1.0, 2.0]).fill_("a"), r"str"),
    Case("clamp__no_bounds", lambda L: t(L, [1.0, 2.0]).clamp_(),
         r"At least one of 'min' or 'max' must not be None", torch_wording=True, kind=ValueError),
    Case("zero__values", lambda L: x23(L).zero_()),
    Case("uniform__reversed", lambda L: t(L, [1.0, 2.0]).uniform_(1.0, 0.0),
         r"uniform_ expects to return a \[from, to\) range, but found from=1(\.0)? > to=0", torch_wording=True),
    Case("normal__negative_std", lambda L: t(L, [1.0, 2.0]).normal_(0.0, -1.0),
         r"normal expects std >= 0.0, but found std -1", torch_wording=True),
    Case("inplace_on_expanded", lambda L: t(L, [1.0, 2.0]).expand(3, 2).add_(1.0),
         r"unsupported operation: more than one element of the written-to tensor refers to a single memory location|read-only"),
    Case("inplace_modified_saved_tensor", modified_saved,
         r"one of the variables needed for gradient computation has been modified by an inplace operation",
         torch_wording=True),
    Case("inplace_on_computed_recorded", lambda L: (lambda x: (x, call_inplace(L, x * 1.0, "mul_", 3.0)))(leaf(L))[1]),
    # ---- backward and autograd.grad
    Case("backward_non_scalar", lambda L: (leaf(L) * 2).backward(),
         r"grad can be implicitly created only for scalar outputs", torch_wording=True),
    Case("backward_no_grad_fn", lambda L: t(L, [1.0]).sum().backward(),
         r"element 0 of tensors does not require grad and does not have a grad_fn", torch_wording=True),
    Case("backward_twice", backward_twice, r"Trying to backward through the graph a second time", torch_wording=True),
    Case("backward_gradient_wrong_shape", lambda L: (leaf(L) * 2).backward(t(L, [1.0, 1.0])),
         r"Mismatch in shape: grad_output\[0\] has a shape of .*(\[2\]|\(2,\)).* and output\[0\] has a shape of .*(\[3\]|\(3,\))"),
    Case("backward_gradient_string", lambda L: (leaf(L) * 2).backward("a"), r"gradient|str"),
    Case("backward_inputs_empty", lambda L: (leaf(L) * 2).sum().backward(inputs=[]),
         r"`inputs` argument to `backward\(\)` cannot be empty\.", torch_wording=True),
    Case("backward_through_int_cast", lambda L: leaf(L).long().sum().backward(),
         r"element 0 of tensors does not require grad and does not have a grad_fn", torch_wording=True),
    Case("backward_accumulates", accumulated),
    Case("backward_gradient_given", lambda L: (lambda x: ((x * x).backward(t(L, [1.0, 0.5, 2.0])), x.grad))(leaf(L))[1]),
    Case("grad_unused_input", lambda L: grads_of(L, (leaf(L) * 2).sum(), [leaf(L)]),
         r"The differentiated Tensor at index 0 appears to not have been used in the graph\. Set allow_unused=True",
         torch_wording=True),
    Case("grad_unused_allowed", lambda L: [g is None for g in grads_of(L, (leaf(L) * 2).sum(), [leaf(L)], allow_unused=True)]),
    Case("grad_non_scalar", lambda L: (lambda x: grads_of(L, x * 2, [x]))(leaf(L)),
         r"grad can be implicitly created only for scalar outputs", torch_wording=True),
    Case("grad_input_not_requiring", lambda L: (lambda x, c: grads_of(L, (x * c).sum(), [c]))(leaf(L), t(L, [1.0, 2.0, 3.0])),
         r"One of the differentiated Tensors does not require grad", torch_wording=True),
    Case("grad_outputs_wrong_shape", lambda L: (lambda x: grads_of(L, x * 2, [x], grad_outputs=[t(L, [1.0])]))(leaf(L)),
         r"Mismatch in shape: grad_output\[0\] has a shape of .*(\[1\]|\(1,\)).* and output\[0\] has a shape of .*(\[3\]|\(3,\))"),
    Case("grad_twice_without_retain", lambda L: (lambda x: (lambda y: (grads_of(L, y, [x]), grads_of(L, y, [x])))((x * x).sum()))(leaf(L)),
         r"Trying to backward through the graph a second time", torch_wording=True),
    Case("grad_second_derivative", second_derivative),
    Case("grad_inputs_string", lambda L: grads_of(L, (leaf(L) * 2).sum(), "a"), r"str|Tensor", kind=TypeError),
    Case("grad_of_output_not_requiring", lambda L: grads_of(L, t(L, [1.0]).sum(), [leaf(L)]),
         r"element 0 of tensors does not require grad and does not have a grad_fn", torch_wording=True),
    Case("grad_is_none_before_backward", lambda L: [leaf(L).grad is None]),
    Case("requires_grad_on_non_leaf", lambda L: setattr(leaf(L) * 2, "requires_grad", False),
         r"you can only change requires_grad flags of leaf variables", torch_wording=True),
    Case("requires_grad_int_tensor", lambda L: t(L, [1, 2], INT).requires_grad_(),
         r"only Tensors of floating point (and complex )?dtype can require gradients"),
    Case("numpy_of_requires_grad", lambda L: leaf(L).numpy(),
         r"Can't call numpy\(\) on Tensor that requires grad\. Use tensor\.detach\(\)\.numpy\(\) instead",
         torch_wording=True),
    Case("retain_grad_without_requires_grad", lambda L: t(L, [1.0]).retain_grad(),
         r"can't retain_grad on Tensor that has requires_grad=False", torch_wording=True),
    Case("detach_view_in_place", lambda L: (leaf(L) * 1.0)[:2].detach_(),
         r"Can't detach views in-place\. Use detach\(\) instead", torch_wording=True),
    Case("no_grad_result_not_recorded", lambda L: (lambda x: [(lambda y: y.requires_grad)(_eval_no_grad(L, x))])(leaf(L))),
    Case("detach_shares_data", lambda L: (lambda x: (x.detach().add_(1.0), x)[1])(leaf(L))),
]


def _eval_no_grad(L, x):
    with L.lib.no_grad():
        return x * 2


# ---------------------------------------------------------------------------- nn and data cases


def nn_case(*args, **kwargs):
    return Case(*args, group="nn_data", **kwargs)


BOOL_ONLY = "bool options take only True or False (a truthy string such as 'False' is a mistake)"

NN_DATA = [
    # ---- layers
    nn_case("linear_negative_features", lambda L: L.nn.Linear(-1, 3),
            r"negative dimension -1|in_features.*-1|non-negative", kind=ValueError),
    nn_case("linear_float_features", lambda L: L.nn.Linear(2.5, 3), r"in_features must be a positive integer, got 2\.5",
            kind=ValueError),
    nn_case("linear_wrong_input_width", lambda L: linear(L)(t(L, np.ones((4, 2)))),
            r"mat1 and mat2 shapes cannot be multiplied \(4x2 and 3x2\)", torch_wording=True),
    nn_case("linear_float32_input", lambda L: linear(L)(t(L, np.ones((1, 3)), F32)),
            r"mat1 and mat2 must have the same dtype|input dtype float32 differs from the layer's dtype float64",
            kind=TypeError),
    nn_case("linear_int_input", lambda L: linear(L)(t(L, [[1, 2, 3]], INT)),
            r"mat1 and mat2 must have the same dtype|input dtype int64 differs from the layer's dtype float64",
            kind=TypeError),
    nn_case("linear_bias_string", lambda L: L.nn.Linear(3, 2, bias="False"), r"bias.*bool|bool.*bias",
            differs=BOOL_ONLY, error=TypeError),
    nn_case("linear_forward_values", lambda L: linear(L)(x23(L))),
    nn_case("linear_no_bias_values", lambda L: linear(L, bias=False)(x23(L))),
    nn_case("linear_1d_input", lambda L: linear(L)(t(L, [1.0, 2.0, 3.0]))),
    nn_case("linear_3d_input", lambda L: linear(L)(t(L, np.ones((2, 2, 3))))),
    nn_case("linear_zero_rows", lambda L: linear(L)(L.lib.zeros(0, 3))),
    nn_case("dropout_p_too_large", lambda L: L.nn.Dropout(p=1.5),
            r"dropout probability has to be between 0 and 1, but got 1\.5", torch_wording=True),
    nn_case("dropout_p_negative", lambda L: L.F.dropout(x23(L), p=-0.1),
            r"dropout probability has to be between 0 and 1, but got -0\.1", torch_wording=True),
    nn_case("dropout_p_one_training", lambda L: L.F.dropout(x23(L), p=1.0, training=True)),
    nn_case("dropout_eval_identity", lambda L: L.nn.Dropout(0.5).eval()(x23(L))),
    nn_case("softmax_module_dim_out_of_range", lambda L: L.nn.Softmax(dim=3)(x23(L)),
            dim_range(-2, 1, 3), torch_wording=True),
    nn_case("log_softmax_module_values", lambda L: L.nn.LogSoftmax(dim=1)(x23(L))),
    nn_case("leaky_relu_values", lambda L: L.nn.LeakyReLU(0.2)(t(L, [-1.0, 2.0]))),
    nn_case("elu_values", lambda L: L.nn.ELU()(t(L, [-1.0, 2.0]))),
    nn_case("gelu_tanh_values", lambda L: L.nn.GELU(approximate="tanh")(t(L, [-1.0, 2.0]))),
    nn_case("gelu_bad_approximate", lambda L: L.F.gelu(t(L, [1.0]), approximate="fast"),
            r"approximate argument must be either none or tanh|approximate must be 'none' or 'tanh'", kind=ValueError),
    nn_case("silu_values", lambda L: L.nn.SiLU()(t(L, [-1.0, 2.0]))),
    nn_case("flatten_module", lambda L: L.nn.Flatten()(t(L, np.ones((2, 3, 4))))),
    nn_case("sequential_with_int", lambda L: L.nn.Sequential(3), r"int is not a Module subclass|Module"),
    nn_case("sequential_index_out_of_range", lambda L: L.nn.Sequential(L.nn.ReLU())[3],
            r"index 3 is out of range", torch_wording=True),
    nn_case("module_list_index_out_of_range", lambda L: L.nn.ModuleList([L.nn.ReLU()])[5],
            r"index 5 is out of range", torch_wording=True),
    nn_case("module_list_append_int", lambda L: L.nn.ModuleList().append(3), r"int is not a Module subclass|Module"),
    nn_case("module_dict_missing_key", lambda L: L.nn.ModuleDict({"a": L.nn.ReLU()})["b"], r"b"),
    nn_case("batchnorm_single_sample_training", lambda L: batchnorm(L, 3, (1, 3)),
            r"Expected more than 1 value per channel when training, got input size .*\[1, 3\]"),
    nn_case("batchnorm_wrong_channels", lambda L: batchnorm(L, 3, (4, 2)),
            r"running_mean should contain 2 elements not 3|expects input of shape \(N, 3\) or \(N, 3, L\), got \(4, 2\)"),
    nn_case("batchnorm_values", lambda L: batchnorm(L, 3, (4, 3))),
    nn_case("batchnorm_single_sample_eval", lambda L: batchnorm(L, 3, (1, 3), training=False)),
    nn_case("layernorm_wrong_shape", lambda L: L.nn.LayerNorm(3)(t(L, np.ones((2, 4)))),
            r"Given normalized_shape=\[3\], expected input with shape \[\*, 3\], but got input of size\s?\[2, 4\]"),
    nn_case("layernorm_values", lambda L: L.nn.LayerNorm(3)(x23(L))),
    nn_case("embedding_index_out_of_range", lambda L: L.nn.Embedding(5, 2)(t(L, [5], INT)),
            r"index out of range in self|id 5 is out of range"),
    nn_case("embedding_float_indices", lambda L: L.nn.Embedding(5, 2)(t(L, [1.0])),
            r"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int|integer",
            kind=TypeError),
    nn_case("embedding_padding_idx_out_of_range", lambda L: L.nn.Embedding(5, 2, padding_idx=7),
            r"(?i)padding_idx must be (within num_embeddings|an int in \[-5, 5\))", torch_wording=True, kind=ValueError),
    nn_case("one_hot_values", lambda L: L.F.one_hot(t(L, [0, 2], INT), num_classes=3)),
    nn_case("one_hot_out_of_range", lambda L: L.F.one_hot(t(L, [0, 3], INT), num_classes=3),
            r"(?i)class values must be smaller than num_classes", torch_wording=True, kind=ValueError),
    nn_case("one_hot_float", lambda L: L.F.one_hot(t(L, [0.0, 1.0]), num_classes=3),
            r"one_hot is only applicable to index tensor|int64", kind=TypeError),
    nn_case("one_hot_negative", lambda L: L.F.one_hot(t(L, [-1, 1], INT), num_classes=3),
            r"(?i)class values must be non-negative", torch_wording=True, kind=ValueError),
    # ---- losses
    nn_case("mse_values", lambda L: L.nn.MSELoss()(t(L, [1.0, 2.0]), t(L, [0.0, 4.0]))),
    nn_case("mse_reduction_sum", lambda L: L.F.mse_loss(t(L, [1.0, 2.0]), t(L, [0.0, 4.0]), reduction="sum")),
    nn_case("mse_reduction_none", lambda L: L.F.mse_loss(t(L, [1.0, 2.0]), t(L, [0.0, 4.0]), reduction="none")),
    nn_case("mse_bad_reduction", lambda L: L.nn.MSELoss(reduction="avg")(t(L, [1.0]), t(L, [1.0])),
            r"avg is not a valid value for reduction", torch_wording=True),
    nn_case("mse_shape_mismatch", lambda L: L.F.mse_loss(t(L, [1.0, 2.0]), t(L, [1.0, 2.0, 3.0])),
            r"The size of tensor a \(2\) must match the size of tensor b \(3\)|input shape \(2,\) and target shape \(3,\) differ"),
    nn_case("mse_empty", lambda L: L.F.mse_loss(L.lib.zeros(0), L.lib.zeros(0))),
    nn_case("l1_values", lambda L: L.nn.L1Loss()(t(L, [1.0, 2.0]), t(L, [0.0, 4.0]))),
    nn_case("huber_values", lambda L: L.nn.HuberLoss(delta=0.5)(t(L, [1.0, 2.0]), t(L, [0.0, 2.2]))),
    nn_case("huber_zero_delta", lambda L: L.F.huber_loss(t(L, [1.0]), t(L, [0.0]), delta=0.0),
            r"huber_loss does not support non-positive values for delta|delta must be a finite number > 0", kind=ValueError),
    nn_case("cross_entropy_values", lambda L: L.nn.CrossEntropyLoss()(x23(L), t(L, [2, 0], INT))),
    nn_case("cross_entropy_target_out_of_range", lambda L: L.F.cross_entropy(x23(L), t(L, [5, 0], INT)),
            r"(?i)target 5 is out of bounds", torch_wording=True),
    nn_case("cross_entropy_target_negative", lambda L: L.F.cross_entropy(x23(L), t(L, [-2, 0], INT)),
            r"(?i)target -2 is out of bounds", torch_wording=True),
    nn_case("cross_entropy_batch_mismatch", lambda L: L.F.cross_entropy(x23(L), t(L, [1, 0, 2], INT)),
            r"Expected input batch_size \(2\) to match target batch_size \(3\)|target shape \(3,\) does not fit input shape \(2, 3\)"),
    nn_case("cross_entropy_probabilities", lambda L: L.F.cross_entropy(x23(L), t(L, [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]))),
    nn_case("cross_entropy_label_smoothing_too_large", lambda L: L.F.cross_entropy(x23(L), t(L, [1, 0], INT), label_smoothing=1.5),
            r"label_smoothing must be between 0\.0 and 1\.0\. Got: 1\.5|label_smoothing must be <= 1, got 1\.5", kind=ValueError),
    nn_case("cross_entropy_label_smoothing", lambda L: L.F.cross_entropy(x23(L), t(L, [1, 0], INT), label_smoothing=0.2)),
    nn_case("cross_entropy_ignore_index", lambda L: L.F.cross_entropy(x23(L), t(L, [1, -100], INT))),
    nn_case("cross_entropy_all_ignored", lambda L: L.F.cross_entropy(x23(L), t(L, [-100, -100], INT))),
    nn_case("cross_entropy_unbatched", lambda L: L.F.cross_entropy(t(L, [1.0, 2.0, 0.5]), t(L, 1, INT))),
    nn_case("cross_entropy_weight", lambda L: L.F.cross_entropy(x23(L), t(L, [2, 0], INT), weight=t(L, [1.0, 2.0, 3.0]))),
    nn_case("cross_entropy_bad_reduction", lambda L: L.F.cross_entropy(x23(L), t(L, [2, 0], INT), reduction="avg"),
            r"avg is not a valid value for reduction", torch_wording=True),
    nn_case("nll_batch_mismatch", lambda L: L.F.nll_loss(x23(L), t(L, [1, 0, 2], INT)),
            r"Expected input batch_size \(2\) to match target batch_size \(3\)|target shape \(3,\) does not fit input shape \(2, 3\)"),
    nn_case("nll_float_target", lambda L: L.F.nll_loss(x23(L), t(L, [1.0, 0.0])),
            r"expected target dtype to be Long|integer class indices", kind=TypeError),
    nn_case("nll_values", lambda L: L.nn.NLLLoss()(x23(L).log_softmax(dim=1), t(L, [2, 1], INT))),
    nn_case("bce_input_out_of_range", lambda L: L.F.binary_cross_entropy(t(L, [1.5, 0.5]), t(L, [1.0, 0.0])),
            r"all elements of input should be between 0 and 1", torch_wording=True, kind=ValueError),
    nn_case("bce_shape_mismatch", lambda L: L.F.binary_cross_entropy(t(L, [0.5, 0.5]), t(L, [[1.0], [0.0]])),
            r"Using a target size .*\[2, 1\].* that is different to the input size .*\[2\].* is deprecated|target shape \(2, 1\) differs from input shape \(2,\)"),
    nn_case("bce_values_at_bounds", lambda L: L.F.binary_cross_entropy(t(L, [1.0, 0.0, 0.3]), t(L, [1.0, 0.0, 1.0]))),
    nn_case("bce_log_clamp", lambda L: L.F.binary_cross_entropy(t(L, [0.0]), t(L, [1.0]))),
    nn_case("bce_logits_shape_mismatch", lambda L: L.F.binary_cross_entropy_with_logits(t(L, [0.5, 0.5]), t(L, [[1.0], [0.0]])),
            r"Target size \(.*\[2, 1\].*\) must be the same as input size \(.*\[2\].*\)|target shape \(2, 1\) differs from input shape \(2,\)"),
    nn_case("bce_logits_values", lambda L: L.nn.BCEWithLogitsLoss(pos_weight=t(L, [2.0]))(t(L, [50.0, -3.0]), t(L, [0.0, 1.0]))),
    # ---- Module
    nn_case("module_parameter_name_with_dot", lambda L: module_with_bad_name(L, "parameter"),
            r'parameter name can\W{1,2}t contain "\."', torch_wording=True),
    nn_case("module_empty_child_name", lambda L: module_with_bad_name(L, "module"),
            r'module name can\W{1,2}t be empty string ""', torch_wording=True),
    nn_case("module_assign_tensor_to_parameter", assign_tensor_to_parameter,
            r"cannot assign '.*' as parameter 'weight' \(torch\.nn\.Parameter or None expected\)|cannot assign .* as parameter 'weight'"),
    nn_case("module_train_string", lambda L: linear(L).train("yes"),
            r"training mode is expected to be boolean", torch_wording=True, kind=TypeError),
    nn_case("module_missing_attribute", lambda L: linear(L).wieght, r"'Linear' object has no attribute 'wieght'",
            torch_wording=True),
    nn_case("load_state_dict_missing_key", lambda L: state_dict_without(L, "bias"),
            r"Missing key\(s\) in state_dict: \"bias\"|missing key\(s\): 'bias'"),
    nn_case("load_state_dict_unexpected_key", lambda L: state_dict_with(L, "extra", t(L, [1.0])),
            r"Unexpected key\(s\) in state_dict: \"extra\"|unexpected key\(s\): 'extra'"),
    nn_case("load_state_dict_unexpected_key_not_strict", lambda L: (lambda r: (list(r[0].missing_keys), list(r[0].unexpected_keys), r[1], r[2]))(
        state_dict_with(L, "extra", t(L, [1.0]), strict=False))),
    nn_case("load_state_dict_missing_not_strict", lambda L: (lambda r: (list(r.missing_keys), list(r.unexpected_keys)))(
        (lambda m: m.load_state_dict({"weight": t(L, np.ones((2, 3)))}, strict=False))(linear(L)))),
    nn_case("load_state_dict_shape_mismatch", lambda L: state_dict_with(L, "weight", t(L, np.ones((2, 2)))),
            r"size mismatch for weight: copying a param with shape .*(\[2, 2\]|\(2, 2\)).* from checkpoint, the shape in current model is .*(\[2, 3\]|\(2, 3\))"),
    nn_case("load_state_dict_not_a_dict", lambda L: linear(L).load_state_dict(3),
            r"Expected state_dict to be dict-like, got <class 'int'>\.|state_dict must be a mapping"),
    nn_case("load_state_dict_strict_string", lambda L: linear(L).load_state_dict(linear(L).state_dict(), strict="no"),
            r"strict must be True or False", differs=BOOL_ONLY, error=TypeError),
    nn_case("load_state_dict_string_value", lambda L: state_dict_with(L, "bias", "abc"),
            r"bias"),
    nn_case("load_state_dict_values_loaded", lambda L: state_dict_with(L, "bias", t(L, [7.0, 8.0]))[1:]),
    nn_case("load_state_dict_float32_values_cast", lambda L: state_dict_with(L, "bias", t(L, [7.0, 8.0], F32))[2]),
    nn_case("load_state_dict_atomic", lambda L: _atomic_load(L), r"size mismatch for weight", kind=RuntimeError),
    nn_case("parameter_count", lambda L: [sum(p.numel() for p in linear(L).parameters())]),
    nn_case("named_parameters_order", lambda L: [[name for name, _ in L.nn.Sequential(linear(L), L.nn.ReLU(), linear(L, 2, 1)).named_parameters()]]),
    nn_case("clip_grad_norm_values", lambda L: _clipped(L)),
    nn_case("clip_grad_norm_bad_type", lambda L: L.nn.utils.clip_grad_norm_([leaf(L)], 1.0, norm_type="fro2"),
            r"norm_type must be a number, got 'fro2'", kind=TypeError),
    nn_case("vector_to_parameters_wrong_length", lambda L: L.nn.utils.vector_to_parameters(t(L, [1.0, 2.0]), list(linear(L).parameters())),
            r"shape '\[2\]' is invalid for input of size \d|length|elements|size"),
    nn_case("parameters_to_vector_values", lambda L: L.nn.utils.parameters_to_vector(linear(L).parameters())),
    nn_case("kaiming_on_vector", lambda L: L.nn.init.kaiming_uniform_(t(L, [1.0, 2.0])),
            r"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", torch_wording=True),
    nn_case("xavier_on_vector", lambda L: L.nn.init.xavier_uniform_(t(L, [1.0, 2.0])),
            r"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", torch_wording=True),
    nn_case("calculate_gain_unknown", lambda L: L.nn.init.calculate_gain("foo"),
            r"Unsupported nonlinearity foo", torch_wording=True),
    nn_case("calculate_gain_values", lambda L: [L.nn.init.calculate_gain("relu"), L.nn.init.calculate_gain("tanh"),
                                               L.nn.init.calculate_gain("leaky_relu", 0.2)]),
    nn_case("constant_init_values", lambda L: L.nn.init.constant_(L.lib.empty(2, 2), 0.3)),
    # ---- optimizer state dicts (the loading side the optimizer tables do not cover)
    nn_case("optimizer_state_step_string", lambda L: optimizer_with_state(L, step="abc"),
            r"step.*must be an int step count, but got 'abc'", kind=TypeError),
    nn_case("optimizer_state_loaded_values", lambda L: optimizer_with_state(L)),
    # ---- data
    nn_case("dataloader_list_of_pairs", lambda L: batches(L, L.data.DataLoader([(np.ones(2), 1.0)] * 4, batch_size=2))),
    nn_case("dataloader_list_of_tensor_pairs", lambda L: batches(L, L.data.DataLoader(
        [(t(L, [float(i), 1.0]), t(L, i, INT)) for i in range(3)], batch_size=2))),
    nn_case("dataloader_tensor_dataset", lambda L: batches(L, L.data.DataLoader(dataset(L, 5), batch_size=2))),
    nn_case("dataloader_drop_last", lambda L: batches(L, L.data.DataLoader(dataset(L, 5), batch_size=2, drop_last=True))),
    nn_case("dataloader_len", lambda L: [len(L.data.DataLoader(dataset(L, 5), batch_size=2)),
                                         len(L.data.DataLoader(dataset(L, 5), batch_size=2, drop_last=True))]),
    nn_case("dataloader_batch_size_zero", lambda L: L.data.DataLoader(dataset(L), batch_size=0),
            r"batch_size should be a positive integer value, but got batch_size=0", torch_wording=True),
    nn_case("dataloader_batch_size_negative", lambda L: L.data.DataLoader(dataset(L), batch_size=-1),
            r"batch_size should be a positive integer value, but got batch_size=-1", torch_wording=True),
    nn_case("dataloader_batch_size_float", lambda L: L.data.DataLoader(dataset(L), batch_size=2.5),
            r"batch_size should be a positive integer value, but got batch_size=2\.5", torch_wording=True),
    nn_case("dataloader_batch_size_string", lambda L: L.data.DataLoader(dataset(L), batch_size="2"),
            r"batch_size should be a positive integer value, but got batch_size='?2'?", torch_wording=True),
    nn_case("dataloader_shuffle_string", lambda L: L.data.DataLoader(dataset(L), shuffle="False"),
            r"shuffle.*bool", differs=BOOL_ONLY, error=TypeError),
    nn_case("dataloader_drop_last_string", lambda L: L.data.DataLoader(dataset(L), drop_last="False"),
            r"drop_last should be a boolean value, but got drop_last=False", torch_wording=True),
    nn_case("dataloader_sampler_and_shuffle", lambda L: L.data.DataLoader(dataset(L), sampler=[0, 1], shuffle=True),
            r"sampler option is mutually exclusive with shuffle", torch_wording=True),
    nn_case("dataloader_batch_sampler_and_batch_size", lambda L: L.data.DataLoader(dataset(L), batch_sampler=[[0, 1]], batch_size=2),
            r"batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last",
            torch_wording=True),
    nn_case("dataloader_batch_sampler", lambda L: batches(L, L.data.DataLoader(dataset(L), batch_sampler=[[3, 0], [1]]))),
    nn_case("dataloader_sampler_order", lambda L: batches(L, L.data.DataLoader(dataset(L), sampler=[3, 1, 2], batch_size=2))),
    nn_case("dataloader_not_a_dataset", lambda L: batches(L, L.data.DataLoader(5)),
            r"int|len\(\)|dataset", kind=TypeError),
    nn_case("collate_shape_mismatch", lambda L: batches(L, L.data.DataLoader([t(L, [1.0, 2.0]), t(L, [1.0, 2.0, 3.0])], batch_size=2)),
            r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1|different shapes across the batch \[\(2,\), \(3,\)\]"),
    nn_case("collate_ragged_tuples", lambda L: batches(L, L.data.DataLoader([(1.0, 2.0), (1.0,)], batch_size=2)),
            r"each element in list of batch should be of equal size", torch_wording=True),
    nn_case("collate_dicts", lambda L: (lambda b: [b[0]["x"], b[0]["y"]])(batches(L, L.data.DataLoader(
        [{"x": t(L, [1.0]), "y": 1}, {"x": t(L, [2.0]), "y": 0}], batch_size=2)))),
    nn_case("collate_ints", lambda L: L.data.default_collate([1, 2, 3])),
    nn_case("collate_floats", lambda L: L.data.default_collate([1.5, 2.5])),
    nn_case("collate_numpy_arrays", lambda L: L.data.default_collate([np.zeros(2, dtype=np.float32), np.ones(2, dtype=np.float32)])),
    nn_case("collate_strings", lambda L: [L.data.default_collate(["a", "b"])]),
    nn_case("tensor_dataset_size_mismatch", lambda L: L.data.TensorDataset(t(L, np.ones((3, 2))), t(L, [1.0, 2.0])),
            r"Size mismatch between tensors|must have the same length", kind=ValueError),
    nn_case("tensor_dataset_index_out_of_range", lambda L: dataset(L)[7],
            r"index 7 is out of bounds for dimension 0 with size 4", torch_wording=True),
    nn_case("tensor_dataset_item", lambda L: dataset(L)[-1]),
    nn_case("random_split_wrong_sum", lambda L: L.data.random_split(dataset(L), [1, 2]),
            r"(?i)sum of (input )?lengths (3 )?does not equal the length of the (input )?dataset", torch_wording=True),
    nn_case("random_split_fractions_lengths", lambda L: [len(part) for part in L.data.random_split(dataset(L, 5), [0.5, 0.5])]),
    nn_case("random_split_fractions_wrong_sum", lambda L: L.data.random_split(dataset(L), [0.5, 0.6]),
            r"(?i)sum of (input )?lengths does not equal the length of the (input )?dataset|must be counts summing to 4 or fractions summing to 1"),
    nn_case("random_split_negative_length", lambda L: L.data.random_split(dataset(L), [5, -1]),
            r"lengths must be non-negative", differs="torch accepts a negative length and returns a Subset with a negative length", error=ValueError),
    nn_case("subset_index_out_of_range", lambda L: L.data.Subset(dataset(L), [0, 9])[1],
            r"index 9 is out of bounds for dimension 0 with size 4|indices out of range for a dataset of 4 samples"),
    nn_case("subset_values", lambda L: L.data.Subset(dataset(L), [3, 1])[0]),
    nn_case("concat_dataset_empty", lambda L: L.data.ConcatDataset([]),
            r"datasets should not be an empty iterable|needs at least one dataset", kind=ValueError),
    nn_case("concat_dataset_index_too_negative", lambda L: L.data.ConcatDataset([dataset(L), dataset(L)])[-100],
            r"absolute value of index should not exceed dataset length|index -100 out of range for 8 samples", kind=IndexError),
    nn_case("concat_dataset_values", lambda L: [len(L.data.ConcatDataset([dataset(L), dataset(L, 2)])),
                                                L.data.ConcatDataset([dataset(L), dataset(L, 2)])[5][0]]),
    nn_case("random_sampler_len", lambda L: [len(L.data.RandomSampler(dataset(L)))]),
    nn_case("batch_sampler_size_zero", lambda L: L.data.BatchSampler(range(4), batch_size=0, drop_last=False),
            r"batch_size should be a positive integer value, but got batch_size=0", torch_wording=True),
    nn_case("batch_sampler_drop_last_string", lambda L: L.data.BatchSampler(range(4), batch_size=2, drop_last="no"),
            r"drop_last should be a boolean value, but got drop_last=no", torch_wording=True),
    nn_case("batch_sampler_batches", lambda L: list(L.data.BatchSampler(range(5), batch_size=2, drop_last=False))),
    nn_case("sequential_sampler_order", lambda L: [list(L.data.SequentialSampler(range(3)))]),
]


def _atomic_load(L):
    """A state dict with a good bias and a bad weight: nothing is loaded, the error names weight."""
    module = linear(L)
    try:
        module.load_state_dict({"weight": t(L, np.ones((2, 2))), "bias": t(L, [9.0, 9.0])})
    except RuntimeError:
        assert np.array_equal(np.asarray(module.bias.detach()), [0.5, 0.5]), "bias was loaded"
        raise


def _clipped(L):
    x = leaf(L)
    (x * x).sum().backward()
    total = L.nn.utils.clip_grad_norm_([x], max_norm=1.0)
    return total, x.grad


def data_case(name, fn, error, match):
    """A course data set (no torch counterpart): the expected error is stated here."""
    return Case(name, fn, match, error=error, minigrad_only=True, group="nn_data")


DATASETS = [
    data_case("synthetic_linear_noise_string", lambda L: L.data.synthetic_linear(noise="a"), TypeError,
              r"noise must be a number.*'a'"),
    data_case("synthetic_linear_noise_negative", lambda L: L.data.synthetic_linear(noise=-0.1), ValueError,
              r"noise must be a finite number >= 0, got -0\.1"),
    data_case("synthetic_linear_noise_nan", lambda L: L.data.synthetic_linear(noise=float("nan")), ValueError,
              r"noise must be a finite number >= 0, got nan"),
    data_case("synthetic_linear_noise_bool", lambda L: L.data.synthetic_linear(noise=True), TypeError,
              r"noise must be a number.*bool"),
    data_case("synthetic_linear_zero_examples", lambda L: L.data.synthetic_linear(num_examples=0), ValueError,
              r"num_examples must be a positive integer, got 0"),
    data_case("synthetic_linear_float_examples", lambda L: L.data.synthetic_linear(num_examples=10.5), ValueError,
              r"num_examples must be a positive integer, got 10\.5"),
    data_case("synthetic_linear_empty_weights", lambda L: L.data.synthetic_linear(true_w=[]), ValueError,
              r"true_w must be a non-empty 1-D sequence"),
    data_case("synthetic_linear_string_weights", lambda L: L.data.synthetic_linear(true_w=["a", "b"]), TypeError,
              r"true_w"),
    data_case("synthetic_linear_string_bias", lambda L: L.data.synthetic_linear(true_b="x"), TypeError,
              r"true_b"),
    data_case("synthetic_linear_bad_seed", lambda L: L.data.synthetic_linear(seed="s"), TypeError,
              r"seed"),
    data_case("load_airfoil_standardize_string", lambda L: L.data.load_airfoil(standardize="False"), TypeError,
              r"standardize must be True or False, got str 'False'"),
    data_case("load_airfoil_standardize_int", lambda L: L.data.load_airfoil(standardize=0), TypeError,
              r"standardize must be True or False, got int 0"),
    data_case("load_airfoil_too_many", lambda L: L.data.load_airfoil(num_examples=10 ** 6), ValueError,
              r"num_examples.*1503"),
    data_case("load_airfoil_zero", lambda L: L.data.load_airfoil(num_examples=0), ValueError,
              r"num_examples must be a positive integer, got 0"),
    data_case("make_moons_noise_string", lambda L: L.data.make_moons(noise="a"), TypeError,
              r"noise must be a number.*'a'"),
    data_case("make_moons_noise_negative", lambda L: L.data.make_moons(noise=-1.0), ValueError,
              r"noise must be a finite number >= 0"),
    data_case("make_moons_zero_samples", lambda L: L.data.make_moons(n_samples=0), ValueError,
              r"n_samples must be a positive integer, got 0"),
    data_case("make_moons_shuffle_string", lambda L: L.data.make_moons(shuffle="no"), TypeError,
              r"shuffle must be True or False"),
    data_case("make_moons_bad_random_state", lambda L: L.data.make_moons(random_state="x"), ValueError,
              r"random_state"),
    data_case("make_spirals_one_class", lambda L: L.data.make_spirals(n_classes=0), ValueError,
              r"n_classes must be a positive integer, got 0"),
    data_case("make_spirals_noise_string", lambda L: L.data.make_spirals(noise="a"), TypeError,
              r"noise must be a number"),
    data_case("load_digits_bad_split", lambda L: L.data.load_digits(split="validation"), ValueError,
              r"split.*'validation'"),
    data_case("load_digits_flatten_string", lambda L: L.data.load_digits(flatten="yes"), TypeError,
              r"flatten must be True or False"),
    data_case("temperatures_zero_days", lambda L: L.data.temperatures(days=0), ValueError,
              r"days must be a positive integer, got 0"),
    data_case("temperatures_scale_string", lambda L: L.data.temperatures(scale="a"), TypeError,
              r"scale"),
]

CASES = ENGINE + NN_DATA + DATASETS
assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"


# ---------------------------------------------------------------------------- outcomes


def outcome_of(value):
    """A returned value as a JSON-able structure: tensors and arrays as dtype, shape and
    values; tuples/lists/dicts element by element; numbers and strings as they are; any other
    object by its class name."""
    if hasattr(value, "detach") and hasattr(value, "shape"):  # a torch or minigrad tensor
        value = np.asarray(value.detach().numpy() if hasattr(value.detach(), "numpy") else value.detach().data)
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        return {"dtype": array.dtype.name, "shape": list(array.shape), "values": array.ravel().tolist()}
    if isinstance(value, dict):
        return {"dict": {str(key): outcome_of(item) for key, item in value.items()}}
    if isinstance(value, (tuple, list)):
        return [outcome_of(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"object": type(value).__name__}  # a module, a loader...: its class
