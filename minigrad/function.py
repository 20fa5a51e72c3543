"""`Function`: one differentiable op, its forward and its derivative side by side.

Every op of the engine, built-in or written by a learner, is a subclass of ``Function`` with
two static methods, exactly as ``torch.autograd.Function``::

    class Cube(minigrad.Function):
        @staticmethod
        def forward(ctx, x):               # numpy arrays in, a numpy array out
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):           # grad = d loss / d output
            (x,) = ctx.saved_arrays
            return grad * 3 * x ** 2       # d loss / d x, one gradient per input

    y = Cube.apply(t)                      # a Tensor in the graph, like any built-in op
    minigrad.gradcheck(Cube.apply, [t])    # and check the rule against finite differences

``apply`` runs ``forward`` on the inputs' numpy arrays and, when grad mode is on and an input
requires grad, records a graph node: the ``ctx`` object, which remembers the op, which inputs
need a gradient, and what ``forward`` saved. The backward pass later calls ``backward(ctx,
grad)`` on each node in reverse order.

Two ways to write ``backward``:

- numpy (the default, above): ``grad`` and the saved values are numpy arrays, and so are the
  returned gradients. Enough for ``loss.backward()``, but the engine cannot differentiate
  numpy code, so asking for a second derivative through this op (``create_graph=True``)
  raises an error naming the op instead of returning a silent zero.
- Tensor ops (``differentiable_backward = True``, as every built-in op): ``grad`` is a Tensor,
  ``ctx.saved_tensors`` returns the saved inputs (and ``ctx.output`` the output) as Tensors,
  and ``backward`` returns Tensors computed with Tensor ops. Under ``create_graph=True`` these
  ops are recorded in turn, so the gradient can itself be differentiated (Hessians, HVPs).

A gradient may have its input's shape or the output's broadcast shape: it is summed back to
the input's shape. Differences from torch: ``forward`` sees numpy arrays, not Tensors, and in
numpy style saved values are read back as ``ctx.saved_arrays``.
"""

import itertools
import weakref

import numpy as np

from . import grad_mode
from .tensor import Tensor, wrap


class _OutputMarker:
    """Stands for the op's output in ``saved_tensors`` until backward asks for it."""


_OUTPUT = _OutputMarker()

_grad_enabled = grad_mode._grad_enabled  # the per-thread switch, read on every op

# Creation numbers of the nodes: an op's node is always numbered after the nodes of its
# inputs, so the backward pass orders the graph by sorting on this number.
_creation_counter = itertools.count()

# One shared copy of each small tuple of flags (``needs_input_grad``), of all-zero saved
# versions and of output shapes. Each recorded op would otherwise keep three more tuples
# alive, and every object alive in the graph is one more for Python's garbage collector to
# scan: on a long chain of small ops the collector, not the arithmetic, used to take most
# of the time. A program has few distinct shapes; the cap bounds the tables anyway. One
# table per kind, since (1,) == (True,) and (0,) == (False,) for a dict.
_SHARED_FLAGS, _SHARED_VERSIONS, _SHARED_SHAPES = {}, {}, {}
_SHARED_MAX = 10_000


def _shared(values, table):
    """The one copy of the tuple ``values`` kept in ``table``, while the table has room."""
    shared = table.get(values)
    if shared is None:
        if len(table) >= _SHARED_MAX:
            return values
        shared = table[values] = values
    return shared


class SavedTensorModifiedError(RuntimeError):
    """A value saved for backward was changed by an in-place operation before backward."""


