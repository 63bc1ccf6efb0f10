"""The simulated apiserver: the one door through which objects enter, change and leave the store.

User requests (`create`, `update`, `delete`) go through strict decoding, defaulting, Service IP and
NodePort allocation, validation and existence checks in the apiserver's order, so the first error
a real cluster would report is the one reported here. Controllers use the `*_internal` forms,
which trust their input but still stamp metadata and defaults.
"""
from __future__ import annotations

import copy

from minikctl.api import admission_webhooks, conversion, kinds
from minikctl.api.errors import ApiError, already_exists, invalid, not_found
import ipaddress
import json
from minikctl.api.errors import CliError
from minikctl import lazy

apply_defaults = lazy.function("minikctl.api.defaults", "apply_defaults")
bootstrap = lazy.module("minikctl.sim.bootstrap")
crd = lazy.module("minikctl.api.crd")
custom = lazy.module("minikctl.api.custom")
decode_nulls = lazy.function("minikctl.api.schema", "decode_nulls")
decoding_message = lazy.function("minikctl.api.validation", "decoding_message")
generate_name = lazy.function("minikctl.sim.names", "generate_name")
kube_version = lazy.function("minikctl.sim.profile", "kube_version")
limitrange = lazy.module("minikctl.sim.limitrange")
needs_health_check = lazy.function("minikctl.sim.alloc.node_port", "needs_health_check")
node_port = lazy.module("minikctl.sim.alloc.node_port")
podsecurity = lazy.module("minikctl.api.podsecurity")
priority = lazy.module("minikctl.sim.priority")
qos_class = lazy.function("minikctl.api.defaults", "qos_class")
quota = lazy.module("minikctl.sim.quota")
rbac = lazy.module("minikctl.api.rbac")
service_ip = lazy.module("minikctl.sim.alloc.service_ip")
serviceaccount = lazy.module("minikctl.sim.controllers.serviceaccount")
storage_admission = lazy.module("minikctl.api.storage_admission")
timeutil = lazy.module("minikctl.timeutil")
validate = lazy.function("minikctl.api.validation", "validate")
common = lazy.module("minikctl.sim.controllers.common")

GENERATION_KINDS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "PodDisruptionBudget"}
# Kinds whose registry strategy also sets metadata.generation (1, then +1 on a spec change)
# but which start without a status.
SPEC_GENERATION_KINDS = {"NetworkPolicy", "Ingress", "IngressClass", "GatewayClass", "Gateway", "HTTPRoute",
                         "ReferenceGrant"}


JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
JOB_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")


def _job_selector(job: dict, uid: str) -> None:
    """The job strategy's PrepareForCreate: unless spec.manualSelector, the template gets the
    job-name and controller-uid labels (legacy and batch.kubernetes.io/ forms) and the selector
    matches the controller uid; a job without labels of its own then reads back with the
    template's (SetDefaults_Job on the stored object)."""
    spec = job.setdefault("spec", {})
    spec.setdefault("manualSelector", False)
    if spec.get("manualSelector"):
        return
    tmeta = (spec.setdefault("template", {})).setdefault("metadata", {})
    labels = tmeta.get("labels")
    if labels is None:
        labels = tmeta["labels"] = {}
    for k in JOB_NAME_LABELS:
        labels.setdefault(k, job["metadata"].get("name", ""))
    for k in JOB_UID_LABELS:
        labels.setdefault(k, uid)
    sel = spec.get("selector")
    if sel is None:
        sel = spec["selector"] = {}
    if sel.get("matchLabels") is None:
        sel["matchLabels"] = {}
    sel["matchLabels"].setdefault("batch.kubernetes.io/controller-uid", uid)


def _defaults(obj: dict, rng=None) -> None:
    if custom.default(obj):
        return
    apply_defaults(obj, rng=rng)


def _validate(obj: dict, old: dict | None = None, cluster=None) -> list[tuple[str, str]]:
    causes = custom.validate(obj, old)
    if causes is not None:
        return causes
    if old is not None and cluster is not None and obj.get("kind") == "PersistentVolumeClaim":
        return validate(obj, old, kube_version(cluster.profile))
    return validate(obj, old)


