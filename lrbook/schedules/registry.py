r"""One declaration per schedule: its factory, its PyTorch builder, its slider metadata.

Every schedule factory is declared once, where it is defined, with :func:`declare`::

    @declare(
        family="decay",
        pytorch="StepLR",
        torch=lambda tls, optimizer, p: tls.StepLR(
            optimizer, p["step_size"], gamma=p["gamma"]
        ),
        parameters={"lr": LR, "step_size": Parameter(r"\Delta", "steps"), "gamma": GAMMA},
    )
    def step_decay(lr, step_size, gamma=0.1): ...

The PyTorch bridge (:func:`torch_scheduler`), the explorers (slider labels from
:attr:`Declaration.parameters`) and the tests (every declared factory has a parity test)
read these declarations; adding a schedule means touching its family module and its
tests, nothing else. torch is imported only when a PyTorch scheduler is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Declaration",
    "Parameter",
    "declaration",
    "declarations",
    "declare",
    "torch_scheduler",
]


@dataclass(frozen=True)
class Parameter:
    """How a factory's argument is shown: its symbol (TeX, no ``$``) and unit."""

    symbol: str | None = None
    unit: str | None = None


#: Parameters shared by many factories.
LR = Parameter(r"\alpha_0")
GAMMA = Parameter(r"\gamma")
ETA_MIN = Parameter(r"\eta_{\min}")


@dataclass(frozen=True)
class Declaration:
    """Everything lrbook knows about one schedule factory.

    Attributes:
        name: the factory's name, e.g. ``"step_decay"``.
        factory: the factory function.
        family: the module of :mod:`lrbook.schedules` that defines it (``"decay"``,
            ``"cosine"``, ``"cyclic"``, ``"compose"``).
        pytorch: what a PyTorch user writes instead, e.g. ``"StepLR"``, or ``None``
            when PyTorch has no scheduler for it.
        build: ``build(lr_scheduler_module, optimizer, params)`` returns PyTorch's
            scheduler (or ``None`` when PyTorch uses none, as for a constant rate);
            ``None`` when there is no PyTorch equivalent.
        parameters: ``{argument: Parameter}`` for the sliders of the explorers.
        chain_refusal: for schedules PyTorch can chain (``ChainedScheduler``
            multiplies the step-to-step ratios of *multiplicative* schedulers), a
            function ``params -> reason or None`` saying why these parameters cannot
            be chained; ``None`` when the schedule can never be chained.
        chain_max_step: for chainable schedules, ``params -> last step`` up to which
            the chained PyTorch rate is the product of the closed forms (``None``:
            every step).
    """

    name: str
    factory: Callable
    family: str
    pytorch: str | None
    build: Callable | None
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    chain_refusal: Callable[[dict], str | None] | None = None
    chain_max_step: Callable[[dict], int | None] | None = None

    def parameter(self, name: str) -> Parameter:
        """The metadata of argument ``name`` (empty if none was declared)."""
        return self.parameters.get(name, Parameter())


_DECLARATIONS: dict[str, Declaration] = {}

#: The families in the order the book teaches them (chapters 2-3, 5, 6, 7;
#: compositions).
FAMILIES = ("decay", "cosine", "cyclic", "large_model", "compose")


def declare(
    *,
    family: str,
    pytorch: str | None,
    torch: Callable | None,
    parameters: Mapping[str, Parameter],
    chain_refusal: Callable[[dict], str | None] | None = None,
    chain_max_step: Callable[[dict], int | None] | None = None,
) -> Callable:
    """Register the decorated factory (see the module's docstring); returns it as is."""

    def register(factory: Callable) -> Callable:
        name = factory.__name__
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
        if name in _DECLARATIONS:
            raise ValueError(f"schedule {name!r} is declared twice")
        _DECLARATIONS[name] = Declaration(
            name,
            factory,
            family,
            pytorch,
            torch,
            MappingProxyType(dict(parameters)),
            chain_refusal,
            chain_max_step,
        )
        return factory

    return register


def declarations() -> tuple[Declaration, ...]:
    """Every declared schedule, in the order the book teaches them (by family, then
    in the order of their module)."""
    return tuple(sorted(_DECLARATIONS.values(), key=lambda d: FAMILIES.index(d.family)))


def declaration(name: str) -> Declaration:
    """The declaration of the factory called ``name`` (ValueError if there is none)."""
    if not isinstance(name, str) or name not in _DECLARATIONS:
        raise ValueError(
            f"name must be one of lrbook's schedules ({', '.join(_DECLARATIONS)}),"
            f" got {name!r}"
        )
    return _DECLARATIONS[name]


def torch_scheduler(optimizer, schedule, *, set_lr: bool = True):
    """PyTorch's own scheduler for ``schedule``, built from its declaration.

    With ``set_lr`` the optimizer's rate is first set to the schedule's ``lr`` (the
    base rate every PyTorch scheduler multiplies). Returns ``None`` for a constant
    rate; raises ``ValueError`` when PyTorch has no equivalent.
    """
    import torch.optim.lr_scheduler as tls

    decl = declaration(schedule.name)
    if decl.build is None:
        raise ValueError(f"no PyTorch equivalent is known for {schedule!r}")
    params = schedule.params
    if set_lr and "lr" in params:
        for group in optimizer.param_groups:
            group["lr"] = params["lr"]
    return decl.build(tls, optimizer, params)