class Context:
    """One recorded op: the node of the graph, and the ``ctx`` its forward/backward share.

    - ``function``: the ``Function`` subclass; ``name`` its short name (``"mul"``, ``"Cube"``).
    - ``sequence``: the node's creation number (later nodes have larger numbers; the
      backward pass runs the nodes in decreasing order).
    - ``next``: for each input, where its gradient goes: the input's own node (a computed
      tensor), the input tensor itself (a leaf that requires grad), or None (a constant).
    - ``needs_input_grad``: a bool per input, as in torch.
    - ``inputs``: the op's arguments (Tensors and constants), for drawing the graph; after
      ``release`` only weak references to the tensors (see ``release``); ``shape``/``dtype``
      describe the output.
    - ``save_for_backward`` / ``saved_arrays`` / ``saved_tensors`` / ``output``: saved values.

    Any other attribute (an axis, a mask) may be set on it in ``forward``.
    """

    __slots__ = (
        "function",
        "sequence",
        "next",
        "needs_input_grad",
        "inputs",
        "shape",
        "dtype",
        "released",
        "_saved",
        "_saved_versions",
        "_output",
        "_retained",
        "__dict__",
        "__weakref__",
    )

    def __init__(self, function, inputs):
        self.function = function
        self.sequence = next(_creation_counter)
        self.inputs = inputs
        self.released = False
        self._saved = None
        self._output = None
        self._retained = None
        nexts = []
        needs = []
        for value in inputs:
            if isinstance(value, Tensor) and value._requires_grad:
                nexts.append(value._ctx if value._ctx is not None else value)
                needs.append(True)
            else:
                nexts.append(None)
                needs.append(False)
        self.next = tuple(nexts)
        self.needs_input_grad = _shared(tuple(needs), _SHARED_FLAGS)

    @property
    def name(self):
        """The op's short name, as drawn in graphs and shown in error messages."""
        return self.function.name

    def __repr__(self):
        """``<mul node: inputs (exp, leaf (2, 3), constant 2.0)>``: the op and, for each input,
        the op that computed it, ``leaf`` and its shape (a tensor that requires grad), or
        ``constant`` (a tensor or number that does not)."""
        described = []
        for value, target in zip(self.inputs, self.next):
            if isinstance(target, Context):
                described.append(target.name)
            elif isinstance(value, (Tensor, _WeakConstant)):
                kind = "leaf" if target is not None else "constant"
                described.append(f"{kind} {tuple(value.shape)}")
            elif self.function.numeric_operands and isinstance(value, (int, float)):
                described.append(f"constant {value!r}")
        state = ", released" if self.released else ""
        return f"<{self.name} node: inputs ({', '.join(described)}){state}>"

    # ------------------------------------------------------------------ saving values

    def save_for_backward(self, *values):
        """Keep ``values`` for ``backward``.

        numpy-style Functions read them back as ``ctx.saved_arrays``. In a Function with
        ``differentiable_backward = True`` each value must be one of forward's input arrays
        or its output array, so the engine can hand back the Tensor (with its graph) as
        ``ctx.saved_tensors``; anything else should be recomputed in backward from those.
        """
        self._saved = values

    @property
    def saved_arrays(self):
        """The values given to ``save_for_backward``, as they were saved (numpy style)."""
        self._check_not_released()
        return () if self._saved is None else self._saved

    @property
    def saved_tensors(self):
        """The saved inputs as Tensors (with their graph), checked against in-place changes."""
        self._check_not_released()
        tensors = self._saved_tensor_values()
        for tensor, version in zip(tensors, self._saved_versions):
            # a saved number (the 2 of x * 2) has version None; an unneeded input is None
            if version is not None and tensor is not None and tensor._version_now() != version:
                raise _modified_error(self, tensor, version)
        return tensors

    @property
    def output(self):
        """The op's output as a Tensor attached to this node (``saves_output`` ops only)."""
        self._check_not_released()
        data, reference, version = self._output
        owner = reference()
        if owner is not None and owner._version_now() != version:
            raise _modified_error(self, owner, version)
        out = wrap(data)
        out._requires_grad = True
        out._ctx = self
        return out

    def input_tensors(self):
        """The inputs that are Tensors, with number operands of arithmetic ops (the 2 of
        ``x * 2``) as constant tensors, the same objects on every call (for drawing). After
        ``release``, an input tensor nobody else holds any more comes back as a
        ``FreedTensor`` (op, shape and dtype, no values)."""
        constants = self.__dict__.setdefault("_constant_operands", {})
        tensors = []
        for position, value in enumerate(self.inputs):
            if isinstance(value, weakref.ref):  # released: see ``release``
                tensors.append(self._resolve(position))
            elif isinstance(value, Tensor):
                target = self.next[position]
                if type(target) is Context and value._ctx is not target:
                    value = target._recorded_output()  # value was changed in place since
                tensors.append(value)
            elif self.function.numeric_operands and isinstance(value, (int, float)):
                if position not in constants:
                    constants[position] = wrap(np.asarray(value, dtype=self.dtype))
                tensors.append(constants[position])
        return tuple(tensors)

    def _moved_to(self, tensor):
        """An in-place op on this node's output copied the old value to ``tensor`` (which
        now carries this node): remember it, weakly, so drawings show the recorded value."""
        self.__dict__["_moved_output"] = weakref.ref(tensor)

    def _recorded_output(self):
        """The tensor holding this node's output after in-place changes moved it (see
        ``_moved_to``), or a ``FreedTensor`` once nothing holds it."""
        reference = self.__dict__.get("_moved_output")
        tensor = None if reference is None else reference()
        if tensor is not None:
            return tensor
        return self.__dict__.setdefault("_freed_output", FreedTensor(self.shape, self.dtype, self))

    def _resolve(self, position):
        """A released node's input tensor if still alive, else a ``FreedTensor`` standing for
        it, the same object on every call (one per freed computed tensor, shared by every op
        that read it)."""
        reference, target = self.inputs[position], self.next[position]
        tensor = reference()
        if tensor is not None and (type(target) is not Context or tensor._ctx is target):
            return tensor
        if type(target) is Context:  # freed, or changed in place since
            return target._recorded_output()
        freed = self.__dict__.setdefault("_freed_constants", {})
        if position not in freed:
            freed[position] = FreedTensor(reference.shape, reference.dtype, None)
        return freed[position]

    def _saved_tensor_values(self):
        saved = self._saved
        if saved is None:
            return ()
        for value in saved:  # (``_OUTPUT in saved`` would compare Tensors elementwise)
            if value is _OUTPUT:
                return tuple(self.output if value is _OUTPUT else value for value in saved)
        return saved

    def _check_not_released(self):
        if self.released:
            raise _released_error()

    def release(self):
        """Drop everything saved for backward (what ``backward`` does unless told to retain).

        As torch frees a finished graph's saved buffers, this frees whatever would keep the
        step's activations alive: the saved values, numpy arrays set on ``ctx`` in forward
        (masks, indices), and the strong references to the input tensors. Those become weak
        references, so the graph's structure (``next``, op names, shapes) stays for drawing
        and tensors the caller still holds still show their values. Idempotent.
        """
        self.released = True
        self._saved = None
        self._output = None
        self.inputs = tuple(_weak_input(value, target) for value, target in zip(self.inputs, self.next))
        if self.__dict__:  # most ops set nothing on ctx: skip the scan
            for key in [key for key, value in self.__dict__.items() if isinstance(value, np.ndarray)]:
                del self.__dict__[key]


