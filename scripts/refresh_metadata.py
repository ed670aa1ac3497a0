"""Regenerate the API metadata snapshots from the installed official Alibaba Cloud SDK packages.

Why: the client and the emulator validate every request against one source of API facts
(docs/model.md §5, docs/architecture.md). Those facts come from Alibaba's own generated SDKs,
read with ``ast`` (nothing is imported), so the snapshot can be regenerated when the SDKs move.

How to regenerate (after changing the pinned SDK versions in pyproject.toml)::

    .venv/bin/python scripts/refresh_metadata.py            # writes src/.../alibaba/data/*.json
    .venv/bin/python scripts/refresh_metadata.py --out DIR  # somewhere else (the test does this)

What is read, per ``*_with_options`` method of each ``client.py``: the action name, method,
protocol, auth type, which SDK entry point sends it (``call_api`` = signature V3,
``do_rpcrequest`` = the legacy RPC path), and every ``query[...]``/``body[...]`` wire key with its
flattening style: ``simple``, ``repeatList`` (``Tag.1.Key``), ``flat`` (``Name.key`` for maps) or
``json`` (one parameter holding a JSON string, the SDK's "shrink"). From the request models:
types, and from their docstrings ranges ("Valid values: 1 to 1000"), defaults, enum values and
"This parameter is required.". From the response models: the JSON field tree.

The docstrings are silent or unreliable in places (docs/alibaba.md §3: RAM required flags), so
the ``OVERLAY`` table below adds the MaxItems ranges, required parameters and enums that
docs/alibaba.md §3.0/§3 states. Every such value is marked ``"reference"`` in the parameter's
``sources``; values read from the SDK are marked ``"sdk"``.

The output is deterministic (sorted keys, two-space indent, trailing newline): running the script
twice gives byte-identical files, and ``tests/alibaba/test_metadata.py`` checks that.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "baton_alibaba_cloud" / "alibaba" / "data"

#: service -> (import name, distribution name, product code, API version)
SERVICES: dict[str, tuple[str, str, str, str]] = {
    "ram": ("alibabacloud_ram20150501", "alibabacloud-ram20150501", "Ram", "2015-05-01"),
    "ims": ("alibabacloud_ims20190815", "alibabacloud-ims20190815", "Ims", "2019-08-15"),
    "sts": ("alibabacloud_sts20150401", "alibabacloud-sts20150401", "Sts", "2015-04-01"),
    "resourcemanager": ("alibabacloud_resourcemanager20200331",
                        "alibabacloud-resourcemanager20200331", "ResourceManager", "2020-03-31"),
    "cloudsso": ("alibabacloud_cloudsso20210515", "alibabacloud-cloudsso20210515", "CloudSSO",
                 "2021-05-15"),
}
OPENAPI_DIST = "alibabacloud-tea-openapi"

# --- the reference overlay -------------------------------------------------------------------
# Facts from docs/alibaba.md that the SDK docstrings do not state.
# Only fills gaps: a value the SDK already gives is kept (and stays marked "sdk"); the test
# checks that the merged MaxItems ranges equal the §3.0 table.
_RANGES: dict[tuple[str, str], tuple[int, int, int]] = {  # §3.0 (min, max, default)
    ("ims", "ListUsers"): (1, 1000, 1000),
    ("ims", "ListUserBasicInfos"): (1, 1000, 100),
    ("ims", "ListGroups"): (1, 100, 100),
    ("ims", "ListUsersForGroup"): (1, 100, 100),
    ("ims", "ListVirtualMFADevices"): (1, 100, 100),
    ("ims", "ListSAMLProviders"): (1, 100, 100),
    ("ims", "ListOIDCProviders"): (1, 100, 100),
    ("ims", "ListUsersInRecycleBin"): (1, 100, 100),
    ("ims", "GetCredentialReport"): (1, 3501, 3501),
    ("ram", "ListUsers"): (1, 1000, 100),
    ("ram", "ListGroups"): (1, 100, 100),
    ("ram", "ListUsersForGroup"): (1, 1000, 100),
    ("ram", "ListRoles"): (1, 1000, 100),
    ("ram", "ListPolicies"): (1, 1000, 100),
}
_POLICY = ("PolicyName", "PolicyType")
_REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {  # §3.2-§3.8 "req" and "names the target"
    "ram": {
        "GetUser": ("UserName",), "CreateUser": ("UserName",), "DeleteUser": ("UserName",),
        "UpdateUser": ("UserName",), "CreateGroup": ("GroupName",),
        "UpdateGroup": ("GroupName",), "DeleteGroup": ("GroupName",),
        "GetGroup": ("GroupName",), "ListUsersForGroup": ("GroupName",),
        "ListGroupsForUser": ("UserName",), "GetRole": ("RoleName",),
        "GetPolicy": _POLICY, "ListPolicyVersions": _POLICY, "ListEntitiesForPolicy": _POLICY,
        "GetPolicyVersion": (*_POLICY, "VersionId"),
        "ListPoliciesForUser": ("UserName",), "ListPoliciesForGroup": ("GroupName",),
        "ListPoliciesForRole": ("RoleName",),
        **{f"{verb}{kind}": (*_POLICY, f"{kind}Name") for kind in ("User", "Group", "Role")
           for verb in ("AttachPolicyTo", "DetachPolicyFrom")},
        "AddUserToGroup": ("GroupName", "UserName"),
        "RemoveUserFromGroup": ("GroupName", "UserName"),
        "GetLoginProfile": ("UserName",), "UpdateLoginProfile": ("UserName",),
        "DeleteLoginProfile": ("UserName",), "GetUserMFAInfo": ("UserName",),
        "GetAccessKeyLastUsed": ("UserAccessKeyId",),
        "UpdateAccessKey": ("UserAccessKeyId", "Status"), "DeleteAccessKey": ("UserAccessKeyId",),
    },
    "ims": {
        "GetGroup": ("GroupName",), "ListUsersForGroup": ("GroupName",),
        "ListGroupsForUser": ("UserPrincipalName",),
        "AddUserToGroup": ("GroupName", "UserPrincipalName"),
        "RemoveUserFromGroup": ("GroupName", "UserPrincipalName"),
        "CreateUser": ("UserPrincipalName", "DisplayName"),
        "GetLoginProfile": ("UserPrincipalName",), "UpdateLoginProfile": ("UserPrincipalName",),
        "GetAccessKeyLastUsed": ("UserAccessKeyId",),
        "UpdateAccessKey": ("UserAccessKeyId", "Status"), "DeleteAccessKey": ("UserAccessKeyId",),
    },
    "sts": {},
    "resourcemanager": {},
    # CloudSSO's SDK marks nothing required; its API reference marks DirectoryId on every
    # directory-scoped action (added by _CLOUDSSO_SCOPE below) and these targets.
    "cloudsso": {
        "GetUser": ("UserId",), "GetGroup": ("GroupId",), "ListGroupMembers": ("GroupId",),
        "ListJoinedGroupsForUser": ("UserId",), "GetTaskStatus": ("TaskId",),
        "GetTask": ("TaskId",), "GetAccessConfiguration": ("AccessConfigurationId",),
        "ListPermissionPoliciesInAccessConfiguration": ("AccessConfigurationId",),
        "AddUserToGroup": ("GroupId", "UserId"), "RemoveUserFromGroup": ("GroupId", "UserId"),
        **{action: ("AccessConfigurationId", "TargetType", "TargetId", "PrincipalType",
                    "PrincipalId")
           for action in ("CreateAccessAssignment", "DeleteAccessAssignment")},
    },
}
#: Parameters required on every action of a service that has them.
_CLOUDSSO_SCOPE: dict[str, tuple[str, ...]] = {"cloudsso": ("DirectoryId",)}
_ENUMS: dict[tuple[str, str, str], tuple[str, ...]] = {  # §3.2, §3.5, §3.7
    ("ims", "ListUsers", "Status"): ("active", "active,freeze", "freeze"),
    ("ims", "ListUserBasicInfos", "Status"): ("active", "active,freeze", "freeze"),
    ("ram", "ListPolicies", "PolicyType"): ("Custom", "System"),
    ("ims", "UpdateAccessKey", "Status"): ("Active", "Inactive"),
    ("ram", "UpdateAccessKey", "Status"): ("Active", "Inactive"),
    ("ims", "UpdateLoginProfile", "Status"): ("Active", "Inactive"),
}
_ENUMS.update({("ram", action, "PolicyType"): ("Custom", "System")
               for action, names in _REQUIRED["ram"].items() if "PolicyType" in names})


# Resource Manager's published per-action quotas (requests per second, per account and API),
# from Alibaba's quota page for the 2020-03-31 API; where two pages disagree the lower is
# kept. Only actions with a published figure get a ``quota``; the client and the emulator
# fall back to their read/write pattern for the others.
_RM_DIRECTORY_50 = ("ListAccounts", "ListFoldersForParent", "ListAccountsForParent",
                    "GetResourceDirectory", "ListAncestors")
_QUOTAS: dict[tuple[str, str], int] = {
    ("resourcemanager", "ListPolicyAttachments"): 120,
    **{("resourcemanager", action): 50 for action in _RM_DIRECTORY_50},
    ("resourcemanager", "ListAccounts"): 20,
    ("resourcemanager", "ListDelegatedAdministrators"): 20,
}
# CloudSSO: Alibaba's pages disagree (an older QPS page: 100/s except 20/s for the
# provisioning and assignment actions; the current API explorer: 20/s for ListUsers), so every
# CloudSSO action records the lowest published figure, 20/s (docs/alibaba.md, CloudSSO).
_SERVICE_QUOTA: dict[str, int] = {"cloudsso": 20}


def _fill(param: dict[str, Any], key: str, value: Any) -> None:
    """Set ``param[key]`` from the reference unless the SDK already stated it."""
    if param.get(key) in (None, False):
        param[key] = value
        param["sources"][key] = "reference"


def apply_overlay(service: str, actions: dict[str, Any]) -> None:
    """Merge the reference facts into the SDK-derived actions, marking their source."""
    for (svc, action), (low, high, default) in _RANGES.items():
        if svc == service and action in actions:
            param = actions[action]["parameters"]["MaxItems"]
            for key, value in (("minimum", low), ("maximum", high), ("default", str(default))):
                _fill(param, key, value)
    for action, names in _REQUIRED[service].items():
        for name in names:
            _fill(actions[action]["parameters"][name], "required", True)
    for name in _CLOUDSSO_SCOPE.get(service, ()):
        for spec in actions.values():
            if name in spec["parameters"]:
                _fill(spec["parameters"][name], "required", True)
    for (svc, action, name), values in _ENUMS.items():
        if svc == service:
            _fill(actions[action]["parameters"][name], "enum", list(values))
    for (svc, action), quota in _QUOTAS.items():
        if svc == service:
            actions[action]["quota"] = quota
    if service in _SERVICE_QUOTA:
        for spec in actions.values():
            spec["quota"] = _SERVICE_QUOTA[service]


# --- models ----------------------------------------------------------------------------------
_SCALARS = {"str": "string", "int": "integer", "bool": "boolean", "float": "number", "Any": "any"}


def _annotation_type(node: ast.expr | None) -> tuple[str, str | None, str | None]:
    """(type, model class, item annotation) for an ``__init__`` annotation."""
    text = ast.unparse(node) if node is not None else "Any"
    if text in _SCALARS:
        return _SCALARS[text], None, None
    if text.startswith("List["):
        return "array", None, text[5:-1]
    if text.startswith("Dict["):
        return "map", None, None
    if text.startswith("main_models."):
        return "object", text.removeprefix("main_models."), None
    return "any", None, None


def _comment_above(lines: list[str], lineno: int) -> str:
    """The ``#`` comment block right above line ``lineno`` (1-based), as plain text."""
    block: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        block.append(lines[i].strip()[1:].strip())
        i -= 1
    return "\n".join(reversed(block))


