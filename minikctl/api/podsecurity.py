"""Pod Security admission (pod-security-admission): the namespace's
`pod-security.kubernetes.io/<mode>[-version]` labels pick a level (privileged, baseline,
restricted) per mode (enforce, warn, audit); a pod is checked against the Pod Security Standards
as the admission plugin's policy checks word it.

Why a module: the checks are data-driven rules over the pod spec, shared by the pods users
create (enforce refuses with `violates PodSecurity "restricted:latest": ...`; warn adds
`would violate PodSecurity ...`), the pod templates of workloads (warnings only) and the pods
controllers create (the refusal becomes their FailedCreate event).
"""
from __future__ import annotations

import re
from minikctl import lazy

invalid = lazy.function("minikctl.api.validation.fields", "invalid")

PREFIX = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")
WORKLOADS = {"Deployment": ("spec", "template"), "ReplicaSet": ("spec", "template"),
             "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"), "Job": ("spec", "template"),
             "ReplicationController": ("spec", "template"), "CronJob": ("spec", "jobTemplate", "spec", "template")}

# capabilities the baseline level allows containers to add (the container runtime's defaults)
_BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                  "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
_SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                 "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                 "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                 "net.ipv4.tcp_keepalive_probes"}
_RESTRICTED_VOLUMES_OK = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                          "projected", "secret")


def _plural(one: str, many: str, n: int) -> str:
    return one if n == 1 else many


def _join_quote(items) -> str:
    return ", ".join(f'"{i}"' for i in items)


