"""The after-phase-2 ``assume`` step on a large synthetic account, without the network.

Why: who may assume a role is computed from every policy, attachment and membership of the
sync at once; this measures that step alone at the size the issue names (50,000 users, 5,000
roles) so that a regression in the grouping shows as time or memory, not as a slow sync.

    .venv/bin/python -m benchmarks.assume_bench [--users 50000] [--roles 5000]

The account: 200 groups (every user in two), 1,000 custom policies of which 1% mention
sts:AssumeRole on a named role, AliyunSTSAssumeRoleAccess attached to one group,
AdministratorAccess to ten users; a tenth of the roles trust the account's root, the others
name one user each. It prints the seconds, the grants written and the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Iterator

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import slim_grant
from baton_alibaba_cloud.connector.assume import assume_items

UID = "1234567890123456"
CHUNK = 500


class MemoryView:
    """A ``SyncView`` over lists, chunked like the engine's."""

    def __init__(self, resources: dict[str, list[Resource]], grants: dict[str, list[Grant]]):
        self._resources, self._grants = resources, grants

    def resources(self, resource_type: str) -> Iterator[list[Resource]]:
        items = self._resources.get(resource_type, [])
        return (items[i:i + CHUNK] for i in range(0, len(items), CHUNK))

    def grants(self, resource_type: str) -> Iterator[list[Grant]]:
        items = self._grants.get(resource_type, [])
        return (items[i:i + CHUNK] for i in range(0, len(items), CHUNK))


def _policy(name: str, statement: dict[str, object], system: bool = False) -> Resource:
    document = json.dumps({"Version": "1", "Statement": [statement]})
    owner = "system" if system else UID
    return bt.resource(ids.POLICY, f"acs:ram::{owner}:policy/{name}", name,
                       profile={"policy_document": document})


def account(users: int, roles: int) -> MemoryView:
    """The synthetic account described in the module docstring."""
    user_ids = [ids.user_id(UID, f"user-{n}") for n in range(users)]
    role_ids = [ids.role_id(UID, f"role-{n}") for n in range(roles)]
    policies = [_policy("AdministratorAccess", {"Effect": "Allow", "Action": "*",
                                                "Resource": "*"}, True),
                _policy("AliyunSTSAssumeRoleAccess", {"Effect": "Allow",
                                                      "Action": "sts:AssumeRole",
                                                      "Resource": "*"}, True)]
    for n in range(1000):
        action = "sts:AssumeRole" if n % 100 == 0 else f"ecs:Describe{n}"
        policies.append(_policy(f"custom-{n}", {"Effect": "Allow", "Action": action,
                                                "Resource": f"acs:ram:*:{UID}:role/role-{n}"}))
    members = [slim_grant(ids.GROUP, ids.group_id(UID, f"group-{(n + k * 7) % 200}"), "member",
                          bt.resource_id(ids.USER, uid))
               for n, uid in enumerate(user_ids) for k in (0, 1)]
    attached = [slim_grant(ids.POLICY, policies[1].id.resource, "attached",
                           bt.resource_id(ids.GROUP, ids.group_id(UID, "group-0")))]
    attached += [slim_grant(ids.POLICY, policies[0].id.resource, "attached",
                            bt.resource_id(ids.USER, user_ids[n])) for n in range(10)]
    attached += [slim_grant(ids.POLICY, policies[2 + n].id.resource, "attached",
                            bt.resource_id(ids.USER, user_ids[n * 37 % users]))
                 for n in range(1000)]
    role_resources = []
    for n, rid in enumerate(role_ids):
        who = f"acs:ram::{UID}:root" if n % 10 == 0 else f"acs:ram::{UID}:user/user-{n}"
        trust = json.dumps({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": who}}]})
        role_resources.append(bt.resource(ids.ROLE, rid, f"role-{n}",
                                          profile={"assume_role_policy_document": trust}))
    users_resources = [bt.resource(ids.USER, uid, uid.rsplit("/", 1)[1]) for uid in user_ids]
    return MemoryView({ids.USER: users_resources, ids.ROLE: role_resources,
                       ids.POLICY: policies}, {ids.GROUP: members, ids.POLICY: attached})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--roles", type=int, default=5_000)
    args = parser.parse_args()
    view = account(args.users, args.roles)
    start = time.monotonic()
    grants = sum(len(items.grants) for items in assume_items(view, UID, ids.ROLE))
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.users} users x {args.roles} roles: {seconds:.2f} s, {grants} assume grants, "
          f"peak RSS {peak:.0f} MB (the synthetic account included)")


if __name__ == "__main__":
    main()