def _json_keys(from_map: ast.FunctionDef) -> dict[str, str]:
    """attribute -> JSON key, from ``if m.get('Key') is not None: self.attr = ...`` blocks."""
    keys: dict[str, str] = {}
    for node in ast.walk(from_map):
        if not isinstance(node, ast.If):
            continue
        call = node.test.left if isinstance(node.test, ast.Compare) else None
        if not (isinstance(call, ast.Call) and call.args
                and isinstance(call.args[0], ast.Constant)):
            continue
        for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            if (isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name)
                    and inner.value.id == "self"):
                keys.setdefault(inner.attr, str(call.args[0].value))
                break
    return keys


def _parse_class(cls: ast.ClassDef, lines: list[str]) -> dict[str, Any]:
    """One model class: its fields with annotation, JSON key and doc comment."""
    methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
    init = methods["__init__"]
    annotations = {a.arg: a.annotation for a in init.args.args[1:]}
    keys = _json_keys(methods["from_map"]) if "from_map" in methods else {}
    fields: dict[str, Any] = {}
    for stmt in init.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute):
            attr = stmt.targets[0].attr
            if attr in keys:
                fields[attr] = {"key": keys[attr], "annotation": annotations.get(attr),
                                "doc": _comment_above(lines, stmt.lineno)}
    return fields