def _containers(spec: dict):
    """visitContainers: init containers, containers, ephemeral containers."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield c


def _sc(c: dict) -> dict:
    return c.get("securityContext") or {}


def _names_detail(names: list[str], tail: str) -> str:
    return f"{_plural('container', 'containers', len(names))} {_join_quote(names)} {tail}"


# ---- baseline ----------------------------------------------------------------------------

def _host_namespaces(meta, spec):
    bad = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    return ("host namespaces", ", ".join(bad)) if bad else None


def _privileged(meta, spec):
    names = [c.get("name", "") for c in _containers(spec) if _sc(c).get("privileged")]
    return ("privileged", _names_detail(names, "must not set securityContext.privileged=true")) if names else None


def _capabilities_baseline(meta, spec):
    names, caps = [], set()
    for c in _containers(spec):
        bad = [a for a in ((_sc(c).get("capabilities") or {}).get("add") or []) if a not in _BASELINE_CAPS]
        if bad:
            names.append(c.get("name", ""))
            caps.update(bad)
    if not names:
        return None
    return ("non-default capabilities",
            _names_detail(names, f"must not include {_join_quote(sorted(caps))} in securityContext.capabilities.add"))


def _host_path_volumes(meta, spec):
    names = [v.get("name", "") for v in spec.get("volumes") or [] if isinstance(v, dict) and "hostPath" in v]
    if not names:
        return None
    return "hostPath volumes", f"{_plural('volume', 'volumes', len(names))} {_join_quote(names)}"


def _host_ports(meta, spec):
    names, ports = [], set()
    for c in _containers(spec):
        hp = [str(p.get("hostPort")) for p in c.get("ports") or [] if isinstance(p, dict) and p.get("hostPort")]
        if hp:
            names.append(c.get("name", ""))
            ports.update(hp)
    if not names:
        return None
    return ("hostPort", f"{_plural('container', 'containers', len(names))} {_join_quote(names)} "
                        f"{_plural('uses', 'use', len(names))} {_plural('hostPort', 'hostPorts', len(ports))} "
                        f"{', '.join(sorted(ports))}")


def _host_process(meta, spec):
    names = [c.get("name", "") for c in _containers(spec)
             if (_sc(c).get("windowsOptions") or {}).get("hostProcess")]
    pod = ((spec.get("securityContext") or {}).get("windowsOptions") or {}).get("hostProcess")
    if not names and not pod:
        return None
    setters = (["pod"] if pod else []) + ([f"{_plural('container', 'containers', len(names))} {_join_quote(names)}"]
                                          if names else [])
    return "hostProcess", f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true"


def _proc_mount(meta, spec):
    names, types = [], set()
    for c in _containers(spec):
        pm = _sc(c).get("procMount")
        if pm and pm != "Default":
            names.append(c.get("name", ""))
            types.add(pm)
    if not names:
        return None
    return "procMount", _names_detail(names, f"must not set securityContext.procMount to {_join_quote(sorted(types))}")


def _seccomp_baseline(meta, spec):
    setters, values = [], set()
    pod = ((spec.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    if pod == "Unconfined":
        setters.append("pod")
        values.add(pod)
    names = []
    for c in _containers(spec):
        t = (_sc(c).get("seccompProfile") or {}).get("type")
        if t == "Unconfined":
            names.append(c.get("name", ""))
            values.add(t)
    if names:
        setters.append(f"{_plural('container', 'containers', len(names))} {_join_quote(names)}")
    if not setters:
        return None
    return ("seccompProfile", f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
                              f"{_join_quote(sorted(values))}")


def _sysctls(meta, spec):
    bad = [s.get("name", "") for s in (spec.get("securityContext") or {}).get("sysctls") or []
           if isinstance(s, dict) and s.get("name") not in _SAFE_SYSCTLS]
    return ("forbidden sysctls", ", ".join(bad)) if bad else None


# ---- restricted --------------------------------------------------------------------------

def _allow_privilege_escalation(meta, spec):
    names = [c.get("name", "") for c in _containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False]
    if not names:
        return None
    return ("allowPrivilegeEscalation != false",
            _names_detail(names, "must set securityContext.allowPrivilegeEscalation=false"))


def _capabilities_restricted(meta, spec):
    missing, adding, caps = [], [], set()
    for c in _containers(spec):
        capabilities = _sc(c).get("capabilities")
        if not isinstance(capabilities, dict):
            missing.append(c.get("name", ""))
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing.append(c.get("name", ""))
        bad = [a for a in capabilities.get("add") or [] if a != "NET_BIND_SERVICE"]
        if bad:
            adding.append(c.get("name", ""))
            caps.update(bad)
    details = []
    if missing:
        details.append(_names_detail(missing, 'must set securityContext.capabilities.drop=["ALL"]'))
    if adding:
        details.append(_names_detail(adding, f"must not include {_join_quote(sorted(caps))} in "
                                             "securityContext.capabilities.add"))
    return ("unrestricted capabilities", "; ".join(details)) if details else None


def _restricted_volumes(meta, spec):
    names, types = [], set()
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict):
            continue
        source = next((k for k in v if k != "name"), None)
        if source is not None and source not in _RESTRICTED_VOLUMES_OK:
            names.append(v.get("name", ""))
            types.add(source)
    if not names:
        return None
    return ("restricted volume types",
            f"{_plural('volume', 'volumes', len(names))} {_join_quote(names)} {_plural('uses', 'use', len(names))} "
            f"restricted volume {_plural('type', 'types', len(types))} {_join_quote(sorted(types))}")


def _run_as_non_root(meta, spec):
    setters = []
    pod = (spec.get("securityContext") or {}).get("runAsNonRoot")
    if pod is False:
        setters.append("pod")
    explicit, implicit = [], []
    for c in _containers(spec):
        v = _sc(c).get("runAsNonRoot")
        if v is not None:
            if v is False:
                explicit.append(c.get("name", ""))
        elif pod is not True:
            implicit.append(c.get("name", ""))
    if explicit:
        setters.append(f"{_plural('container', 'containers', len(explicit))} {_join_quote(explicit)}")
    if setters:
        return "runAsNonRoot != true", f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false"
    if implicit:
        return ("runAsNonRoot != true", f"pod or {_plural('container', 'containers', len(implicit))} "
                                        f"{_join_quote(implicit)} must set securityContext.runAsNonRoot=true")
    return None


def _run_as_user(meta, spec):
    setters = []
    if (spec.get("securityContext") or {}).get("runAsUser") == 0:
        setters.append("pod")
    names = [c.get("name", "") for c in _containers(spec) if _sc(c).get("runAsUser") == 0]
    if names:
        setters.append(f"{_plural('container', 'containers', len(names))} {_join_quote(names)}")
    return ("runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0") if setters else None


def _seccomp_restricted(meta, spec):
    setters, values = [], set()
    pod_type = ((spec.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    pod_ok = pod_type in ("RuntimeDefault", "Localhost")
    if pod_type is not None and not pod_ok:
        setters.append("pod")
        values.add(pod_type)
    explicit, implicit = [], []
    for c in _containers(spec):
        t = (_sc(c).get("seccompProfile") or {}).get("type")
        if t is not None:
            if t not in ("RuntimeDefault", "Localhost"):
                explicit.append(c.get("name", ""))
                values.add(t)
        elif not pod_ok:
            implicit.append(c.get("name", ""))
    if explicit:
        setters.append(f"{_plural('container', 'containers', len(explicit))} {_join_quote(explicit)}")
    if setters:
        return ("seccompProfile", f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
                                  f"{_join_quote(sorted(values))}")
    if implicit:
        return ("seccompProfile", f"pod or {_plural('container', 'containers', len(implicit))} "
                                  f"{_join_quote(implicit)} must set securityContext.seccompProfile.type to "
                                  '"RuntimeDefault" or "Localhost"')
    return None


# (check ID, level, function, the baseline check a restricted one overrides), in ID order as the
# policy's registry orders them
CHECKS = (
    ("allowPrivilegeEscalation", "restricted", _allow_privilege_escalation, None),
    ("capabilities_baseline", "baseline", _capabilities_baseline, None),
    ("capabilities_restricted", "restricted", _capabilities_restricted, "capabilities_baseline"),
    ("hostNamespaces", "baseline", _host_namespaces, None),
    ("hostPathVolumes", "baseline", _host_path_volumes, None),
    ("hostPorts", "baseline", _host_ports, None),
    ("privileged", "baseline", _privileged, None),
    ("procMount", "baseline", _proc_mount, None),
    ("restrictedVolumes", "restricted", _restricted_volumes, "hostPathVolumes"),
    ("runAsNonRoot", "restricted", _run_as_non_root, None),
    ("runAsUser", "restricted", _run_as_user, None),
    ("seccompProfile_baseline", "baseline", _seccomp_baseline, None),
    ("seccompProfile_restricted", "restricted", _seccomp_restricted, "seccompProfile_baseline"),
    ("sysctls", "baseline", _sysctls, None),
    ("windowsHostProcess", "baseline", _host_process, None),
)


def evaluate(level: str, meta: dict, spec: dict) -> list[tuple[str, str]]:
    """(reason, detail) of every check the pod fails at that level; [] when allowed."""
    if level not in ("baseline", "restricted"):
        return []
    wanted = [c for c in CHECKS if c[1] == "baseline" or level == "restricted"]
    overridden = {c[3] for c in wanted if c[3]}
    out = []
    for cid, _lvl, fn, _over in wanted:
        if cid in overridden:
            continue
        r = fn(meta or {}, spec or {})
        if r:
            out.append(r)
    return out


_VERSION = re.compile(r"v1\.(?:[0-9]|[1-9][0-9]*)")


def _version_ok(v: str) -> bool:
    return v == "latest" or _VERSION.fullmatch(v) is not None


def label_errors(labels: dict | None) -> list[tuple[str, str]]:
    """pod-security-admission's PolicyToEvaluate errors, in its order (enforce, audit, warn; each
    level then version): the field errors a Namespace create or update is refused with."""
    labels = labels or {}
    out = []
    for mode in ("enforce", "audit", "warn"):
        key = PREFIX + mode
        if key in labels and labels[key] not in LEVELS:
            out.append(invalid(f"metadata.labels[{key}]", labels[key], "must be one of " + ", ".join(LEVELS)))
        vkey = key + "-version"
        if vkey in labels and not _version_ok(str(labels[vkey])):
            out.append(invalid(f"metadata.labels[{vkey}]", labels[vkey], 'must be "latest" or "v1.x"'))
    return out


def policy(namespace: dict | None) -> dict[str, tuple[str, str]]:
    """mode -> (level, version) from the namespace's labels (modes with no level label are
    absent). As PolicyToEvaluate parses them: a level it cannot read is restricted for enforce
    (fail closed) and privileged for audit and warn (fail open); a bad version is latest."""
    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    out = {}
    for mode in ("enforce", "audit", "warn"):
        if PREFIX + mode not in labels:
            continue
        level = labels[PREFIX + mode]
        if level not in LEVELS:
            level = "restricted" if mode == "enforce" else "privileged"
        version = labels.get(f"{PREFIX}{mode}-version") or "latest"
        out[mode] = (level, version if _version_ok(version) else "latest")
    return out


def text(results: list[tuple[str, str]]) -> str:
    return ", ".join(f"{r} ({d})" for r, d in results)


def admit_pod(namespace: dict | None, pod: dict) -> tuple[str | None, list[str]]:
    """(the enforce refusal or None, the warnings) for a pod being created."""
    pol = policy(namespace)
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    refusal, warnings = None, []
    if "enforce" in pol:
        level, version = pol["enforce"]
        failed = evaluate(level, meta, spec)
        if failed:
            refusal = f'violates PodSecurity "{level}:{version}": {text(failed)}'
    if "warn" in pol and refusal is None:
        level, version = pol["warn"]
        failed = evaluate(level, meta, spec)
        if failed:
            warnings.append(f'would violate PodSecurity "{level}:{version}": {text(failed)}')
    return refusal, warnings


def workload_warnings(namespace: dict | None, obj: dict) -> list[str]:
    """The warnings for a workload's pod template: enforce and warn levels, never a refusal."""
    path = WORKLOADS.get(obj.get("kind", ""))
    if path is None:
        return []
    tmpl = obj
    for p in path:
        tmpl = (tmpl or {}).get(p) if isinstance(tmpl, dict) else None
    if not isinstance(tmpl, dict):
        return []
    pol = policy(namespace)
    out, seen = [], set()
    for mode in ("enforce", "warn"):
        if mode not in pol or pol[mode] in seen:
            continue
        seen.add(pol[mode])
        level, version = pol[mode]
        failed = evaluate(level, tmpl.get("metadata") or {}, tmpl.get("spec") or {})
        if failed:
            out.append(f'would violate PodSecurity "{level}:{version}": {text(failed)}')
    return out


