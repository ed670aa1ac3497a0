"""``AlibabaClient.numbered_pages``: Resource Manager's PageNumber/PageSize paging.

Against the scriptable fake (exact requests, broken answers) and against the emulator (the
real listing of 25 resource groups in pages of 10).
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AlibabaError,
    Endpoints,
    RateLimiter,
    StaticProvider,
    published_rate,
)
from baton_alibaba_cloud.emulator.server import running_emulator

from .conftest import FakeApi, Seen, reply
from .test_client import make_client


def _groups(numbers: range) -> dict[str, Any]:
    return {"ResourceGroups": {"ResourceGroup": [{"Id": f"rg-{n}"} for n in numbers]}}


async def test_pages_by_number_with_the_largest_page_size(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        number = int(seen.params["PageNumber"])
        first = (number - 1) * 100
        rows = range(first, min(first + 100, 230))
        return reply({"RequestId": str(number), "TotalCount": 230, "PageNumber": number,
                      "PageSize": 100, **_groups(rows)})

    fake_api.handler = handler
    client, _ = make_client(fake_api, validate=True)
    async with client:
        pages = [p async for p in client.numbered_pages(
            "resourcemanager", "ListResourceGroups", {"Status": "OK"})]
    assert [p["RequestId"] for p in pages] == ["1", "2", "3"]
    assert [s.params["PageNumber"] for s in fake_api.seen] == ["1", "2", "3"]
    assert {s.params["PageSize"] for s in fake_api.seen} == {"100"}
    assert {s.version for s in fake_api.seen} == {"2020-03-31"}
    assert all(s.signature_ok for s in fake_api.seen)


@pytest.mark.parametrize(
    ("body", "code"),
    [({"RequestId": "x", **_groups(range(3))}, "InvalidResponse"),
     ({"RequestId": "x", "TotalCount": 5, **_groups(range(0))}, "InvalidPage")],
)
async def test_a_page_that_cannot_be_followed_is_an_error(
        fake_api: FakeApi, body: dict[str, Any], code: str) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply(body)

    fake_api.handler = handler
    client, _ = make_client(fake_api, attempts=1)
    async with client:
        with pytest.raises(AlibabaError) as caught:
            _ = [p async for p in client.numbered_pages("resourcemanager", "ListResourceGroups")]
    assert caught.value.code == code
    assert len(fake_api.seen) == 1


async def test_every_resource_group_of_the_emulator_once() -> None:
    groups = [{"id": f"rg-{n:03d}", "name": f"group-{n}"} for n in range(25)]
    account = {"account": {"id": "1234567890123456", "alias": "paging",
                           "access_keys": [{"id": "LTAI5tPagingRoot", "secret": "s"}]},
               "resource_groups": groups}
    async with running_emulator(account) as emu:
        client = AlibabaClient(StaticProvider("LTAI5tPagingRoot", "s"), Endpoints.single(emu.url),
                               validate=True)
        async with client:
            pages = [p async for p in client.numbered_pages(
                "resourcemanager", "ListResourceGroups", page_size=10)]
        assert client.stats.requests["resourcemanager:ListResourceGroups"] == 3
    ids = [g["Id"] for p in pages for g in p["ResourceGroups"]["ResourceGroup"]]
    assert ids == [g["id"] for g in groups]


def test_published_resource_manager_quotas() -> None:
    assert published_rate("resourcemanager", "ListPolicyAttachments") == 120.0
    assert published_rate("resourcemanager", "ListAccounts") == 20.0
    assert published_rate("resourcemanager", "ListResourceGroups") == 100.0
    assert RateLimiter().quota("resourcemanager", "ListPolicyAttachments") == 120.0