def _admit(cluster, obj: dict) -> None:
    """The mutating admission plugins on create: DefaultStorageClass, StorageObjectInUseProtection,
    DefaultIngressClass."""
    if obj["kind"] in ("PersistentVolumeClaim", "PersistentVolume"):
        storage_admission.admit_create(cluster, obj)
    elif obj["kind"] == "Ingress":
        _default_ingress_class(cluster, obj)


def _default_ingress_class(cluster, ing: dict) -> None:
    """DefaultIngressClass: an Ingress with neither spec.ingressClassName nor the
    kubernetes.io/ingress.class annotation gets the IngressClass annotated
    ingressclass.kubernetes.io/is-default-class "true"; more than one such class refuses it."""
    spec = ing.get("spec")
    if not isinstance(spec, dict) or spec.get("ingressClassName") is not None:
        return
    if "kubernetes.io/ingress.class" in ((ing.get("metadata") or {}).get("annotations") or {}):
        return
    defaults = [c for c in cluster.list("IngressClass")
                if ((c.get("metadata") or {}).get("annotations") or {}).get(
                    "ingressclass.kubernetes.io/is-default-class") == "true"]
    if len(defaults) > 1:
        raise ApiError("Forbidden", f'{_resource(ing)} "{ing["metadata"].get("name", "")}" is forbidden: Internal '
                       f"error occurred: {len(defaults)} default IngressClasses were found, only 1 allowed", 403,
                       kind="Ingress", name=ing["metadata"].get("name", ""))
    if defaults:
        spec["ingressClassName"] = defaults[0]["metadata"]["name"]


def _strict_check(obj: dict) -> None:
    """Strict decoding (kubectl sends fieldValidation=Strict): unknown fields and wrong JSON types."""
    if custom.kind_of(obj) is not None:
        msg = custom.strict_message(obj)
        if msg:
            raise ApiError("BadRequest", msg, 400)
        return
    msg = decoding_message(obj)
    if msg:
        raise ApiError("BadRequest", msg, 400)
    decode_nulls(obj)


def _stamp(cluster, obj: dict, keep_uid: bool = False) -> None:
    m = obj["metadata"]
    if not (keep_uid and m.get("uid")):
        m["uid"] = cluster.new_uid()
    m["creationTimestamp"] = cluster.timestamp()
    if obj["kind"] in GENERATION_KINDS or obj["kind"] in SPEC_GENERATION_KINDS or _custom_or_crd(obj):
        m["generation"] = 1
    for k in ("resourceVersion", "deletionTimestamp", "selfLink"):
        m.pop(k, None)


def _custom_or_crd(obj: dict) -> bool:
    """CRDs and custom objects carry metadata.generation (+1 on any change but metadata and status)."""
    if obj["kind"] == "CustomResourceDefinition":
        return True
    k = kinds.by_kind(obj["kind"])
    return k is not None and k.crd is not None


def _initial_status(obj: dict) -> None:
    kind = obj["kind"]
    if kind == "CustomResourceDefinition":
        crd.initial_status(obj)
        fins = obj["metadata"].setdefault("finalizers", [])
        if crd.CLEANUP_FINALIZER not in fins:
            fins.append(crd.CLEANUP_FINALIZER)
    elif _custom_or_crd(obj):
        if _status_subresource(obj):
            obj.pop("status", None)
    elif kind == "Service":
        obj["status"] = {"loadBalancer": {}}
    elif kind == "Pod":
        obj["status"] = {"phase": "Pending", "qosClass": _qos(obj)}
    elif kind == "PodDisruptionBudget":  # int32s without omitempty
        obj["status"] = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
    elif kind in GENERATION_KINDS:
        obj["status"] = {}
    elif kind == "Namespace":
        obj["status"] = {"phase": "Active"}
    elif kind == "CertificateSigningRequest":
        obj["status"] = {}
    elif kind == "Ingress":
        obj["status"] = {"loadBalancer": {}}


