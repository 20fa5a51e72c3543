"""The cases of ``autograd.functional`` compared with torch 2.13: one list, run on torch by
make_functional_refs.py and on minigrad by tests/minigrad/test_functional_torch_refs.py.

Each function uses only Tensor methods and operators that torch and minigrad share, so the
same line runs on both. A case names the ``torch.autograd.functional`` routine, the
function, the shapes of its inputs (a tuple of shapes: the inputs are passed as a tuple; a
single shape: one Tensor), the shapes of v where the routine takes one, and its keyword
arguments. Inputs and v are drawn from ``numpy.random.default_rng`` seeded by the case's
name (``draw``), so both sides see the same numbers.

With ``create_graph=True`` the result is itself differentiated: the reference stores the
gradient of ``sum(result_i * weight_i)`` over every result Tensor with respect to every
input (``weights``): a third derivative for hessian, hvp and vhp.
"""

import zlib
from dataclasses import dataclass, field

import numpy as np


def scalar_sin_exp(x):
    return (x.sin() * x.exp()).sum()


def scalar_two_inputs(x, w):
    return ((x @ w).tanh() ** 2).sum() + (x * x * x).sum()


def scalar_rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def scalar_ignores_second(x, y):
    return (x.tanh() * x).sum()


def scalar_linear(x):
    return (3 * x).sum()


def vector_exp_times(x, y):
    return x.exp() * y


def two_outputs(x, y):
    return (x * y).sigmoid(), (x.cos() * 2 + y).prod()


def vector_matmul(w, x):
    return (w @ x).tanh()


def vector_ignores_second(x, y):
    return x.sin() * 2


def detached(x):
    return x.detach() * 2


@dataclass
class Case:
    name: str
    routine: str  # jacobian, hessian, hvp, vhp, jvp, vjp
    fn: object
    inputs: object  # a shape (one Tensor) or a tuple of shapes (a tuple of Tensors)
    v: object = None  # like inputs (hvp, vhp, jvp) or like the outputs (vjp); None: no v
    kwargs: dict = field(default_factory=dict)
    dtype: str = "float64"  # inputs, v and weights are cast to it on both sides


def _is_tuple_of_shapes(shapes):
    return isinstance(shapes, tuple) and bool(shapes) and isinstance(shapes[0], tuple)


