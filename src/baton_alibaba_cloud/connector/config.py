"""The connector's configuration and how it turns into credentials.

Why a frozen dataclass: the CLI resolves flags and ``BATON_*`` variables into one value, and
the library (``run.sync``, ``run.grant``, ``run.revoke``) never reads flags or the environment
itself, except through the default credential chain, exactly as docs/model.md §1 describes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from baton_alibaba_cloud.alibaba import (
    DEFAULT_METADATA_URL,
    AssumeRoleProvider,
    CredentialsProvider,
    Endpoints,
    ProfileProvider,
    StaticProvider,
    default_chain,
    sts_client_factory,
)
from baton_alibaba_cloud.baton.sync.engine import DEFAULT_CONCURRENCY

__all__ = ["ConnectorConfig", "build_credentials"]

DEFAULT_SESSION_NAME = "baton-alibaba-cloud"
MIN_SESSION, MAX_SESSION = 900, 43200
"""STS AssumeRole's DurationSeconds range (the role's MaxSessionDuration may lower the top)."""
MIN_SCALE, MAX_SCALE = 0.01, 10.0
"""``--rate-limit-scale`` bounds: at 0.01 the slowest published quota (10/s) is one request
every 10 s; above 10 Alibaba throttles anyway (the quota is the account's, all callers)."""
MAX_TIMEOUT = 600
CLOUDSSO_REGIONS = ("cn-shanghai", "us-west-1")
"""The regions CloudSSO has endpoints in; a directory lives in one of them."""


@dataclass(frozen=True)
class ConnectorConfig:
    """Everything one run needs. Secrets are never part of ``repr``.

    - ``access_key_id``/``access_key_secret`` (+ ``security_token``): an explicit AccessKey
      pair (or STS credentials); both or neither.
    - ``role_arn`` (+ ``role_session_name``, ``external_id``): assume this RAM role with the
      base credentials (the pair, the profile or the default chain), refreshed before expiry;
      each session lasts ``role_session_duration`` seconds (STS DurationSeconds, 900-43200).
    - ``profile``: a profile of ``~/.aliyun/config.json`` instead of the default chain.
    - ``endpoint``: one host name or URL for every service (the emulator serves them all);
      ``ram_endpoint``/``ims_endpoint``/``sts_endpoint``/``resource_manager_endpoint``
      override it per service; each defaults to the service's public host.
    - ``cloudsso_region`` (``cn-shanghai`` or ``us-west-1``): where the CloudSSO directory
      lives; ``cloudsso_endpoint`` defaults to ``cloudsso.<region>.aliyuncs.com`` (or
      ``endpoint``).
    - ``ecs_metadata_url``: the ECS metadata service the default chain asks last.
    - ``sync_secrets``: also sync AccessKeys (ids and dates only, never secrets).
    - ``provisioning``: allow ``grant``/``revoke``; refused otherwise.
    - ``rate_limit_scale``: multiply every published per-action quota (0.5 = half speed, for
      an account other tools also call).
    - ``rate_limits``: requests/second per action (``"ram:ListUsers"`` or ``"ListUsers"``).
    - ``max_in_flight``: requests in flight at once across all actions.
    - ``concurrency_per_type``: ``details`` workers per resource type in phase 2 (users
      take more, see ``UserSyncer.details_concurrency``).
    - ``timeout``: seconds per HTTP request.
    """

    access_key_id: str | None = None
    access_key_secret: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    role_arn: str | None = None
    role_session_name: str | None = None
    role_session_duration: int = 3600
    external_id: str | None = field(default=None, repr=False)
    profile: str | None = None
    endpoint: str | None = None
    ram_endpoint: str | None = None
    ims_endpoint: str | None = None
    sts_endpoint: str | None = None
    resource_manager_endpoint: str | None = None
    cloudsso_endpoint: str | None = None
    cloudsso_region: str = CLOUDSSO_REGIONS[0]
    ecs_metadata_url: str = DEFAULT_METADATA_URL
    sync_secrets: bool = False
    provisioning: bool = False
    rate_limit_scale: float = 1.0
    rate_limits: Mapping[str, float] = field(default_factory=dict)
    max_in_flight: int = 64
    concurrency_per_type: int = DEFAULT_CONCURRENCY
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if bool(self.access_key_id) != bool(self.access_key_secret):
            raise ValueError("--access-key-id and --access-key-secret go together; pass both")
        if self.security_token and not self.access_key_id:
            raise ValueError("--security-token needs --access-key-id and --access-key-secret")
        if (self.role_session_name or self.external_id) and not self.role_arn:
            raise ValueError("--role-session-name and --external-id need --role-arn")
        if not MIN_SESSION <= self.role_session_duration <= MAX_SESSION:
            raise ValueError(f"--role-session-duration must be {MIN_SESSION} to {MAX_SESSION} "
                             "seconds (what STS AssumeRole accepts)")
        if not MIN_SCALE <= self.rate_limit_scale <= MAX_SCALE:
            raise ValueError(f"--rate-limit-scale must be {MIN_SCALE:g} to {MAX_SCALE:g} (a "
                             "smaller one would wait minutes between requests)")
        if not 1 <= self.timeout <= MAX_TIMEOUT:
            raise ValueError(f"--request-timeout must be 1 to {MAX_TIMEOUT} seconds")
        if self.cloudsso_region not in CLOUDSSO_REGIONS:
            raise ValueError(f"--cloudsso-region must be {' or '.join(CLOUDSSO_REGIONS)} (the "
                             f"regions CloudSSO serves), not {self.cloudsso_region!r}")
        if self.max_in_flight < 1 or self.concurrency_per_type < 1:
            raise ValueError("max in flight and concurrency must be positive")
        self.endpoints()  # a bad endpoint is a configuration error, found now

    def endpoints(self) -> Endpoints:
        """Every service's endpoint: its own flag, else ``endpoint``, else the public host
        (``ValueError`` naming a bad one)."""
        base = Endpoints.single(self.endpoint) if self.endpoint else Endpoints()
        return Endpoints(
            ram=self.ram_endpoint or base.ram, ims=self.ims_endpoint or base.ims,
            sts=self.sts_endpoint or base.sts,
            resourcemanager=self.resource_manager_endpoint or base.resourcemanager,
            cloudsso=self.cloudsso_endpoint or (
                base.cloudsso if self.endpoint
                else f"cloudsso.{self.cloudsso_region}.aliyuncs.com"))


def build_credentials(config: ConnectorConfig) -> CredentialsProvider:
    """docs/model.md §1 order: the explicit pair (+ token); else ``--profile``; else the default
    chain; ``--role-arn`` then wraps whichever base was chosen (STS AssumeRole)."""
    factory = sts_client_factory(config.endpoints())
    base: CredentialsProvider
    if config.access_key_id and config.access_key_secret:
        base = StaticProvider(
            config.access_key_id, config.access_key_secret, config.security_token,
            source="flags",
        )
    elif config.profile:
        base = ProfileProvider(
            profile=config.profile, client_factory=factory, metadata_url=config.ecs_metadata_url
        )
    else:
        base = default_chain(metadata_url=config.ecs_metadata_url, client_factory=factory)
    if not config.role_arn:
        return base
    return AssumeRoleProvider(
        base, config.role_arn, config.role_session_name or DEFAULT_SESSION_NAME,
        config.external_id, config.role_session_duration, client_factory=factory,
    )