def _qos(pod: dict) -> str:
    cs = (pod.get("spec") or {}).get("containers") or []
    res = [c.get("resources") or {} for c in cs]
    if not any(r.get("limits") or r.get("requests") for r in res):
        return "BestEffort"
    if all(r.get("limits", {}).get(k) and r.get("requests", r.get("limits", {})).get(k) == r["limits"][k]
           for r in res for k in ("cpu", "memory")):
        return "Guaranteed"
    return "Burstable"


def _allocate_service(cluster, svc: dict, old: dict | None = None) -> None:
    spec = svc.setdefault("spec", {})
    stype = spec.get("type", "ClusterIP")
    if stype == "ExternalName":
        return
    if old is not None:
        ospec = old.get("spec") or {}
        if not spec.get("clusterIP") and ospec.get("clusterIP"):
            spec["clusterIP"] = ospec["clusterIP"]
            spec["clusterIPs"] = list(ospec.get("clusterIPs") or [ospec["clusterIP"]])
    ip = spec.get("clusterIP") or ((spec.get("clusterIPs") or [None])[0])
    if ip != "None" and (old is None or ip != (old.get("spec") or {}).get("clusterIP")):
        ip = service_ip.allocate(cluster, svc, ip or None)
    if ip:
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
    if stype in ("NodePort", "LoadBalancer"):
        node_port.allocate(cluster, svc, old)
    node_port.allocate_health_check(cluster, svc, old)


