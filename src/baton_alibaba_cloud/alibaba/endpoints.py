"""Where RAM, IMS, STS, Resource Manager and CloudSSO live: a host name (HTTPS) or a full URL
(emulator, private gateway).

Why the ``host`` property matters: V3 signs the ``host`` header, and the server sees the port
whenever it is not the scheme's default, so ``http://127.0.0.1:8080`` must sign
``127.0.0.1:8080`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yarl import URL

__all__ = ["Endpoint", "Endpoints", "Service", "parse_endpoint", "product_name"]

Service = Literal["ram", "ims", "sts", "resourcemanager", "cloudsso"]
_MIXED_CASE = {"resourcemanager": "ResourceManager", "cloudsso": "CloudSSO"}


def product_name(service: str) -> str:
    """How messages name a service: ``RAM``, ``IMS``, ``STS``, ``ResourceManager``, ``CloudSSO``
    (Alibaba's product names; an all-capitals RESOURCEMANAGER reads as noise)."""
    return _MIXED_CASE.get(service, service.upper())


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One parsed endpoint: the base URL to send to and the ``host`` value to sign."""

    base_url: URL
    host: str

    def url(self, canonical_query: str) -> URL:
        """The request URL with the already-encoded canonical query, sent as is."""
        target = f"{self.base_url}/?{canonical_query}" if canonical_query else f"{self.base_url}/"
        return URL(target, encoded=True)


def parse_endpoint(value: str) -> Endpoint:
    """Parse ``ram.aliyuncs.com`` (→ https) or ``http://127.0.0.1:8080``; refuse anything else.

    Raises ``ValueError`` naming the value, so a bad ``--ram-endpoint`` is a usage error.
    """
    text = value.strip()
    if not text:
        raise ValueError("an endpoint must not be empty")
    url = URL(text if "://" in text else f"https://{text}")
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"endpoint {value!r} must be a host name or an http(s):// URL")
    if url.path not in ("", "/") or url.query_string or url.fragment or url.user:
        raise ValueError(f"endpoint {value!r} must not carry a path, query or user")
    host = url.host_port_subcomponent or url.host
    base = url.origin()
    return Endpoint(base_url=base, host=host)


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The endpoints the connector talks to (``--ram-endpoint`` and friends)."""

    ram: str = "ram.aliyuncs.com"
    ims: str = "ims.aliyuncs.com"
    sts: str = "sts.aliyuncs.com"
    resourcemanager: str = "resourcemanager.aliyuncs.com"
    cloudsso: str = "cloudsso.cn-shanghai.aliyuncs.com"
    """CloudSSO lives in cn-shanghai or us-west-1 only: the region of the directory."""

    def __post_init__(self) -> None:
        for value in (self.ram, self.ims, self.sts, self.resourcemanager, self.cloudsso):
            parse_endpoint(value)

    @classmethod
    def single(cls, url: str) -> Endpoints:
        """Every service behind one URL, as the emulator serves them."""
        return cls(ram=url, ims=url, sts=url, resourcemanager=url, cloudsso=url)

    def for_service(self, service: Service) -> Endpoint:
        """The parsed endpoint of a service."""
        value = {"ram": self.ram, "ims": self.ims, "sts": self.sts,
                 "resourcemanager": self.resourcemanager, "cloudsso": self.cloudsso}.get(service)
        if value is None:
            raise ValueError(f"unknown service {service!r}; expected ram, ims, sts, "
                             "resourcemanager or cloudsso")
        return parse_endpoint(value)
