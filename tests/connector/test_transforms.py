"""Pure transforms on canned payloads (docs/alibaba.md §3 shapes): required fields fail
loudly, optional ones are absent rather than empty."""

from __future__ import annotations

import base64

import pytest

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import SecretTrait, UserTrait
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.resource_pb2 import Status
from baton_alibaba_cloud.connector import ids, resource_types
from baton_alibaba_cloud.connector._login import LoginFacts, parse_report
from baton_alibaba_cloud.connector._payload import PayloadError
from baton_alibaba_cloud.connector.access_key import transform_access_key
from baton_alibaba_cloud.connector.group import member_grants, transform_group
from baton_alibaba_cloud.connector.policy import entity_grants, transform_policy
from baton_alibaba_cloud.connector.role import transform_role
from baton_alibaba_cloud.connector.user import enrich_user, transform_user

UID = "1234567890123456"
IMS_USER = {
    "Comments": "Engineer", "CreateDate": "2020-10-12T09:12:00Z", "DisplayName": "test",
    "Email": "alice@example.com", "LastLoginDate": "2020-10-12T09:12:00Z",
    "ProvisionType": "CloudSSO", "Status": "freeze",
    "Tags": {"Tag": [{"TagKey": "team", "TagValue": "a"}]},
    "UserId": "207329002493920", "UserPrincipalName": "test@example.onaliyun.com",
}


def test_user_trait_per_contract() -> None:
    user = transform_user(IMS_USER, UID)
    assert user.id.resource == f"acs:ram::{UID}:user/test"
    assert user.parent_resource_id.resource == UID
    trait = bt.unpack_annotation(user.annotations, UserTrait)
    assert trait is not None
    assert trait.login == "test@example.onaliyun.com" and list(trait.login_aliases) == ["test"]
    assert [(e.address, e.is_primary) for e in trait.emails] == [("alice@example.com", True)]
    assert trait.status.status == UserTrait.Status.STATUS_DISABLED
    assert trait.status.details == "frozen"
    assert trait.account_type == UserTrait.AccountType.ACCOUNT_TYPE_HUMAN
    assert trait.last_login.seconds > 0 and trait.created_at.seconds > 0
    assert user.status.status == Status.RESOURCE_STATUS_DISABLED
    assert dict(user.profile)["tags"] == {"team": "a"}


def test_user_optional_fields_are_absent_and_required_fail() -> None:
    minimal = {"UserId": "1", "UserPrincipalName": "x@d", "Status": "active"}
    user = transform_user(minimal, UID)
    assert "email" not in dict(user.profile) and user.description == ""
    assert user.display_name == "x"
    with pytest.raises(PayloadError, match="UserPrincipalName"):
        transform_user({"UserId": "1", "Status": "active"}, UID)


def test_enrich_marks_service_accounts_and_mfa() -> None:
    user = transform_user(IMS_USER, UID)
    service = enrich_user(user, LoginFacts(console_login=False), has_access_keys=True)
    trait = bt.unpack_annotation(service.annotations, UserTrait)
    assert trait is not None and trait.account_type == UserTrait.AccountType.ACCOUNT_TYPE_SERVICE
    human = enrich_user(user, LoginFacts(True, True, True), has_access_keys=True)
    trait = bt.unpack_annotation(human.annotations, UserTrait)
    assert trait is not None and trait.mfa_status.mfa_enabled
    assert trait.account_type == UserTrait.AccountType.ACCOUNT_TYPE_HUMAN
    assert dict(human.profile)["mfa_bind_required"] is True
    assert dict(trait.profile)["console_login_enabled"] is True


