"""The Tensor ops checked against torch, written once for both libraries.

Each case is ``Case(name, inputs, fn)``: ``inputs`` lists ``(shape, domain)`` for each input
and ``fn(lib, *tensors)`` spells the op with torch's API, so the same line runs with
``lib = torch`` (in ``make_tensor_refs.py``, which stores values and gradients in
``tensor_refs.npz``) and with ``lib = minigrad`` (in ``tests/minigrad/test_tensor_torch_api.py``).
``fn`` returns a tensor or a tuple of tensors. The gradient recorded is that of
``sum(out_i * upstream_i)`` over the floating-point outputs (``upstream_i`` random, stored).

Domains keep inputs away from points where an op is not differentiable (ties of max, kinks
of abs/clamp, integers for floor/round), so finite differences agree with the analytic rule.
"""

import zlib
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Case:
    name: str
    inputs: list
    fn: object
    gradcheck: bool = True  # False where the op is not differentiable at the stored point
    float32: bool = True  # also run in float32 (dtype kept, values close)
    extra: dict = field(default_factory=dict)


def draw(name, shape, domain):
    """Inputs for a case: deterministic in ``name``, shaped ``shape``, in ``domain``."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    size = int(np.prod(shape))
    if domain == "any":
        return rng.standard_normal(shape)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "gt-1":
        return rng.uniform(-0.6, 2.0, shape)
    if domain == "distinct":  # no ties, every gap >= 0.2
        return (rng.permutation(size).reshape(shape) * 0.3 - 1.5 + rng.uniform(0, 0.1, shape))
    if domain == "away0":  # |x| in [0.3, 2], either sign
        return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "offint":  # at least 0.1 from an integer and from a half-integer
        return rng.integers(-3, 3, shape) + rng.choice([0.2, 0.35, 0.65, 0.8], shape)
    if domain == "ties":  # few distinct values: ties on purpose
        return rng.integers(0, 3, shape).astype(np.float64)
    if domain == "bool":
        return rng.random(shape) < 0.5
    if domain == "special":  # finite values mixed with nan and +-inf
        values = rng.standard_normal(size)
        values[::3] = np.nan
        values[1::4] = np.inf
        values[2::5] = -np.inf
        return values.reshape(shape)
    if domain == "zero-row":  # a row of zeros (the norm's kink)
        values = rng.standard_normal(shape)
        values[0] = 0
        return values
    if domain == "one-zero":
        values = rng.standard_normal(shape)
        values.flat[1] = 0
        return values
    raise ValueError(domain)


GATHER_1 = np.array([[0, 2, 2, 1], [3, 0, 0, 0], [1, 1, 3, 2]])
GATHER_0 = np.array([[2, 0, 1, 1], [0, 0, 2, 1]])
INDEX = np.array([2, 0, 2])

A34 = [((3, 4), "any")]
D34 = [((3, 4), "distinct")]
X234 = [((2, 3, 4), "any")]

CASES = [
    # ------------------------------------------------------------------ reductions
    Case("sum_all", A34, lambda lib, x: x.sum()),
    Case("sum_dim0", A34, lambda lib, x: x.sum(dim=0)),
    Case("sum_dim1_keepdim", A34, lambda lib, x: x.sum(dim=1, keepdim=True)),
    Case("sum_dims_tuple", X234, lambda lib, x: x.sum(dim=(0, 2))),
    Case("sum_neg_dim_functional", X234, lambda lib, x: lib.sum(x, dim=-1, keepdim=True)),
    Case("mean_all", A34, lambda lib, x: x.mean()),
    Case("mean_dim1", A34, lambda lib, x: x.mean(dim=1)),
    Case("mean_dims_keepdim", X234, lambda lib, x: x.mean(dim=(1, 2), keepdim=True)),
    Case("prod_all", A34, lambda lib, x: x.prod()),
    Case("prod_dim0", A34, lambda lib, x: x.prod(dim=0)),
    Case("prod_dim1_keepdim", A34, lambda lib, x: x.prod(dim=1, keepdim=True)),
    Case("prod_with_a_zero", [((3, 4), "one-zero")], lambda lib, x: x.prod()),
    Case("prod_dim_with_a_zero", [((3, 4), "one-zero")], lambda lib, x: x.prod(dim=1)),
    Case("max_all", D34, lambda lib, x: x.max()),
    Case("max_dim", D34, lambda lib, x: tuple(x.max(dim=1))),
    Case("max_dim_keepdim", D34, lambda lib, x: tuple(x.max(0, keepdim=True))),
    Case("min_all", D34, lambda lib, x: x.min()),
    Case("min_dim", D34, lambda lib, x: tuple(x.min(dim=-1))),
    Case("min_dim_keepdim", D34, lambda lib, x: tuple(lib.min(x, 1, keepdim=True))),
    Case("max_all_ties", [((3, 4), "ties")], lambda lib, x: x.max(), gradcheck=False),
    Case("amax_all", D34, lambda lib, x: x.amax()),
    Case("amax_dim", D34, lambda lib, x: x.amax(dim=1)),
    Case("amax_dims_keepdim", [((2, 3, 4), "distinct")], lambda lib, x: lib.amax(x, dim=(0, 2), keepdim=True)),
    Case("amax_ties", [((3, 4), "ties")], lambda lib, x: x.amax(dim=1), gradcheck=False),
    Case("amin_all", D34, lambda lib, x: x.amin()),
    Case("amin_dim_keepdim", D34, lambda lib, x: x.amin(dim=0, keepdim=True)),
    Case("amin_ties", [((3, 4), "ties")], lambda lib, x: x.amin(dim=0), gradcheck=False),
    Case("var_all", A34, lambda lib, x: x.var()),
    Case("var_dim1", A34, lambda lib, x: x.var(dim=1)),
    Case("var_correction0_keepdim", A34, lambda lib, x: x.var(dim=0, correction=0, keepdim=True)),
    Case("var_unbiased_false", A34, lambda lib, x: x.var(1, unbiased=False)),
    Case("var_correction2", X234, lambda lib, x: lib.var(x, dim=(0, 2), correction=2)),
    Case("std_all", A34, lambda lib, x: x.std()),
    Case("std_dim0_keepdim", A34, lambda lib, x: x.std(dim=0, keepdim=True)),
    Case("std_correction0", A34, lambda lib, x: lib.std(x, dim=1, correction=0)),
    Case("norm_all", A34, lambda lib, x: x.norm()),
    Case("norm_p1", [((3, 4), "away0")], lambda lib, x: x.norm(p=1)),
    Case("norm_p3_dim", A34, lambda lib, x: x.norm(p=3, dim=1)),
    Case("norm_inf_dim", D34, lambda lib, x: x.norm(p=float("inf"), dim=0)),
    Case("norm_dim_keepdim", A34, lambda lib, x: lib.norm(x, dim=1, keepdim=True)),
    Case("norm_zero_row", [((3, 4), "zero-row")], lambda lib, x: x.norm(dim=1), gradcheck=False),
    Case("logsumexp_dim1", A34, lambda lib, x: x.logsumexp(dim=1)),
    Case("logsumexp_dims_keepdim", X234, lambda lib, x: lib.logsumexp(x, dim=(0, 2), keepdim=True)),
    Case("logsumexp_large", A34, lambda lib, x: (x * 400).logsumexp(0)),
    Case("cumsum_dim0", A34, lambda lib, x: x.cumsum(dim=0)),
    Case("cumsum_neg_dim", X234, lambda lib, x: lib.cumsum(x, dim=-1)),
    Case("argmax_all", D34, lambda lib, x: x.argmax()),
    Case("argmax_dim", D34, lambda lib, x: x.argmax(dim=1)),
    Case("argmax_dim_keepdim", D34, lambda lib, x: lib.argmax(x, dim=0, keepdim=True)),
    Case("argmin_all", D34, lambda lib, x: x.argmin()),
    Case("argmin_dim", D34, lambda lib, x: x.argmin(dim=-1)),
    Case("argmin_dim_keepdim", D34, lambda lib, x: lib.argmin(x, 1, keepdim=True)),
    Case("all_any", [((3, 4), "bool")], lambda lib, b: (b.all(), b.any(), b.all(dim=1), b.any(dim=0, keepdim=True))),
    Case("all_any_numbers", A34, lambda lib, x: (lib.all(x > -1, dim=0), lib.any(x > 1, dim=1, keepdim=True))),
    # ------------------------------------------------------------------ shape
    Case("view", X234, lambda lib, x: x.view(6, 4)),
    Case("view_minus1", X234, lambda lib, x: x.view(-1)),
    Case("view_tuple", X234, lambda lib, x: x.view((4, -1))),
    Case("reshape", X234, lambda lib, x: x.reshape(4, -1)),
    Case("reshape_functional", X234, lambda lib, x: lib.reshape(x, (3, 8))),
    Case("flatten", X234, lambda lib, x: x.flatten()),
    Case("flatten_start1", X234, lambda lib, x: x.flatten(1)),
    Case("flatten_0_1", X234, lambda lib, x: lib.flatten(x, 0, 1)),
    Case("squeeze_all", [((2, 1, 3, 1), "any")], lambda lib, x: x.squeeze()),
    Case("squeeze_dim", [((2, 1, 3, 1), "any")], lambda lib, x: x.squeeze(1)),
    Case("squeeze_dim_not_1", [((2, 1, 3, 1), "any")], lambda lib, x: x.squeeze(0)),
    Case("squeeze_neg_dim", [((2, 1, 3, 1), "any")], lambda lib, x: lib.squeeze(x, -1)),
    Case("unsqueeze_0", A34, lambda lib, x: x.unsqueeze(0)),
    Case("unsqueeze_neg", A34, lambda lib, x: lib.unsqueeze(x, -1)),
    Case("unsqueeze_middle", A34, lambda lib, x: x.unsqueeze(1)),
    Case("expand", [((3, 1), "any")], lambda lib, x: x.expand(2, 3, 4)),
    Case("expand_minus1", [((3, 1), "any")], lambda lib, x: x.expand(-1, 4)),
    Case("expand_tuple", [((1, 4), "any")], lambda lib, x: x.expand((3, 4)) * 2),
    Case("repeat", [((3, 2), "any")], lambda lib, x: x.repeat(2, 3)),
    Case("repeat_new_dims", [((3, 2), "any")], lambda lib, x: x.repeat(2, 1, 2)),
    Case("permute", X234, lambda lib, x: x.permute(2, 0, 1)),
    Case("permute_tuple", X234, lambda lib, x: x.permute((1, 2, 0))),
    Case("transpose", X234, lambda lib, x: x.transpose(0, 2)),
    Case("transpose_neg", X234, lambda lib, x: lib.transpose(x, -1, -2)),
    Case("T", A34, lambda lib, x: x.T),
    Case("mT", X234, lambda lib, x: x.mT),
    Case("chunk", [((2, 6), "any")], lambda lib, x: x.chunk(3, dim=1)),
    Case("chunk_uneven", [((2, 5), "any")], lambda lib, x: lib.chunk(x, 3, 1)),
    Case("chunk_dim0", [((5, 2), "any")], lambda lib, x: x.chunk(2)),
    Case("split_size", [((2, 5), "any")], lambda lib, x: x.split(2, dim=1)),
    Case("split_sections", [((2, 5), "any")], lambda lib, x: lib.split(x, [1, 4], dim=-1)),
    Case("cat_dim1", [((2, 3), "any"), ((2, 2), "any")], lambda lib, x, y: lib.cat([x, y], dim=1)),
    Case("cat_dim0", [((2, 3), "any"), ((1, 3), "any")], lambda lib, x, y: lib.cat((x, y))),
    Case("stack_dim0", [((2, 3), "any"), ((2, 3), "any")], lambda lib, x, y: lib.stack([x, y])),
    Case("stack_last", [((2, 3), "any"), ((2, 3), "any")], lambda lib, x, y: lib.stack([x, y, x], dim=-1)),
    Case("gather_dim1", A34, lambda lib, x: x.gather(1, lib.tensor(GATHER_1[:, :3]))),
    Case("gather_dim0", A34, lambda lib, x: lib.gather(x, 0, lib.tensor(GATHER_0))),
    Case("getitem_slices", X234, lambda lib, x: x[1:, ::2, -1]),
    Case("getitem_repeated_index", A34, lambda lib, x: x[lib.tensor(INDEX)]),
    Case("getitem_mask", A34, lambda lib, x: x[x > 0]),
    Case("flip", A34, lambda lib, x: x.flip(0)),
    # ------------------------------------------------------------------ elementwise
    Case("square", A34, lambda lib, x: x.square()),
    Case("square_functional", A34, lambda lib, x: lib.square(x)),
    Case("clamp_both", A34, lambda lib, x: x.clamp(-0.5, 0.5)),
    Case("clamp_min", A34, lambda lib, x: x.clamp(min=0.1)),
    Case("clamp_max", A34, lambda lib, x: lib.clamp(x, max=-0.2)),
    Case("clip", A34, lambda lib, x: x.clip(-1, 1)),
    Case("maximum", [((3, 1), "distinct"), ((4,), "distinct")], lambda lib, x, y: lib.maximum(x, y + 0.05)),
    Case("minimum", [((3, 1), "distinct"), ((4,), "distinct")], lambda lib, x, y: x.minimum(y + 0.05)),
    Case("maximum_ties", [((3, 4), "ties"), ((3, 4), "ties")], lambda lib, x, y: lib.maximum(x, y), gradcheck=False),
    Case("minimum_ties", [((3, 4), "ties"), ((3, 4), "ties")], lambda lib, x, y: lib.minimum(x, y), gradcheck=False),
    Case("sign", A34, lambda lib, x: x.sign()),
    Case("floor", [((3, 4), "offint")], lambda lib, x: x.floor()),
    Case("ceil", [((3, 4), "offint")], lambda lib, x: lib.ceil(x)),
    Case("round", [((3, 4), "offint")], lambda lib, x: x.round()),
    Case("round_halves_to_even", [((1,), "any")], lambda lib, x: lib.round(x * 0 + lib.tensor([0.5, 1.5, 2.5, -0.5, -1.5]).to(x.dtype)), gradcheck=False),
    Case("log1p", [((3, 4), "gt-1")], lambda lib, x: x.log1p()),
    Case("expm1", A34, lambda lib, x: lib.expm1(x)),
    Case("erf", A34, lambda lib, x: x.erf()),
    Case("softmax_dim1", A34, lambda lib, x: x.softmax(dim=1)),
    Case("softmax_dim0", X234, lambda lib, x: lib.softmax(x * 30, dim=0)),
    Case("log_softmax_dim1", A34, lambda lib, x: x.log_softmax(dim=1)),
    Case("log_softmax_neg", X234, lambda lib, x: lib.log_softmax(x * 30, dim=-2)),
    Case("abs", [((3, 4), "away0")], lambda lib, x: x.abs()),
    Case("exp_log_sqrt", [((3, 4), "pos")], lambda lib, x: lib.exp(x) + lib.log(x) * lib.sqrt(x)),
    Case("trig", A34, lambda lib, x: lib.sin(x) * lib.cos(x) + lib.tanh(x) + lib.sigmoid(x)),
    Case("relu", [((3, 4), "away0")], lambda lib, x: lib.relu(x)),
    Case("neg", A34, lambda lib, x: lib.neg(x)),
    Case("pow_int", A34, lambda lib, x: x ** 3),
    Case("pow_tensor", [((3, 4), "pos"), ((4,), "any")], lambda lib, x, y: x ** y),
    Case("pow_scalar_base", A34, lambda lib, x: 2.0 ** x),
    Case("pow_functional", [((3, 4), "pos")], lambda lib, x: lib.pow(x, 0.5)),
    Case("add_broadcast", [((2, 3, 1), "any"), ((4,), "any")], lambda lib, x, y: x + y),
    Case("sub_broadcast", [((3, 1), "any"), ((1, 4), "any")], lambda lib, x, y: lib.sub(x, y, alpha=2)),
    Case("mul_broadcast", [((2, 1, 4), "any"), ((3, 1), "any")], lambda lib, x, y: lib.mul(x, y)),
    Case("div_broadcast", [((3, 4), "any"), ((4,), "away0")], lambda lib, x, y: lib.div(x, y)),
    Case("rsub_rdiv", [((3, 4), "away0")], lambda lib, x: 1.5 - 2.0 / x),
    Case("add_alpha", [((3, 4), "any"), ((3, 4), "any")], lambda lib, x, y: lib.add(x, y, alpha=-0.5)),
    Case("matmul", [((3, 4), "any"), ((4, 2), "any")], lambda lib, x, y: lib.matmul(x, y)),
    Case("mm", [((3, 4), "any"), ((4, 2), "any")], lambda lib, x, y: lib.mm(x, y)),
    Case("matmul_batch_vector", [((2, 3, 4), "any"), ((4,), "any")], lambda lib, x, y: x @ y),
    # ------------------------------------------------------------------ comparisons, logical, where
    Case("comparisons", [((3, 4), "ties"), ((4,), "ties")],
         lambda lib, x, y: (x < y, x <= y, x > y, x >= y, x == y, x != y, x == 1.0, x < 1)),
    Case("comparison_functions", [((3, 4), "ties"), ((3, 4), "ties")],
         lambda lib, x, y: (lib.lt(x, y), lib.le(x, y), lib.gt(x, y), lib.ge(x, y), lib.eq(x, y), lib.ne(x, y))),
    Case("logical", [((3, 4), "bool"), ((4,), "bool")],
         lambda lib, a, b: (lib.logical_and(a, b), lib.logical_or(a, b), lib.logical_not(a),
                            a.logical_and(b), a.logical_or(b), a.logical_not(), a & b, a | b, ~a)),
    Case("isnan_isfinite", [((3, 5), "special")],
         lambda lib, x: (x.isnan(), x.isfinite(), lib.isnan(x), lib.isfinite(x), lib.isinf(x))),
    Case("where", [((3, 4), "any"), ((3, 4), "any")], lambda lib, x, y: lib.where(x > y, x, y * 2)),
    Case("where_broadcast_scalar", [((3, 4), "any"), ((4,), "any")], lambda lib, x, y: lib.where(y > 0, x, 0.0)),
    # ------------------------------------------------------------------ in place on computed tensors
    Case("inplace_chain", [((3, 4), "any"), ((3, 4), "away0")],
         lambda lib, x, y: (x * 1.0).mul_(y).add_(x).sub_(y, alpha=2).div_(y)),
    Case("inplace_operators", [((3, 4), "any"), ((4,), "any")], lambda lib, x, y: _augmented(x, y)),
    Case("inplace_pow_neg_clamp", [((3, 4), "pos")], lambda lib, x: (x + 0.0).pow_(2).neg_().clamp_(-2.0, -0.5)),
    Case("inplace_setitem", [((3, 4), "any"), ((4,), "any")], lambda lib, x, y: _setitem(x, y)),
    Case("inplace_copy_fill_zero", [((3, 4), "any"), ((4,), "any")], lambda lib, x, y: _copy_fill_zero(x, y)),
    Case("inplace_constant_into_graph", [((3, 4), "any")], lambda lib, x: _constant_into_graph(lib, x)),
]


def _augmented(x, y):
    z = x * 2.0
    z += y
    z -= x
    z *= y
    z /= 3.0
    return z


def _setitem(x, y):
    z = x.sin()
    z[1] = y            # a row from another tensor: its gradient goes to y
    z[0, 1:] = 0.0      # constants: no gradient flows to the overwritten part
    return z * x


def _copy_fill_zero(x, y):
    a = x * 1.0
    a.copy_(y)          # broadcast: every row takes y
    b = x * 1.0
    b.fill_(5.0)
    c = x.square()
    c.zero_()
    return a + b * x + c


def _constant_into_graph(lib, x):
    z = lib.zeros(3, 4, dtype=x.dtype)
    z.add_(x.sin())     # a constant tensor becomes part of the graph
    z[2] = x[0] * 3.0
    return z


def upstream(name, index, shape):
    """The fixed random weights of output ``index`` in the case's loss."""
    rng = np.random.default_rng(zlib.crc32(f"{name}/upstream{index}".encode()))
    return rng.standard_normal(shape)
