"""Bad and edge inputs to schedulers: each raises a clear error (type and message checked) and
leaves the parameters, the optimizer's param groups and state, and the scheduler's state
(children included) bit for bit as they were."""

import math

import numpy as np
import pytest

import optimizers
import schedulers
from scheduler_cases import (
    SCHEDULERS,
    Param,
    make_optimizer,
    make_params,
    state_fingerprint,
    train,
)


def built(name, kind="sgd_momentum", steps=3):
    """(params, optimizer, scheduler) of SCHEDULERS[name] after `steps` training steps."""
    params = make_params()
    optimizer = make_optimizer(params, kind)
    scheduler = SCHEDULERS[name](optimizer)
    train(params, optimizer, scheduler, steps)
    return params, optimizer, scheduler


def one_group_step_lr():
    params = [Param([1.0, 2.0])]
    optimizer = optimizers.SGD(params, lr=0.1, momentum=0.9)
    scheduler = schedulers.StepLR(optimizer, step_size=2, gamma=0.5)
    train(params, optimizer, scheduler, 3)
    return params, optimizer, scheduler


def custom(make_scheduler, steps=3, kind="sgd_momentum"):
    """A setup building `make_scheduler(optimizer)` and training it `steps` steps."""
    def setup():
        params = make_params()
        optimizer = make_optimizer(params, kind)
        scheduler = make_scheduler(optimizer)
        train(params, optimizer, scheduler, steps)
        return params, optimizer, scheduler
    return setup


def named(name, kind="sgd_momentum", steps=3):
    return lambda: built(name, kind, steps)


def corrupted(setup, corrupt):
    """`setup`, then `corrupt(optimizer)` (a param group changed behind the scheduler's back)."""
    def wrapped():
        params, optimizer, scheduler = setup()
        corrupt(optimizer)
        return params, optimizer, scheduler
    return wrapped


def set_group(index, key, value):
    def corrupt(optimizer):
        optimizer.param_groups[index][key] = value
    return corrupt


def drop_group_key(index, key):
    def corrupt(optimizer):
        del optimizer.param_groups[index][key]
    return corrupt


def load(**changes):
    """Action: load the scheduler's own state with `changes` applied."""
    def action(optimizer, scheduler):
        scheduler.load_state_dict({**scheduler.state_dict(), **changes})
    return action


def load_raw(state):
    return lambda optimizer, scheduler: scheduler.load_state_dict(state)


def load_without(key):
    def action(optimizer, scheduler):
        state = scheduler.state_dict()
        del state[key]
        scheduler.load_state_dict(state)
    return action


def load_child(index, **changes):
    def action(optimizer, scheduler):
        state = scheduler.state_dict()
        state["_schedulers"][index].update(changes)
        scheduler.load_state_dict(state)
    return action


def load_from(other_name):
    """Action: load the state of another scheduler class (built on its own optimizer)."""
    def action(optimizer, scheduler):
        scheduler.load_state_dict(built(other_name)[2].state_dict())
    return action


def step(*args, **kwargs):
    return lambda optimizer, scheduler: scheduler.step(*args, **kwargs)


def scheduler_step(optimizer, scheduler):
    """Action: the scheduler's next step (the optimizer has stepped before, in the setup)."""
    scheduler.step()


def negative_from_step(k):
    return lambda epoch: 1.0 if epoch < k else -0.5


def raises_from_step(k):
    def factor(epoch):
        if epoch >= k:
            raise ZeroDivisionError("the user's lr_lambda failed")
        return 0.9
    return factor


def one_cycle_at_end():
    return custom(lambda opt: schedulers.OneCycleLR(opt, max_lr=1.0, total_steps=6), steps=6)()


def plateau_with_min_lr_list_and_a_new_group():
    params, optimizer, scheduler = built("ReduceLROnPlateau", steps=1)
    extra = Param([3.0])
    optimizer.add_param_group({"params": [extra], "lr": 0.2})
    scheduler.patience = 0
    scheduler.best = -math.inf  # the next metric is a bad epoch: a reduction is due
    return params + [extra], optimizer, scheduler


