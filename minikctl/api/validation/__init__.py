"""The apiserver's field validation for the kinds minikctl models, in its own words (v1.32).

`validate(obj, old)` returns causes `(field path, body)` in the order pkg/apis/core/validation
and pkg/apis/apps/validation append them; `errors.invalid(kind, name, causes)` turns them into
`The Service "x" is invalid: ...`. Bodies follow field.Error.ErrorBody: `Required value`,
`Invalid value: <value>: <detail>` with the value printed as Go prints it (ints bare, strings
quoted, other values `%#v`, e.g. `map[string]string{"app":"x"}`). Objects are validated after
defaulting, as the apiserver does. Strict decoding (unknown fields) happens before all this:
see `strict_decoding_error`.

This package was one module; it is split by idea: fields (Go rendering, field errors, format
rules), meta (object meta, labels, selectors), pod, service, workloads, others (the small
kinds), strict (strict decoding). This file holds the entry point that dispatches on kind and
re-exports the public names the flat module had, so `from minikctl.api.validation import X`
keeps working.
"""
from __future__ import annotations

from minikctl.api.validation.policy import validate_pdb
from minikctl.api.validation.batch import _validate_cronjob, _validate_job, _validate_job_update
from minikctl.api.validation.fields import (GoRaw, config_map_key, dns1035_label, dns1123_label,
                                            dns1123_subdomain, duplicate, forbidden,
                                            go_label_selector, go_quote, go_string_map, go_strings,
                                            go_v, invalid, label_value, max_len_error, nonnegative,
                                            not_found, not_supported, port_name, port_num,
                                            qualified_name, regex_error, relaxed_env_name,
                                            render_value, required, too_long, valid_ip)
from minikctl.api.validation.meta import (_IDENTITY, validate_annotations, validate_label_selector,
                                          validate_labels, validate_object_meta,
                                          validate_object_meta_update)
from minikctl.api.validation.others import (_validate_configmap, _validate_configmap_update,
                                            _validate_endpoints, _validate_endpointslice,
                                            _validate_event, _validate_namespace, _validate_node)
from minikctl.api.validation.ingress import (_validate_ingress, _validate_ingress_class,
                                             _validate_ingress_class_update)
from minikctl.api.validation.networking import _validate_network_policy
from minikctl.api.validation.secrets import (validate_secret, validate_secret_update,
                                             validate_service_account)
from minikctl.api.validation.rbac import (validate_binding, validate_binding_update, validate_role,
                                          validate_role_update)
from minikctl.api.validation.certificates import validate_csr, validate_csr_update
from minikctl.api.validation.scheduling import validate_priority_class
from minikctl.api.validation.pod import _validate_pod, _validate_pod_update, validate_pod_spec
from minikctl.api.validation.service import _validate_service, _validate_service_update
from minikctl.api.validation.storage import (validate_pv, validate_pv_update, validate_pvc,
                                             validate_pvc_update, validate_storageclass,
                                             validate_storageclass_update)
from minikctl.api.validation.strict import (decoding_message, render_strict_error,
                                            strict_decoding_error, strict_patch_message,
                                            strict_unknown_fields)
from minikctl.api.validation.autoscaling import validate_hpa
from minikctl.api.validation.workloads import (_selector_immutable, _validate_daemonset,
                                               _validate_deployment, _validate_replicaset,
                                               _validate_statefulset, _validate_statefulset_update)
from minikctl import lazy

admission_webhooks = lazy.module("minikctl.api.admission_webhooks")
gateway_api = lazy.module("minikctl.api.gateway_api")

# ---------------------------------------------------------------------------------------------
# Entry points