def test_policies_system_and_custom() -> None:
    system = transform_policy({"PolicyName": "ReadOnlyAccess", "PolicyType": "System",
                               "AttachmentCount": 3, "DefaultVersion": "v1"}, UID)
    custom = transform_policy({"PolicyName": "mine", "PolicyType": "Custom"}, UID)
    assert system.id.resource == "acs:ram::system:policy/ReadOnlyAccess"
    assert not system.HasField("parent_resource_id")
    assert custom.id.resource == f"acs:ram::{UID}:policy/mine"
    assert custom.parent_resource_id.resource == UID
    assert ids.policy_ref(system.id.resource) == ("System", "ReadOnlyAccess")


def test_attachment_grants_carry_expansion() -> None:
    policy = bt.resource_id("policy", "acs:ram::system:policy/P")
    answer = {"Users": {"User": [{"UserName": "u"}]}, "Groups": {"Group": [{"GroupName": "g"}]},
              "Roles": {"Role": {"RoleName": "r"}}}
    grants = {g.principal.id.resource_type: g for g in entity_grants(UID, policy, answer)}
    expected = f"policy:acs:ram::system:policy/P:attached:user:acs:ram::{UID}:user/u"
    assert grants["user"].id == expected
    assert not bt.has_annotation(grants["user"].annotations, GrantExpandable)
    group = bt.unpack_annotation(grants["group"].annotations, GrantExpandable)
    assert group is not None and group.shallow
    assert list(group.entitlement_ids) == [f"group:acs:ram::{UID}:group/g:member"]
    role = bt.unpack_annotation(grants["role"].annotations, GrantExpandable)
    assert role is not None and not role.shallow
    assert list(role.entitlement_ids) == [f"role:acs:ram::{UID}:role/r:assume"]


def test_group_role_and_members() -> None:
    group = transform_group({"GroupId": "7", "GroupName": "dev", "DisplayName": "Dev"}, UID)
    assert group.display_name == "Dev" and group.id.resource == f"acs:ram::{UID}:group/dev"
    page = {"Users": {"User": [{"UserPrincipalName": "a@d.onaliyun.com"}]}}
    (grant,) = member_grants(UID, group.id.resource, page)
    assert grant.principal.id.resource == f"acs:ram::{UID}:user/a"
    role = transform_role({"RoleName": "R", "RoleId": "9", "MaxSessionDuration": 3600}, UID)
    assert dict(role.profile)["max_session_duration"] == 3600


def test_access_key_never_carries_a_secret() -> None:
    user = bt.resource_id("user", f"acs:ram::{UID}:user/a")
    key = transform_access_key({"AccessKeyId": "LTAI1", "Status": "Inactive",
                                "AccessKeySecret": "s3cr3t"}, user, None)
    assert b"s3cr3t" not in key.SerializeToString()
    trait = bt.unpack_annotation(key.annotations, SecretTrait)
    assert trait is not None and trait.identity_id == user
    assert key.status.status == Status.RESOURCE_STATUS_DISABLED


def test_credential_report_parsing() -> None:
    csv = "user,password_exist,mfa_active,new_col\n<root>,TRUE,FALSE,x\na@d,TRUE,TRUE,y\n"
    second = "user,password_exist,mfa_active,new_col\nb@d,FALSE,FALSE,z\n"
    rows = parse_report([base64.b64encode(t.encode()).decode() for t in (csv, second)])
    assert set(rows) == {"a@d", "b@d"} and rows["a@d"]["new_col"] == "y"


def test_resource_type_table() -> None:
    assert [s.id for s in resource_types.RESOURCE_TYPES] == [
        "account", "user", "group", "role", "policy", "resource_group", "policy_binding",
        "identity_provider", "service", "access_key"]
    sync = {(a.service, a.action) for a in resource_types.actions_for([])}
    everything = {(a.service, a.action) for a in resource_types.actions_for(
        ["sync-secrets", "provisioning"])}
    assert ("ram", "AddUserToGroup") not in sync and ("ram", "AddUserToGroup") in everything
    assert ("ims", "GetAccessKeyLastUsed") in everything - sync
    assert resource_types.message("service").traits == []
