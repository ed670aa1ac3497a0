"""The action handlers of the emulator (moto's ``responses``), one class per service.

``dispatch`` is the seam with ``app.py``: the app has authenticated the caller and validated
the parameters against the API metadata; ``dispatch`` runs the action and returns the wire
body without ``RequestId``, or raises :class:`~..errors.EmulatorError`.
"""

from __future__ import annotations

from ..backend import Backend
from ..errors import EmulatorError
from ..identity import Caller
from ._common import BaseResponses, Wire
from .cloudsso import CloudSSOResponses
from .ims_credentials import ImsCredentialResponses
from .ram_policies import RamPolicyResponses
from .resourcemanager import ResourceManagerResponses
from .sts import StsResponses

__all__ = ["dispatch", "implemented_actions"]

HANDLERS: dict[str, type[BaseResponses]] = {
    "ram": RamPolicyResponses,
    "ims": ImsCredentialResponses,
    "sts": StsResponses,
    "resourcemanager": ResourceManagerResponses,
    "cloudsso": CloudSSOResponses,  # a single account has no CloudSSO directory
}


def dispatch(
    backend: Backend, service: str, action: str, params: dict[str, str], caller: Caller
) -> Wire:
    """Run ``service``/``action`` for ``caller``; unknown pairs are ``InvalidAction.NotFound``."""
    handler = HANDLERS.get(service)
    if handler is None:
        raise EmulatorError("InvalidProduct.NotFound", f"Unknown service {service!r}.", 404)
    return handler(backend, params, caller).call(action)


def implemented_actions() -> set[tuple[str, str]]:
    """Every ``(service, Action)`` the emulator answers (for coverage tables and the app)."""
    return {(service, action) for service, cls in HANDLERS.items() for action in cls.ACTIONS}
