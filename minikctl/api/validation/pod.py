"""PodSpec: containers, ports, env, volumes and mounts, probes, tolerations, and the pod update rule.

The biggest body of rules, shared by Pods and every workload template (workloads.py validates
templates through `validate_pod_spec`). The update rule lives here too: a Pod's spec is
immutable but for the few fields the refusal lists (images, activeDeadlineSeconds, added
tolerations ...), and the refusal prints a diff of what changed.
"""
from __future__ import annotations

import json

from minikctl.api.validation.fields import (GoRaw, _is_int, config_map_key, dns1123_label,
                                            dns1123_subdomain, duplicate, forbidden, go_quote,
                                            invalid, label_value, nonnegative, not_found,
                                            not_supported, port_name, port_num, qualified_name,
                                            relaxed_env_name, required, valid_ip)
from minikctl.api.validation.meta import (validate_labels, validate_object_meta,
                                          validate_object_meta_update)


# ---------------------------------------------------------------------------------------------
# Pod spec

_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_VOLUME_SOURCES = ("hostPath", "emptyDir", "gitRepo", "secret", "nfs", "persistentVolumeClaim",
                   "downwardAPI", "configMap", "projected", "csi", "ephemeral", "image")


def _validate_volumes(volumes, path: str) -> tuple[set[str], list[tuple[str, str]]]:
    errs: list[tuple[str, str]] = []
    names: set[str] = set()
    for i, vol in enumerate(volumes or []):
        p = f"{path}[{i}]"
        el = _validate_volume_source(vol, p)
        name = vol.get("name") or ""
        if not name:
            el.append(required(f"{p}.name"))
        else:
            el += [invalid(f"{p}.name", name, m) for m in dns1123_label(name)]
        if name in names:
            el.append(duplicate(f"{p}.name", name))
        if not el:
            names.add(name)
        errs += el
    return names, errs


def _validate_volume_source(vol: dict, p: str) -> list[tuple[str, str]]:
    errs = []
    present = [k for k in _VOLUME_SOURCES if vol.get(k) is not None]
    if not present:
        return [required(p, "must specify a volume type")]
    for extra in present[1:]:
        errs.append(forbidden(f"{p}.{extra}", "may not specify more than 1 volume type"))
    src = present[0]
    body = vol[src] or {}
    if src == "hostPath" and not body.get("path"):
        errs.append(required(f"{p}.hostPath.path"))
    elif src == "secret" and not body.get("secretName"):
        errs.append(required(f"{p}.secret.secretName"))
    elif src == "configMap" and not body.get("name"):
        errs.append(required(f"{p}.configMap.name"))
    elif src == "persistentVolumeClaim" and not body.get("claimName"):
        errs.append(required(f"{p}.persistentVolumeClaim.claimName"))
    elif src == "nfs":
        if not body.get("server"):
            errs.append(required(f"{p}.nfs.server"))
        if not body.get("path"):
            errs.append(required(f"{p}.nfs.path"))
    return errs


def _validate_ports(ports, path: str) -> list[tuple[str, str]]:
    errs = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        p = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = port_name(name)
            if msgs:
                errs += [invalid(f"{p}.name", name, m) for m in msgs]
            elif name in names:
                errs.append(duplicate(f"{p}.name", name))
            else:
                names.add(name)
        cp = port.get("containerPort")
        if not cp:
            errs.append(required(f"{p}.containerPort"))
        else:
            errs += [invalid(f"{p}.containerPort", cp, m) for m in port_num(cp)]
        if port.get("hostPort"):
            errs += [invalid(f"{p}.hostPort", port["hostPort"], m) for m in port_num(port["hostPort"])]
        proto = port.get("protocol") or ""
        if not proto:
            errs.append(required(f"{p}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", proto, _PROTOCOLS))
    return errs


