"""``inspect can`` never answers a silent "no" for a policy it could not read: a held policy
whose document is not in the file makes the answer ``unknown`` and names the policy."""

from __future__ import annotations

from baton_alibaba_cloud.alibaba.policy import NamedPolicy
from baton_alibaba_cloud.connector import can

UID = "5123456789012345"
ALICE = ("user", f"acs:ram::{UID}:user/alice")
READ = "acs:ram::system:policy/ReadOnlyAccess"
ADMIN = "acs:ram::system:policy/AdministratorAccess"
READ_DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*:Get*","Resource":"*"}]}'


def _graph(documents: dict[str, NamedPolicy]) -> can.Graph:
    graph = can.Graph(documents=documents, identities=[ALICE])
    graph.attached[ALICE] |= {READ, ADMIN}
    graph.names[ALICE[1]] = "Alice"
    return graph


def test_a_missing_document_makes_no_unknown() -> None:
    graph = _graph({READ: NamedPolicy("ReadOnlyAccess", READ_DOC)})
    answer = can.paths_for(graph, ALICE, "ecs:DeleteInstance", None)
    assert answer.answer == "unknown"
    assert answer.paths[0].statements == ("AdministratorAccess: its document is not in the file",)
    assert [p.principal for p in can.who_can(graph, "ecs:DeleteInstance", None)] == ["Alice"]


def test_a_yes_from_read_documents_stays_yes_and_names_the_unread_one() -> None:
    answer = can.paths_for(_graph({READ: NamedPolicy("ReadOnlyAccess", READ_DOC)}), ALICE,
                           "ecs:GetInstance", None)
    assert answer.answer == "yes"
    assert answer.paths[0].statements[-1] == "AdministratorAccess: its document is not in the file"


def test_every_document_read_answers_no() -> None:
    admin = NamedPolicy("AdministratorAccess", READ_DOC)
    graph = _graph({READ: NamedPolicy("ReadOnlyAccess", READ_DOC), ADMIN: admin})
    assert can.paths_for(graph, ALICE, "ecs:DeleteInstance", None).answer == "no"
