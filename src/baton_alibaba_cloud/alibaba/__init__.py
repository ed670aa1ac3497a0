"""The Alibaba Cloud client layer: signing, credentials, one request = one page, retries,
per-action rate limits and errors as classes carrying the wire code.

It knows nothing of baton; the connector and the emulator build on it.
"""

from ._client import VERSIONS, AlibabaClient, ClientStats, redact_headers, sts_client_factory
from ._credentials import (
    ChainProvider,
    Credentials,
    CredentialsError,
    CredentialsNotFound,
    CredentialsProvider,
    EnvironmentProvider,
    RefreshingProvider,
    StaticProvider,
)
from ._ecs import DEFAULT_METADATA_URL, EcsRamRoleProvider
from ._errors import (
    AlibabaError,
    AlreadyExistsError,
    AuthenticationError,
    ClockSkewError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottlingError,
    TransportError,
)
from ._profile import ProfileProvider, default_chain, default_profile_path
from ._ratelimit import RateLimiter, published_rate
from ._retry import RetryPolicy
from ._sts_providers import AnonymousProvider, AssumeRoleProvider, OidcProvider
from .endpoints import Endpoints

__all__ = [
    "DEFAULT_METADATA_URL",
    "VERSIONS",
    "AlibabaClient",
    "AlibabaError",
    "AlreadyExistsError",
    "AnonymousProvider",
    "AssumeRoleProvider",
    "AuthenticationError",
    "ChainProvider",
    "ClientStats",
    "ClockSkewError",
    "ConflictError",
    "Credentials",
    "CredentialsError",
    "CredentialsNotFound",
    "CredentialsProvider",
    "EcsRamRoleProvider",
    "Endpoints",
    "EnvironmentProvider",
    "NotFoundError",
    "OidcProvider",
    "PermissionDeniedError",
    "ProfileProvider",
    "RateLimiter",
    "RefreshingProvider",
    "RetryPolicy",
    "ServerError",
    "StaticProvider",
    "ThrottlingError",
    "TransportError",
    "default_chain",
    "default_profile_path",
    "published_rate",
    "redact_headers",
    "sts_client_factory",
]