def parse_models(models_dir: Path) -> dict[str, dict[str, Any]]:
    """Every model class of an SDK package (``models/`` package or single ``models.py``)."""
    files = sorted(models_dir.glob("*.py")) if models_dir.is_dir() else [
        models_dir.with_suffix(".py")]
    classes: dict[str, dict[str, Any]] = {}
    for path in files:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(f, ast.FunctionDef) and f.name == "__init__" for f in node.body):
                classes[node.name] = _parse_class(node, lines)
    return classes


def _field_tree(models: dict[str, Any], annotation: ast.expr | str | None,
                seen: frozenset[str]) -> dict[str, Any]:
    """The response field tree under one annotation: type, nested fields or list item."""
    node = ast.parse(annotation, mode="eval").body if isinstance(annotation, str) else annotation
    kind, model, item = _annotation_type(node)
    out: dict[str, Any] = {"type": kind}
    if model is not None and model in models and model not in seen:
        out["fields"] = {f["key"]: _field_tree(models, f["annotation"], seen | {model})
                         for f in models[model].values()}
    if item is not None:
        out["item"] = _field_tree(models, item, seen)
    return out


# --- docstring facts -------------------------------------------------------------------------
_RANGE = re.compile(r"Valid values: (-?\d+) to (-?\d+)")
_MINIMUM = re.compile(r"Minimum value: (-?\d+)")
_MAXIMUM = re.compile(r"Maximum value: (-?\d+)")
_DEFAULT = re.compile(r"Default value: `?([^\s`]+)")
_ENUM_TOKEN = re.compile(r"^[A-Za-z0-9_.,:/-]+$")