def _validate_env(env, path: str) -> list[tuple[str, str]]:
    errs = []
    for i, ev in enumerate(env or []):
        p = f"{path}[{i}]"
        name = ev.get("name") or ""
        if not name:
            errs.append(required(f"{p}.name"))
        errs += [invalid(f"{p}.name", name, m) for m in relaxed_env_name(name)]
        vf = ev.get("valueFrom")
        if vf is not None:
            sources = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
                       if vf.get(k) is not None]
            vp = f"{p}.valueFrom"
            if ev.get("value"):
                errs.append(invalid(vp, "", "may not be specified when `value` is not empty"))
            if not sources:
                errs.append(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                            "`configMapKeyRef` or `secretKeyRef`"))
            elif len(sources) > 1:
                errs.append(invalid(vp, "", "may not have more than one field specified at a time"))
            else:
                ref = vf[sources[0]] or {}
                rp = f"{vp}.{sources[0]}"
                if sources[0] in ("configMapKeyRef", "secretKeyRef"):
                    if not ref.get("name"):
                        errs.append(required(f"{rp}.name"))
                    if not ref.get("key"):
                        errs.append(required(f"{rp}.key"))
                    else:
                        errs += [invalid(f"{rp}.key", ref["key"], m) for m in config_map_key(ref["key"])]
                elif sources[0] == "fieldRef" and not ref.get("fieldPath"):
                    errs.append(required(f"{rp}.fieldPath"))
                elif sources[0] == "resourceFieldRef" and not ref.get("resource"):
                    errs.append(required(f"{rp}.resource"))
    return errs