def namespace_warnings(old_ns: dict | None, new_ns: dict, pods: list[dict]) -> list[str]:
    """A namespace whose enforce policy changes: the existing pods the new level would refuse,
    grouped by their reasons (`web-0 (and 2 other pods): ...`), after the headline warning."""
    new = policy(new_ns).get("enforce")
    old = policy(old_ns).get("enforce") or ("privileged", "latest")
    if new is None or new == old or new[0] == "privileged":
        return []
    if new[1] == old[1] and LEVELS.index(new[0]) <= LEVELS.index(old[0]):
        return []                         # the same version, relaxed: nothing to dry-run
    groups: dict[tuple, list[str]] = {}
    for pod in pods:
        failed = evaluate(new[0], pod.get("metadata") or {}, pod.get("spec") or {})
        if failed:
            groups.setdefault(tuple(r for r, _ in failed), []).append(pod["metadata"]["name"])
    if not groups:
        return []
    ns = new_ns["metadata"]["name"]
    out = [f'existing pods in namespace "{ns}" violate the new PodSecurity enforce level "{new[0]}:{new[1]}"']
    lines = []
    for reasons, names in groups.items():
        first = min(names)
        who = {1: first, 2: f"{first} (and 1 other pod)"}.get(len(names), f"{first} (and {len(names) - 1} other pods)")
        lines.append(f"{who}: {', '.join(reasons)}")
    return out + sorted(lines)            # EvaluatePodsInNamespace sorts them
