"""What the apiserver fills in before it stores an object (v1.32).

`get -o yaml` of a created object must read as on a real cluster, so every field a real apiserver
adds is added here, in place: the generated `SetDefaults_*` functions of pkg/apis/{core,apps}/v1,
what the registry strategies' PrepareForCreate write (Pod status, clusterIPs from clusterIP), and
what the default admission chain adds to Pods (ServiceAccount, Priority,
DefaultTolerationSeconds). Allocation (clusterIP, nodePorts, pod IPs) is not done here: the
allocators do it. Defaulting only ever fills what is absent, so running it twice is harmless.
"""
from __future__ import annotations

import random

from minikctl.api import imageref
import base64
from minikctl import lazy

admission_webhooks = lazy.module("minikctl.api.admission_webhooks")
amount = lazy.function("minikctl.api.resources", "amount")
canonical = lazy.function("minikctl.api.quantity_canon", "canonical")
gateway_api = lazy.module("minikctl.api.gateway_api")
gobase64 = lazy.module("minikctl.api.gobase64")
item_defaults = lazy.function("minikctl.sim.limitrange", "item_defaults")

# The alphabet of apimachinery's utilrand.String (no vowels, no 0 1 3): the
# kube-api-access-xxxxx volume suffix is drawn from it.
_RAND_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def apply_defaults(obj: dict, *, rng: random.Random | None = None) -> None:
    """Fill an object's defaults in place, by its kind.

    `rng`, when given, lets a Pod also get the ServiceAccount admission's projected
    `kube-api-access-<5 chars>` volume and its mounts (the suffix is random on a real cluster).
    """
    fn = _BY_KIND.get(obj.get("kind", ""))
    if fn is not None:
        if fn is _pod:
            _pod(obj, rng)
        else:
            fn(obj)


# ---------------------------------------------------------------------------------------------
# Pods and pod templates


def image_pull_policy(image: str) -> str:
    """SetDefaults_Container: Always when the tag is `latest` or absent (and no digest).

    An unparsable image (e.g. empty) gives no tag at all, hence IfNotPresent.
    """
    if not image or image != image.strip():
        return "IfNotPresent"
    tag = imageref.tag(image)
    if "@" in image:
        return "Always" if tag == "latest" else "IfNotPresent"
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _container(c: dict, host_network: bool) -> None:
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = image_pull_policy(c.get("image") or "")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for p in c.get("ports") or []:
        p.setdefault("protocol", "TCP")
        if host_network and not p.get("hostPort") and p.get("containerPort"):
            p["hostPort"] = p["containerPort"]  # SetDefaults_PodSpec with hostNetwork
    for e in c.get("env") or []:
        ref = (e.get("valueFrom") or {}).get("fieldRef")
        if ref is not None:
            ref.setdefault("apiVersion", "v1")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        if c.get(key):
            _probe(c[key])
    for hook in ("postStart", "preStop"):
        h = (c.get("lifecycle") or {}).get(hook)
        if h and h.get("httpGet"):
            _http_get(h["httpGet"])


def _http_get(g: dict) -> None:
    g.setdefault("path", "/")
    g.setdefault("scheme", "HTTP")


def _probe(p: dict) -> None:
    """SetDefaults_Probe and the handler defaults."""
    p.setdefault("timeoutSeconds", 1)
    p.setdefault("periodSeconds", 10)
    p.setdefault("successThreshold", 1)
    p.setdefault("failureThreshold", 3)
    if p.get("httpGet"):
        _http_get(p["httpGet"])


def _volume(v: dict) -> None:
    sources = [k for k in v if k != "name"]
    if not sources:
        v["emptyDir"] = {}  # SetDefaults_Volume: no source means emptyDir
    for key in ("configMap", "secret", "projected", "downwardAPI"):
        if isinstance(v.get(key), dict):
            v[key].setdefault("defaultMode", 420)
    if isinstance(v.get("hostPath"), dict):
        v["hostPath"].setdefault("type", "")
    for item in (v.get("downwardAPI") or {}).get("items") or []:
        if item.get("fieldRef"):
            item["fieldRef"].setdefault("apiVersion", "v1")
    for src in (v.get("projected") or {}).get("sources") or []:
        sat = src.get("serviceAccountToken")
        if sat is not None:
            sat.setdefault("expirationSeconds", 3600)
        for item in (src.get("downwardAPI") or {}).get("items") or []:
            if item.get("fieldRef"):
                item["fieldRef"].setdefault("apiVersion", "v1")