def _weak_input(value, target):
    """How a released node refers to one input: leaves that require grad stay (``next`` holds
    them anyway) and so do numbers (drawn as constants); a computed tensor becomes a weak
    reference (its node, ``target``, knows its op, shape and dtype); a constant tensor a weak
    reference that also remembers its shape and dtype. Anything else -- an index array, a
    boolean mask, a dim -- only backward needed: dropped (None)."""
    if target is value or isinstance(value, (int, float)):
        return value
    if not isinstance(value, Tensor):
        return None
    if type(target) is Context:
        return weakref.ref(value)
    return _WeakConstant(value)


class _WeakConstant(weakref.ref):
    """A released node's weak reference to a constant input, with its shape and dtype."""

    __slots__ = ("shape", "dtype")

    def __init__(self, tensor):
        super().__init__(tensor)
        self.shape = tensor.shape
        self.dtype = tensor.dtype


class FreedTensor:
    """Stands in, when drawing a released graph, for a tensor that backward freed.

    Has what the graph drawing reads from a Tensor -- ``shape``, ``ndim``, ``dtype``,
    ``requires_grad``, ``grad_fn``, ``_op``, ``_parents`` -- but ``data`` and ``grad`` are
    None: the values are gone (``backward(retain_graph=True)`` keeps them).
    """

    __slots__ = ("shape", "dtype", "grad_fn")
    data = None
    grad = None

    def __init__(self, shape, dtype, grad_fn):
        self.shape, self.dtype, self.grad_fn = shape, dtype, grad_fn

    @property
    def ndim(self):
        """Number of dimensions of the freed tensor."""
        return len(self.shape)

    @property
    def requires_grad(self):
        """True for a freed computed tensor; False for a freed constant."""
        return self.grad_fn is not None

    @property
    def _op(self):
        return None if self.grad_fn is None else self.grad_fn.name

    @property
    def _parents(self):
        return () if self.grad_fn is None else self.grad_fn.input_tensors()

    def __repr__(self):
        kind = f"output of {self._op}" if self.grad_fn is not None else "constant"
        return f"FreedTensor({kind}, shape={tuple(self.shape)}, dtype={self.dtype})"


def _released_error():
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward."
    )


def _modified_error(ctx, tensor, expected):
    return SavedTensorModifiedError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tensor.dtype} tensor of shape {tuple(tensor.shape)}], which is needed by "
        f"the {ctx.name!r} op, is at version {tensor._version_now()}; expected version "
        f"{expected} instead. Use an out-of-place op (x = x + 1 instead of x += 1) or .clone() "
        "the tensor before changing it."
    )


