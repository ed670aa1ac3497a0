"""The least-privilege RAM policy and the ConnectorCapabilities, generated from resource_types.

Why generated: an administrator grants exactly what ``permissions`` prints, ``validate`` probes
exactly those actions, and ``capabilities`` declares them per resource type; all three read
``resource_types.RESOURCE_TYPES``, the same table the builders' calls are checked against, so
adding an API call to a builder without adding its permission fails a test, not a customer.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.alibaba import metadata
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.connector_pb2 import (
    Capability,
    CapabilityPermission,
    CapabilityPermissions,
    ConnectorCapabilities,
    ResourceTypeCapability,
)
from baton_alibaba_cloud.connector.resource_types import (
    RESOURCE_TYPES,
    ApiAction,
    Feature,
    ResourceTypeSpec,
    actions_for,
)

__all__ = [
    "capabilities",
    "capabilities_json",
    "enabled_features",
    "metadata_problems",
    "policy_document",
    "required_actions",
    "required_permissions",
]


def enabled_features(*, sync_secrets: bool = False, provisioning: bool = False) -> list[Feature]:
    """The features a configuration enables; ``sync`` is always one of them."""
    features: list[Feature] = ["sync"]
    if sync_secrets:
        features.append("sync-secrets")
    if provisioning:
        features.append("provisioning")
    return features


def required_actions(features: list[Feature]) -> list[ApiAction]:
    """Every API action the features make, each once, in table order."""
    return actions_for(features)


def required_permissions(features: list[Feature]) -> list[str]:
    """The sorted ``ram:``/``sts:`` permissions (an action anyone may call needs none)."""
    return sorted({a.permission for a in actions_for(features) if a.permission})


def policy_document(*, sync_secrets: bool = False, provisioning: bool = False) -> dict[str, Any]:
    """The RAM policy document to attach to the identity the connector runs as."""
    features = enabled_features(sync_secrets=sync_secrets, provisioning=provisioning)
    return {
        "Version": "1",
        "Statement": [
            {"Effect": "Allow", "Action": required_permissions(features), "Resource": "*"}
        ],
    }


def metadata_problems() -> list[str]:
    """Actions of the table that the API metadata snapshots do not know (expected: none)."""
    problems = []
    for spec in RESOURCE_TYPES:
        for actions in spec.actions.values():
            for a in actions:
                if a.action not in metadata.load(a.service).actions:
                    problems.append(f"{spec.id}: {a.service}:{a.action} is not in the snapshot")
    return problems


def _type_permissions(spec: ResourceTypeSpec) -> list[str]:
    seen: dict[str, None] = {}
    for actions in spec.actions.values():
        for a in actions:
            if a.permission:
                seen.setdefault(a.permission, None)
    return list(seen)


def _capability(spec: ResourceTypeSpec) -> ResourceTypeCapability:
    perms = CapabilityPermissions(
        permissions=[CapabilityPermission(permission=p) for p in _type_permissions(spec)])
    traits = () if spec.trait is None else (spec.trait,)
    annotations = [perms] if perms.permissions else []
    rtype = bt.resource_type(spec.id, spec.display_name, traits, description=spec.description,
                             annotations=annotations)
    caps = [Capability.CAPABILITY_SYNC]
    if "provisioning" in spec.actions:
        caps.append(Capability.CAPABILITY_PROVISION)
    if "sync-secrets" in spec.actions:
        caps.append(Capability.CAPABILITY_SYNC_SECRETS)
    return ResourceTypeCapability(resource_type=rtype, capabilities=caps,
                                  permissions=perms if perms.permissions else None)


def capabilities() -> ConnectorCapabilities:
    """What the connector can do, per resource type (sorted by id, as baton-aws ships it)."""
    specs = sorted(RESOURCE_TYPES, key=lambda s: s.id)
    return ConnectorCapabilities(
        resource_type_capabilities=[_capability(s) for s in specs],
        connector_capabilities=[Capability.CAPABILITY_SYNC, Capability.CAPABILITY_PROVISION,
                                Capability.CAPABILITY_SYNC_SECRETS],
    )


def capabilities_json() -> dict[str, Any]:
    """``capabilities()`` as protojson with its ``@type``, the shape of baton_capabilities.json."""
    doc: dict[str, Any] = {"@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities"}
    doc.update(MessageToDict(capabilities()))
    return doc
