"""describe pod (describePod), plus the container / volume / pod-template sections that the
workload describers reuse (describeContainers, describeVolumes, DescribePodTemplate)."""
from __future__ import annotations

from minikctl.api.selectors import format_label_selector
from minikctl.printers.describe import (Writer, annotations_multiline, controller_of, describe_events,
                                        events_for, g, labels_multiline, time_str,
                                        tolerations_multiline, translate_timestamp_since)


def _ports(ports: list | None, field: str) -> str:
    return ", ".join(f"{int(p.get(field) or 0)}/{p.get('protocol') or 'TCP'}" for p in ports or [])


def _state(w: Writer, name: str, state: dict | None) -> None:
    """describeStatus."""
    state = state or {}
    if state.get("running") is not None:
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{time_str(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{name}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{int(t.get('exitCode') or 0)}\n")
        if int(t.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{int(t['signal'])}\n")
        w.write(3, f"Started:\t{time_str(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{time_str(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")


def _probe(p: dict) -> str:
    """DescribeProbe (defaults as the apiserver fills them)."""
    attrs = (f"delay={int(p.get('initialDelaySeconds') or 0)}s timeout={int(p.get('timeoutSeconds') or 1)}s "
             f"period={int(p.get('periodSeconds') or 10)}s #success={int(p.get('successThreshold') or 1)} "
             f"#failure={int(p.get('failureThreshold') or 3)}")
    if p.get("exec") is not None:
        return f"exec [{' '.join(p['exec'].get('command') or [])}] {attrs}"
    if p.get("httpGet") is not None:
        h = p["httpGet"]
        scheme = (h.get("scheme") or "HTTP").lower()
        return f"http-get {scheme}://{h.get('host') or ''}:{h.get('port')}{h.get('path') or ''} {attrs}"
    if p.get("tcpSocket") is not None:
        t = p["tcpSocket"]
        return f"tcp-socket {t.get('host') or ''}:{t.get('port')} {attrs}"
    return f"unknown {attrs}"


_FIELD_REFS = {
    "metadata.name": ("metadata", "name"), "metadata.namespace": ("metadata", "namespace"),
    "metadata.uid": ("metadata", "uid"), "spec.nodeName": ("spec", "nodeName"),
    "spec.serviceAccountName": ("spec", "serviceAccountName"), "status.hostIP": ("status", "hostIP"),
    "status.podIP": ("status", "podIP"),
}


def describe_containers(w: Writer, label: str, containers: list, statuses: list | None,
                        pod: dict | None, space: str = "") -> None:
    """describeContainers: one block per container, fields at LEVEL_2."""
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for c in containers:
        st = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
        if st is not None:
            w.write(2, f"Container ID:\t{st.get('containerID') or ''}\n")
        w.write(2, f"Image:\t{c.get('image') or ''}\n")
        if st is not None:
            w.write(2, f"Image ID:\t{st.get('imageID') or ''}\n")
        ports = _ports(c.get("ports"), "containerPort")
        w.write(2, f"Ports:\t{ports}\n" if "," in ports else f"Port:\t{ports or '<none>'}\n")
        hports = _ports(c.get("ports"), "hostPort")
        w.write(2, f"Host Ports:\t{hports}\n" if "," in hports else f"Host Port:\t{hports or '<none>'}\n")
        for key, title in (("command", "Command"), ("args", "Args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for arg in c[key]:
                    for s in str(arg).split("\n"):
                        w.write(3, f"{s}\n")
        if st is not None:
            _state(w, "State", st.get("state"))
            if g(st, "lastState", "terminated") is not None:
                _state(w, "Last State", st.get("lastState"))
            w.write(2, f"Ready:\t{'True' if st.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{int(st.get('restartCount') or 0)}\n")
        for key, title in (("limits", "Limits"), ("requests", "Requests")):
            res = g(c, "resources", key) or {}
            if res:
                w.write(2, f"{title}:\n")
            for name in sorted(res):
                w.write(3, f"{name}:\t{res[name]}\n")
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                           ("startupProbe", "Startup")):
            if c.get(key) is not None:
                w.write(2, f"{title}:\t{_probe(c[key])}\n")
        if c.get("envFrom"):
            w.write(2, "Environment Variables from:\n")
            for e in c["envFrom"]:
                ref, frm = (e.get("configMapRef"), "ConfigMap") if e.get("configMapRef") else \
                    (e.get("secretRef") or {}, "Secret")
                opt = "true" if (ref or {}).get("optional") else "false"
                pre = f" with prefix '{e['prefix']}'" if e.get("prefix") else ""
                w.write(3, f"{(ref or {}).get('name', '')}\t{frm}{pre}\tOptional: {opt}\n")
        env = c.get("env") or []
        w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
        for e in env:
            vf = e.get("valueFrom")
            if vf is None:
                for i, s in enumerate(str(e.get("value") or "").split("\n")):
                    w.write(3, f"{e['name']}:\t{s}\n" if i == 0 else f"\t{s}\n")
            elif vf.get("fieldRef") is not None:
                fr = vf["fieldRef"]
                path = _FIELD_REFS.get(fr.get("fieldPath", ""))
                value = (g(pod, *path) or "") if (pod is not None and path) else ""
                w.write(3, f"{e['name']}:\t{value} ({fr.get('apiVersion') or 'v1'}:{fr.get('fieldPath')})\n")
            elif vf.get("secretKeyRef") is not None:
                r = vf["secretKeyRef"]
                w.write(3, f"{e['name']}:\t<set to the key '{r.get('key')}' in secret '{r.get('name')}'>\t"
                           f"Optional: {'true' if r.get('optional') else 'false'}\n")
            elif vf.get("configMapKeyRef") is not None:
                r = vf["configMapKeyRef"]
                w.write(3, f"{e['name']}:\t<set to the key '{r.get('key')}' of config map '{r.get('name')}'>\t"
                           f"Optional: {'true' if r.get('optional') else 'false'}\n")
        mounts = c.get("volumeMounts") or []
        w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
        for m in sorted(mounts, key=lambda m: m.get("mountPath") or ""):
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def _bool(v) -> str:
    return "true" if v else "false"


def describe_volumes(w: Writer, volumes: list | None, space: str = "") -> None:
    """describeVolumes for the volume types minikctl pods use."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        if v.get("hostPath") is not None:
            h = v["hostPath"]
            w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{h.get('path')}\n"
                       f"    HostPathType:\t{h.get('type') or '<none>'}\n")
        elif v.get("emptyDir") is not None:
            e = v["emptyDir"]
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{e.get('medium') or ''}\n    SizeLimit:\t{e.get('sizeLimit') or '<unset>'}\n")
        elif v.get("secret") is not None:
            s = v["secret"]
            w.write(2, f"Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{s.get('secretName')}\n"
                       f"    Optional:\t{_bool(s.get('optional'))}\n")
        elif v.get("configMap") is not None:
            c = v["configMap"]
            w.write(2, f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{c.get('name')}\n"
                       f"    Optional:\t{_bool(c.get('optional'))}\n")
        elif v.get("persistentVolumeClaim") is not None:
            c = v["persistentVolumeClaim"]
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                       f"namespace)\n    ClaimName:\t{c.get('claimName')}\n    ReadOnly:\t{_bool(c.get('readOnly'))}\n")
        elif v.get("projected") is not None:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
            for src in v["projected"].get("sources") or []:
                if src.get("secret") is not None:
                    opt = src["secret"].get("optional")
                    w.write(2, f"SecretName:\t{src['secret'].get('name')}\n"
                               f"    SecretOptional:\t{'<nil>' if opt is None else _bool(opt)}\n")
                elif src.get("downwardAPI") is not None:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif src.get("configMap") is not None:
                    w.write(2, f"ConfigMapName:\t{src['configMap'].get('name')}\n"
                               f"    ConfigMapOptional:\t{'<nil>' if src['configMap'].get('optional') is None else _bool(src['configMap']['optional'])}\n")
                elif src.get("serviceAccountToken") is not None:
                    w.write(2, f"TokenExpirationSeconds:\t{int(src['serviceAccountToken'].get('expirationSeconds') or 3600)}\n")
        elif v.get("downwardAPI") is not None:
            w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
            for it in v["downwardAPI"].get("items") or []:
                if it.get("fieldRef"):
                    w.write(3, f"{it['fieldRef'].get('fieldPath')} -> {it.get('path')}\n")
                if it.get("resourceFieldRef"):
                    w.write(3, f"{it['resourceFieldRef'].get('resource')} -> {it.get('path')}\n")
        else:
            w.write(1, "<unknown>\n")


def describe_topology(w: Writer, tscs: list | None, space: str = "") -> None:
    if not tscs:
        return
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for i, t in enumerate(sorted(tscs, key=lambda t: t.get("topologyKey") or "")):
        if i:
            w.write(0, f"{space}\t")
        s = f"{t.get('topologyKey')}:{t.get('whenUnsatisfiable')} when max skew {int(t.get('maxSkew') or 0)} is exceeded"
        if t.get("labelSelector") is not None:
            s += f" for selector {format_label_selector(t['labelSelector'])}"
        w.write(0, s + "\n")


def describe_pod_template(w: Writer, template: dict | None) -> None:
    """DescribePodTemplate (1.32: Node-Selectors and Tolerations always printed)."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    describe_topology(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"), initial="  ")


def qos_class(pod: dict) -> str:
    """status.qosClass, or computed as GetPodQOS does for the cpu/memory resources."""
    if g(pod, "status", "qosClass"):
        return pod["status"]["qosClass"]
    cs = (g(pod, "spec", "containers") or []) + (g(pod, "spec", "initContainers") or [])
    any_set, guaranteed = False, True
    for c in cs:
        req, lim = g(c, "resources", "requests") or {}, g(c, "resources", "limits") or {}
        for r in ("cpu", "memory"):
            if req.get(r) or lim.get(r):
                any_set = True
            if not lim.get(r) or (req.get(r) and req[r] != lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def describe(pod: dict, view) -> str:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{int(spec['priority'])}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not spec.get("nodeName"):
        w.write(0, "Node:\t<none>\n")
    else:
        w.write(0, f"Node:\t{spec['nodeName']}/{status.get('hostIP') or ''}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{time_str(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase") or ""
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {translate_timestamp_since(meta['deletionTimestamp'], view.now)})\n")
        w.write(0, f"Termination Grace Period:\t{int(meta.get('deletionGracePeriodSeconds') or 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP') or ''}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip')}\n")
    ref = controller_of(pod)
    if ref:
        w.write(0, f"Controlled By:\t{ref.get('kind')}/{ref.get('name')}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses"), pod)
    describe_containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"), pod)
    conds = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            st = next((c.get("status") for c in conds if c.get("type") == gate.get("conditionType")), "<none>")
            w.write(1, f"{gate.get('conditionType')} \t{st} \n")
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \n")
    describe_volumes(w, spec.get("volumes"))
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    describe_topology(w, spec.get("topologySpreadConstraints"))
    describe_events(w, events_for(pod, view), view.now)
    return w.render()
