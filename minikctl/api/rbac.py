"""Kubernetes' RBAC authorizer over a View (plugin/pkg/auth/authorizer/rbac and
pkg/registry/rbac/validation): which rules apply to a user, and whether one allows a request.

A user is (name, groups). A ServiceAccount is the user `system:serviceaccount:<ns>:<name>` with
groups system:serviceaccounts, system:serviceaccounts:<ns> and system:authenticated. Rules come
from every ClusterRoleBinding whose subjects name the user, then, for a namespaced request,
from the RoleBindings of that namespace (to a Role there or to a ClusterRole). The first rule
that allows the request wins; there are no denials, only "no opinion".
"""
from __future__ import annotations

from dataclasses import dataclass, field

GROUP = "rbac.authorization.k8s.io"
SA_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)


ADMIN = User("kubernetes-admin", ("kubeadm:cluster-admins", "system:authenticated"))


def acting(env) -> User:
    """The user a command acts as: its Env's (the CLI sets it from --as or the kubeconfig user),
    kubernetes-admin when it names none."""
    return getattr(env, "user", None) or ADMIN


def impersonated(name: str, groups: list[str] | tuple[str, ...] = ()) -> User:
    """The user the apiserver's impersonation filter makes of --as / --as-group: a service
    account's groups are added, and every authenticated user is in system:authenticated."""
    gs = list(groups)
    if name.startswith(SA_PREFIX) and not groups:
        ns = name[len(SA_PREFIX):].split(":", 1)[0]
        gs = ["system:serviceaccounts", f"system:serviceaccounts:{ns}"]
    if name != "system:anonymous" and not {"system:authenticated", "system:unauthenticated"} & set(gs):
        gs.append("system:authenticated")
    return User(name, tuple(gs))


@dataclass(frozen=True)
class Request:
    verb: str
    resource: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    api_group: str = ""
    path: str = ""              # a non-resource URL (then resource is empty)

    @property
    def is_resource(self) -> bool:
        return not self.path


def applies_to(subject: dict, user: User, binding_namespace: str) -> bool:
    """appliesTo: a User by name, a Group by membership, a ServiceAccount by its user name (the
    subject's namespace defaulting to the binding's)."""
    kind = subject.get("kind")
    if kind == "User":
        return user.name == subject.get("name")
    if kind == "Group":
        return subject.get("name") in user.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_namespace
        return bool(ns) and user.name == f"{SA_PREFIX}{ns}:{subject.get('name')}"
    return False


def _role_rules(view, ref: dict, namespace: str) -> list[dict]:
    if ref.get("kind") == "Role":
        role = view.get("Role", namespace, ref.get("name", ""))
    elif ref.get("kind") == "ClusterRole":
        role = view.get("ClusterRole", None, ref.get("name", ""))
    else:
        role = None
    return list((role or {}).get("rules") or [])


def visit_rules(view, user: User, namespace: str):
    """Yield (binding description, rule) in the authorizer's order (VisitRulesFor)."""
    for crb in view.list("ClusterRoleBinding"):
        if any(applies_to(s, user, "") for s in crb.get("subjects") or []):
            ref = crb.get("roleRef") or {}
            desc = f'ClusterRoleBinding "{crb["metadata"]["name"]}" of ClusterRole "{ref.get("name")}"'
            for rule in _role_rules(view, ref, ""):
                yield desc, rule
    if namespace:
        for rb in view.list("RoleBinding", namespace):
            if any(applies_to(s, user, namespace) for s in rb.get("subjects") or []):
                ref = rb.get("roleRef") or {}
                desc = f'RoleBinding "{rb["metadata"]["name"]}/{namespace}" of {ref.get("kind")} "{ref.get("name")}"'
                for rule in _role_rules(view, ref, namespace):
                    yield desc, rule


def _verb_matches(rule: dict, verb: str) -> bool:
    return any(v in ("*", verb) for v in rule.get("verbs") or [])


def _group_matches(rule: dict, group: str) -> bool:
    return any(g in ("*", group) for g in rule.get("apiGroups") or [])


def _resource_matches(rule: dict, combined: str, subresource: str) -> bool:
    for r in rule.get("resources") or []:
        if r in ("*", combined):
            return True
        if subresource and len(r) == len(subresource) + 2 and r.startswith("*/") and r.endswith(subresource):
            return True
    return False


def _name_matches(rule: dict, name: str) -> bool:
    names = rule.get("resourceNames") or []
    return not names or name in names


def _url_matches(rule: dict, path: str) -> bool:
    for u in rule.get("nonResourceURLs") or []:
        if u in ("*", path) or (u.endswith("*") and path.startswith(u[:-1])):
            return True
    return False


def rule_allows(req: Request, rule: dict) -> bool:
    if req.is_resource:
        combined = f"{req.resource}/{req.subresource}" if req.subresource else req.resource
        return (_verb_matches(rule, req.verb) and _group_matches(rule, req.api_group)
                and _resource_matches(rule, combined, req.subresource) and _name_matches(rule, req.name))
    return _verb_matches(rule, req.verb) and _url_matches(rule, req.path)


PRIVILEGED = "system:masters"


def authorize(view, user: User, req: Request) -> tuple[bool, str]:
    """(allowed, reason) as the apiserver's authorizer chain decides: system:masters is always
    allowed, then RBACAuthorizer.Authorize; a denial has no reason."""
    if PRIVILEGED in user.groups:
        return True, ""
    for desc, rule in visit_rules(view, user, req.namespace if req.is_resource else ""):
        if rule_allows(req, rule):
            return True, f'RBAC: allowed by {desc} to {_subject_desc(user)}'
    return False, ""


def _subject_desc(user: User) -> str:
    if user.name.startswith(SA_PREFIX):
        ns, _, name = user.name[len(SA_PREFIX):].partition(":")
        return f'ServiceAccount "{name}/{ns}"'
    return f'User "{user.name}"'


def rules_for(view, user: User, namespace: str) -> list[dict]:
    """RulesFor: every rule that applies to the user in the namespace (SelfSubjectRulesReview)."""
    return [rule for _, rule in visit_rules(view, user, namespace)]


def rules_for_review(view, user: User, namespace: str) -> tuple[list[dict], list[dict]]:
    """SelfSubjectRulesReview: (resource rules, non-resource rules) of every authorizer."""
    rules = rules_for(view, user, namespace)
    res = [{k: r[k] for k in ("verbs", "apiGroups", "resources", "resourceNames") if r.get(k)}
           for r in rules if not r.get("nonResourceURLs")]
    urls = [{"verbs": r.get("verbs") or [], "nonResourceURLs": r["nonResourceURLs"]} for r in rules if r.get("nonResourceURLs")]
    if PRIVILEGED in user.groups:
        res.insert(0, {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
        urls.insert(0, {"verbs": ["*"], "nonResourceURLs": ["*"]})
    return res, urls