def pod_spec_defaults(spec: dict) -> None:
    """SetDefaults_PodSpec (+ containers): what a pod template carries, e.g. in a Deployment."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    host_network = bool(spec.get("hostNetwork"))
    for c in spec.get("initContainers") or []:
        _container(c, host_network)
    for c in spec.get("containers") or []:
        _container(c, host_network)
    for v in spec.get("volumes") or []:
        _volume(v)


def _pod_template(tmpl: dict | None) -> None:
    if tmpl is None:
        return
    meta = tmpl.setdefault("metadata", {})
    # A PodTemplateSpec's ObjectMeta has a non-pointer creationTimestamp: 1.32 prints `null`.
    meta.setdefault("creationTimestamp", None)
    pod_spec_defaults(tmpl.setdefault("spec", {}))


def _pod(pod: dict, rng: random.Random | None = None) -> None:
    spec = pod.setdefault("spec", {})
    pod_spec_defaults(spec)
    spec.setdefault("enableServiceLinks", True)  # SetDefaults_Pod
    # SetDefaults_Pod: requests default to limits.
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        res = c.get("resources") or {}
        if res.get("limits"):
            req = res.setdefault("requests", {})
            for k, v in res["limits"].items():
                req.setdefault(k, v)
    # Admission: ServiceAccount, Priority, DefaultTolerationSeconds.
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = sa
    spec["serviceAccount"] = sa
    if not spec.get("priorityClassName"):
        spec.setdefault("priority", 0)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    _default_tolerations(spec)
    if rng is not None and spec.get("automountServiceAccountToken") is not False:
        add_service_account_volume(pod, "".join(rng.choice(_RAND_ALPHABET) for _ in range(5)))
    status = pod.setdefault("status", {})
    status.setdefault("phase", "Pending")  # registry PrepareForCreate
    status.setdefault("qosClass", qos_class(spec))


def _default_tolerations(spec: dict) -> None:
    """DefaultTolerationSeconds admission: tolerate not-ready/unreachable NoExecute for 300s."""
    tols = spec.get("tolerations") or []
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        covered = any(
            (t.get("operator") == "Exists" and not t.get("key") and t.get("effect") in (None, "", "NoExecute"))
            or (t.get("key") == key and t.get("effect") in (None, "", "NoExecute"))
            for t in tols)
        if not covered:
            tols.append({"effect": "NoExecute", "key": key, "operator": "Exists",
                         "tolerationSeconds": 300})
    if tols:
        spec["tolerations"] = tols


def add_service_account_volume(pod: dict, suffix: str) -> str:
    """ServiceAccount admission: the projected token volume and a read-only mount per container.

    Returns the volume name (`kube-api-access-<suffix>`). A pod that already mounts
    /var/run/secrets/kubernetes.io/serviceaccount is left alone, as the real plugin does.
    """
    spec = pod.setdefault("spec", {})
    path = "/var/run/secrets/kubernetes.io/serviceaccount"
    containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
    for c in containers:
        for m in c.get("volumeMounts") or []:
            if m.get("mountPath") == path:
                return m.get("name", "")
    name = f"kube-api-access-{suffix}"
    spec.setdefault("volumes", []).append({
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}],
                               "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1",
                                                         "fieldPath": "metadata.namespace"},
                                            "path": "namespace"}]}},
            ],
        },
    })
    for c in containers:
        c.setdefault("volumeMounts", []).append({"mountPath": path, "name": name, "readOnly": True})
    return name


# ---------------------------------------------------------------------------------------------
# QoS class (qos.GetPodQOS), written into Pod status at create time

def parse_quantity(q):
    """A resource.Quantity ('500m', '128Mi', '1e3', 2) as an exact amount, 0 when malformed
    (api/resources.amount: one parser for the whole project)."""
    return amount(q)


def qos_class(spec: dict) -> str:
    """Guaranteed / Burstable / BestEffort as the kubelet and apiserver compute it (cpu, memory)."""
    containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        limits = {k: v for k, v in (res.get("limits") or {}).items() if k in ("cpu", "memory")}
        requests = {k: v for k, v in (res.get("requests") or {}).items() if k in ("cpu", "memory")}
        if any(parse_quantity(v) != 0 for v in list(limits.values()) + list(requests.values())):
            any_set = True
        if set(limits) != {"cpu", "memory"}:
            guaranteed = False
            continue
        for k in ("cpu", "memory"):
            if k in requests and parse_quantity(requests[k]) != parse_quantity(limits[k]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed and containers else "Burstable"


# ---------------------------------------------------------------------------------------------
# Services


def _externally_accessible(spec: dict) -> bool:
    t = spec.get("type")
    return t in ("NodePort", "LoadBalancer") or (t == "ClusterIP" and bool(spec.get("externalIPs")))


def _service(svc: dict) -> None:
    spec = svc.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        cfg = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        cfg.setdefault("timeoutSeconds", 10800)
    for p in spec.get("ports") or []:
        p.setdefault("protocol", "TCP")
        if p.get("targetPort") in (None, 0, ""):
            p["targetPort"] = p.get("port")
    t = spec["type"]
    if t != "ExternalName":
        # PrepareForCreate keeps clusterIP and clusterIPs in step.
        if spec.get("clusterIP") and not spec.get("clusterIPs"):
            spec["clusterIPs"] = [spec["clusterIP"]]
        headless_no_selector = spec.get("clusterIP") == "None" and not spec.get("selector")
        # registry alloc.go: headless services without a selector default to RequireDualStack
        # (a single-stack cluster still lists only its own family).
        spec.setdefault("ipFamilyPolicy", "RequireDualStack" if headless_no_selector else "SingleStack")
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if _externally_accessible(spec):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if t == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    # LoadBalancerStatus is a non-pointer struct: it always serializes, as `loadBalancer: {}`.
    svc.setdefault("status", {}).setdefault("loadBalancer", {})


# ---------------------------------------------------------------------------------------------
# Workloads


def _deployment(d: dict) -> None:
    spec = d.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = strategy.get("rollingUpdate")
        if ru is None:
            ru = strategy["rollingUpdate"] = {}
        ru.setdefault("maxUnavailable", "25%")
        ru.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _pod_template(spec.get("template"))
    d.setdefault("status", {})


def _replicaset(rs: dict) -> None:
    spec = rs.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    _pod_template(spec.get("template"))
    rs.setdefault("status", {}).setdefault("replicas", 0)


def _statefulset(sts: dict) -> None:
    spec = sts.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    us = spec.setdefault("updateStrategy", {})
    us.setdefault("type", "RollingUpdate")
    if us["type"] == "RollingUpdate":
        ru = us.get("rollingUpdate")
        if ru is None:
            ru = us["rollingUpdate"] = {}
        ru.setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    pol = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    pol.setdefault("whenDeleted", "Retain")
    pol.setdefault("whenScaled", "Retain")
    for pvc in spec.get("volumeClaimTemplates") or []:
        pvc.setdefault("apiVersion", "v1")
        pvc.setdefault("kind", "PersistentVolumeClaim")
        pvc.setdefault("metadata", {}).setdefault("creationTimestamp", None)
        pvc.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
        pvc.setdefault("status", {}).setdefault("phase", "Pending")
    _pod_template(spec.get("template"))
    status = sts.setdefault("status", {})
    status.setdefault("availableReplicas", 0)  # non-omitempty int32s
    status.setdefault("replicas", 0)
    # minReadySeconds has no default: an int32 with omitempty, absent when 0.


def _daemonset(ds: dict) -> None:
    spec = ds.setdefault("spec", {})
    us = spec.setdefault("updateStrategy", {})
    us.setdefault("type", "RollingUpdate")
    if us["type"] == "RollingUpdate":
        ru = us.get("rollingUpdate")
        if ru is None:
            ru = us["rollingUpdate"] = {}
        ru.setdefault("maxUnavailable", 1)
        ru.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _pod_template(spec.get("template"))
    status = ds.setdefault("status", {})
    for k in ("currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"):
        status.setdefault(k, 0)


def _job(job: dict) -> None:
    """SetDefaults_Job (batch/v1, 1.32): completions/parallelism, backoffLimit (6, or MaxInt32 with
    backoffLimitPerIndex), completionMode, suspend, podReplacementPolicy, the pod failure policy's
    condition status; the job's labels from its template's when it has none."""
    spec = job.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    meta = job.setdefault("metadata", {})
    if labels and not meta.get("labels"):
        meta["labels"] = dict(labels)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    pfp = spec.get("podFailurePolicy")
    if pfp is not None:
        for rule in pfp.get("rules") or []:
            for pattern in rule.get("onPodConditions") or []:
                pattern.setdefault("status", "True")
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if pfp is not None else "TerminatingOrFailed"
    _pod_template(spec.get("template"))
    job.setdefault("status", {})


def _cronjob(cj: dict) -> None:
    """SetDefaults_CronJob: Allow, not suspended, history limits 3 and 1; the job template's pod
    template gets the pod defaults (SetDefaults_Job does not run on a JobTemplateSpec)."""
    spec = cj.setdefault("spec", {})
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    jt = spec.get("jobTemplate")
    if isinstance(jt, dict):
        jt.setdefault("metadata", {}).setdefault("creationTimestamp", None)
        _pod_template((jt.get("spec") or {}).get("template"))
    cj.setdefault("status", {})


# ---------------------------------------------------------------------------------------------
# Everything else


def _namespace(ns: dict) -> None:
    meta = ns.setdefault("metadata", {})
    if meta.get("name"):
        # The NamespaceDefaultLabelName gate (GA 1.22) labels every namespace with its name.
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    ns.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    ns.setdefault("status", {}).setdefault("phase", "Active")


def _endpoints(ep: dict) -> None:
    for subset in ep.get("subsets") or []:
        for p in subset.get("ports") or []:
            p.setdefault("protocol", "TCP")


def _endpointslice(es: dict) -> None:
    for p in es.get("ports") or []:
        p.setdefault("protocol", "TCP")
        p.setdefault("name", "")


def _node(node: dict) -> None:
    node.setdefault("spec", {})


def _network_policy(np: dict) -> None:
    """SetDefaults_NetworkPolicy(Port): protocol TCP; no policyTypes means Ingress, plus Egress
    when egress rules are present (an empty `egress: []` list does not count)."""
    spec = np.setdefault("spec", {})
    spec.setdefault("podSelector", {})
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in rule.get("ports") or []:
                if port.get("protocol") is None:
                    port["protocol"] = "TCP"
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def _pvc(pvc: dict) -> None:
    """SetDefaults_PersistentVolumeClaim (+ PrepareForCreate's status phase)."""
    spec = pvc.setdefault("spec", {})
    spec.setdefault("volumeMode", "Filesystem")
    pvc.setdefault("status", {}).setdefault("phase", "Pending")


def _pv(pv: dict) -> None:
    """SetDefaults_PersistentVolume: Retain, Filesystem, phase Pending; hostPath type ''."""
    spec = pv.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    if isinstance(spec.get("hostPath"), dict):
        spec["hostPath"].setdefault("type", "")
    pv.setdefault("status", {}).setdefault("phase", "Pending")


def _storageclass(sc: dict) -> None:
    """SetDefaults_StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate."""
    sc.setdefault("reclaimPolicy", "Delete")
    sc.setdefault("volumeBindingMode", "Immediate")


def _event(ev: dict) -> None:
    """What core/v1 Event's JSON carries when a user left it out: the struct fields without
    omitempty (an empty involvedObject and source, zero times as null, empty reporter)."""
    ev.setdefault("involvedObject", {})
    ev.setdefault("source", {})
    for key in ("firstTimestamp", "lastTimestamp", "eventTime"):
        ev.setdefault(key, None)
    ev.setdefault("reportingComponent", "")
    ev.setdefault("reportingInstance", "")


def _secret(secret: dict) -> None:
    """SetDefaults_Secret (type Opaque) and the v1 -> internal conversion: stringData entries
    overwrite data (base64-encoded) and stringData itself is never stored."""
    for k, v in list((secret.get("data") or {}).items()):
        if isinstance(v, str):  # stored as bytes: read back in canonical base64
            try:
                secret["data"][k] = base64.b64encode(gobase64.decode(v)).decode()
            except gobase64.CorruptInput:
                pass
    string_data = secret.pop("stringData", None)
    if string_data:
        data = secret.get("data") or {}
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        secret["data"] = data
    if not secret.get("type"):
        secret["type"] = "Opaque"


def _binding(binding: dict) -> None:
    """SetDefaults_Subject: a User or Group subject's apiGroup is rbac.authorization.k8s.io."""
    for sub in binding.get("subjects") or []:
        if isinstance(sub, dict) and not sub.get("apiGroup") and sub.get("kind") in ("User", "Group"):
            sub["apiGroup"] = "rbac.authorization.k8s.io"


def _resource_quota(q: dict) -> None:
    """Quantities are stored in their canonical form (1024Mi is 1Gi)."""
    hard = (q.get("spec") or {}).get("hard")
    if isinstance(hard, dict):
        q["spec"]["hard"] = {k: canonical(v) for k, v in hard.items()}


def _limit_range(lr: dict) -> None:
    """SetDefaults_LimitRangeItem per item; quantities stored canonical."""
    for item in (lr.get("spec") or {}).get("limits") or []:
        if not isinstance(item, dict):
            continue
        for f in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            if isinstance(item.get(f), dict):
                item[f] = {k: canonical(v) for k, v in item[f].items()}
        item_defaults(item)


def _priority_class(pc: dict) -> None:
    pc.setdefault("preemptionPolicy", "PreemptLowerPriority")


def _ingress_class(ic: dict) -> None:
    """SetDefaults_IngressClass: parameters without a scope are cluster-scoped."""
    params = (ic.get("spec") or {}).get("parameters")
    if params is not None and params.get("scope") is None:
        params["scope"] = "Cluster"


def _scaling_rules(rules: dict | None, window: int, policies: list[dict]) -> dict:
    """GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: the missing fields of a rule."""
    out = dict(rules or {})
    out.setdefault("stabilizationWindowSeconds", window)
    out.setdefault("selectPolicy", "Max")
    if not out.get("policies"):
        out["policies"] = [dict(p) for p in policies]
    return out


SCALE_UP_POLICIES = [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]
SCALE_DOWN_POLICIES = [{"type": "Percent", "value": 100, "periodSeconds": 15}]


def _hpa(hpa: dict) -> None:
    """SetDefaults_HorizontalPodAutoscaler (autoscaling/v2): minReplicas 1, a cpu target of 80%
    when no metric is given, and a given behavior's missing rules filled in."""
    spec = hpa.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": 80}}}]
    if spec.get("behavior") is not None:
        b = spec["behavior"]
        b["scaleUp"] = _scaling_rules(b.get("scaleUp"), 0, SCALE_UP_POLICIES)
        b["scaleDown"] = _scaling_rules(b.get("scaleDown"), 300, SCALE_DOWN_POLICIES)


def _validating_webhook_configuration(obj: dict) -> None:
    admission_webhooks.default(obj)


_BY_KIND = {
    "HorizontalPodAutoscaler": _hpa,
    "Event": _event,
    "PriorityClass": _priority_class,
    "LimitRange": _limit_range,
    "Secret": _secret,
    "ResourceQuota": _resource_quota,
    "RoleBinding": _binding,
    "ClusterRoleBinding": _binding,
    "Pod": _pod,
    "Service": _service,
    "Deployment": _deployment,
    "ReplicaSet": _replicaset,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "Job": _job,
    "CronJob": _cronjob,
    "Namespace": _namespace,
    "Endpoints": _endpoints,
    "EndpointSlice": _endpointslice,
    "Node": _node,
    "NetworkPolicy": _network_policy,
    "IngressClass": _ingress_class,
    "ValidatingWebhookConfiguration": _validating_webhook_configuration,


    "PersistentVolumeClaim": _pvc,
    "PersistentVolume": _pv,
    "StorageClass": _storageclass,
}


def _gateway_api(obj: dict) -> None:
    gateway_api.default(obj)


for _k in ("GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant"):
    _BY_KIND[_k] = _gateway_api