class _Unrecorded:
    """The ``ctx`` handed to ``forward`` when nothing is recorded: saving is a no-op."""

    __slots__ = ("__dict__",)

    def save_for_backward(self, *values):
        """Nothing needs saving: no backward will run."""


class Function:
    """Base class of every differentiable op; see the module docstring for the contract.

    Class attributes a subclass may set:

    - ``name``: the short name shown in graphs and errors (default: the class name).
    - ``differentiable_backward``: True when ``backward`` is written with Tensor ops (then
      second derivatives work); False (default) for numpy-array backward.
    - ``saves_inputs``: for built-in ops, the positions of the inputs ``backward`` reads
      through ``ctx.saved_tensors`` (saved automatically, version-checked).
    - ``saves_output``: True when ``backward`` reads ``ctx.output``.
    - ``is_view``: the output shares memory with input 0 (reshape, transpose, slicing).
    - ``numeric_operands``: number arguments are operands (the 2 of ``x * 2``), drawn as
      constants in graphs, rather than settings such as a dim.
    """

    differentiable_backward = False
    saves_inputs = ()
    saves_output = False
    is_view = False
    numeric_operands = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    @classmethod
    def inputs_needed(cls, needs_input_grad):
        """Which of ``saves_inputs`` backward will read, given which inputs need a gradient
        (a bool each; default all). Only those are kept and checked for in-place changes:
        ``x * 2`` does not keep x, since 2 needs no gradient."""
        return (True,) * len(cls.saves_inputs)

    @staticmethod
    def forward(ctx, *inputs):
        """The op's value from numpy arrays; a subclass must define it."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, grad):
        """The gradient of every input from the output's gradient; a subclass must define it."""
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs):
        """Run the op on ``inputs`` and return its result as a Tensor recorded in the graph."""
        arrays = []  # what forward computes with: the inputs' numpy arrays (and the numbers)
        record = False  # record a node: grad mode is on and some input requires grad
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value._data)
                record = record or value._requires_grad
            else:
                arrays.append(value)
        if record and not _grad_enabled.get():
            record = False
        if not record:
            data = cls.forward(_UNRECORDED, *arrays)
            out = wrap(data if type(data) is np.ndarray else cls._checked_output(data))
            if cls.is_view:
                _share_version(out, inputs[0])
            return out
        ctx = Context(cls, inputs)
        data = cls.forward(ctx, *arrays)
        if type(data) is not np.ndarray:
            data = cls._checked_output(data)
        if data.dtype.kind != "f":
            if not cls.differentiable_backward:
                raise TypeError(
                    f"{cls.name}.forward must return floating-point values when an input requires "
                    f"grad, got dtype {data.dtype}"
                )
            return wrap(data)  # integers and bools have no gradient, as in torch
        out = wrap(data)
        out._requires_grad = True
        out._ctx = ctx
        ctx.shape = _shared(data.shape, _SHARED_SHAPES)
        ctx.dtype = data.dtype
        if cls.is_view:
            _share_version(out, inputs[0])
        if cls.saves_inputs or cls.saves_output or ctx._saved is not None:
            cls._save(ctx, inputs, arrays, out, data)
        return out

    @classmethod
    def _checked_output(cls, data):
        if type(data) is np.ndarray:
            return data
        if isinstance(data, np.generic) and data.dtype.kind in "fiub":
            return np.asarray(data)  # numpy's ufuncs return scalars for 0-d inputs
        if isinstance(data, Tensor):
            raise TypeError(f"{cls.name}.forward must return a numpy array, not a Tensor")
        data = np.asarray(data)
        if data.dtype.kind not in "fiub":
            raise TypeError(f"{cls.name}.forward must return real numbers, got dtype {data.dtype}")
        return data

    @classmethod
    def output_needed(cls, needs_input_grad):
        """Whether backward will read ``ctx.output``, given which inputs need a gradient
        (default ``saves_output``). ``x ** 2`` does not keep its output: only the
        exponent's gradient reads it."""
        return cls.saves_output

    @classmethod
    def _save(cls, ctx, inputs, arrays, out, data):
        """Turn what forward saved into version-checked references to inputs/output."""
        if cls.saves_output and cls.output_needed(ctx.needs_input_grad):
            ctx._output = (data, weakref.ref(out), out._version_now())
        if cls.saves_inputs:
            needed = cls.inputs_needed(ctx.needs_input_grad)
            saved = []
            versions = []
            for position, keep in zip(cls.saves_inputs, needed):
                value = inputs[position] if keep else None
                saved.append(value)
                versions.append(value._version_now() if isinstance(value, Tensor) else None)
            ctx._saved = tuple(saved)
            versions = tuple(versions)
            ctx._saved_versions = versions if any(versions) else _shared(versions, _SHARED_VERSIONS)
        elif cls.differentiable_backward and ctx._saved is not None:
            ctx._saved, ctx._saved_versions = _saved_as_tensors(cls, ctx, inputs, arrays, out, data)

    @classmethod
    def run_backward(cls, ctx, grad):
        """Call ``backward`` and return one Tensor gradient (or None) per input.

        ``grad`` is a Tensor. numpy-style backwards get and return arrays; under
        ``create_graph`` their results are tied to an op that refuses differentiation.
        """
        if cls.differentiable_backward:
            grads = cls.backward(ctx, grad)
            if type(grads) is tuple and len(grads) == len(ctx.next):
                for value in grads:  # the common case, checked without building a new list
                    if value is not None and not isinstance(value, Tensor):
                        break
                else:
                    return grads
            if isinstance(grads, Tensor) and len(ctx.next) == 1:
                return (grads,)
        else:
            with grad_mode.no_grad():
                grads = cls.backward(ctx, grad._data)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(ctx.next):
            raise ValueError(
                f"{cls.name}.backward returned {len(grads)} gradient(s) for {len(ctx.next)} "
                "input(s) of forward; return one per input (None where there is none)"
            )
        result = []
        for position, (target, value) in enumerate(zip(ctx.next, grads)):
            if target is None or value is None:
                result.append(None)
                continue
            if not cls.differentiable_backward:
                value = _numpy_gradient(cls, ctx, position, value, grad)
            elif not isinstance(value, Tensor):
                raise TypeError(
                    f"{cls.name}.backward (differentiable_backward = True) must return Tensors, "
                    f"got {type(value).__name__} for input {position}"
                )
            result.append(value)
        return result