def _drop_type_dependent(svc: dict, old: dict) -> None:
    """strategy.go dropTypeDependentFields: on a type change, wipe what was allocated or defaulted
    for the old type and that the user left unchanged (NodePorts, externalTrafficPolicy, ...)."""
    spec, ospec = svc.setdefault("spec", {}), old.get("spec") or {}
    if needs_health_check(old) and not needs_health_check(svc) and \
            spec.get("healthCheckNodePort") == ospec.get("healthCheckNodePort"):
        spec.pop("healthCheckNodePort", None)
    otype, ntype = ospec.get("type", "ClusterIP"), spec.get("type", "ClusterIP")
    if otype == ntype:
        return
    if ntype == "ExternalName" and otype != "ExternalName":
        if spec.get("clusterIP") == ospec.get("clusterIP") and spec.get("clusterIPs") == ospec.get("clusterIPs"):
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        for key in ("ipFamilies", "ipFamilyPolicy"):
            if spec.get(key) == ospec.get(key):
                spec.pop(key, None)
    node_ports = [p.get("nodePort") for p in spec.get("ports") or []]
    if otype in ("NodePort", "LoadBalancer") and ntype not in ("NodePort", "LoadBalancer") \
            and node_ports == [p.get("nodePort") for p in ospec.get("ports") or []]:
        for p in spec.get("ports") or []:
            p.pop("nodePort", None)
    if otype == "LoadBalancer" and ntype != "LoadBalancer":
        for key in ("healthCheckNodePort", "allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if key in spec and spec.get(key) == ospec.get(key):
                spec.pop(key)
    accessible = ntype in ("NodePort", "LoadBalancer") or bool(spec.get("externalIPs"))
    if not accessible and spec.get("externalTrafficPolicy") == ospec.get("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)


def _lb_status(cluster, svc: dict) -> None:
    """What a MetalLB-style controller does at once: an ingress IP from the profile's pool for a
    LoadBalancer Service, released when the Service stops being one. No pool: <pending>."""
    status = svc.setdefault("status", {})
    if (svc.get("spec") or {}).get("type") != "LoadBalancer":
        if (status.get("loadBalancer") or {}).get("ingress"):
            status["loadBalancer"] = {}
        return
    if cluster.profile.get("loadBalancerPool"):
        _assign_lb(cluster, svc)


def _assign_lb(cluster, svc: dict) -> None:
    if (svc.get("status") or {}).get("loadBalancer", {}).get("ingress"):
        return
    used = {i.get("ip") for s in cluster.list("Service") for i in (s.get("status") or {}).get("loadBalancer", {}).get("ingress") or []}
    for ip in ipaddress.ip_network(cluster.profile["loadBalancerPool"]).hosts():
        if str(ip) not in used:
            svc.setdefault("status", {})["loadBalancer"] = {"ingress": [{"ip": str(ip), "ipMode": "VIP"}]}
            return


def _resource(obj: dict) -> str:
    k = kinds.by_kind(obj.get("kind", ""))
    return k.resource if k else obj.get("kind", "").lower() + "s"


def check_namespace(cluster, obj: dict) -> None:
    k = kinds.by_kind(obj["kind"])
    if k and k.namespaced:
        ns = obj["metadata"].get("namespace") or "default"
        nso = cluster.get("Namespace", None, ns)
        if nso is None:
            raise not_found("namespaces", ns)
        if nso["metadata"].get("deletionTimestamp"):
            raise ApiError("Forbidden", f'{k.resource} "{obj["metadata"].get("name", "")}" is forbidden: unable to create '
                           f"new content in namespace {ns} because it is being terminated", 403,
                           kind=obj["kind"], name=obj["metadata"].get("name", ""))


def create(cluster, obj: dict, *, dry_run: bool = False) -> dict:
    """A user's create: the apiserver's checks in its order; returns the stored object."""
    obj = copy.deepcopy(conversion.to_storage(obj))
    k = kinds.by_kind(obj.get("kind", ""), obj.get("apiVersion"))
    meta = obj.setdefault("metadata", {})
    if k is not None and not k.namespaced:
        meta.pop("namespace", None)
    elif k is not None:
        meta["namespace"] = meta.get("namespace") or "default"
    _strict_check(obj)
    check_namespace(cluster, obj)
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(meta["generateName"], cluster.rng)
    mount = _service_account_admission(cluster, obj) if obj["kind"] == "Pod" else True
    if obj["kind"] == "CertificateSigningRequest":
        _csr_requestor(obj, getattr(cluster, "env", None))
    _defaults(obj, cluster.rng if mount else None)
    _admit(cluster, obj)
    limit_error = _limit_range_admission(cluster, obj) if obj["kind"] == "Pod" else None
    if obj["kind"] == "Pod":
        msg = priority.admit(cluster, obj)
        if msg:
            raise ApiError("Forbidden", f'pods "{meta.get("name", "")}" is forbidden: {msg}', 403, kind="Pod",
                           name=meta.get("name", ""))
    job_uid = None
    if obj["kind"] == "Job":
        job_uid = meta["uid"] = cluster.new_uid()
        _job_selector(obj, job_uid)
    if obj["kind"] == "Service" and meta.get("name"):
        existing = cluster.get("Service", meta.get("namespace"), meta["name"])
        if existing is None:
            _allocate_service(cluster, obj)
    causes = _validate(obj)
    if causes:
        raise invalid(obj["kind"], meta.get("name", ""), causes)
    if obj["kind"] == "Namespace":
        _pod_security_labels(obj)
    admission_webhooks.admit(cluster, obj)
    if cluster.get(obj["kind"], meta.get("namespace"), meta["name"]) is not None:
        raise already_exists(_resource(obj), meta["name"])
    if limit_error:
        raise ApiError("Forbidden", f'pods "{meta.get("name", "")}" is forbidden: {limit_error}', 403,
                       kind="Pod", name=meta.get("name", ""))
    _pod_security(cluster, obj)
    _quota_admission(cluster, obj)
    _stamp(cluster, obj)
    if job_uid:
        meta["uid"] = job_uid
        if not meta.get("labels"):
            meta["labels"] = dict(obj["spec"]["template"]["metadata"]["labels"])
    _initial_status(obj)
    if obj["kind"] == "Service":
        _lb_status(cluster, obj)
    if obj["kind"] == "Namespace":
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    if dry_run:
        return obj
    check_limits(cluster, obj, new=True)
    cluster.put(obj)
    if obj["kind"] == "Namespace":
        _namespace_defaults(cluster, obj)
    return obj


def _limit_range_admission(cluster, pod: dict) -> str | None:
    """LimitRanger: the namespace's default requests and limits set on the pod (then its QoS
    class, which PrepareForCreate computes after admission); returns its refusal, if any."""
    msg = limitrange.admit(cluster, pod)
    pod.setdefault("status", {})["qosClass"] = qos_class(pod.get("spec") or {})
    return msg


def _quota_admission(cluster, obj: dict) -> None:
    """The ResourceQuota admission plugin: Forbidden when the object would exceed a quota of its
    namespace, or a pod leaves out a request or limit a quota counts."""
    k = kinds.by_kind(obj["kind"])
    if k is None or not k.namespaced:
        return
    msg = quota.admit(cluster, obj)
    if msg:
        raise ApiError("Forbidden", f'{_resource(obj)} "{obj["metadata"].get("name", "")}" is forbidden: {msg}', 403,
                       kind=obj["kind"], name=obj["metadata"].get("name", ""))


def _template(obj: dict):
    cur = obj
    for p in podsecurity.WORKLOADS.get(obj.get("kind", ""), ()):
        cur = cur.get(p) if isinstance(cur, dict) else None
    return cur


def warn(cluster, text: str) -> None:
    """An admission warning (the apiserver's Warning header): into the request's warnings under
    `serve`, else on the command's stderr as kubectl prints it (`Warning: ...`)."""
    sink = cluster.__dict__.get("warning_sink")
    if sink is not None:
        sink.append(text)
        return
    stream = getattr(getattr(cluster, "env", None), "stderr", None)
    if stream is not None:
        stream.write(f"Warning: {text}\n")


def _pod_security_labels(ns: dict, old: dict | None = None) -> None:
    """PodSecurity's ValidateNamespace: pod-security.kubernetes.io labels it cannot parse refuse
    the create, and an update that changes what is wrong with them (422 Invalid)."""
    errs = podsecurity.label_errors(ns["metadata"].get("labels"))
    if errs and (old is None or errs != podsecurity.label_errors(old["metadata"].get("labels"))):
        raise invalid("Namespace", ns["metadata"].get("name", ""), errs)


def _pod_security(cluster, obj: dict, *, internal: bool = False) -> None:
    """PodSecurity admission: a pod against its namespace's enforce level (Forbidden) and warn
    level (a warning); a workload's pod template gets warnings only (api/podsecurity.py)."""
    kind = obj.get("kind")
    if kind != "Pod" and kind not in podsecurity.WORKLOADS:
        return
    ns = cluster.get("Namespace", None, obj["metadata"].get("namespace") or "default")
    if not podsecurity.policy(ns):
        return
    if kind == "Pod":
        refusal, warnings = podsecurity.admit_pod(ns, obj)
        if refusal:
            name = obj["metadata"].get("name", "")
            raise ApiError("Forbidden", f'pods "{name}" is forbidden: {refusal}', 403, kind="Pod", name=name)
    else:
        warnings = podsecurity.workload_warnings(ns, obj)
    if not internal:
        for w in warnings:
            warn(cluster, w)


def _csr_requestor(csr: dict, env) -> None:
    """The CSR strategy's PrepareForCreate: the requesting user goes into the spec, whatever the
    client wrote there; status is cleared."""
    spec = csr.setdefault("spec", {})
    for k in ("username", "uid", "groups", "extra"):
        spec.pop(k, None)
    user = rbac.acting(env)
    spec["username"] = user.name
    if user.groups:
        spec["groups"] = list(user.groups)
    csr.pop("status", None)


def _service_account_admission(cluster, pod: dict) -> bool:
    """The ServiceAccount admission plugin: the pod's account must exist (Forbidden otherwise);
    returns whether its token is to be mounted (the pod's automountServiceAccountToken, else the
    account's, else yes)."""
    spec = pod.get("spec") or {}
    meta = pod["metadata"]
    name = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    ns = meta.get("namespace") or "default"
    sa = cluster.get("ServiceAccount", ns, name)
    if sa is None:
        raise ApiError("Forbidden", f'pods "{meta.get("name") or meta.get("generateName") or ""}" is forbidden: error '
                       f'looking up service account {ns}/{name}: serviceaccount "{name}" not found', 403,
                       kind="Pod", name=meta.get("name", ""))
    if spec.get("automountServiceAccountToken") is not None:
        return bool(spec["automountServiceAccountToken"])
    return sa.get("automountServiceAccountToken") is not False


# etcd refuses a write over its --max-request-bytes (1.5 MiB by default); the apiserver passes
# its words on. Objects per kind are a simulation limit (etcd has none short of its quota):
# every command holds a kind's objects in memory.
ETCD_MAX_REQUEST_BYTES = 1536 * 1024
MAX_OBJECTS_PER_KIND = 20_000


def check_limits(cluster, obj: dict, *, new: bool) -> None:
    if len(json.dumps(obj, separators=(",", ":"))) > ETCD_MAX_REQUEST_BYTES:
        raise ApiError("", "etcdserver: request is too large", 500)
    if not new:
        return
    limit = common.MAX_PODS if obj["kind"] == "Pod" else MAX_OBJECTS_PER_KIND
    count = cluster.count(obj["kind"]) if hasattr(cluster, "count") else len(cluster.list(obj["kind"]))
    if count >= limit:
        raise CliError(f"minikctl: more than {limit} {_resource(obj)} in one cluster is not simulated")


def _namespace_defaults(cluster, ns: dict) -> None:
    """What the root-CA publisher puts in every namespace."""
    bootstrap.root_ca_configmap(cluster, ns["metadata"]["name"])
    serviceaccount.ensure(cluster, ns["metadata"]["name"], "default")


def create_internal(cluster, obj: dict, *, keep_uid: bool = False) -> dict:
    """A controller's create: defaults and metadata, no user-facing checks. keep_uid: the caller
    chose the uid (derived, so that creating the object draws nothing from the seeded rng)."""
    meta = obj["metadata"]
    if not meta.get("name"):
        for _ in range(10):
            meta["name"] = generate_name(meta["generateName"], cluster.rng)
            if cluster.get(obj["kind"], meta.get("namespace"), meta["name"]) is None:
                break
    _defaults(obj, cluster.rng)
    _admit(cluster, obj)
    if obj["kind"] == "Pod" and meta.get("ownerReferences"):
        # a controller's pod is a create request like any other: the validating admission
        # plugins may refuse it (the controller's FailedCreate event says why)
        _pod_security(cluster, obj, internal=True)
        _quota_admission(cluster, obj)
    if obj["kind"] == "Service":
        _allocate_service(cluster, obj)
    _stamp(cluster, obj, keep_uid)
    if obj["kind"] == "Job":  # a CronJob's job: the same selector generation as a user's
        _job_selector(obj, meta["uid"])
        if not meta.get("labels"):
            meta["labels"] = dict(obj["spec"]["template"]["metadata"]["labels"])
    if "status" not in obj:
        _initial_status(obj)
    return cluster.put(obj)


def update_internal(cluster, obj: dict) -> dict:
    """A controller's write of an object it already read (spec or status): the door every
    controller goes through, so resourceVersion and the change bookkeeping stay in one place.
    An object being deleted whose last finalizer this write removed is gone."""
    if _finalized(obj):
        cluster.remove(obj)
        return obj
    return cluster.put(obj)


def _finalized(obj: dict) -> bool:
    m = obj["metadata"]
    return bool(m.get("deletionTimestamp")) and not m.get("finalizers") and obj["kind"] not in ("Pod", "Namespace")


def update(cluster, obj: dict, old: dict, *, dry_run: bool = False) -> dict:
    """A user's update (apply, replace, edit, patch, scale, label ...): optimistic concurrency,
    immutability, validation."""
    obj = copy.deepcopy(conversion.to_storage(obj))
    check_resource_version(obj, old)
    _strict_check(obj)
    meta = obj["metadata"]
    for key in ("uid", "creationTimestamp", "namespace", "ownerReferences", "generation", "deletionTimestamp"):
        if key in old["metadata"]:
            meta.setdefault(key, old["metadata"][key])
    meta["uid"] = old["metadata"]["uid"]
    meta["creationTimestamp"] = old["metadata"]["creationTimestamp"]
    _defaults(obj)
    if obj["kind"] == "Service":
        _drop_type_dependent(obj, old)
        _allocate_service(cluster, obj, old)
    causes = _validate(obj, old, cluster)
    if causes:
        raise invalid(obj["kind"], meta["name"], causes)
    if obj["kind"] != "Pod" and _template(obj) != _template(old):
        _pod_security(cluster, obj)       # a workload's new pod template: PodSecurity's warnings
    if obj["kind"] == "Namespace":        # a new enforce level: the existing pods it would refuse
        _pod_security_labels(obj, old)
        pods = [p for p in cluster.list("Pod", meta["name"]) if not p["metadata"].get("deletionTimestamp")]
        for w in podsecurity.namespace_warnings(old, obj, pods):
            warn(cluster, w)
    admission_webhooks.admit(cluster, obj, old)
    if obj["kind"] == "PersistentVolumeClaim":
        storage_admission.admit_resize(cluster, obj, old)
    custom = _custom_or_crd(obj)
    if "status" in old and not (custom and obj["kind"] != "CustomResourceDefinition"
                                and not _status_subresource(obj)):
        obj["status"] = copy.deepcopy(old["status"])
    elif custom and "status" not in old and _status_subresource(obj):
        obj.pop("status", None)
    if obj["kind"] == "Service":
        _lb_status(cluster, obj)
    if (obj["kind"] in GENERATION_KINDS or obj["kind"] in SPEC_GENERATION_KINDS) and obj.get("spec") != old.get("spec"):
        meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
    elif custom and _body(obj) != _body(old):
        meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
    if dry_run:
        return obj
    check_limits(cluster, obj, new=False)
    current = cluster.get(old["kind"], old["metadata"].get("namespace"), old["metadata"]["name"])
    if current is not None:
        current.clear()
        current.update(obj)
        obj = current
    if _finalized(obj):
        cluster.remove(obj)
        return obj
    return cluster.put(obj)


def _status_subresource(obj: dict) -> bool:
    return custom.has_status_subresource(obj)


def _body(obj: dict) -> dict:
    """An object but its metadata and status: what a change of bumps a custom object's generation."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def conflict(kind: str, name: str) -> ApiError:
    """The apiserver's 409 for a write based on an old resourceVersion (errors.NewConflict)."""
    k = kinds.by_kind(kind)
    res = (f"{k.resource}.{k.group}" if k.group else k.resource) if k else kind.lower() + "s"
    return ApiError("Conflict", f'Operation cannot be fulfilled on {res} "{name}": the object has been modified; '
                    "please apply your changes to the latest version and try again", 409, kind=kind, name=name)


def check_resource_version(obj: dict, old: dict) -> None:
    """Optimistic concurrency: an update that names a resourceVersion must name the current one
    (etcd's compare-and-swap); one that names none applies to whatever is current."""
    rv = (obj.get("metadata") or {}).get("resourceVersion") if isinstance(obj.get("metadata"), dict) else None
    if rv and str(rv) != str(old["metadata"].get("resourceVersion")):
        raise conflict(old["kind"], old["metadata"]["name"])


def get(cluster, kind: str, namespace: str | None, name: str) -> dict:
    k = kinds.by_kind(kind)
    obj = cluster.get(kind, namespace if k.namespaced else None, name)
    if obj is None:
        raise not_found(k.resource, name)
    return obj


DEPENDENT_KINDS = ("ReplicaSet", "Pod", "Job", "EndpointSlice", "Endpoints")
FOREGROUND = "foregroundDeletion"


def delete(cluster, kind: str, namespace: str | None, name: str, *, grace: int | None = None,
           dry_run: bool = False, propagation: str = "Background") -> dict:
    """A user's delete. Pods are gone when kubectl returns (it waits); owned objects follow by GC:
    at once (Background), before their owner (Foreground: the owner waits, Terminating, with the
    foregroundDeletion finalizer), or not at all (Orphan: their owner references are removed)."""
    obj = get(cluster, kind, namespace, name)
    if dry_run:
        return obj
    if propagation == "Orphan" and kind != "Namespace":
        orphan_dependents(cluster, obj)
    elif propagation == "Foreground" and kind not in ("Namespace", "Pod"):
        m = obj["metadata"]
        if not m.get("deletionTimestamp"):
            m["deletionTimestamp"] = cluster.timestamp()
            m["deletionGracePeriodSeconds"] = 0
        if FOREGROUND not in (m.get("finalizers") or []):
            m.setdefault("finalizers", []).append(FOREGROUND)
        cluster.put(obj)
        return obj
    if kind == "Namespace":
        if name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            raise ApiError("Forbidden", f'namespaces "{name}" is forbidden: this namespace may not be deleted', 403)
        # Terminating: the namespace controller (sim/controllers/namespace.py) empties it, pods
        # terminating gracefully, and removes it last; kubectl delete waits for that.
        if not obj["metadata"].get("deletionTimestamp"):
            obj["metadata"]["deletionTimestamp"] = cluster.timestamp()
            obj["metadata"]["deletionGracePeriodSeconds"] = 0
            obj.setdefault("status", {})["phase"] = "Terminating"
            cluster.put(obj)
        return obj
    if kind not in ("Pod", "Namespace") and obj["metadata"].get("finalizers"):
        # finalizers hold the object: it is marked for deletion and its controllers finish it
        if not obj["metadata"].get("deletionTimestamp"):
            obj["metadata"]["deletionTimestamp"] = cluster.timestamp()
            obj["metadata"]["deletionGracePeriodSeconds"] = 0
            cluster.put(obj)
        return obj
    if kind == "Service":
        ep = cluster.get("Endpoints", namespace, name)
        if ep is not None:
            cluster.remove(ep)
    if kind == "Pod" and "kubernetes.io/config.mirror" in (obj["metadata"].get("annotations") or {}):
        # a mirror pod: the kubelet keeps running its static pod and posts the mirror pod again
        # with that pod's status (sim/nodehost/static_pods.py reads this meta)
        cluster.meta.setdefault("mirrorPodsDeleted", {})[f"{namespace}/{name}"] = {
            "hash": (obj["metadata"].get("annotations") or {}).get("kubernetes.io/config.hash"),
            "status": copy.deepcopy(obj.get("status") or {})}
    elif kind == "Pod" and grace != 0 and (obj.get("status") or {}).get("phase") == "Running":
        for c in obj["spec"]["containers"]:
            cluster.record_event(obj, "Normal", "Killing", f"Stopping container {c['name']}", "kubelet", obj["spec"].get("nodeName"))
    cluster.remove(obj)
    return obj


def orphan_dependents(cluster, owner: dict) -> None:
    """The garbage collector's orphan finalizer at work: dependents lose their reference to owner."""
    uid = owner["metadata"].get("uid")
    for kind in DEPENDENT_KINDS:
        for o in cluster.list(kind, owner["metadata"].get("namespace") or None):
            refs = o["metadata"].get("ownerReferences") or []
            if any(r.get("uid") == uid for r in refs):
                rest = [r for r in refs if r.get("uid") != uid]
                if rest:
                    o["metadata"]["ownerReferences"] = rest
                else:
                    o["metadata"].pop("ownerReferences", None)
                cluster.put(o)


def remove_internal(cluster, obj: dict) -> None:
    """An object leaves the store now, no grace left to wait: the kubelet's final delete of a
    pod that stopped, what the garbage collector and the namespace controller remove outright,
    an EndpointSlice the controller no longer needs."""
    cluster.remove(obj)


def update_status_internal(cluster, obj: dict, status: dict) -> bool:
    """A status write (a controller's every pass, the status subresource): stored only when the
    status changed, so a pass that found nothing new leaves the cluster settled."""
    return cluster.set_status(obj, status)


def delete_internal(cluster, obj: dict, grace: int | None = None) -> None:
    """A controller's or the GC's delete: pods terminate gracefully, the rest go at once."""
    if obj["kind"] == "Pod" and obj["spec"].get("nodeName"):
        g = obj["spec"].get("terminationGracePeriodSeconds", 30) if grace is None else grace
        obj["metadata"]["deletionTimestamp"] = _ts(cluster.now + g)
        obj["metadata"]["deletionGracePeriodSeconds"] = g
        cluster.put(obj)
        return
    cluster.remove(obj)


def _ts(t: float) -> str:
    return timeutil.fmt(t)
