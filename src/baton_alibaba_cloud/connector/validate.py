"""Check the credentials and every permission the enabled features need, one API call each.

How a permission is probed without changing or even needing anything in the account: RAM
authorises a request (``NoPermission``) *before* it looks up the entities it names
(``EntityNotExist.*``). So every action is called with names that do not exist
(``baton-validate-probe``) and ``MaxItems=1`` where it pages:

- a success, or any business error (``EntityNotExist.User``, ``EntityNotExist.Group``…), means
  the request passed authorisation: the permission is there;
- ``NoPermission`` / ``Forbidden*`` means it is missing.

This is what makes the write probes of ``-p`` safe: ``AddUserToGroup`` or
``AttachPolicyToUser`` on a user and a policy that do not exist cannot change anything, yet the
answer tells granted from refused. The parameters come from the API metadata snapshots (every
required one is filled), so a new action in ``resource_types`` gets a probe with no code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AlibabaError,
    AuthenticationError,
    ClockSkewError,
    CredentialsError,
    PermissionDeniedError,
    ServerError,
    ThrottlingError,
    TransportError,
    metadata,
)
from baton_alibaba_cloud.connector.config import ConnectorConfig, build_credentials
from baton_alibaba_cloud.connector.permissions import enabled_features, required_actions
from baton_alibaba_cloud.connector.resource_types import ApiAction, Feature

__all__ = [
    "PROBE_NAME",
    "ProbeResult",
    "ValidationReport",
    "features_of",
    "probe_params",
    "run_probes",
    "validate",
]

PROBE_NAME = "baton-validate-probe"
"""The entity name every probe uses; it must not exist (it would be harmless if it did)."""


@dataclass(frozen=True)
class ProbeResult:
    """One action's answer: ``status`` is ``ok``, ``missing`` or ``error: <code>``."""

    service: str
    action: str
    permission: str
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """The action is allowed."""
        return self.status == "ok"


@dataclass
class ValidationReport:
    """Who the credentials are, and the result of every probe."""

    identity: str
    account_id: str
    results: list[ProbeResult] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """The permissions to grant, sorted."""
        return sorted({r.permission for r in self.results if r.status == "missing"})

    @property
    def failed(self) -> list[ProbeResult]:
        """Probes that did not prove the permission (missing or an error)."""
        return [r for r in self.results if not r.ok]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: identity, account, results and the missing permissions."""
        return {
            "identity": self.identity,
            "account_id": self.account_id,
            "results": [{"service": r.service, "action": r.action, "permission": r.permission,
                         "status": r.status, "detail": r.detail} for r in self.results],
            "missing": self.missing,
        }


def _value(name: str, spec: metadata.ParamSpec, account_id: str) -> str:
    if name in ("MaxItems", "PageSize"):
        return str(max(1, spec.minimum or 1))
    if name == "UserPrincipalName":
        return f"{PROBE_NAME}@{account_id}.onaliyun.com"
    if name == "PolicyType":
        return "Custom"
    if spec.enum:
        return spec.enum[0]
    if spec.type in ("integer", "number"):
        return str(spec.minimum if spec.minimum is not None else 1)
    if spec.type == "boolean":
        return "false"
    if name.endswith("AccessKeyId"):
        return "LTAI0000000000000000probe"
    return PROBE_NAME


def probe_params(action: ApiAction, account_id: str) -> dict[str, str]:
    """The harmless parameters of one probe: every required one, the UPN, and pages of one
    (MaxItems=1, or PageSize=1 for Resource Manager)."""
    spec = metadata.load(action.service).actions[action.action]
    params: dict[str, str] = {}
    for name, param in spec.parameters.items():
        if param.required or name in ("MaxItems", "UserPrincipalName", "PageSize"):
            params[name] = _value(name, param, account_id)
    return params


async def _probe(client: AlibabaClient, action: ApiAction, account_id: str,
                 known: Mapping[str, str] | None = None) -> ProbeResult:
    """``known``: real values for some parameters (a CloudSSO DirectoryId), so that the probe
    asks about the caller's own directory rather than an absent one."""
    permission = action.permission or "(none)"
    params = probe_params(action, account_id)
    params.update({k: v for k, v in (known or {}).items() if k in params})
    try:
        await client.call(action.service, action.action, params)
    except PermissionDeniedError as exc:
        return ProbeResult(action.service, action.action, exc.permission or permission,
                           "missing", exc.code)
    except (AuthenticationError, ClockSkewError, CredentialsError):
        raise
    except (ThrottlingError, ServerError, TransportError) as exc:
        return ProbeResult(action.service, action.action, permission, f"error: {exc.code}",
                           str(exc))
    except AlibabaError as exc:  # authorised, then refused on the (absent) entity: allowed
        return ProbeResult(action.service, action.action, permission, "ok", exc.code)
    return ProbeResult(action.service, action.action, permission, "ok")


async def run_probes(client: AlibabaClient, features: list[Feature]) -> ValidationReport:
    """Who am I (STS GetCallerIdentity, which needs no permission), then every probe at once.

    Credentials that do not work raise the client's error: there is nothing to report then.
    """
    me = await client.call("sts", "GetCallerIdentity")
    report = ValidationReport(identity=str(me.get("Arn", "")),
                              account_id=str(me.get("AccountId", "")))
    actions = [a for a in required_actions(features) if a.action != "GetCallerIdentity"]
    results = await asyncio.gather(*(_probe(client, a, report.account_id) for a in actions))
    report.results = [ProbeResult("sts", "GetCallerIdentity", "(none)", "ok"), *results]
    return report


def features_of(config: ConnectorConfig) -> list[Feature]:
    """The features a ``ConnectorConfig`` enables."""
    return enabled_features(sync_secrets=config.sync_secrets, provisioning=config.provisioning)


def validate(config: ConnectorConfig) -> ValidationReport:
    """Probe every permission ``config``'s features need, with ``config``'s credentials."""
    return asyncio.run(_validate(config))


async def _validate(config: ConnectorConfig) -> ValidationReport:
    async with AlibabaClient(build_credentials(config), config.endpoints(),
                             timeout=config.timeout) as client:
        return await run_probes(client, features_of(config))