def _enum_from_doc(doc: str) -> list[str] | None:
    """Values listed after "Valid values:" inline in backticks or as a bulleted list."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        _, found, rest = line.partition("Valid values:")
        if not found or _RANGE.search(line):
            continue
        if "`" in rest:
            return sorted(set(re.findall(r"`([^`]+)`", rest))) or None
        values: list[str] = []
        for bullet in lines[i + 1:]:
            text = bullet.strip()
            if not text:
                continue
            if text[0] not in "-*":
                break
            token = text.lstrip("-* ").split(":", 1)[0].strip().strip("`")
            if not _ENUM_TOKEN.match(token):
                return None
            values.append(token)
        return sorted(set(values)) or None
    return None


def doc_facts(doc: str, kind: str) -> dict[str, Any]:
    """required / minimum / maximum / default / enum as the SDK docstring states them."""
    facts: dict[str, Any] = {"required": "This parameter is required." in doc}
    if found := _RANGE.search(doc):
        facts["minimum"], facts["maximum"] = int(found[1]), int(found[2])
    if found := _MINIMUM.search(doc):
        facts["minimum"] = int(found[1])
    if found := _MAXIMUM.search(doc):
        facts["maximum"] = int(found[1])
    if found := _DEFAULT.search(doc):
        facts["default"] = found[1].rstrip(".,;")
    if kind not in ("boolean", "integer") and (values := _enum_from_doc(doc)):
        facts["enum"] = values
    return facts


def _param_spec(field: dict[str, Any] | None, models: dict[str, Any], shrink_style: str | None,
                location: str) -> dict[str, Any]:
    """One wire parameter: type, flattening style and the docstring facts, each with its source."""
    annotation = field["annotation"] if field else None
    tree = _field_tree(models, annotation, frozenset())
    kind = tree["type"]
    style = shrink_style or {"array": "repeatList", "map": "flat"}.get(kind, "simple")
    spec: dict[str, Any] = {"type": kind, "style": style, "in": location, "required": False,
                            "minimum": None, "maximum": None, "default": None, "enum": None}
    if "item" in tree:
        spec["item"] = tree["item"]
    facts = doc_facts(field["doc"] if field else "", kind)
    spec.update(facts)
    spec["sources"] = {k: "sdk" for k, v in facts.items() if v not in (None, False)}
    return spec


# --- client.py -------------------------------------------------------------------------------
def _const(node: ast.expr) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _scan_method(method: ast.FunctionDef) -> dict[str, Any]:
    """The raw facts of one ``*_with_options`` method: wire keys, shrinks, Params, models."""
    found: dict[str, Any] = {"wire": [], "shrink": {}, "params": {}, "calls": set()}
    for arg in method.args.args:
        text = ast.unparse(arg.annotation) if arg.annotation else ""
        if text.startswith("main_models.") and arg.arg in ("request", "tmp_req"):
            found["request_model"] = text.removeprefix("main_models.")
    for node in ast.walk(method):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if isinstance(target.value, ast.Name) and isinstance(node.value, ast.Attribute):
                found["wire"].append((target.value.id, _const(target.slice), node.value.attr))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = ast.unparse(node.value.func)
            if func.endswith("array_to_string_with_specified_style"):
                attr = ast.unparse(node.targets[0]).split(".")[-1]
                found["shrink"][attr] = _const(node.value.args[2])
        elif isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func.endswith("Params"):
                found["params"] = {k.arg: _const(k.value) for k in node.keywords}
            elif func.startswith("main_models.") and func.endswith("Response"):
                found["response_model"] = func.removeprefix("main_models.")
            elif func.startswith("self."):
                found["calls"].add(func.removeprefix("self."))
    return found


def _action_spec(method: ast.FunctionDef, models: dict[str, Any]) -> dict[str, Any]:
    """One action as it goes into the snapshot."""
    raw = _scan_method(method)
    params = raw["params"]
    request_fields = models.get(raw.get("request_model", ""), {})
    parameters: dict[str, Any] = {}
    for location, key, attr in raw["wire"]:
        if location not in ("query", "body") or key is None:
            continue
        base = attr.removesuffix("_shrink")
        style = raw["shrink"].get(attr) if attr != base else None
        parameters[key] = _param_spec(request_fields.get(base), models, style, location)
    response_fields = models[raw["response_model"]]
    body = next(f for f in response_fields.values() if f["key"] == "body")
    entry = sorted(c for c in raw["calls"] if c in ("call_api", "do_rpcrequest", "execute"))
    return {
        "name": params["action"], "version": params["version"], "method": params["method"],
        "protocol": params["protocol"], "pathname": params["pathname"],
        "style": params["style"], "auth_type": params["auth_type"],
        "req_body_type": params.get("req_body_type"), "body_type": params.get("body_type"),
        "sdk_entry": entry[0] if entry else None,
        "sdk_method": method.name.removesuffix("with_options").rstrip("_"),
        "request_model": raw.get("request_model"), "response_model": raw["response_model"],
        "parameters": parameters,
        "response": _field_tree(models, body["annotation"], frozenset()),
    }


def parse_client(client_py: Path, models: dict[str, Any]) -> dict[str, Any]:
    """Every action of one SDK ``client.py``, keyed by action name."""
    tree = ast.parse(client_py.read_text(encoding="utf-8"))
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Client")
    actions: dict[str, Any] = {}
    for method in client.body:
        if isinstance(method, ast.FunctionDef) and method.name.endswith("with_options"):
            spec = _action_spec(method, models)
            actions[spec["name"]] = spec
    return actions


# --- output ----------------------------------------------------------------------------------
def package_dir(import_name: str) -> Path:
    """Where the SDK package lives, found without importing it."""
    spec = importlib.util.find_spec(import_name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{import_name} is not installed: pip install -e '.[test]'")
    return Path(spec.origin).parent


def build_service(service: str) -> dict[str, Any]:
    """The whole snapshot of one service as a JSON-ready dict."""
    import_name, dist, product, version = SERVICES[service]
    pkg = package_dir(import_name)
    actions = parse_client(pkg / "client.py", parse_models(pkg / "models"))
    for action in actions.values():
        if action["version"] != version:
            raise SystemExit(f"{service} {action['name']}: version {action['version']}")
    apply_overlay(service, actions)
    return {
        "service": service, "product": product, "version": version,
        "sdk_package": dist, "sdk_version": importlib.metadata.version(dist),
        "openapi_package": OPENAPI_DIST,
        "openapi_version": importlib.metadata.version(OPENAPI_DIST),
        "generated_by": "scripts/refresh_metadata.py",
        "actions": actions,
    }


def render(snapshot: dict[str, Any]) -> bytes:
    """Stable bytes: sorted keys, fixed indent and separators, one trailing newline."""
    text = json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def write_all(out: Path) -> list[Path]:
    """Write ``<service>.json`` for every service into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for service in sorted(SERVICES):
        path = out / f"{service}.json"
        path.write_bytes(render(build_service(service)))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate alibaba/data/*.json from the SDKs.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    for path in write_all(parser.parse_args(argv).out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