R = r"must be a real number"
CASES = [
    # ---- load_state_dict: write-before-check cases -------------------------------------------
    ("two lrs for one group", one_group_step_lr, load_raw({"_last_lr": [1.0, 2.0],
                                                           "last_epoch": 7}),
     ValueError, r"StepLR state_dict\['_last_lr'\] holds 2 learning rates but the optimizer "
                 r"has 1 param groups"),
    ("partial dict, negative lr", one_group_step_lr, load_raw({"_last_lr": [-1.0]}),
     ValueError, r"StepLR state_dict\['_last_lr'\]\[0\] must be a real number >= 0, got -1.0"),
    ("negative lr", named("StepLR"), load(_last_lr=[-1.0, 0.5]), ValueError,
     r"StepLR state_dict\['_last_lr'\]\[0\] must be a real number >= 0, got -1.0"),
    # ---- load_state_dict: types and ranges of the base entries ------------------------------
    ("last_epoch str", named("StepLR"), load(last_epoch="7"), TypeError,
     r"StepLR state_dict\['last_epoch'\] must be a real number >= -1, got '7' \(str\)"),
    ("last_epoch None", named("ExponentialLR"), load(last_epoch=None), TypeError,
     r"ExponentialLR state_dict\['last_epoch'\] must be a real number >= -1, got None "
     r"\(NoneType\)"),
    ("last_epoch bool", named("StepLR"), load(last_epoch=True), TypeError,
     r"state_dict\['last_epoch'\] must be a real number >= -1, got True \(bool\)"),
    ("last_epoch nan", named("StepLR"), load(last_epoch=float("nan")), ValueError,
     r"state_dict\['last_epoch'\] must be a real number >= -1, got nan"),
    ("last_epoch -5", named("LinearLR"), load(last_epoch=-5), ValueError,
     r"LinearLR state_dict\['last_epoch'\] must be a real number >= -1, got -5"),
    ("base_lrs str", named("StepLR"), load(base_lrs="abc"), TypeError,
     r"state_dict\['base_lrs'\] must be a list of learning rates, one per param group, "
     r"got 'abc' \(str\)"),
    ("base_lrs None entry", named("StepLR"), load(base_lrs=[None, 0.5]), TypeError,
     r"state_dict\['base_lrs'\]\[0\] must be a real number >= 0, got None"),
    ("base_lrs inf", named("StepLR"), load(base_lrs=[math.inf, 0.5]), ValueError,
     r"state_dict\['base_lrs'\]\[0\] must be a real number >= 0, got inf"),
    ("_last_lr str entry", named("PolynomialLR"), load(_last_lr=["0.1", 0.5]), TypeError,
     r"PolynomialLR state_dict\['_last_lr'\]\[0\] must be a real number >= 0, got '0.1'"),
    ("_step_count -1", named("StepLR"), load(_step_count=-1), ValueError,
     r"state_dict\['_step_count'\] must be an int >= 0, got -1"),
    ("_step_count float", named("StepLR"), load(_step_count=2.0), TypeError,
     r"state_dict\['_step_count'\] must be an int >= 0, got 2.0 \(float\)"),
    ("_is_initial str", named("StepLR"), load(_is_initial="no"), TypeError,
     r"state_dict\['_is_initial'\] must be True or False, got 'no' \(str\)"),
    ("not a dict: None", named("StepLR"), load_raw(None), TypeError,
     r"StepLR.load_state_dict expects a dict, got None \(NoneType\)"),
    ("not a dict: list", named("CosineAnnealingLR"), load_raw([("last_epoch", 3)]), TypeError,
     r"CosineAnnealingLR.load_state_dict expects a dict, got \[\('last_epoch', 3\)\] \(list\)"),
    ("another class's state", named("ExponentialLR"), load_from("StepLR"), ValueError,
     r"ExponentialLR state_dict has unexpected keys \['step_size'\]; is it the state of "
     r"another scheduler\?"),
    ("missing key", named("StepLR"), load_without("gamma"), ValueError,
     r"StepLR state_dict lacks the keys \['gamma'\]"),
    # ---- load_state_dict: each class's own entries ------------------------------------------
    ("StepLR gamma None", named("StepLR"), load(gamma=None), TypeError,
     r"StepLR state_dict\['gamma'\] must be a real number >= 0, got None"),
    ("StepLR gamma str", named("StepLR"), load(gamma="0.5"), TypeError,
     r"StepLR state_dict\['gamma'\] must be a real number >= 0, got '0.5' \(str\)"),
    ("StepLR gamma negative", named("StepLR"), load(gamma=-0.1), ValueError,
     r"StepLR state_dict\['gamma'\] must be a real number >= 0, got -0.1"),
    ("StepLR step_size 0", named("StepLR"), load(step_size=0), ValueError,
     r"StepLR state_dict\['step_size'\] must be an int >= 1, got 0"),
    ("StepLR step_size float", named("StepLR"), load(step_size=2.5), TypeError,
     r"StepLR state_dict\['step_size'\] must be an int >= 1, got 2.5 \(float\)"),
    ("MultiStepLR negative milestone", named("MultiStepLR"), load(milestones={-1: 1}),
     ValueError, r"MultiStepLR state_dict\['milestones'\] milestone -1 must be an int >= 0"),
    ("MultiStepLR milestones list", named("MultiStepLR"), load(milestones=[2, 5]), TypeError,
     r"MultiStepLR state_dict\['milestones'\] must be a Counter of milestone -> count"),
    ("MultiStepLR zero count", named("MultiStepLR"), load(milestones={2: 0}), ValueError,
     r"MultiStepLR state_dict\['milestones'\]\[2\] must be an int >= 1, got 0"),
    ("ConstantLR factor 0", named("ConstantLR"), load(factor=0.0), ValueError,
     r"ConstantLR state_dict\['factor'\] must be a real number > 0 and <= 1, got 0.0"),
    ("LinearLR end_factor 1.5", named("LinearLR"), load(end_factor=1.5), ValueError,
     r"LinearLR state_dict\['end_factor'\] must be a real number >= 0 and <= 1, got 1.5"),
    ("PolynomialLR power str", named("PolynomialLR"), load(power="2"), TypeError,
     r"PolynomialLR state_dict\['power'\] must be a real number >= 0, got '2' \(str\)"),
    ("CosineAnnealingLR T_max 0", named("CosineAnnealingLR"), load(T_max=0), ValueError,
     r"CosineAnnealingLR state_dict\['T_max'\] must be an int >= 1, got 0"),
    ("CosineAnnealingWarmRestarts T_cur >= T_i", named("CosineAnnealingWarmRestarts"),
     load(T_cur=5, T_i=3), ValueError,
     r"CosineAnnealingWarmRestarts state_dict\['T_cur'\] \(5\) must be less than "
     r"state_dict\['T_i'\] \(3\)"),
    ("CosineAnnealingWarmRestarts T_mult 0", named("CosineAnnealingWarmRestarts"),
     load(T_mult=0), ValueError,
     r"CosineAnnealingWarmRestarts state_dict\['T_mult'\] must be an int >= 1, got 0"),
    ("LambdaLR one saved callable for two", named("LambdaLR"), load(lr_lambdas=[None]),
     ValueError, r"LambdaLR state_dict\['lr_lambdas'\] holds 1 saved callables \(None or a "
                 r"dict each\) but must hold 2"),
    ("LambdaLR saved callable str", named("LambdaLR"), load(lr_lambdas=[None, "rate"]),
     TypeError, r"LambdaLR state_dict\['lr_lambdas'\]\[1\] must be None or a dict"),
    ("MultiplicativeLR lr_lambdas not a list", named("MultiplicativeLR"),
     load(lr_lambdas={"rate": 0.5}), TypeError,
     r"MultiplicativeLR state_dict\['lr_lambdas'\] must be a list of saved callables"),
    ("CyclicLR mode sine", named("CyclicLR"), load(mode="sine"), ValueError,
     r"CyclicLR state_dict\['mode'\] must be one of \['triangular', 'triangular2', "
     r"'exp_range'\], got 'sine'"),
    ("CyclicLR one momentum for two groups", named("CyclicLR"), load(_last_momentum=[0.9]),
     ValueError, r"CyclicLR state_dict\['_last_momentum'\] holds 1 momenta but the optimizer "
                 r"has 2 param groups"),
    ("CyclicLR momentum_key beta", named("CyclicLR"), load(momentum_key="beta"), ValueError,
     r"CyclicLR state_dict\['momentum_key'\] must be one of \['betas', 'momentum'\]"),
    ("CyclicLR momentum_key betas on SGD", named("CyclicLR"), load(momentum_key="betas"),
     KeyError, r"param_groups\[0\] has no 'betas' for CyclicLR to cycle"),
    ("CyclicLR cycle_momentum str", named("CyclicLR"), load(cycle_momentum="yes"), TypeError,
     r"CyclicLR state_dict\['cycle_momentum'\] must be True or False, got 'yes' \(str\)"),
    ("CyclicLR scale_fn state without one", named("CyclicLR"),
     load(_scale_fn_custom={"speed": 1.0}), ValueError,
     r"CyclicLR state_dict\['_scale_fn_custom'\] holds a scale_fn's attributes, but this "
     r"scheduler has no scale_fn object"),
    ("CyclicLR total_size 0", named("CyclicLR"), load(total_size=0.0), ValueError,
     r"CyclicLR state_dict\['total_size'\] must be a real number > 0, got 0.0"),
    ("OneCycleLR last_epoch past the end", named("OneCycleLR"), load(last_epoch=50),
     ValueError, r"OneCycleLR state_dict\['last_epoch'\] \(50\) is past "
                 r"state_dict\['total_steps'\] \(20\)"),
    ("OneCycleLR no phases", named("OneCycleLR"), load(_schedule_phases=[]), ValueError,
     r"OneCycleLR state_dict\['_schedule_phases'\] must hold 2 or 3 phases, got 0"),
    ("OneCycleLR unknown bound", named("OneCycleLR"),
     load(_schedule_phases=[{"end_step": 5.0, "start_lr": "initial_lr", "end_lr": "peak_lr",
                             "start_momentum": "max_momentum",
                             "end_momentum": "base_momentum"}] * 2), ValueError,
     r"OneCycleLR state_dict\['_schedule_phases'\]\[0\]\['end_lr'\] must be one of "
     r"\['initial_lr', 'max_lr', 'min_lr'\], got 'peak_lr'"),
    ("OneCycleLR anneal_strategy exp", named("OneCycleLR"), load(anneal_strategy="exp"),
     ValueError, r"OneCycleLR state_dict\['anneal_strategy'\] must be one of \['cos', "
                 r"'linear'\], got 'exp'"),
    ("OneCycleLR momentum switched on without its entries", named("OneCycleLR_no_momentum"),
     load(cycle_momentum=True), ValueError,
     r"OneCycleLR state_dict lacks the keys \['_last_momentum', 'momentum_key'\]"),
    ("ReduceLROnPlateau mode lowest", named("ReduceLROnPlateau"), load(mode="lowest"),
     ValueError, r"ReduceLROnPlateau state_dict\['mode'\] must be one of \['min', 'max'\]"),
    ("ReduceLROnPlateau factor 1", named("ReduceLROnPlateau"), load(factor=1.0), ValueError,
     r"ReduceLROnPlateau state_dict\['factor'\] must be < 1.0, got 1.0"),
    ("ReduceLROnPlateau best str", named("ReduceLROnPlateau"), load(best="inf"), TypeError,
     r"ReduceLROnPlateau state_dict\['best'\] must be a real number, got 'inf' \(str\)"),
    ("ReduceLROnPlateau one min_lr for two groups", named("ReduceLROnPlateau"),
     load(min_lrs=[0.1]), ValueError,
     r"ReduceLROnPlateau state_dict\['min_lrs'\] holds 1 learning rates but the optimizer has "
     r"2 param groups"),
    ("ReduceLROnPlateau patience -1", named("ReduceLROnPlateau"), load(patience=-1),
     ValueError, r"ReduceLROnPlateau state_dict\['patience'\] must be an int >= 0, got -1"),
    ("ReduceLROnPlateau given a StepLR state", named("ReduceLROnPlateau"), load_from("StepLR"),
     ValueError, r"ReduceLROnPlateau state_dict has unexpected keys \['_get_lr_called_within_"
                 r"step', '_is_initial', '_step_count', 'base_lrs', 'gamma', 'step_size'\]"),
    ("SequentialLR bad child entry", named("SequentialLR"), load_child(1, eta_min="0"),
     TypeError, r"CosineAnnealingLR state_dict\['eta_min'\] must be a real number >= 0, "
                r"got '0' \(str\)"),
    ("SequentialLR one child state for two", named("SequentialLR"),
     lambda o, s: s.load_state_dict({**s.state_dict(),
                                     "_schedulers": s.state_dict()["_schedulers"][:1]}),
     ValueError, r"SequentialLR state_dict\['_schedulers'\] holds 1 scheduler states, this "
                 r"SequentialLR has 2 schedulers"),
    ("SequentialLR children not a list", named("SequentialLR"), load(_schedulers="x"),
     TypeError, r"SequentialLR state_dict\['_schedulers'\] must be a list of the children's "
                r"state dicts"),
    ("SequentialLR negative milestone", named("SequentialLR"), load(_milestones=[-1]),
     ValueError, r"SequentialLR state_dict\['_milestones'\]\[0\] must be an int >= 0"),
    ("ChainedScheduler second child bad", named("ChainedScheduler"), load_child(1, gamma=None),
     TypeError, r"ExponentialLR state_dict\['gamma'\] must be a real number >= 0, got None"),
    ("ChainedScheduler child lrs for three groups", named("ChainedScheduler"),
     load_child(0, _last_lr=[0.1, 0.1, 0.1]), ValueError,
     r"ConstantLR state_dict\['_last_lr'\] holds 3 learning rates but the optimizer has 2 "
     r"param groups"),
    ("WarmupStableDecay phases exceed total", named("WarmupStableDecay"),
     load(stable_steps=30), ValueError,
     r"WarmupStableDecay state_dict: warmup_steps \(3\) \+ stable_steps \(30\) must not "
     r"exceed total_steps \(20\)"),
    ("WarmupStableDecay exp to zero", named("WarmupStableDecay"),
     load(decay="exp", min_lr_ratio=0.0), ValueError,
     r"WarmupStableDecay state_dict: decay='exp' needs min_lr_ratio > 0"),
    ("WarmupPolyDecay power negative", named("WarmupPolyDecay"), load(power=-1.0), ValueError,
     r"WarmupPolyDecay state_dict\['power'\] must be a real number >= 0, got -1.0"),
    ("GradualWarmupScheduler warm-up too long", named("GradualWarmupScheduler"),
     load(warmup_epochs=30), ValueError,
     r"GradualWarmupScheduler state_dict: warmup_epochs \(30\) must not exceed "
     r"total_epochs \(20\)"),
    ("WarmupCosineDecay min_lr str", named("WarmupCosineDecay"), load(min_lr="0"), TypeError,
     r"WarmupCosineDecay state_dict\['min_lr'\] must be a real number >= 0, got '0' \(str\)"),
    # ---- step(): param groups changed behind the scheduler's back ---------------------------
    ("group lr None", corrupted(named("StepLR"), set_group(0, "lr", None)), scheduler_step,
     TypeError, r"param_groups\[0\]\['lr'\] must be a real number, got NoneType"),
    ("group lr str", corrupted(named("ExponentialLR"), set_group(1, "lr", "0.1")), scheduler_step,
     TypeError, r"param_groups\[1\]\['lr'\] must be a real number, got str"),
    ("group lr negative", corrupted(named("CosineAnnealingLR"), set_group(0, "lr", -1.0)),
     scheduler_step, ValueError,
     r"param_groups\[0\]\['lr'\] is -1.0; a learning rate must be >= 0"),
    ("group lr nan", corrupted(named("LambdaLR"), set_group(0, "lr", float("nan"))),
     scheduler_step, ValueError, r"param_groups\[0\]\['lr'\] is nan; a learning rate must be >= 0"),
    ("group added", corrupted(named("WarmupCosineDecay"),
                              lambda opt: opt.add_param_group({"params": [Param([1.0])],
                                                               "lr": 0.1, "initial_lr": 0.1})),
     scheduler_step, ValueError, r"WarmupCosineDecay computed 2 learning rates for 3 param groups"),
    ("OneCycleLR max_lr removed", corrupted(named("OneCycleLR"), drop_group_key(0, "max_lr")),
     scheduler_step, KeyError, r"param 'max_lr' is not specified in param_groups\[0\]"),
    ("OneCycleLR max_lr str", corrupted(named("OneCycleLR"), set_group(1, "max_lr", "big")),
     scheduler_step, TypeError, r"param_groups\[1\]\['max_lr'\] must be a real number >= 0, got "
                           r"'big' \(str\)"),
    ("OneCycleLR momentum removed", corrupted(named("OneCycleLR"),
                                              drop_group_key(0, "momentum")),
     scheduler_step, KeyError, r"param_groups\[0\] has no 'momentum' for OneCycleLR to cycle"),
    ("CyclicLR betas not a pair", corrupted(named("CyclicLR", kind="adam"),
                                            set_group(0, "betas", 0.9)),
     scheduler_step, TypeError, r"param_groups\[0\]\['betas'\] must be a pair \(beta1, beta2\), "
                           r"got 0.9 \(float\)"),
    ("ReduceLROnPlateau group lr None", corrupted(named("ReduceLROnPlateau"),
                                                  set_group(1, "lr", None)),
     step(0.5), TypeError, r"param_groups\[1\]\['lr'\] must be a real number, got NoneType"),
    ("ReduceLROnPlateau new group without a min_lr", plateau_with_min_lr_list_and_a_new_group,
     step(10.0), RuntimeError, r"The number of param groups in the `optimizer` \(3\) differs "
                               r"from when `ReduceLROnPlateau` was initialized \(2\)"),
    # ---- step(): bad arguments --------------------------------------------------------------
    ("epoch str", named("StepLR"), step("3"), TypeError,
     r"epoch must be a real number, got '3' \(str\)"),
    ("epoch negative", named("StepLR"), step(-1), ValueError,
     r"Expected non-negative epoch, but got -1"),
    ("epoch nan", named("ExponentialLR"), step(float("nan")), ValueError,
     r"Expected non-negative epoch, but got nan"),
    ("epoch bool", named("MultiStepLR"), step(True), TypeError,
     r"epoch must be a real number, got True \(bool\)"),
    ("warm restarts epoch negative", named("CosineAnnealingWarmRestarts"), step(-1),
     ValueError, r"Expected non-negative epoch, but got -1"),
    ("warm restarts epoch str", named("CosineAnnealingWarmRestarts"), step("a"), TypeError,
     r"epoch must be a real number, got 'a' \(str\)"),
    ("plateau metric str", named("ReduceLROnPlateau"), step("loss"), TypeError,
     r"metrics must be a real number, got 'loss' \(str\)"),
    ("plateau metric None", named("ReduceLROnPlateau"), step(None), TypeError,
     r"metrics must be a real number, got None \(NoneType\)"),
    ("plateau metric bool", named("ReduceLROnPlateau"), step(True), TypeError,
     r"metrics must be a real number, got True \(bool\)"),
    ("plateau metric array", named("ReduceLROnPlateau"), step(np.ones(3)), TypeError,
     r"metrics must be a real number, got array\(\[1., 1., 1.\]\) \(ndarray\)"),
    ("plateau epoch negative", named("ReduceLROnPlateau"), step(1.0, epoch=-2), ValueError,
     r"Expected non-negative epoch, but got -2"),
    ("OneCycleLR past total_steps", one_cycle_at_end, scheduler_step, ValueError,
     r"Tried to step 7 times. The specified number of total steps is 6"),
    # ---- step(): the user's lr_lambda -------------------------------------------------------
    ("LambdaLR negative factor", custom(lambda opt: schedulers.LambdaLR(
        opt, negative_from_step(4))), scheduler_step, ValueError,
     r"LambdaLR computed learning rate -0.025 for param_groups\[0\] at step 4; a learning "
     r"rate must be >= 0"),
    ("LambdaLR factor str", custom(lambda opt: schedulers.LambdaLR(
        opt, lambda e: "0.5" if e >= 4 else 1.0)), scheduler_step, TypeError,
     r"lr_lambda of param_groups\[0\] returned '0.5' \(str\) at epoch 4; it must return a "
     r"real number"),
    ("MultiplicativeLR factor None", custom(lambda opt: schedulers.MultiplicativeLR(
        opt, [lambda e: 0.9, lambda e: None if e >= 4 else 0.9])), scheduler_step, TypeError,
     r"lr_lambda of param_groups\[1\] returned None \(NoneType\) at epoch 4"),
    ("LambdaLR lambda raises", custom(lambda opt: schedulers.LambdaLR(
        opt, raises_from_step(4))), scheduler_step, ZeroDivisionError,
     r"the user's lr_lambda failed"),
    # ---- composites: a failing later child leaves the earlier ones unstepped ----------------
    ("ChainedScheduler later child negative", custom(lambda opt: schedulers.ChainedScheduler(
        [schedulers.ExponentialLR(opt, gamma=0.9),
         schedulers.MultiplicativeLR(opt, negative_from_step(4))])), scheduler_step, ValueError,
     r"MultiplicativeLR computed learning rate -0\.\d+ for param_groups\[0\] at step 4"),
    ("ChainedScheduler later child raises", custom(lambda opt: schedulers.ChainedScheduler(
        [schedulers.CosineAnnealingLR(opt, T_max=10),
         schedulers.ConstantLR(opt, factor=0.5, total_iters=2),
         schedulers.LambdaLR(opt, raises_from_step(4))])), scheduler_step, ZeroDivisionError,
     r"the user's lr_lambda failed"),
    ("ChainedScheduler cycling child loses its momentum",
     corrupted(custom(lambda opt: schedulers.ChainedScheduler(
         [schedulers.ExponentialLR(opt, gamma=0.9),
          schedulers.CyclicLR(opt, 0.01, 0.1, step_size_up=2)])),
         drop_group_key(1, "momentum")),
     scheduler_step, KeyError, r"param_groups\[1\] has no 'momentum' for CyclicLR to cycle"),
    ("SequentialLR child negative at its start", custom(lambda opt: schedulers.SequentialLR(
        opt, [schedulers.ExponentialLR(opt, 0.5),
              schedulers.LambdaLR(opt, lambda e: 1.0 - 0.5 * e)], milestones=[2]), steps=4),
     scheduler_step, ValueError, r"LambdaLR computed learning rate -0.025 for param_groups\[0\] at "
                            r"step 3"),
]


