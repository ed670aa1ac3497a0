"""The Alibaba Cloud CLI profile (``~/.aliyun/config.json``) and the default credential chain.

Why the CLI file: it is where people already keep their keys (``aliyun configure``), so
``--profile prod`` should just work. The modes map onto the other providers: ``AK`` and
``StsToken`` are static, ``RamRoleArn`` is AssumeRole over the profile's AK, ``EcsRamRole`` is the
instance role. The chain follows docs/model.md §1: env pair → OIDC env → CLI profile → ECS role.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ._client import sts_client_factory
from ._credentials import (
    ChainProvider,
    Credentials,
    CredentialsError,
    CredentialsNotFound,
    CredentialsProvider,
    EnvironmentProvider,
    StaticProvider,
    StsClientFactory,
    renew_credentials,
    utc_now,
)
from ._ecs import DEFAULT_METADATA_URL, EcsRamRoleProvider
from ._sts_providers import AssumeRoleProvider, OidcEnvProvider

__all__ = ["ProfileProvider", "default_chain", "default_profile_path"]


def default_profile_path(env: Mapping[str, str] | None = None) -> Path:
    """``~/.aliyun/config.json`` (``HOME`` from ``env`` when given, for tests)."""
    env = os.environ if env is None else env
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".aliyun" / "config.json"


class ProfileProvider:
    """One profile of the CLI configuration file, chosen by name, ``ALIBABA_CLOUD_PROFILE`` or
    the file's ``current``; the provider for its mode is built on the first ``get()``."""

    def __init__(
        self,
        path: str | Path | None = None,
        profile: str | None = None,
        *,
        env: Mapping[str, str] | None = None,
        client_factory: StsClientFactory | None = None,
        metadata_url: str = DEFAULT_METADATA_URL,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._env = os.environ if env is None else env
        self._path = Path(path) if path else default_profile_path(self._env)
        self._explicit = profile or None
        self._factory = client_factory or sts_client_factory()
        self._metadata_url = metadata_url
        self._clock = clock
        self._inner: CredentialsProvider | None = None
        self._lock = asyncio.Lock()
        self._name = f"profile:{profile}" if profile else "profile"

    @property
    def source(self) -> str:
        """``profile:<name>``, with the mode's own source when it is not just the profile's
        keys: ``assume-role:<arn> via profile:<name>``, ``profile:<name> (ecs-ram-role:<r>)``."""
        inner = self._inner.source if self._inner is not None else ""
        if not inner or inner == self._name:
            return self._name
        return inner if self._name in inner else f"{self._name} ({inner})"

    async def get(self) -> Credentials:
        if self._inner is None:
            async with self._lock:
                if self._inner is None:
                    document = await asyncio.to_thread(self._load)
                    self._inner = self._select(document)
        return await self._inner.get()

    async def renew(self, stale: Credentials) -> bool:
        """The profile's mode renews (an AK or StsToken profile cannot)."""
        return self._inner is not None and await renew_credentials(self._inner, stale)

    def _load(self) -> Mapping[str, Any]:
        if not self._path.is_file():
            if self._explicit:
                raise CredentialsError(
                    f"profile {self._explicit!r}: the CLI configuration {self._path} does not "
                    "exist; run `aliyun configure` or fix --profile",
                    code="Credentials.ProfileNotFound",
                )
            raise CredentialsNotFound(f"CLI profile: {self._path} not found")
        try:
            document = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CredentialsError(f"CLI profile: cannot read {self._path}: {error}") from None
        if not isinstance(document, dict):
            raise CredentialsError(f"CLI profile: {self._path} is not a JSON object")
        return document

    def _select(self, document: Mapping[str, Any]) -> CredentialsProvider:
        named = self._explicit or self._env.get("ALIBABA_CLOUD_PROFILE")
        wanted = named or document.get("current") or "default"
        profiles = document.get("profiles")
        entries = [p for p in profiles if isinstance(p, dict)] if isinstance(profiles, list) else []
        entry = next((p for p in entries if p.get("name") == wanted), None)
        if entry is None:
            names = ", ".join(str(p.get("name")) for p in entries) or "none"
            message = f"profile {wanted!r} is not in {self._path} (profiles: {names})"
            if not named:  # nobody asked for it: the default chain moves on
                raise CredentialsNotFound(f"CLI profile: {message}")
            raise CredentialsError(message, code="Credentials.ProfileNotFound")
        self._name = f"profile:{wanted}"
        return self._provider_for(str(wanted), entry)

    def _provider_for(self, name: str, entry: Mapping[str, Any]) -> CredentialsProvider:
        mode = str(entry.get("mode") or "AK")
        key_id = str(entry.get("access_key_id") or "")
        secret = str(entry.get("access_key_secret") or "")
        source = f"profile:{name}"
        if mode in ("AK", "StsToken"):
            if not key_id or not secret:
                raise CredentialsError(f"profile {name!r} (mode {mode}) lacks an AccessKey pair")
            token = str(entry.get("sts_token") or "") if mode == "StsToken" else None
            return StaticProvider(key_id, secret, token or None, source=source)
        if mode == "RamRoleArn":
            return self._ram_role_arn(name, entry, StaticProvider(key_id, secret, source=source))
        if mode == "EcsRamRole":
            return EcsRamRoleProvider(
                str(entry.get("ram_role_name") or "") or None, metadata_url=self._metadata_url,
                clock=self._clock,
            )
        raise CredentialsError(
            f"profile {name!r} uses mode {mode}, which is not supported; use AK, StsToken, "
            "RamRoleArn or EcsRamRole",
            code="Credentials.UnsupportedMode",
        )

    def _ram_role_arn(
        self, name: str, entry: Mapping[str, Any], base: CredentialsProvider
    ) -> CredentialsProvider:
        duration = int(entry.get("expired_seconds") or 0) or 3600
        return AssumeRoleProvider(
            base, str(entry.get("ram_role_arn") or ""),
            str(entry.get("ram_session_name") or "") or None,
            str(entry.get("external_id") or "") or None, duration,
            client_factory=self._factory, clock=self._clock,
        )


class _EcsChainStep:
    """The chain's ECS step: skipped when ``ALIBABA_CLOUD_ECS_METADATA_DISABLED=true``."""

    def __init__(self, env: Mapping[str, str], metadata_url: str,
                 clock: Callable[[], datetime]) -> None:
        self._disabled = env.get("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "").lower() == "true"
        self._inner = EcsRamRoleProvider(
            env.get("ALIBABA_CLOUD_ECS_METADATA") or None, metadata_url=metadata_url, clock=clock
        )

    @property
    def source(self) -> str:
        return self._inner.source

    async def get(self) -> Credentials:
        if self._disabled:
            raise CredentialsNotFound("ECS RAM role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
        return await self._inner.get()

    async def renew(self, stale: Credentials) -> bool:
        return not self._disabled and await self._inner.renew(stale)


def default_chain(
    env: Mapping[str, str] | None = None,
    profile_path: str | Path | None = None,
    metadata_url: str = DEFAULT_METADATA_URL,
    client_factory: StsClientFactory | None = None,
    *,
    profile: str | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> ChainProvider:
    """Env pair → OIDC env → CLI profile → ECS role; the first configured one is kept.

    ``client_factory`` builds the STS client (give it ``--sts-endpoint``); the default uses
    ``sts.aliyuncs.com``.
    """
    env = dict(os.environ) if env is None else env
    client_factory = client_factory or sts_client_factory()
    steps: list[CredentialsProvider] = [
        EnvironmentProvider(env), OidcEnvProvider(env, client_factory=client_factory, clock=clock)
    ]
    steps.append(ProfileProvider(profile_path, profile, env=env, client_factory=client_factory,
                                 metadata_url=metadata_url, clock=clock))
    steps.append(_EcsChainStep(env, metadata_url, clock))
    return ChainProvider(steps)