_CREATE = {
    "Pod": _validate_pod, "Service": _validate_service, "Deployment": _validate_deployment,
    "ReplicaSet": _validate_replicaset, "StatefulSet": _validate_statefulset,
    "DaemonSet": _validate_daemonset, "ConfigMap": _validate_configmap,
    "Namespace": _validate_namespace, "Node": _validate_node, "Endpoints": _validate_endpoints,
    "EndpointSlice": _validate_endpointslice, "Event": _validate_event,
    "NetworkPolicy": _validate_network_policy, "Ingress": _validate_ingress,
    "IngressClass": _validate_ingress_class,
    "PersistentVolumeClaim": validate_pvc, "PersistentVolume": validate_pv, "StorageClass": validate_storageclass,
    "Job": _validate_job, "CronJob": _validate_cronjob, "PodDisruptionBudget": validate_pdb,
    "Secret": validate_secret, "ServiceAccount": validate_service_account,
    "CertificateSigningRequest": validate_csr, "PriorityClass": validate_priority_class,
    "Role": validate_role, "ClusterRole": validate_role, "RoleBinding": validate_binding,
    "ClusterRoleBinding": validate_binding,
    "HorizontalPodAutoscaler": validate_hpa,
    "ValidatingWebhookConfiguration": lambda obj: _validate_webhooks(obj),
}


def _validate_webhooks(obj: dict) -> list[tuple[str, str]]:
    return admission_webhooks.validate(obj)

# Kinds whose update rules are more than object meta plus the create rules.
_UPDATE = {"Secret": validate_secret_update, "Job": _validate_job_update, "Role": validate_role_update,
           "ClusterRole": validate_role_update, "RoleBinding": validate_binding_update,
           "ClusterRoleBinding": validate_binding_update, "CertificateSigningRequest": validate_csr_update}


def validate(obj: dict, old: dict | None = None, kube_version: tuple = (1, 32)) -> list[tuple[str, str]]:
    """The causes the apiserver would reject this (defaulted) object with; [] when it is valid.

    With `old`, the update rules apply too: immutable names, Service clusterIPs, workload
    selectors, StatefulSet spec, Pod spec.
    """
    kind = obj.get("kind", "")
    if kind in ("GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant"):
        if old is None:
            return gateway_api.validate(obj)
        return validate_object_meta_update(obj, old) + [e for e in gateway_api.validate(obj, old)
                                                          if not e[0].startswith(_IDENTITY)]
    if old is None:
        fn = _CREATE.get(kind)
        return fn(obj) if fn else []
    if kind == "Pod":
        return _validate_pod_update(obj, old)
    if kind == "Service":
        return _validate_service_update(obj, old)
    if kind == "StatefulSet":
        return _validate_statefulset_update(obj, old)
    if kind == "ConfigMap":
        return _validate_configmap_update(obj, old)
    if kind == "IngressClass":
        return _validate_ingress_class_update(obj, old)
    if kind == "PersistentVolumeClaim":
        return validate_pvc_update(obj, old, kube_version)
    if kind == "PersistentVolume":
        return validate_pv_update(obj, old)
    if kind == "StorageClass":
        return validate_storageclass_update(obj, old)
    if kind in _UPDATE:
        return _UPDATE[kind](obj, old)
    errs = validate_object_meta_update(obj, old)
    fn = _CREATE.get(kind)
    rest = [e for e in fn(obj) if not e[0].startswith(_IDENTITY)] if fn else []
    if kind in ("Deployment", "ReplicaSet", "DaemonSet"):
        return errs + rest + _selector_immutable(obj, old)
    return errs + rest


__all__ = [
    "validate", "decoding_message", "render_strict_error", "strict_decoding_error", "strict_patch_message",
    "strict_unknown_fields", "GoRaw", "go_quote", "go_string_map", "go_strings", "go_label_selector", "go_v",
    "render_value", "required", "forbidden", "invalid", "duplicate", "not_found", "not_supported", "too_long",
    "regex_error", "max_len_error", "dns1123_label", "dns1123_subdomain", "dns1035_label", "qualified_name",
    "label_value", "port_name", "port_num", "config_map_key", "relaxed_env_name", "valid_ip", "nonnegative",
    "validate_labels", "validate_annotations", "validate_object_meta", "validate_object_meta_update",
    "validate_label_selector", "validate_pod_spec",
]