CASES = [
    # Hessians: one input, two inputs (nested blocks), a classic test function.
    Case("hessian_sin_exp", "hessian", scalar_sin_exp, (4,)),
    Case("hessian_two_inputs", "hessian", scalar_two_inputs, ((2, 3), (3, 2))),
    Case("hessian_rosenbrock", "hessian", scalar_rosenbrock, (5,)),
    Case("hessian_create_graph", "hessian", scalar_sin_exp, (3,), kwargs={"create_graph": True}),
    Case("hessian_strict_unused", "hessian", scalar_ignores_second, ((3,), (2,)),
         kwargs={"strict": True}),
    Case("hessian_unused_zero", "hessian", scalar_ignores_second, ((3,), (2,))),
    Case("hessian_linear_strict", "hessian", scalar_linear, (3,), kwargs={"strict": True}),
    Case("hessian_linear", "hessian", scalar_linear, (3,)),
    # Hessian-vector products, both sides of the symmetric H.
    Case("hvp_sin_exp", "hvp", scalar_sin_exp, (4,), v=(4,)),
    Case("hvp_two_inputs", "hvp", scalar_two_inputs, ((2, 3), (3, 2)), v=((2, 3), (3, 2))),
    Case("hvp_rosenbrock", "hvp", scalar_rosenbrock, (5,), v=(5,)),
    Case("hvp_create_graph", "hvp", scalar_two_inputs, ((2, 3), (3, 2)), v=((2, 3), (3, 2)),
         kwargs={"create_graph": True}),
    Case("hvp_strict_unused", "hvp", scalar_ignores_second, ((3,), (2,)), v=((3,), (2,)),
         kwargs={"strict": True}),
    Case("hvp_unused_zero", "hvp", scalar_ignores_second, ((3,), (2,)), v=((3,), (2,))),
    Case("vhp_sin_exp", "vhp", scalar_sin_exp, (4,), v=(4,)),
    Case("vhp_two_inputs", "vhp", scalar_two_inputs, ((2, 3), (3, 2)), v=((2, 3), (3, 2))),
    Case("vhp_create_graph", "vhp", scalar_rosenbrock, (4,), v=(4,), kwargs={"create_graph": True}),
    # Jacobians: one output, a tuple of outputs, a matrix input.
    Case("jacobian_exp_times", "jacobian", vector_exp_times, ((3,), (3,))),
    Case("jacobian_two_outputs", "jacobian", two_outputs, ((2, 2), (2, 2))),
    Case("jacobian_matmul", "jacobian", vector_matmul, ((3, 2), (2,))),
    Case("jacobian_create_graph", "jacobian", vector_matmul, ((3, 2), (2,)),
         kwargs={"create_graph": True}),
    Case("jacobian_strict_unused", "jacobian", vector_ignores_second, ((3,), (3,)),
         kwargs={"strict": True}),
    Case("jacobian_unused_zero", "jacobian", vector_ignores_second, ((3,), (3,))),
    # Jacobian-vector and vector-Jacobian products.
    Case("jvp_exp_times", "jvp", vector_exp_times, ((3,), (3,)), v=((3,), (3,))),
    Case("jvp_two_outputs", "jvp", two_outputs, ((2, 2), (2, 2)), v=((2, 2), (2, 2))),
    Case("jvp_matmul", "jvp", vector_matmul, ((3, 2), (2,)), v=((3, 2), (2,))),
    Case("jvp_create_graph", "jvp", vector_exp_times, ((3,), (3,)), v=((3,), (3,)),
         kwargs={"create_graph": True}),
    Case("jvp_strict_unused", "jvp", vector_ignores_second, ((3,), (3,)), v=((3,), (3,)),
         kwargs={"strict": True}),
    Case("vjp_two_outputs", "vjp", two_outputs, ((2, 2), (2, 2)), v=((2, 2), ())),
    Case("vjp_strict_unused", "vjp", vector_ignores_second, ((3,), (3,)), v=(3,),
         kwargs={"strict": True}),
    Case("vjp_unused_zero", "vjp", vector_ignores_second, ((3,), (3,)), v=(3,)),
    # Strict mode: a constant output, a linear function (its Hessian is independent of x).
    Case("jacobian_detached_strict", "jacobian", detached, (3,), kwargs={"strict": True}),
    Case("jacobian_detached", "jacobian", detached, (3,)),
    Case("hvp_linear_strict", "hvp", scalar_linear, (3,), v=(3,), kwargs={"strict": True}),
    Case("vhp_linear_strict", "vhp", scalar_linear, (3,), v=(3,), kwargs={"strict": True}),
    Case("vhp_linear", "vhp", scalar_linear, (3,), v=(3,)),
    Case("vjp_create_graph", "vjp", vector_matmul, ((3, 2), (2,)), v=(3,),
         kwargs={"create_graph": True}),
    # float32 stays float32 through every routine.
    Case("hessian_float32", "hessian", scalar_two_inputs, ((2, 3), (3, 2)), dtype="float32"),
    Case("hvp_float32", "hvp", scalar_sin_exp, (4,), v=(4,), kwargs={"create_graph": True},
         dtype="float32"),
    Case("jacobian_float32", "jacobian", two_outputs, ((2, 2), (2, 2)), dtype="float32"),
    Case("jvp_float32", "jvp", vector_matmul, ((3, 2), (2,)), v=((3, 2), (2,)), dtype="float32"),
    Case("vjp_float32", "vjp", vector_exp_times, ((3,), (3,)), v=(3,), dtype="float32"),
]


def _rng(label):
    return np.random.default_rng(zlib.crc32(label.encode()))


def draw(case, what):
    """The arrays of ``case.inputs`` (what="inputs") or ``case.v`` (what="v"), of the
    case's dtype, as a list (one entry for a single shape)."""
    shapes = getattr(case, what)
    rng = _rng(f"{case.name}/{what}")
    shapes = list(shapes) if _is_tuple_of_shapes(shapes) else [shapes]
    return [rng.uniform(-1.0, 1.0, size=shape).astype(case.dtype) for shape in shapes]


def is_tuple(case, what):
    """Whether ``case.inputs`` / ``case.v`` is passed as a tuple of Tensors."""
    return _is_tuple_of_shapes(getattr(case, what))


def weights(case, shapes):
    """Fixed weights for ``sum(result_i * weight_i)`` over the result Tensors of the given shapes."""
    rng = _rng(f"{case.name}/weights")
    return [rng.uniform(-1.0, 1.0, size=shape).astype(case.dtype) for shape in shapes]


def flatten(result):
    """The Tensors of a (nested) tuple result, in order."""
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in flatten(item)]
    return [result]
