"""Generate tests/data/engine_edge_refs.json: torch 2.13's outcome for every edge case.

Run once with a python that has torch:
``/work/torchenv/bin/python tests/data/make_engine_edge_refs.py``. The cases are those of
``engine_edge_cases.py`` (the same lines run on minigrad in ``tests/reliability/``). For each
it stores either ``{"value": ...}`` (what the case returned, see ``outcome_of``) or
``{"error": {"type", "builtin", "message"}}``, ``builtin`` being the nearest built-in exception
class of torch's (``torch.OutOfMemoryError`` -> ``RuntimeError``). torch's default dtype is
float64 here, minigrad's. A case marked ``torch_wording`` whose regex does not match torch's
message stops the script: the regex must be torch's words.
"""

import builtins
import json
import re
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.utils.data

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from engine_edge_cases import CASES, outcome_of  # noqa: E402

TORCH = SimpleNamespace(lib=torch, nn=torch.nn, F=torch.nn.functional, data=torch.utils.data,
                        autograd=torch.autograd, optim=torch.optim)


def builtin_base(kind):
    """The first built-in exception class in ``kind``'s method resolution order."""
    return next(base for base in kind.__mro__ if getattr(builtins, base.__name__, None) is base)


def run(case):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = case.fn(TORCH)
        except Exception as error:  # every outcome is recorded, errors included
            return {"error": {"type": type(error).__name__, "builtin": builtin_base(type(error)).__name__,
                              "message": str(error)}}
    return {"value": outcome_of(value)}


def main():
    torch.set_default_dtype(torch.float64)
    refs, problems = {}, []
    for case in CASES:
        if case.minigrad_only:
            continue
        refs[case.name] = outcome = run(case)
        if case.torch_wording:
            if "error" not in outcome:
                problems.append(f"{case.name}: torch returned a value, torch_wording needs an error")
            elif not re.search(case.match, outcome["error"]["message"]):
                problems.append(f"{case.name}: {case.match!r} does not match torch's {outcome['error']['message']!r}")
        if case.differs and "error" in outcome:
            problems.append(f"{case.name}: marked differs (minigrad raises, torch accepts) but torch raised")
    if problems:
        raise SystemExit("\n".join(problems))
    out = HERE / "engine_edge_refs.json"
    out.write_text(json.dumps({"torch": torch.__version__, "cases": refs}, indent=1, sort_keys=True) + "\n")
    errors = sum("error" in outcome for outcome in refs.values())
    print(f"wrote {out}: {len(refs)} cases ({errors} errors, {len(refs) - errors} values), torch {torch.__version__}")


if __name__ == "__main__":
    main()