_UNRECORDED = _Unrecorded()


def _share_version(out, source):
    """Make a view share its base's version counter (an in-place change to one is seen by both)."""
    if isinstance(source, Tensor) and np.may_share_memory(out._data, source._data):
        out._base = source._base if source._base is not None else source


def _saved_as_tensors(cls, ctx, inputs, arrays, out, data):
    """Map arrays a differentiable user Function saved back to its input/output Tensors."""
    tensors, versions = [], []
    for value in ctx._saved:
        for tensor, array in zip(inputs, arrays):
            if isinstance(tensor, Tensor) and value is array:
                tensors.append(tensor)
                versions.append(tensor._version_now())
                break
        else:
            if value is data:
                ctx._output = (data, weakref.ref(out), out._version_now())
                tensors.append(_OUTPUT)
                versions.append(None)
            else:
                raise ValueError(
                    f"{cls.name}.forward saved a value that is neither an input nor the output; "
                    "with differentiable_backward = True save only those and recompute the rest "
                    "in backward with Tensor ops (so its derivative is recorded)"
                )
    return tuple(tensors), tuple(versions)


def _numpy_gradient(cls, ctx, position, value, grad):
    """Check a numpy backward's gradient and wrap it as a Tensor (see ``run_backward``)."""
    target_shape = ctx.inputs[position].shape if ctx.inputs is not None else None
    value = np.asarray(value)
    if value.dtype.kind not in "fiu":
        raise TypeError(f"{cls.name}.backward: gradient {position} has non-numeric dtype {value.dtype}")
    if value.shape not in (target_shape, ctx.shape):
        raise ValueError(
            f"{cls.name}.backward: gradient {position} has shape {value.shape}, but input "
            f"{position} has shape {target_shape} (and the output {ctx.shape})"
        )
    if grad_mode.is_grad_enabled():
        # create_graph: the gradient depends on the inputs through numpy code the engine
        # cannot see; tie it to them with an op that refuses to be differentiated.
        tensors = tuple(t for t in ctx.inputs if isinstance(t, Tensor))
        return _NumpyBackwardResult.apply(value, cls.name, grad, *tensors)
    return wrap(value)


class _NumpyBackwardResult(Function):
    """A gradient computed by a numpy-style backward: differentiating it again is an error."""

    name = "numpy_backward"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, value, function_name, *tensors):
        ctx.function_name = function_name
        return value

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            f"{ctx.function_name}.backward is written with numpy arrays, so minigrad cannot "
            "differentiate it again (create_graph=True / a second derivative). Set "
            "differentiable_backward = True on the Function and write backward with Tensor ops."
        )


FunctionContext = Context  # the name torch-style code uses for the ctx type