@pytest.mark.parametrize("setup, action, error, message",
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_bad_input_raises_clearly_and_changes_nothing(setup, action, error, message):
    params, optimizer, scheduler = setup()
    before = state_fingerprint(optimizer, scheduler, params)
    with pytest.raises(error, match=message):
        action(optimizer, scheduler)
    assert state_fingerprint(optimizer, scheduler, params) == before


def test_the_table_is_large_and_distinct():
    assert len(CASES) >= 50
    assert len({case[0] for case in CASES}) == len(CASES)


def test_a_failed_chained_step_leaves_earlier_children_unstepped_and_the_next_step_works():
    params = make_params()
    optimizer = make_optimizer(params, "sgd_momentum")
    calls = []

    def flaky(epoch):
        calls.append(epoch)
        if len(calls) == 5:  # one call per param group: the third step, first group
            raise RuntimeError("flaky once")
        return 0.95

    first = schedulers.ExponentialLR(optimizer, gamma=0.9)
    second = schedulers.MultiplicativeLR(optimizer, flaky)
    chained = schedulers.ChainedScheduler([first, second])
    train(params, optimizer, chained, 2)
    lrs = [group["lr"] for group in optimizer.param_groups]
    with pytest.raises(RuntimeError, match="flaky once"):
        train(params, optimizer, chained, 1)
    assert first.last_epoch == 2 and second.last_epoch == 2
    assert [group["lr"] for group in optimizer.param_groups] == lrs
    chained.step()  # the retry takes the step that failed
    assert first.last_epoch == 3 and second.last_epoch == 3
    assert chained.get_last_lr() == pytest.approx([0.05 * (0.9 * 0.95) ** 3,
                                                   0.5 * (0.9 * 0.95) ** 3], rel=1e-15)


def _every_state_entry():
    for name in sorted(SCHEDULERS):
        for key in built(name, steps=1)[2].state_dict():
            yield pytest.param(name, key, id=f"{name}[{key}]")


NONE_ALLOWED = {"default_min_lr", "_scale_fn_custom"}
# With a custom scale_fn, CyclicLR's mode is only a label (any str), as in torch.
STRING_ALLOWED = {("CyclicLR_custom_no_momentum", "mode")}


@pytest.mark.parametrize("name, key", list(_every_state_entry()))
def test_every_state_entry_rejects_strings_and_none(name, key):
    params, optimizer, scheduler = built(name)
    before = state_fingerprint(optimizer, scheduler, params)
    for bad in ("x", None):
        if (bad is None and key in NONE_ALLOWED) or (bad == "x" and (name, key) in STRING_ALLOWED):
            continue
        with pytest.raises((TypeError, ValueError)) as caught:
            scheduler.load_state_dict({**scheduler.state_dict(), key: bad})
        assert f"state_dict[{key!r}]" in str(caught.value)
        assert f"got {bad!r} ({type(bad).__name__})" in str(caught.value) or \
            "must be one of" in str(caught.value)
        assert state_fingerprint(optimizer, scheduler, params) == before


S = schedulers
CONSTRUCTOR_CASES = [
    ("StepLR gamma None", lambda o: S.StepLR(o, 2, gamma=None), TypeError,
     r"gamma must be a real number, got None \(NoneType\)"),
    ("ExponentialLR gamma str", lambda o: S.ExponentialLR(o, gamma="0.9"), TypeError,
     r"gamma must be a real number, got '0.9' \(str\)"),
    ("ConstantLR factor None", lambda o: S.ConstantLR(o, factor=None), TypeError,
     r"factor must be a real number, got None"),
    ("LinearLR start_factor str", lambda o: S.LinearLR(o, start_factor="0.1"), TypeError,
     r"start_factor must be a real number, got '0.1' \(str\)"),
    ("PolynomialLR power bool", lambda o: S.PolynomialLR(o, power=True), TypeError,
     r"power must be a real number, got True \(bool\)"),
    ("CosineAnnealingLR eta_min None", lambda o: S.CosineAnnealingLR(o, 10, eta_min=None),
     TypeError, r"eta_min must be a real number, got None"),
    ("CyclicLR step_size_up str", lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up="10"),
     TypeError, r"step_size_up must be a real number, got '10' \(str\)"),
    ("CyclicLR cycle_momentum str", lambda o: S.CyclicLR(o, 0.01, 0.1, cycle_momentum="no"),
     TypeError, r"cycle_momentum must be True or False, got 'no' \(str\)"),
    ("CyclicLR base_momentum None", lambda o: S.CyclicLR(o, 0.01, 0.1, base_momentum=None),
     TypeError, r"base_momentum must be a real number, got None"),
    ("OneCycleLR three_phase str", lambda o: S.OneCycleLR(o, 0.1, 10, three_phase="True"),
     TypeError, r"three_phase must be True or False, got 'True' \(str\)"),
    ("OneCycleLR cycle_momentum int", lambda o: S.OneCycleLR(o, 0.1, 10, cycle_momentum=0),
     TypeError, r"cycle_momentum must be True or False, got 0 \(int\)"),
    ("OneCycleLR div_factor str", lambda o: S.OneCycleLR(o, 0.1, 10, div_factor="25"),
     TypeError, r"div_factor must be a real number, got '25' \(str\)"),
    ("OneCycleLR max_lr None entry", lambda o: S.OneCycleLR(o, [0.1, None], 10), TypeError,
     r"max_lr must be a real number, got None"),
    ("ReduceLROnPlateau factor str", lambda o: S.ReduceLROnPlateau(o, factor="0.5"), TypeError,
     r"factor must be a real number, got '0.5' \(str\)"),
    ("ReduceLROnPlateau min_lr str", lambda o: S.ReduceLROnPlateau(o, min_lr="0"), TypeError,
     r"min_lr must be a real number, got '0' \(str\)"),
    ("WarmupStableDecay min_lr_ratio None", lambda o: S.WarmupStableDecay(
        o, 20, 2, 3, min_lr_ratio=None), TypeError, r"min_lr_ratio must be a real number"),
    ("WarmupCosineDecay min_lr nan", lambda o: S.WarmupCosineDecay(o, 20, 2, min_lr=math.nan),
     ValueError, r"min_lr must be >= 0, got nan"),
]


