"""One CloudSSO edge (a membership or an assignment) as API parameters, and its re-read.

Why apart from ``cloudsso_provisioning``: the edge's parameters and the reads that say whether
it exists are what both the write and its confirmation need, and they are small and pure enough
to test on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton_alibaba_cloud.connector.cloudsso import SsoApi

__all__ = ["EdgeRef", "assignment_present", "member_present"]


@dataclass(frozen=True)
class EdgeRef:
    """``kind`` ``member`` (group + user) or ``assignment`` (configuration + account +
    principal); ``principal`` is ``("User" | "Group", id)``."""

    kind: str
    directory: str
    region: str
    group: str = ""
    configuration: str = ""
    account: str = ""
    principal: tuple[str, str] | None = None

    def write_params(self) -> dict[str, str | int | bool]:
        """The parameters of the write calls (add/remove, create/delete)."""
        kind, who = self.principal or ("", "")
        if self.kind == "member":
            return {"DirectoryId": self.directory, "GroupId": self.group, "UserId": who}
        return {"DirectoryId": self.directory, "AccessConfigurationId": self.configuration,
                "TargetType": "RD-Account", "TargetId": self.account, "PrincipalType": kind,
                "PrincipalId": who}

    def describe(self) -> str:
        """How errors name the edge."""
        kind, who = self.principal or ("", "")
        if self.kind == "member":
            return f"of user {who} to group {self.group}"
        return (f"of access configuration {self.configuration} on account {self.account} to "
                f"{kind.lower()} {who}")


async def member_present(api: SsoApi, ref: EdgeRef) -> bool:
    """Whether the user is a member of the group now (ListGroupMembers, every page)."""
    who = ref.principal[1] if ref.principal else ""
    params: dict[str, str | int | bool] = {"DirectoryId": ref.directory, "GroupId": ref.group}
    async for page in api.token_pages("cloudsso", "ListGroupMembers", params):
        if any(isinstance(m, dict) and m.get("UserId") == who
               for m in page.get("GroupMembers") or []):
            return True
    return False


async def assignment_present(api: SsoApi, ref: EdgeRef) -> bool:
    """Whether the assignment exists now (ListAccessAssignments narrowed to this edge)."""
    kind, who = ref.principal or ("", "")
    params: dict[str, str | int | bool] = {
        "DirectoryId": ref.directory, "AccessConfigurationId": ref.configuration,
        "TargetType": "RD-Account", "TargetId": ref.account, "PrincipalType": kind,
        "PrincipalId": who}
    async for page in api.token_pages("cloudsso", "ListAccessAssignments", params):
        for row in page.get("AccessAssignments") or []:
            if (isinstance(row, dict) and row.get("PrincipalId") == who
                    and row.get("TargetId") == ref.account
                    and row.get("AccessConfigurationId") == ref.configuration):
                return True
    return False