def _validate_port_num_or_name(value, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [invalid(path, value, m) for m in port_name(value)]
    return [invalid(path, value, m) for m in port_num(value)]


def _validate_probe(probe, path: str, liveness: bool) -> list[tuple[str, str]]:
    if not probe:
        return []
    errs = []
    handlers = [k for k in ("exec", "httpGet", "tcpSocket", "grpc") if probe.get(k) is not None]
    if not handlers:
        errs.append(required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        errs.append(forbidden(f"{path}.{extra}", "may not specify more than 1 handler type"))
    if handlers:
        h = handlers[0]
        body = probe[h] or {}
        if h == "exec" and not body.get("command"):
            errs.append(required(f"{path}.exec.command"))
        elif h in ("httpGet", "tcpSocket"):
            errs += _validate_port_num_or_name(body.get("port", 0), f"{path}.{h}.port")
        elif h == "grpc":
            errs += [invalid(f"{path}.grpc.port", body.get("port", 0), m) for m in port_num(body.get("port", 0))]
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                "failureThreshold"):
        errs += nonnegative(f"{path}.{key}", probe.get(key))
    if liveness and _is_int(probe.get("successThreshold")) and probe["successThreshold"] != 1:
        errs.append(invalid(f"{path}.successThreshold", probe["successThreshold"], "must be 1"))
    return errs


def _validate_container(c: dict, path: str, volumes: set[str], init: bool) -> list[tuple[str, str]]:
    errs = []
    name = c.get("name") or ""
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs += [invalid(f"{path}.name", name, m) for m in dns1123_label(name)]
    image = c.get("image") or ""
    if not image:
        errs.append(required(f"{path}.image"))
    elif image != image.strip():
        errs.append(invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    errs += _validate_ports(c.get("ports"), f"{path}.ports")
    errs += _validate_env(c.get("env"), f"{path}.env")
    errs += _validate_volume_mounts(c.get("volumeMounts"), f"{path}.volumeMounts", volumes)
    policy = c.get("imagePullPolicy") or ""
    if not policy:
        errs.append(required(f"{path}.imagePullPolicy"))
    elif policy not in ("Always", "IfNotPresent", "Never"):
        errs.append(not_supported(f"{path}.imagePullPolicy", policy, ["Always", "IfNotPresent", "Never"]))
    return errs


def _validate_regular_only(c: dict, path: str) -> list[tuple[str, str]]:
    """What validateContainers checks after the name-uniqueness check: probes, restartPolicy."""
    errs = _validate_probe(c.get("livenessProbe"), f"{path}.livenessProbe", True)
    errs += _validate_probe(c.get("readinessProbe"), f"{path}.readinessProbe", False)
    errs += _validate_probe(c.get("startupProbe"), f"{path}.startupProbe", True)
    if c.get("restartPolicy") is not None:
        errs.append(forbidden(f"{path}.restartPolicy", "may not be set for non-init containers"))
    return errs


def _validate_volume_mounts(mounts, path: str, volumes: set[str]) -> list[tuple[str, str]]:
    errs = []
    seen: set[str] = set()
    for i, m in enumerate(mounts or []):
        p = f"{path}[{i}]"
        name = m.get("name") or ""
        if not name:
            errs.append(required(f"{p}.name"))
        if name not in volumes:
            errs.append(not_found(f"{p}.name", name))
        mp = m.get("mountPath") or ""
        if not mp:
            errs.append(required(f"{p}.mountPath"))
        if mp in seen:
            errs.append(invalid(f"{p}.mountPath", mp, "must be unique"))
        seen.add(mp)
    return errs


def _validate_containers(containers, path: str, volumes: set[str], names: set[str],
                         init: bool) -> list[tuple[str, str]]:
    if not containers:
        return [] if init else [required(path)]
    errs = []
    for i, c in enumerate(containers):
        p = f"{path}[{i}]"
        errs += _validate_container(c, p, volumes, init)
        name = c.get("name") or ""
        if name in names:
            errs.append(duplicate(f"{p}.name", name))
        else:
            names.add(name)
        if not init:
            errs += _validate_regular_only(c, p)
    return errs


def _go_toleration(t: dict) -> GoRaw:
    secs = t.get("tolerationSeconds")
    secs_s = "(*int64)(nil)" if secs is None else f"(*int64)({secs})"
    return GoRaw("core.Toleration{Key:%s, Operator:%s, Value:%s, Effect:%s, TolerationSeconds:%s}" % (
        go_quote(t.get("key", "")), go_quote(t.get("operator", "")), go_quote(t.get("value", "")),
        go_quote(t.get("effect", "")), secs_s))


def _validate_tolerations(tols, path: str) -> list[tuple[str, str]]:
    errs = []
    effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
    for i, t in enumerate(tols or []):
        p = f"{path}[{i}]"
        key, op = t.get("key") or "", t.get("operator") or ""
        if key:
            errs += [invalid(f"{p}.key", key, m) for m in qualified_name(key)]
        if not key and op != "Exists":
            errs.append(invalid(f"{p}.operator", op, "operator must be Exists when `key` is empty, "
                                                     "which means \"match all values and all keys\""))
        if t.get("tolerationSeconds") is not None and t.get("effect") != "NoExecute":
            errs.append(invalid(f"{p}.effect", t.get("effect") or "",
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            msgs = label_value(t.get("value") or "")
            if msgs:
                errs.append(invalid(f"{p}.operator", t.get("value") or "", ";".join(msgs)))
        elif op == "Exists":
            if t.get("value"):
                errs.append(invalid(f"{p}.operator", _go_toleration(t),
                                    "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{p}.operator", op, ["Equal", "Exists"]))
        if t.get("effect") and t["effect"] not in effects:
            errs.append(not_supported(f"{p}.effect", t["effect"], effects))
    return errs


def validate_pod_spec(spec: dict, path: str) -> list[tuple[str, str]]:
    """ValidatePodSpec, the checks a CKA manifest can trip, in the apiserver's order."""
    errs = []
    volumes, verrs = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs += verrs
    names: set[str] = set()
    errs += _validate_containers(spec.get("initContainers"), f"{path}.initContainers", volumes, names, True)
    errs += _validate_containers(spec.get("containers"), f"{path}.containers", volumes, names, False)
    rp = spec.get("restartPolicy") or ""
    if not rp:
        errs.append(required(f"{path}.restartPolicy"))
    elif rp not in ("Always", "OnFailure", "Never"):
        errs.append(not_supported(f"{path}.restartPolicy", rp, ["Always", "OnFailure", "Never"]))
    dp = spec.get("dnsPolicy") or ""
    dns_policies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
    if not dp:
        errs.append(required(f"{path}.dnsPolicy"))
    elif dp not in dns_policies:
        errs.append(not_supported(f"{path}.dnsPolicy", dp, dns_policies))
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    if dp == "None" and not (spec.get("dnsConfig") or {}).get("nameservers"):
        errs.append(required(f"{path}.dnsConfig.nameservers",
                             "must provide at least one DNS nameserver when DNS policy is None"))
    for i, ns in enumerate((spec.get("dnsConfig") or {}).get("nameservers") or []):
        errs += valid_ip(f"{path}.dnsConfig.nameservers[{i}]", ns)
    for key, rule in (("serviceAccountName", dns1123_subdomain), ("nodeName", dns1123_subdomain)):
        if spec.get(key):
            errs += [invalid(f"{path}.{key}", spec[key], m) for m in rule(spec[key])]
    ads = spec.get("activeDeadlineSeconds")
    if ads is not None and _is_int(ads) and not 1 <= ads <= 2**31 - 1:
        errs.append(invalid(f"{path}.activeDeadlineSeconds", ads, f"must be between 1 and {2**31 - 1}, inclusive"))
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs += [invalid(f"{path}.{key}", spec[key], m) for m in dns1123_label(spec[key])]
    errs += _validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    for i, ha in enumerate(spec.get("hostAliases") or []):
        errs += valid_ip(f"{path}.hostAliases[{i}].ip", ha.get("ip") or "")
        for j, hn in enumerate(ha.get("hostnames") or []):
            errs += [invalid(f"{path}.hostAliases[{i}].hostnames[{j}]", hn, m) for m in dns1123_subdomain(hn)]
    return errs


def _validate_pod(pod: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(pod, True)
    errs += validate_pod_spec(pod.get("spec") or {}, "spec")
    return errs


_POD_UPDATABLE = ("`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                  "`spec.tolerations` (only additions to existing tolerations),"
                  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")


def _go_field(name: str) -> str:
    special = {"dnsPolicy": "DNSPolicy", "dnsConfig": "DNSConfig", "hostIPC": "HostIPC",
               "hostPID": "HostPID", "setHostnameAsFQDN": "SetHostnameAsFQDN", "os": "OS"}
    return special.get(name, name[:1].upper() + name[1:])


def _pod_spec_diff(old: dict, new: dict) -> str:
    """A go-cmp shaped summary of what changed (the real one dumps the internal structs)."""
    lines = ["  core.PodSpec{"]
    keys = sorted(set(old) | set(new))
    same = 0
    for k in keys:
        if old.get(k) == new.get(k):
            same += 1
            continue
        if k in old:
            lines.append(f"- \t{_go_field(k)}: {json.dumps(old[k], sort_keys=True)},")
        if k in new:
            lines.append(f"+ \t{_go_field(k)}: {json.dumps(new[k], sort_keys=True)},")
    if same:
        lines.append(f"  \t... // {same} identical fields")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def _validate_pod_update(pod: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(pod, old)
    errs += _validate_pod(pod)
    new_spec, old_spec = pod.get("spec") or {}, old.get("spec") or {}
    munged = json.loads(json.dumps(new_spec))
    for key in ("containers", "initContainers"):
        olds = old_spec.get(key) or []
        for i, c in enumerate(munged.get(key) or []):
            if i < len(olds) and "image" in olds[i]:
                c["image"] = olds[i]["image"]
    if "activeDeadlineSeconds" in old_spec:
        munged["activeDeadlineSeconds"] = old_spec["activeDeadlineSeconds"]
    else:
        munged.pop("activeDeadlineSeconds", None)
    old_tols = old_spec.get("tolerations") or []
    new_tols = munged.get("tolerations") or []
    if all(t in new_tols for t in old_tols):
        if old_tols:
            munged["tolerations"] = old_tols
        else:
            munged.pop("tolerations", None)
    tgps = old_spec.get("terminationGracePeriodSeconds")
    if _is_int(tgps) and tgps < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = tgps
    if munged != old_spec:
        errs.append(forbidden("spec", f"pod updates may not change fields other than {_POD_UPDATABLE}\n"
                                      + _pod_spec_diff(old_spec, munged)))
    return errs


