"""describe horizontalpodautoscaler (describeHorizontalPodAutoscalerV2, kubectl 1.32): reference,
each metric as `( current / target )`, replica bounds, behavior, pods, conditions, events."""
from __future__ import annotations

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline)
from minikctl.timeutil import parse, rfc1123z


def _current(statuses: list, i: int, key: str) -> dict | None:
    st = statuses[i] if i < len(statuses) and isinstance(statuses[i], dict) else {}
    src = st.get(key)
    return (src or {}).get("current") if src else None


def _resource_line(w: Writer, m: dict, statuses: list, i: int, key: str, head: str) -> None:
    src = m.get(key) or {}
    target = src.get("target") or {}
    w.write(1, head)
    cur = _current(statuses, i, key)
    if target.get("averageValue") is not None:
        w.write(0, f":\t{(cur or {}).get('averageValue', '<unknown>') if cur is not None else '<unknown>'} / "
                   f"{target['averageValue']}\n")
        return
    current = "<unknown>"
    if cur is not None and cur.get("averageUtilization") is not None:
        current = f"{cur['averageUtilization']}% ({cur.get('averageValue', '0')})"
    tgt = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    w.write(1, f"(as a percentage of request):\t{current} / {tgt}\n")


def _behavior(w: Writer, direction: str, rules: dict | None) -> None:
    if rules is None:
        return
    w.write(1, f"{direction}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    if rules.get("policies"):
        w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.write(2, "Policies:\n")
        for p in rules["policies"]:
            w.write(3, f"- Type: {p.get('type')}\tValue: {p.get('value')}\tPeriod: {p.get('periodSeconds')} seconds\n")


def describe(hpa: dict, view) -> str:
    meta, spec, st = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    statuses = st.get("currentMetrics") or []
    ref = spec.get("scaleTargetRef") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(parse(meta.get('creationTimestamp')))}\n")
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    for i, m in enumerate(spec.get("metrics") or []):
        typ = m.get("type")
        if typ == "Resource":
            _resource_line(w, m, statuses, i, "resource", f"resource {g(m, 'resource', 'name', default='')} on pods")
        elif typ == "ContainerResource":
            src = m.get("containerResource") or {}
            _resource_line(w, m, statuses, i, "containerResource",
                           f'resource {src.get("name", "")} of container "{src.get("container", "")}" on pods')
        elif typ == "Pods":
            cur = _current(statuses, i, "pods")
            w.write(1, f'"{g(m, "pods", "metric", "name", default="")}" on pods:\t'
                       f'{(cur or {}).get("averageValue", "<unknown>")} / {g(m, "pods", "target", "averageValue", default="")}\n')
        elif typ in ("Object", "External"):
            key = typ.lower()
            target = g(m, key, "target", default={}) or {}
            cur = _current(statuses, i, key) or {}
            name = g(m, key, "metric", "name", default="")
            if typ == "Object":
                obj = g(m, "object", "describedObject", default={}) or {}
                w.write(1, f'"{name}" on {obj.get("kind", "")}/{obj.get("name", "")} ')
                lead, level = "", 0
            else:
                lead, level = f'"{name}" ', 1
            if target.get("averageValue") is not None:
                w.write(level, f"{lead}(target average value):\t{cur.get('averageValue', '<unknown>')} / {target['averageValue']}\n")
            else:
                w.write(level, f"{lead}(target value):\t{cur.get('value', '<unknown>')} / {target.get('value', '')}\n")
        else:
            w.write(1, f'<unknown metric type "{typ}">\n')
    w.write(0, f"Min replicas:\t{spec['minReplicas'] if spec.get('minReplicas') is not None else '<unset>'}\n")
    w.write(0, f"Max replicas:\t{int(spec.get('maxReplicas') or 0)}\n")
    if spec.get("behavior") is not None:
        w.write(0, "Behavior:\n")
        _behavior(w, "Scale Up", spec["behavior"].get("scaleUp"))
        _behavior(w, "Scale Down", spec["behavior"].get("scaleDown"))
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{int(st.get('currentReplicas') or 0)} current / {int(st.get('desiredReplicas') or 0)} desired\n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{c.get('reason')}\t{c.get('message')}\n")
    describe_events(w, events_for(hpa, view), view.now)
    return w.render()