@pytest.mark.parametrize("build, error, message",
                         [pytest.param(*case[1:], id=case[0]) for case in CONSTRUCTOR_CASES])
def test_bad_constructor_argument_raises_clearly_and_leaves_the_groups(build, error, message):
    params = make_params()
    optimizer = make_optimizer(params, "sgd_momentum")
    train(params, optimizer, S.StepLR(optimizer, 100), 2)  # groups with an initial_lr, state
    before = state_fingerprint(optimizer, None, params)
    with pytest.raises(error, match=message):
        build(optimizer)
    assert state_fingerprint(optimizer, None, params) == before


def test_plateau_takes_a_loss_tensor_as_torch_takes_a_0d_tensor():
    import minigrad

    params = make_params()
    optimizer = make_optimizer(params, "sgd")
    by_tensor = schedulers.ReduceLROnPlateau(optimizer, patience=0)
    by_float = schedulers.ReduceLROnPlateau(make_optimizer(make_params(), "sgd"), patience=0)
    for value in (1.0, 2.0, 3.0):
        by_tensor.step(minigrad.Tensor(np.array(value)).sum())
        by_float.step(value)
    by_tensor.step(np.array([0.5]))
    by_float.step(0.5)
    assert by_tensor.best == by_float.best == 0.5
    assert by_tensor.get_last_lr() == by_float.get_last_lr()
    assert by_tensor.get_last_lr() == pytest.approx([0.05 * 0.1 * 0.1, 0.5 * 0.1 * 0.1],
                                                    rel=1e-15)  # two bad epochs, two cuts
