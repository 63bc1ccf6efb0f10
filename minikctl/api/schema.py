"""Strict decoding (unknown fields, JSON type errors, nulls) over a tree of known fields.

Since 1.25 kubectl sends fieldValidation=Strict, so a misspelt field (`imagee`) is rejected by
the apiserver's decoder before any validation runs. The tree for a kind comes from Kubernetes'
own OpenAPI definition of its group-version-kind (api/openapi/decoding.py builds it from the same
data `explain` and serve's /openapi documents use); the compact hand-written description below
is the fallback for kinds the release has no definition of (the Gateway API's CRDs), where
subtrees minikctl does not model are opaque.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from minikctl import lazy

decoding = lazy.module("minikctl.api.openapi.decoding")
quantity = lazy.module("minikctl.api.quantity")


# ---------------------------------------------------------------------------------------------
# The description language


@dataclass(frozen=True)
class Scalar:
    name: str          # as explain shows it: string, integer, boolean, IntOrString, Quantity, Time
    go: str = ""       # the Go type named in JSON type errors (int32, int64, string, bool)


@dataclass(frozen=True)
class Opaque:
    name: str = "Object"  # accepted as is; not descended into


@dataclass(frozen=True)
class ListOf:
    item: object


@dataclass(frozen=True)
class MapOf:
    item: object


@dataclass
class Obj:
    name: str                                   # Go type name (explain's <Type>, JSON errors)
    fields: dict = field(default_factory=dict)  # json name -> (type, description)
    required: tuple = ()
    description: str = ""


STR = Scalar("string", "string")
INT = Scalar("integer", "int32")
INT64 = Scalar("integer", "int64")
BOOL = Scalar("boolean", "bool")
IOS = Scalar("IntOrString")
QTY = Scalar("Quantity")
TIME = Scalar("string")          # metav1.Time: an RFC 3339 string (or null)
STRS = ListOf(STR)
LABELS = MapOf(STR)
ANY = Opaque()


def type_name(t) -> str:
    """explain's rendering of a type: string, []Container, map[string]string, Object."""
    if isinstance(t, Scalar):
        return t.name
    if isinstance(t, Opaque):
        return t.name
    if isinstance(t, ListOf):
        return "[]" + type_name(t.item)
    if isinstance(t, MapOf):
        return "map[string]" + type_name(t.item)
    return t.name


# ---------------------------------------------------------------------------------------------
# Shared types

OBJECT_META = Obj("ObjectMeta", {
    "name": (STR, "Name must be unique within a namespace; cannot be updated."),
    "generateName": (STR, "Prefix the server uses to generate a unique name when name is empty."),
    "namespace": (STR, "The namespace the object lives in; empty for cluster-scoped objects."),
    "labels": (LABELS, "Map of string keys and values used to organize and select objects."),
    "annotations": (LABELS, "Unstructured key value map of arbitrary non-identifying metadata."),
    "uid": (STR, "Unique in time and space value for this object, set by the server."),
    "resourceVersion": (STR, "Opaque version of this object, used for optimistic concurrency."),
    "generation": (INT64, "Sequence number of the desired state, set by the server."),
    "creationTimestamp": (TIME, "When the object was created, set by the server."),
    "deletionTimestamp": (TIME, "When the object will be deleted, set by the server."),
    "deletionGracePeriodSeconds": (INT64, "Seconds allowed for graceful termination."),
    "ownerReferences": (ListOf(Obj("OwnerReference", {
        "apiVersion": (STR, "API version of the referent."),
        "kind": (STR, "Kind of the referent."),
        "name": (STR, "Name of the referent."),
        "uid": (STR, "UID of the referent."),
        "controller": (BOOL, "If true, this reference points to the managing controller."),
        "blockOwnerDeletion": (BOOL, "If true, the owner cannot be deleted before this object."),
    }, ("apiVersion", "kind", "name", "uid"))), "Objects this object depends on (garbage collection)."),
    "finalizers": (STRS, "Must be empty before the object is deleted from the registry."),
    "managedFields": (ListOf(ANY), "Which field manager owns which fields (server-side apply)."),
    "selfLink": (STR, "Deprecated; not set by the server."),
}, description="Standard object's metadata.")

LABEL_SELECTOR = Obj("LabelSelector", {
    "matchLabels": (LABELS, "Map of {key,value} pairs, each an 'In' requirement."),
    "matchExpressions": (ListOf(Obj("LabelSelectorRequirement", {
        "key": (STR, "The label key that the selector applies to."),
        "operator": (STR, "In, NotIn, Exists or DoesNotExist."),
        "values": (STRS, "Values for In/NotIn; must be empty for Exists/DoesNotExist."),
    }, ("key", "operator"))), "A list of label selector requirements, ANDed."),
}, description="A label query over a set of resources.")

OBJECT_REFERENCE = Obj("ObjectReference", {
    "apiVersion": (STR, "API version of the referent."),
    "kind": (STR, "Kind of the referent."),
    "namespace": (STR, "Namespace of the referent."),
    "name": (STR, "Name of the referent."),
    "uid": (STR, "UID of the referent."),
    "resourceVersion": (STR, "Specific resourceVersion the reference is made to."),
    "fieldPath": (STR, "A piece of the object, e.g. spec.containers{name}."),
})

KEY_TO_PATH = Obj("KeyToPath", {
    "key": (STR, "The key to project."),
    "path": (STR, "The relative path of the file to map the key to."),
    "mode": (INT, "Mode bits used to set permissions on this file."),
}, ("key", "path"))

OBJECT_FIELD_SELECTOR = Obj("ObjectFieldSelector", {
    "apiVersion": (STR, "Version of the schema the FieldPath is written in; defaults to v1."),
    "fieldPath": (STR, "Path of the field to select, e.g. metadata.name."),
}, ("fieldPath",))

RESOURCE_FIELD_SELECTOR = Obj("ResourceFieldSelector", {
    "containerName": (STR, "Container name: required for volumes, optional for env vars."),
    "resource": (STR, "Required: resource to select, e.g. limits.cpu."),
    "divisor": (QTY, "Output format of the exposed resources, defaults to 1."),
}, ("resource",))

DOWNWARD_API_FILE = Obj("DownwardAPIVolumeFile", {
    "path": (STR, "Relative path name of the file to be created."),
    "fieldRef": (OBJECT_FIELD_SELECTOR, "Selects a field of the pod."),
    "resourceFieldRef": (RESOURCE_FIELD_SELECTOR, "Selects a resource of the container."),
    "mode": (INT, "Mode bits used to set permissions on this file."),
}, ("path",))

RESOURCES = Obj("ResourceRequirements", {
    "limits": (MapOf(QTY), "Maximum amount of compute resources allowed."),
    "requests": (MapOf(QTY), "Minimum amount of compute resources required."),
    "claims": (ListOf(ANY), "Names of resources, defined in spec.resourceClaims, used by this container."),
}, description="Compute resource requirements.")

HTTP_GET = Obj("HTTPGetAction", {
    "path": (STR, "Path to access on the HTTP server."),
    "port": (IOS, "Name or number of the port to access on the container."),
    "host": (STR, "Host name to connect to, defaults to the pod IP."),
    "scheme": (STR, "Scheme to use for connecting to the host. Defaults to HTTP."),
    "httpHeaders": (ListOf(Obj("HTTPHeader", {
        "name": (STR, "The header field name."),
        "value": (STR, "The header field value."),
    }, ("name", "value"))), "Custom headers to set in the request."),
}, ("port",))

EXEC = Obj("ExecAction", {"command": (STRS, "Command line to execute inside the container.")})
TCP_SOCKET = Obj("TCPSocketAction", {
    "port": (IOS, "Number or name of the port to access on the container."),
    "host": (STR, "Optional: host name to connect to, defaults to the pod IP."),
}, ("port",))

PROBE = Obj("Probe", {
    "exec": (EXEC, "Exec specifies a command to execute in the container."),
    "httpGet": (HTTP_GET, "HTTPGet specifies an HTTP GET request to perform."),
    "tcpSocket": (TCP_SOCKET, "TCPSocket specifies a connection to a TCP port."),
    "grpc": (Obj("GRPCAction", {
        "port": (INT, "Port number of the gRPC service."),
        "service": (STR, "Name of the service to place in the gRPC HealthCheckRequest."),
    }, ("port",)), "GRPC specifies a GRPC HealthCheckRequest."),
    "initialDelaySeconds": (INT, "Seconds after the container has started before probes are initiated."),
    "timeoutSeconds": (INT, "Seconds after which the probe times out. Defaults to 1."),
    "periodSeconds": (INT, "How often (in seconds) to perform the probe. Defaults to 10."),
    "successThreshold": (INT, "Minimum consecutive successes to be considered successful. Defaults to 1."),
    "failureThreshold": (INT, "Minimum consecutive failures to be considered failed. Defaults to 3."),
    "terminationGracePeriodSeconds": (INT64, "Grace period for the pod when the probe fails."),
}, description="A health check to be performed against a container.")

LIFECYCLE_HANDLER = Obj("LifecycleHandler", {
    "exec": (EXEC, "Exec specifies a command to execute in the container."),
    "httpGet": (HTTP_GET, "HTTPGet specifies an HTTP GET request to perform."),
    "tcpSocket": (TCP_SOCKET, "Deprecated; kept for backward compatibility."),
    "sleep": (Obj("SleepAction", {"seconds": (INT64, "Seconds to sleep.")}, ("seconds",)),
              "Sleep represents a duration that the container should sleep."),
})

CONTAINER = Obj("Container", {
    "name": (STR, "Name of the container, a DNS_LABEL, unique within the pod."),
    "image": (STR, "Container image name."),
    "command": (STRS, "Entrypoint array; the image's ENTRYPOINT is used if not provided."),
    "args": (STRS, "Arguments to the entrypoint; the image's CMD is used if not provided."),
    "workingDir": (STR, "Container's working directory."),
    "ports": (ListOf(Obj("ContainerPort", {
        "name": (STR, "An IANA_SVC_NAME, unique within the pod; can be referred to by services."),
        "hostPort": (INT, "Number of port to expose on the host."),
        "containerPort": (INT, "Number of port to expose on the pod's IP address."),
        "protocol": (STR, "UDP, TCP, or SCTP. Defaults to TCP."),
        "hostIP": (STR, "What host IP to bind the external port to."),
    }, ("containerPort",))), "List of ports to expose from the container (informational)."),
    "envFrom": (ListOf(Obj("EnvFromSource", {
        "prefix": (STR, "An optional identifier to prepend to each key."),
        "configMapRef": (Obj("ConfigMapEnvSource", {
            "name": (STR, "Name of the referent."),
            "optional": (BOOL, "Specify whether the ConfigMap must be defined."),
        }), "The ConfigMap to select from."),
        "secretRef": (Obj("SecretEnvSource", {
            "name": (STR, "Name of the referent."),
            "optional": (BOOL, "Specify whether the Secret must be defined."),
        }), "The Secret to select from."),
    })), "Sources to populate environment variables in the container."),
    "env": (ListOf(Obj("EnvVar", {
        "name": (STR, "Name of the environment variable."),
        "value": (STR, "Variable value; $(VAR_NAME) references are expanded."),
        "valueFrom": (Obj("EnvVarSource", {
            "fieldRef": (OBJECT_FIELD_SELECTOR, "Selects a field of the pod."),
            "resourceFieldRef": (RESOURCE_FIELD_SELECTOR, "Selects a resource of the container."),
            "configMapKeyRef": (Obj("ConfigMapKeySelector", {
                "name": (STR, "Name of the referent."),
                "key": (STR, "The key to select."),
                "optional": (BOOL, "Specify whether the ConfigMap or its key must be defined."),
            }, ("key",)), "Selects a key of a ConfigMap."),
            "secretKeyRef": (Obj("SecretKeySelector", {
                "name": (STR, "Name of the referent."),
                "key": (STR, "The key of the secret to select from."),
                "optional": (BOOL, "Specify whether the Secret or its key must be defined."),
            }, ("key",)), "Selects a key of a secret in the pod's namespace."),
        }), "Source for the environment variable's value."),
    }, ("name",))), "List of environment variables to set in the container."),
    "resources": (RESOURCES, "Compute resources required by this container."),
    "resizePolicy": (ListOf(ANY), "Resources resize policy for the container."),
    "restartPolicy": (STR, "Only 'Always', for init containers (sidecars)."),
    "volumeMounts": (ListOf(Obj("VolumeMount", {
        "name": (STR, "This must match the Name of a Volume."),
        "readOnly": (BOOL, "Mounted read-only if true, read-write otherwise."),
        "recursiveReadOnly": (STR, "Whether read-only mounts are handled recursively."),
        "mountPath": (STR, "Path within the container at which the volume should be mounted."),
        "subPath": (STR, "Path within the volume from which the container's volume should be mounted."),
        "mountPropagation": (STR, "How mounts are propagated from the host to container and back."),
        "subPathExpr": (STR, "Like subPath, with $(VAR_NAME) references expanded."),
    }, ("mountPath", "name"))), "Pod volumes to mount into the container's filesystem."),
    "volumeDevices": (ListOf(ANY), "Block devices to be used by the container."),
    "livenessProbe": (PROBE, "Periodic probe of container liveness; the container restarts if it fails."),
    "readinessProbe": (PROBE, "Periodic probe of container service readiness."),
    "startupProbe": (PROBE, "Indicates that the pod has successfully initialized."),
    "lifecycle": (Obj("Lifecycle", {
        "postStart": (LIFECYCLE_HANDLER, "Called immediately after a container is created."),
        "preStop": (LIFECYCLE_HANDLER, "Called immediately before a container is terminated."),
        "stopSignal": (STR, "The signal to stop the container with."),
    }), "Actions that the management system should take in response to container lifecycle events."),
    "terminationMessagePath": (STR, "File the container's termination message is written to."),
    "terminationMessagePolicy": (STR, "How the termination message is populated: File or FallbackToLogsOnError."),
    "imagePullPolicy": (STR, "Always, Never, IfNotPresent."),
    "securityContext": (ANY, "Security options the container should be run with."),
    "stdin": (BOOL, "Whether this container should allocate a buffer for stdin."),
    "stdinOnce": (BOOL, "Whether the container runtime should close stdin after one attach."),
    "tty": (BOOL, "Whether this container should allocate a TTY for itself."),
}, ("name",), "A single application container that you want to run within a pod.")

VOLUME = Obj("Volume", {
    "name": (STR, "Name of the volume, a DNS_LABEL, unique within the pod."),
    "emptyDir": (Obj("EmptyDirVolumeSource", {
        "medium": (STR, "What type of storage medium should back this directory ('' or Memory)."),
        "sizeLimit": (QTY, "Total amount of local storage required for this EmptyDir volume."),
    }), "A temporary directory that shares a pod's lifetime."),
    "configMap": (Obj("ConfigMapVolumeSource", {
        "name": (STR, "Name of the referent."),
        "items": (ListOf(KEY_TO_PATH), "Keys to project; all keys if unspecified."),
        "defaultMode": (INT, "Mode bits used to set permissions on created files by default."),
        "optional": (BOOL, "Specify whether the ConfigMap or its keys must be defined."),
    }), "A configMap that should populate this volume."),
    "secret": (Obj("SecretVolumeSource", {
        "secretName": (STR, "Name of the secret in the pod's namespace to use."),
        "items": (ListOf(KEY_TO_PATH), "Keys to project; all keys if unspecified."),
        "defaultMode": (INT, "Mode bits used to set permissions on created files by default."),
        "optional": (BOOL, "Specify whether the Secret or its keys must be defined."),
    }), "A secret that should populate this volume."),
    "hostPath": (Obj("HostPathVolumeSource", {
        "path": (STR, "Path of the directory on the host."),
        "type": (STR, "Type for HostPath Volume, e.g. Directory, DirectoryOrCreate, File. Defaults to \"\"."),
    }, ("path",)), "A pre-existing file or directory on the host machine."),
    "persistentVolumeClaim": (Obj("PersistentVolumeClaimVolumeSource", {
        "claimName": (STR, "Name of a PersistentVolumeClaim in the same namespace as the pod."),
        "readOnly": (BOOL, "Will force the ReadOnly setting in VolumeMounts."),
    }, ("claimName",)), "A reference to a PersistentVolumeClaim in the same namespace."),
    "projected": (Obj("ProjectedVolumeSource", {
        "sources": (ListOf(Obj("VolumeProjection", {
            "configMap": (Obj("ConfigMapProjection", {
                "name": (STR, "Name of the referent."),
                "items": (ListOf(KEY_TO_PATH), "Keys to project."),
                "optional": (BOOL, "Specify whether the ConfigMap or its keys must be defined."),
            }), "ConfigMap information about the configMap data to project."),
            "secret": (Obj("SecretProjection", {
                "name": (STR, "Name of the referent."),
                "items": (ListOf(KEY_TO_PATH), "Keys to project."),
                "optional": (BOOL, "Specify whether the Secret or its key must be defined."),
            }), "Secret information about the secret data to project."),
            "downwardAPI": (Obj("DownwardAPIProjection", {
                "items": (ListOf(DOWNWARD_API_FILE), "List of DownwardAPIVolume files."),
            }), "DownwardAPI information about the downwardAPI data to project."),
            "serviceAccountToken": (Obj("ServiceAccountTokenProjection", {
                "audience": (STR, "Intended audience of the token."),
                "expirationSeconds": (INT64, "Requested duration of validity of the token."),
                "path": (STR, "Path relative to the mount point of the file to project the token into."),
            }, ("path",)), "Information about the serviceAccountToken data to project."),
            "clusterTrustBundle": (ANY, "A ClusterTrustBundle object to project."),
        })), "List of volume projections."),
        "defaultMode": (INT, "Mode bits used to set permissions on created files by default."),
    }), "Items for all in one resources secrets, configmaps, and downward API."),
    "downwardAPI": (Obj("DownwardAPIVolumeSource", {
        "items": (ListOf(DOWNWARD_API_FILE), "List of downward API volume files."),
        "defaultMode": (INT, "Mode bits to use on created files by default."),
    }), "Downward API about the pod that should populate this volume."),
    "nfs": (Obj("NFSVolumeSource", {
        "server": (STR, "Hostname or IP address of the NFS server."),
        "path": (STR, "Path that is exported by the NFS server."),
        "readOnly": (BOOL, "Force the NFS export to be mounted with read-only permissions."),
    }, ("path", "server")), "NFS mount on the host that shares a pod's lifetime."),
    "csi": (ANY, "Ephemeral storage handled by certain external CSI drivers."),
    "ephemeral": (ANY, "A volume handled by a cluster storage driver, with the pod's lifetime."),
    "image": (Obj("ImageVolumeSource", {
        "reference": (STR, "Image or artifact reference to be used."),
        "pullPolicy": (STR, "Policy for pulling OCI objects."),
    }), "An OCI object (a container image or artifact) pulled and mounted on the kubelet's host."),
}, ("name",), "A named volume in a pod that may be accessed by any container in the pod.")

TOLERATION = Obj("Toleration", {
    "key": (STR, "The taint key that the toleration applies to; empty means match all."),
    "operator": (STR, "Exists or Equal. Defaults to Equal."),
    "value": (STR, "The taint value the toleration matches to."),
    "effect": (STR, "NoSchedule, PreferNoSchedule or NoExecute; empty matches all."),
    "tolerationSeconds": (INT64, "How long a NoExecute taint is tolerated before eviction."),
})

POD_SPEC = Obj("PodSpec", {
    "volumes": (ListOf(VOLUME), "List of volumes that can be mounted by containers of this pod."),
    "initContainers": (ListOf(CONTAINER), "Containers run in order before the app containers start."),
    "containers": (ListOf(CONTAINER), "List of containers belonging to the pod."),
    "ephemeralContainers": (ListOf(ANY), "Ephemeral containers run in this pod for debugging."),
    "restartPolicy": (STR, "Restart policy for all containers: Always, OnFailure, Never. Default Always."),
    "terminationGracePeriodSeconds": (INT64, "Duration in seconds the pod needs to terminate gracefully. Defaults to 30."),
    "activeDeadlineSeconds": (INT64, "Duration the pod may be active before the system terminates it."),
    "dnsPolicy": (STR, "ClusterFirstWithHostNet, ClusterFirst, Default or None. Defaults to ClusterFirst."),
    "nodeSelector": (LABELS, "Labels a node must have for the pod to fit on it."),
    "serviceAccountName": (STR, "Name of the ServiceAccount to use to run this pod."),
    "serviceAccount": (STR, "Deprecated alias for serviceAccountName."),
    "automountServiceAccountToken": (BOOL, "Whether a service account token should be automatically mounted."),
    "nodeName": (STR, "Request to schedule this pod onto a specific node."),
    "hostNetwork": (BOOL, "Host networking requested for this pod."),
    "hostPID": (BOOL, "Use the host's pid namespace."),
    "hostIPC": (BOOL, "Use the host's ipc namespace."),
    "shareProcessNamespace": (BOOL, "Share a single process namespace between all containers."),
    "securityContext": (ANY, "Pod-level security attributes and common container settings."),
    "imagePullSecrets": (ListOf(Obj("LocalObjectReference", {"name": (STR, "Name of the referent.")})),
                         "Secrets in the same namespace to use for pulling images."),
    "hostname": (STR, "The pod's hostname; defaults to the pod name."),
    "subdomain": (STR, "If set, the FQDN is <hostname>.<subdomain>.<namespace>.svc.<cluster domain>."),
    "affinity": (ANY, "The pod's scheduling constraints."),
    "schedulerName": (STR, "The scheduler that dispatches this pod. Defaults to default-scheduler."),
    "tolerations": (ListOf(TOLERATION), "The pod's tolerations."),
    "hostAliases": (ListOf(Obj("HostAlias", {
        "ip": (STR, "IP address of the host file entry."),
        "hostnames": (STRS, "Hostnames for the above IP address."),
    }, ("ip",))), "Hosts and IPs injected into the pod's hosts file."),
    "priorityClassName": (STR, "The pod's priority class."),
    "priority": (INT, "The priority value, filled from priorityClassName by admission."),
    "dnsConfig": (Obj("PodDNSConfig", {
        "nameservers": (STRS, "DNS name server IP addresses."),
        "searches": (STRS, "DNS search domains for host-name lookup."),
        "options": (ListOf(Obj("PodDNSConfigOption", {
            "name": (STR, "Name of the resolver option."),
            "value": (STR, "Value of the resolver option."),
        })), "DNS resolver options."),
    }), "DNS parameters of a pod, merged into the generated resolv.conf."),
    "readinessGates": (ListOf(Obj("PodReadinessGate", {
        "conditionType": (STR, "Refers to a condition in the pod's condition list."),
    }, ("conditionType",))), "Extra conditions evaluated for pod readiness."),
    "runtimeClassName": (STR, "The RuntimeClass used to run this pod."),
    "enableServiceLinks": (BOOL, "Whether information about services is injected into env vars. Defaults to true."),
    "preemptionPolicy": (STR, "Never or PreemptLowerPriority."),
    "overhead": (MapOf(QTY), "Resource overhead of running the pod's sandbox."),
    "topologySpreadConstraints": (ListOf(Obj("TopologySpreadConstraint", {
        "maxSkew": (INT, "Degree to which pods may be unevenly distributed."),
        "topologyKey": (STR, "The key of node labels."),
        "whenUnsatisfiable": (STR, "DoNotSchedule or ScheduleAnyway."),
        "labelSelector": (LABEL_SELECTOR, "Finds matching pods."),
        "minDomains": (INT, "Minimum number of eligible domains."),
        "nodeAffinityPolicy": (STR, "Honor or Ignore."),
        "nodeTaintsPolicy": (STR, "Honor or Ignore."),
        "matchLabelKeys": (STRS, "Pod label keys to select the pods over which spreading is calculated."),
    }, ("maxSkew", "topologyKey", "whenUnsatisfiable"))), "How a group of pods spreads across topology domains."),
    "setHostnameAsFQDN": (BOOL, "The pod's hostname is configured as its FQDN."),
    "os": (Obj("PodOS", {"name": (STR, "linux or windows.")}, ("name",)), "The OS of the containers in the pod."),
    "hostUsers": (BOOL, "Use the host's user namespace."),
    "schedulingGates": (ListOf(Obj("PodSchedulingGate", {"name": (STR, "Name of the scheduling gate.")},
                                   ("name",))), "Gates that block scheduling while present."),
    "resourceClaims": (ListOf(ANY), "ResourceClaims that must be allocated before the pod starts."),
    "resources": (RESOURCES, "Total resources shared by all containers of the pod."),
}, ("containers",), "Specification of the desired behavior of the pod.")

POD_TEMPLATE = Obj("PodTemplateSpec", {
    "metadata": (OBJECT_META, "Standard object's metadata."),
    "spec": (POD_SPEC, "Specification of the desired behavior of the pod."),
}, description="Describes the data a pod should have when created from a template.")

PVC = Obj("PersistentVolumeClaim", {
    "apiVersion": (STR, "Versioned schema of this representation of an object."),
    "kind": (STR, "REST resource this object represents."),
    "metadata": (OBJECT_META, "Standard object's metadata."),
    "spec": (Obj("PersistentVolumeClaimSpec", {
        "accessModes": (STRS, "The desired access modes the volume should have."),
        "selector": (LABEL_SELECTOR, "A label query over volumes to consider for binding."),
        "resources": (Obj("VolumeResourceRequirements", {
            "limits": (MapOf(QTY), "Maximum amount of compute resources allowed."),
            "requests": (MapOf(QTY), "Minimum amount of storage required."),
        }), "The minimum resources the volume should have."),
        "volumeName": (STR, "The binding reference to the PersistentVolume backing this claim."),
        "storageClassName": (STR, "Name of the StorageClass required by the claim."),
        "volumeMode": (STR, "Block or Filesystem. Defaults to Filesystem."),
        "dataSource": (ANY, "An existing VolumeSnapshot or PVC to populate from."),
        "dataSourceRef": (ANY, "The object from which to populate the volume with data."),
        "volumeAttributesClassName": (STR, "The VolumeAttributesClass used by this claim."),
    }), "The desired characteristics of a volume."),
    "status": (ANY, "Current information about the claim."),
})

# ---------------------------------------------------------------------------------------------
# Kinds


def _root(name: str, desc: str, **fields) -> Obj:
    base = {
        "apiVersion": (STR, "Versioned schema of this representation of an object."),
        "kind": (STR, "REST resource this object represents."),
        "metadata": (OBJECT_META, "Standard object's metadata."),
    }
    base.update(fields)
    return Obj(name, base, description=desc)


POLICY_RULE = Obj("PolicyRule", {
    "verbs": (STRS, "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule."),
    "apiGroups": (STRS, "APIGroups is the name of the APIGroup that contains the resources."),
    "resources": (STRS, "Resources is a list of resources this rule applies to. '*' represents all resources."),
    "resourceNames": (STRS, "ResourceNames is an optional white list of names that the rule applies to."),
    "nonResourceURLs": (STRS, "NonResourceURLs is a set of partial urls that a user should have access to."),
}, ("verbs",))
RBAC_SUBJECT = Obj("Subject", {
    "kind": (STR, 'Kind of object being referenced: "User", "Group", and "ServiceAccount".'),
    "apiGroup": (STR, "APIGroup holds the API group of the referenced subject."),
    "name": (STR, "Name of the object being referenced."),
    "namespace": (STR, "Namespace of the referenced object."),
}, ("kind", "name"))
ROLE_REF = Obj("RoleRef", {
    "apiGroup": (STR, "APIGroup is the group for the resource being referenced"),
    "kind": (STR, "Kind is the type of resource being referenced"),
    "name": (STR, "Name is the name of resource being referenced"),
}, ("apiGroup", "kind", "name"))

SERVICE_PORT = Obj("ServicePort", {
    "name": (STR, "Name of this port; must be a DNS_LABEL, unique within the service."),
    "protocol": (STR, "TCP, UDP, or SCTP. Default is TCP."),
    "appProtocol": (STR, "The application protocol for this port."),
    "port": (INT, "The port that will be exposed by this service."),
    "targetPort": (IOS, "Number or name of the port to access on the pods. Defaults to port."),
    "nodePort": (INT, "The port on each node on which this service is exposed (NodePort/LoadBalancer)."),
}, ("port",))

KINDS: dict[str, Obj] = {
    "Pod": _root("Pod", "Pod is a collection of containers that can run on a host.",
                 spec=(POD_SPEC, "Specification of the desired behavior of the pod."),
                 status=(ANY, "Most recently observed status of the pod.")),
    "Service": _root("Service", "Service is a named abstraction of software service (for example, mysql) "
                                "consisting of local port that the proxy listens on, and the selector "
                                "that determines which pods will answer requests sent through the proxy.",
                     spec=(Obj("ServiceSpec", {
                         "ports": (ListOf(SERVICE_PORT), "The list of ports that are exposed by this service."),
                         "selector": (LABELS, "Route service traffic to pods with label keys and values matching this selector."),
                         "clusterIP": (STR, "The IP address of the service; None makes a headless service."),
                         "clusterIPs": (STRS, "IP addresses assigned to this service; clusterIPs[0] == clusterIP."),
                         "type": (STR, "ExternalName, ClusterIP, NodePort, and LoadBalancer. Defaults to ClusterIP."),
                         "externalIPs": (STRS, "IP addresses for which nodes also accept traffic for this service."),
                         "sessionAffinity": (STR, "ClientIP or None. Defaults to None."),
                         "loadBalancerIP": (STR, "Deprecated: the requested load balancer IP."),
                         "loadBalancerSourceRanges": (STRS, "Client IPs allowed through a cloud load balancer."),
                         "externalName": (STR, "The external reference returned as a CNAME (type ExternalName)."),
                         "externalTrafficPolicy": (STR, "Cluster or Local: how external traffic is routed."),
                         "healthCheckNodePort": (INT, "The healthcheck nodePort for the service."),
                         "publishNotReadyAddresses": (BOOL, "Publish DNS records for not-ready pods."),
                         "sessionAffinityConfig": (Obj("SessionAffinityConfig", {
                             "clientIP": (Obj("ClientIPConfig", {
                                 "timeoutSeconds": (INT, "Seconds of ClientIP session stickiness. Default 10800."),
                             }), "The configuration of ClientIP based session affinity."),
                         }), "The configurations of session affinity."),
                         "ipFamilies": (STRS, "IPv4 and/or IPv6, in the order clusterIPs are allocated."),
                         "ipFamilyPolicy": (STR, "SingleStack, PreferDualStack or RequireDualStack."),
                         "allocateLoadBalancerNodePorts": (BOOL, "Whether NodePorts are allocated for LoadBalancer services. Default true."),
                         "loadBalancerClass": (STR, "The class of the load balancer implementation."),
                         "internalTrafficPolicy": (STR, "Cluster or Local: how cluster-internal traffic is routed."),
                         "trafficDistribution": (STR, "How traffic is distributed to endpoints, e.g. PreferClose."),
                     }), "Spec defines the behavior of a service."),
                     status=(ANY, "Most recently observed status of the service.")),
    "Endpoints": _root("Endpoints", "Endpoints is a collection of endpoints that implement the actual service.",
                       subsets=(ListOf(Obj("EndpointSubset", {
                           "addresses": (ListOf(Obj("EndpointAddress", {
                               "ip": (STR, "The IP of this endpoint."),
                               "hostname": (STR, "The Hostname of this endpoint."),
                               "nodeName": (STR, "Node hosting this endpoint."),
                               "targetRef": (OBJECT_REFERENCE, "Reference to object providing the endpoint."),
                           }, ("ip",))), "IP addresses which offer the related ports and are ready."),
                           "notReadyAddresses": (ListOf(Obj("EndpointAddress", {
                               "ip": (STR, "The IP of this endpoint."),
                               "hostname": (STR, "The Hostname of this endpoint."),
                               "nodeName": (STR, "Node hosting this endpoint."),
                               "targetRef": (OBJECT_REFERENCE, "Reference to object providing the endpoint."),
                           }, ("ip",))), "IP addresses which offer the related ports but are not ready."),
                           "ports": (ListOf(Obj("EndpointPort", {
                               "name": (STR, "The name of this port; must match a ServicePort name."),
                               "port": (INT, "The port number of the endpoint."),
                               "protocol": (STR, "TCP, UDP, or SCTP. Default is TCP."),
                               "appProtocol": (STR, "The application protocol for this port."),
                           }, ("port",))), "Port numbers available on the related IP addresses."),
                       })), "The set of all endpoints is the union of all subsets.")),
    "EndpointSlice": _root("EndpointSlice", "EndpointSlice represents a subset of the endpoints that implement a service.",
                           addressType=(STR, "IPv4, IPv6 or FQDN."),
                           endpoints=(ListOf(Obj("Endpoint", {
                               "addresses": (STRS, "Addresses of this endpoint."),
                               "conditions": (Obj("EndpointConditions", {
                                   "ready": (BOOL, "The endpoint is ready to receive traffic."),
                                   "serving": (BOOL, "The endpoint is able to receive traffic (even terminating)."),
                                   "terminating": (BOOL, "The endpoint is terminating."),
                               }), "The current state of the endpoint."),
                               "hostname": (STR, "Hostname of this endpoint."),
                               "targetRef": (OBJECT_REFERENCE, "Reference to a resource that represents this endpoint."),
                               "deprecatedTopology": (LABELS, "Deprecated topology information."),
                               "nodeName": (STR, "Name of the Node hosting this endpoint."),
                               "zone": (STR, "Name of the Zone this endpoint exists in."),
                               "hints": (ANY, "Information about how an endpoint should be consumed."),
                           }, ("addresses",))), "A list of unique endpoints in this slice."),
                           ports=(ListOf(Obj("EndpointPort", {
                               "name": (STR, "The name of this port."),
                               "protocol": (STR, "TCP, UDP, or SCTP. Default is TCP."),
                               "port": (INT, "The port number of the endpoint."),
                               "appProtocol": (STR, "The application protocol for this port."),
                           })), "Network ports exposed by each endpoint in this slice.")),
    "ConfigMap": _root("ConfigMap", "ConfigMap holds configuration data for pods to consume.",
                       data=(LABELS, "Configuration data (UTF-8 values)."),
                       binaryData=(LABELS, "Binary data (base64 values)."),
                       immutable=(BOOL, "If true, the data cannot be updated.")),
    "PriorityClass": _root("PriorityClass", "PriorityClass defines mapping from a priority class name to the priority "
                                            "integer value.",
                           value=(INT, "value represents the integer value of this priority class."),
                           globalDefault=(BOOL, "globalDefault specifies whether this PriorityClass should be considered "
                                          "as the default priority for pods that do not have any priority class."),
                           description=(STR, "description is an arbitrary string that usually provides guidelines on "
                                        "when this priority class should be used."),
                           preemptionPolicy=(STR, "preemptionPolicy is the Policy for preempting pods with lower "
                                             "priority. One of Never, PreemptLowerPriority.")),
    "LimitRange": _root("LimitRange", "LimitRange sets resource usage limits for each kind of resource in a Namespace.",
                        spec=(Obj("LimitRangeSpec", {
                            "limits": (ListOf(Obj("LimitRangeItem", {
                                "type": (STR, "Type of resource that this limit applies to: Container, Pod or PersistentVolumeClaim."),
                                "max": (MapOf(QTY), "Max usage constraints on this kind by resource name."),
                                "min": (MapOf(QTY), "Min usage constraints on this kind by resource name."),
                                "default": (MapOf(QTY), "Default resource limits when none are specified."),
                                "defaultRequest": (MapOf(QTY), "Default resource requests when none are specified."),
                                "maxLimitRequestRatio": (MapOf(QTY), "The maximum limit/request ratio allowed."),
                            }, ("type",))), "Limits is the list of LimitRangeItem objects that are enforced."),
                        }, ("limits",)), "Spec defines the limits enforced.")),
    "ResourceQuota": _root("ResourceQuota", "ResourceQuota sets aggregate quota restrictions enforced per namespace",
                           spec=(Obj("ResourceQuotaSpec", {
                               "hard": (MapOf(QTY), "hard is the set of desired hard limits for each named resource."),
                               "scopes": (STRS, "A collection of filters that must match each object tracked by a quota."),
                               "scopeSelector": (ANY, "scopeSelector is also a collection of filters like scopes."),
                           }), "Spec defines the desired quota."),
                           status=(ANY, "Status defines the actual enforced quota and its current usage.")),
    "Secret": _root("Secret", "Secret holds secret data of a certain type. The total bytes of the values in the "
                              "Data field must be less than MaxSecretSize bytes.",
                    data=(MapOf(Scalar("string", "[]uint8")), "Secret data, base64 encoded in JSON and YAML."),
                    stringData=(LABELS, "Write-only convenience field: plain strings merged into data on write."),
                    type=(STR, "Used to facilitate programmatic handling of secret data."),
                    immutable=(BOOL, "If true, the data cannot be updated.")),
    "ServiceAccount": _root("ServiceAccount", "ServiceAccount binds together: a name, understood by users, and "
                                              "perhaps by peripheral systems, for an identity; a principal that can "
                                              "be authenticated and authorized; a set of secrets.",
                            secrets=(ListOf(OBJECT_REFERENCE), "Secrets allowed to be used by pods running as this SA."),
                            imagePullSecrets=(ListOf(Obj("LocalObjectReference", {"name": (STR, "Name of the referent.")})),
                                              "References to secrets for pulling images of pods using this SA."),
                            automountServiceAccountToken=(BOOL, "Whether pods running as this SA get a token mounted.")),
    "CertificateSigningRequest": _root(
        "CertificateSigningRequest", "CertificateSigningRequest objects provide a mechanism to obtain x509 "
        "certificates by submitting a certificate signing request, and having it asynchronously approved and issued.",
        spec=(Obj("CertificateSigningRequestSpec", {
            "request": (Scalar("string", "[]uint8"), "request contains an x509 certificate signing request encoded "
                        "in a \"CERTIFICATE REQUEST\" PEM block."),
            "signerName": (STR, "signerName indicates the requested signer, and is a qualified name."),
            "expirationSeconds": (INT, "expirationSeconds is the requested duration of validity of the issued "
                                  "certificate."),
            "usages": (STRS, "usages specifies a set of key usages requested in the issued certificate."),
            "username": (STR, "username contains the name of the user that created the CertificateSigningRequest."),
            "uid": (STR, "uid contains the uid of the user that created the CertificateSigningRequest."),
            "groups": (STRS, "groups contains group membership of the user that created the CertificateSigningRequest."),
            "extra": (ANY, "extra contains extra attributes of the user that created the CertificateSigningRequest."),
        }, ("request", "signerName")), "spec contains the certificate request, and is immutable after creation."),
        status=(ANY, "status contains information about whether the request is approved or denied, and the "
                     "certificate issued by the signer, or the failure condition indicating signer failure.")),
    "Role": _root("Role", "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit "
                          "by a RoleBinding.", rules=(ListOf(POLICY_RULE), "Rules holds all the PolicyRules for this Role")),
    "ClusterRole": _root("ClusterRole", "ClusterRole is a cluster level, logical grouping of PolicyRules that can be "
                                        "referenced as a unit by a RoleBinding or ClusterRoleBinding.",
                         rules=(ListOf(POLICY_RULE), "Rules holds all the PolicyRules for this ClusterRole"),
                         aggregationRule=(Obj("AggregationRule", {
                             "clusterRoleSelectors": (ListOf(LABEL_SELECTOR), "A list of selectors which will be used "
                                                      "to find ClusterRoles and create the rules."),
                         }), "Describes how to build the Rules for this ClusterRole.")),
    "RoleBinding": _root("RoleBinding", "RoleBinding references a role, but does not contain it.",
                         subjects=(ListOf(RBAC_SUBJECT), "Subjects holds references to the objects the role applies to."),
                         roleRef=(ROLE_REF, "RoleRef can reference a Role in the current namespace or a ClusterRole.")),
    "ClusterRoleBinding": _root("ClusterRoleBinding", "ClusterRoleBinding references a ClusterRole, but not contain it.",
                                subjects=(ListOf(RBAC_SUBJECT), "Subjects holds references to the objects the role applies to."),
                                roleRef=(ROLE_REF, "RoleRef can only reference a ClusterRole in the global namespace.")),
    "Event": _root("Event", "Event is a report of an event somewhere in the cluster.",
                   involvedObject=(OBJECT_REFERENCE, "The object that this event is about."),
                   reason=(STR, "Short, machine understandable reason for the transition."),
                   message=(STR, "A human-readable description of the status of this operation."),
                   source=(Obj("EventSource", {
                       "component": (STR, "Component from which the event is generated."),
                       "host": (STR, "Node name on which the event is generated."),
                   }), "The component reporting this event."),
                   firstTimestamp=(TIME, "The time at which the event was first recorded."),
                   lastTimestamp=(TIME, "The time of the most recent occurrence."),
                   count=(INT, "The number of times this event has occurred."),
                   type=(STR, "Normal or Warning."),
                   eventTime=(TIME, "Time when this Event was first observed (MicroTime)."),
                   series=(ANY, "Data about the Event series this event represents."),
                   action=(STR, "What action was taken/failed regarding the object."),
                   related=(OBJECT_REFERENCE, "Optional secondary object for more complex actions."),
                   reportingComponent=(STR, "Name of the controller that emitted this Event."),
                   reportingInstance=(STR, "ID of the controller instance."),
                   ),
    "Namespace": _root("Namespace", "Namespace provides a scope for Names.",
                       spec=(Obj("NamespaceSpec", {
                           "finalizers": (STRS, "Finalizers must be empty before the namespace is removed."),
                       }), "Spec defines the behavior of the Namespace."),
                       status=(ANY, "Status describes the current status of a Namespace.")),
    "Node": _root("Node", "Node is a worker node in Kubernetes.",
                  spec=(Obj("NodeSpec", {
                      "podCIDR": (STR, "The pod IP range assigned to the node."),
                      "podCIDRs": (STRS, "The IP ranges assigned to the node for its pods."),
                      "providerID": (STR, "ID of the node assigned by the cloud provider."),
                      "unschedulable": (BOOL, "Controls node schedulability of new pods."),
                      "taints": (ListOf(Obj("Taint", {
                          "key": (STR, "The taint key to be applied to a node."),
                          "value": (STR, "The taint value corresponding to the taint key."),
                          "effect": (STR, "NoSchedule, PreferNoSchedule and NoExecute."),
                          "timeAdded": (TIME, "When the taint was added (NoExecute only)."),
                      }, ("effect", "key"))), "The node's taints."),
                      "configSource": (ANY, "Deprecated."),
                      "externalID": (STR, "Deprecated."),
                  }), "Spec defines the behavior of a node."),
                  status=(ANY, "Most recently observed status of the node.")),
}

_DEPLOYMENT_STRATEGY = Obj("DeploymentStrategy", {
    "type": (STR, "Recreate or RollingUpdate. Default is RollingUpdate."),
    "rollingUpdate": (Obj("RollingUpdateDeployment", {
        "maxUnavailable": (IOS, "Maximum number of pods that can be unavailable during the update. Default 25%."),
        "maxSurge": (IOS, "Maximum number of pods that can be scheduled above the desired number. Default 25%."),
    }), "Rolling update config params; present only if type = RollingUpdate."),
})

KINDS["Deployment"] = _root(
    "Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.",
    spec=(Obj("DeploymentSpec", {
        "replicas": (INT, "Number of desired pods. Defaults to 1."),
        "selector": (LABEL_SELECTOR, "Label selector for pods; must match the pod template's labels."),
        "template": (POD_TEMPLATE, "Template describes the pods that will be created."),
        "strategy": (_DEPLOYMENT_STRATEGY, "The deployment strategy used to replace existing pods with new ones."),
        "minReadySeconds": (INT, "Minimum seconds a new pod should be ready to be considered available."),
        "revisionHistoryLimit": (INT, "The number of old ReplicaSets to retain. Defaults to 10."),
        "paused": (BOOL, "Indicates that the deployment is paused."),
        "progressDeadlineSeconds": (INT, "Maximum seconds for a deployment to make progress. Defaults to 600."),
    }, ("selector", "template")), "Specification of the desired behavior of the Deployment."),
    status=(ANY, "Most recently observed status of the Deployment."))

KINDS["ReplicaSet"] = _root(
    "ReplicaSet", "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
    spec=(Obj("ReplicaSetSpec", {
        "replicas": (INT, "Number of desired pods. Defaults to 1."),
        "minReadySeconds": (INT, "Minimum seconds a new pod should be ready to be considered available."),
        "selector": (LABEL_SELECTOR, "Label query over pods that should match the replica count."),
        "template": (POD_TEMPLATE, "The object that describes the pod created if insufficient replicas are detected."),
    }, ("selector",)), "Spec defines the specification of the desired behavior of the ReplicaSet."),
    status=(ANY, "Most recently observed status of the ReplicaSet."))

KINDS["StatefulSet"] = _root(
    "StatefulSet", "StatefulSet represents a set of pods with consistent identities.",
    spec=(Obj("StatefulSetSpec", {
        "replicas": (INT, "The desired number of replicas. Defaults to 1."),
        "selector": (LABEL_SELECTOR, "A label query over pods that should match the replica count."),
        "template": (POD_TEMPLATE, "The object that describes the pod created if insufficient replicas are detected."),
        "volumeClaimTemplates": (ListOf(PVC), "Claims that pods are allowed to reference, one per pod."),
        "serviceName": (STR, "The name of the service that governs this StatefulSet (pod DNS names)."),
        "podManagementPolicy": (STR, "OrderedReady or Parallel. Default OrderedReady."),
        "updateStrategy": (Obj("StatefulSetUpdateStrategy", {
            "type": (STR, "RollingUpdate or OnDelete. Default is RollingUpdate."),
            "rollingUpdate": (Obj("RollingUpdateStatefulSetStrategy", {
                "partition": (INT, "Ordinal at which the StatefulSet should be partitioned. Default 0."),
                "maxUnavailable": (IOS, "Maximum number of pods that can be unavailable during the update."),
            }), "Used to communicate parameters when type is RollingUpdate."),
        }), "How pods are updated when the template changes."),
        "revisionHistoryLimit": (INT, "Maximum number of revisions maintained in the history. Defaults to 10."),
        "minReadySeconds": (INT, "Minimum seconds a new pod should be ready to be considered available."),
        "persistentVolumeClaimRetentionPolicy": (Obj("StatefulSetPersistentVolumeClaimRetentionPolicy", {
            "whenDeleted": (STR, "Retain or Delete the PVCs when the StatefulSet is deleted."),
            "whenScaled": (STR, "Retain or Delete the PVCs when the StatefulSet is scaled down."),
        }), "The lifecycle of PVCs created from volumeClaimTemplates."),
        "ordinals": (Obj("StatefulSetOrdinals", {
            "start": (INT, "The number of the first replica's index."),
        }), "How replica indices are numbered."),
    }, ("selector", "template")), "Spec defines the desired identities of pods in this set."),
    status=(ANY, "The current status of Pods in this StatefulSet."))

KINDS["DaemonSet"] = _root(
    "DaemonSet", "DaemonSet represents the configuration of a daemon set.",
    spec=(Obj("DaemonSetSpec", {
        "selector": (LABEL_SELECTOR, "A label query over pods that are managed by the daemon set."),
        "template": (POD_TEMPLATE, "An object that describes the pod that will be created."),
        "updateStrategy": (Obj("DaemonSetUpdateStrategy", {
            "type": (STR, "RollingUpdate or OnDelete. Default is RollingUpdate."),
            "rollingUpdate": (Obj("RollingUpdateDaemonSet", {
                "maxUnavailable": (IOS, "Maximum number of DaemonSet pods that can be unavailable during the update."),
                "maxSurge": (IOS, "Maximum number of nodes with an updated pod during the update."),
            }), "Rolling update config params."),
        }), "An update strategy to replace existing DaemonSet pods with new pods."),
        "minReadySeconds": (INT, "Minimum seconds a new pod should be ready to be considered available."),
        "revisionHistoryLimit": (INT, "The number of old history to retain. Defaults to 10."),
    }, ("selector", "template")), "The desired behavior of this daemon set."),
    status=(ANY, "The current status of this daemon set."))


_POD_FAILURE_POLICY = Obj("PodFailurePolicy", {
    "rules": (ListOf(Obj("PodFailurePolicyRule", {
        "action": (STR, "FailJob, FailIndex, Ignore or Count."),
        "onExitCodes": (Obj("PodFailurePolicyOnExitCodesRequirement", {
            "containerName": (STR, "Restricts the check to the container with this name."),
            "operator": (STR, "In or NotIn."),
            "values": (ListOf(INT), "The set of exit code values (at most 255)."),
        }, ("operator", "values")), "The requirement on the container exit codes."),
        "onPodConditions": (ListOf(Obj("PodFailurePolicyOnPodConditionsPattern", {
            "type": (STR, "The pod condition type to match."),
            "status": (STR, "The pod condition status to match. Defaults to True."),
        }, ("type",))), "The requirements on the pod conditions."),
    }, ("action",))), "A list of pod failure policy rules, evaluated in order."),
}, ("rules",))

JOB_SPEC = Obj("JobSpec", {
    "parallelism": (INT, "The maximum desired number of pods the job should run at any given time."),
    "completions": (INT, "The desired number of successfully finished pods the job should be run with."),
    "activeDeadlineSeconds": (INT64, "Seconds relative to the startTime that the job may be continuously active."),
    "podFailurePolicy": (_POD_FAILURE_POLICY, "The handling of failed pods."),
    "successPolicy": (ANY, "When the Job can be declared succeeded (Indexed Jobs)."),
    "backoffLimit": (INT, "The number of retries before marking this job failed. Defaults to 6."),
    "backoffLimitPerIndex": (INT, "The number of retries within an index (Indexed Jobs)."),
    "maxFailedIndexes": (INT, "The maximal number of failed indexes before the Job fails."),
    "selector": (LABEL_SELECTOR, "A label query over pods that should match the pod count."),
    "manualSelector": (BOOL, "Controls generation of pod labels and pod selectors."),
    "template": (POD_TEMPLATE, "Describes the pod that will be created when executing a job."),
    "ttlSecondsAfterFinished": (INT, "Seconds after the Job finishes before it is deleted."),
    "completionMode": (STR, "NonIndexed (default) or Indexed."),
    "suspend": (BOOL, "Whether the Job controller should create Pods or not."),
    "podReplacementPolicy": (STR, "When to create replacement Pods: TerminatingOrFailed or Failed."),
    "managedBy": (STR, "The controller which manages the Job."),
}, ("template",), "Specification of the desired behavior of a job.")

KINDS["Job"] = _root(
    "Job", "Job represents the configuration of a single job.",
    spec=(JOB_SPEC, "Specification of the desired behavior of a job."),
    status=(ANY, "Current status of a job."))

KINDS["CronJob"] = _root(
    "CronJob", "CronJob represents the configuration of a single cron job.",
    spec=(Obj("CronJobSpec", {
        "schedule": (STR, "The schedule in Cron format."),
        "timeZone": (STR, "The time zone name for the given schedule (tz database)."),
        "startingDeadlineSeconds": (INT64, "Deadline in seconds for starting the job if it misses its scheduled time."),
        "concurrencyPolicy": (STR, "Allow (default), Forbid or Replace."),
        "suspend": (BOOL, "Suspend subsequent executions. Defaults to false."),
        "jobTemplate": (Obj("JobTemplateSpec", {
            "metadata": (OBJECT_META, "Standard object's metadata of the jobs created from this template."),
            "spec": (JOB_SPEC, "Specification of the desired behavior of the job."),
        }), "The job that will be created when executing a CronJob."),
        "successfulJobsHistoryLimit": (INT, "The number of successful finished jobs to retain. Defaults to 3."),
        "failedJobsHistoryLimit": (INT, "The number of failed finished jobs to retain. Defaults to 1."),
    }, ("schedule", "jobTemplate")), "Specification of the desired behavior of a cron job."),
    status=(ANY, "Current status of a cron job."))


KINDS["PodDisruptionBudget"] = _root(
    "PodDisruptionBudget", "PodDisruptionBudget is an object to define the max disruption that can be caused to a "
                           "collection of pods",
    spec=(Obj("PodDisruptionBudgetSpec", {
        "minAvailable": (IOS, "An eviction is allowed if at least this many selected pods are available after it."),
        "selector": (LABEL_SELECTOR, "Label query over pods whose evictions are managed by the disruption budget."),
        "maxUnavailable": (IOS, "An eviction is allowed if at most this many selected pods are unavailable after it."),
        "unhealthyPodEvictionPolicy": (STR, "IfHealthyBudget or AlwaysAllow: when unhealthy running pods may be evicted."),
    }), "Specification of the desired behavior of the PodDisruptionBudget."),
    status=(ANY, "Most recently observed status of the PodDisruptionBudget."))


# ---- networking.k8s.io/v1 -----------------------------------------------------------------

_NP_PEER = Obj("NetworkPolicyPeer", {
    "podSelector": (LABEL_SELECTOR, "Selects pods; with namespaceSelector, pods in the selected namespaces."),
    "namespaceSelector": (LABEL_SELECTOR, "Selects namespaces by their labels; {} selects all namespaces."),
    "ipBlock": (Obj("IPBlock", {
        "cidr": (STR, "A string representing the IPBlock, e.g. 192.168.1.0/24."),
        "except": (STRS, "CIDRs that should not be included within the IPBlock."),
    }, ("cidr",)), "A particular IPBlock; may not be combined with the other peer fields."),
}, description="NetworkPolicyPeer describes a peer to allow traffic to/from.")

_NP_PORT = Obj("NetworkPolicyPort", {
    "protocol": (STR, "TCP, UDP, or SCTP. Default is TCP."),
    "port": (IOS, "The port (number or named port on the pod); absent means all ports."),
    "endPort": (INT, "With a numeric port, the last port of the range port..endPort."),
}, description="NetworkPolicyPort describes a port to allow traffic on.")

KINDS["NetworkPolicy"] = _root(
    "NetworkPolicy", "NetworkPolicy describes what network traffic is allowed for a set of Pods",
    spec=(Obj("NetworkPolicySpec", {
        "podSelector": (LABEL_SELECTOR, "Selects the pods to which this policy applies; {} selects all pods in the namespace."),
        "ingress": (ListOf(Obj("NetworkPolicyIngressRule", {
            "from": (ListOf(_NP_PEER), "Sources allowed; empty or missing matches all sources."),
            "ports": (ListOf(_NP_PORT), "Ports allowed; empty or missing matches all ports."),
        })), "Ingress rules for the selected pods (OR-ed)."),
        "egress": (ListOf(Obj("NetworkPolicyEgressRule", {
            "to": (ListOf(_NP_PEER), "Destinations allowed; empty or missing matches all destinations."),
            "ports": (ListOf(_NP_PORT), "Ports allowed; empty or missing matches all ports."),
        })), "Egress rules for the selected pods (OR-ed)."),
        "policyTypes": (STRS, "Ingress, Egress or both; defaults from the rules present."),
    }), "spec represents the specification of the desired behavior for this NetworkPolicy."))

_INGRESS_BACKEND = Obj("IngressBackend", {
    "service": (Obj("IngressServiceBackend", {
        "name": (STR, "Name of the referenced service; it must exist in the Ingress's namespace."),
        "port": (Obj("ServiceBackendPort", {
            "name": (STR, "Name of the port on the Service; mutually exclusive with number."),
            "number": (INT, "Numerical port number on the Service; mutually exclusive with name."),
        }), "Port of the referenced service; a port name or number is required."),
    }, ("name",)), "A Service as a backend; mutually exclusive with resource."),
    "resource": (Obj("TypedLocalObjectReference", {
        "apiGroup": (STR, "The group of the referenced resource; core when empty."),
        "kind": (STR, "The type of resource being referenced."),
        "name": (STR, "The name of resource being referenced."),
    }, ("kind", "name")), "An object in the Ingress's namespace as a backend; mutually exclusive with service."),
}, description="IngressBackend describes all endpoints for a given service and port.")

KINDS["Ingress"] = _root(
    "Ingress", "Ingress is a collection of rules that allow inbound connections to reach the endpoints "
               "defined by a backend.",
    spec=(Obj("IngressSpec", {
        "ingressClassName": (STR, "The name of the IngressClass cluster resource."),
        "defaultBackend": (_INGRESS_BACKEND, "The backend for requests that match no rule."),
        "tls": (ListOf(Obj("IngressTLS", {
            "hosts": (STRS, "Hosts included in the TLS certificate."),
            "secretName": (STR, "The name of the secret used to terminate TLS traffic on port 443."),
        })), "TLS configuration; port 443 for the listed hosts."),
        "rules": (ListOf(Obj("IngressRule", {
            "host": (STR, "The fully qualified domain name of a network host (a leading '*.' wildcard allowed)."),
            "http": (Obj("HTTPIngressRuleValue", {
                "paths": (ListOf(Obj("HTTPIngressPath", {
                    "path": (STR, "Matched against the path of an incoming request; must begin with '/'."),
                    "pathType": (STR, "Exact, Prefix or ImplementationSpecific."),
                    "backend": (_INGRESS_BACKEND, "Where matching traffic is sent."),
                }, ("pathType", "backend"))), "A collection of paths that map requests to backends."),
            }, ("paths",)), "HTTP rules of this host."),
        })), "Host rules; traffic that matches none goes to the default backend."),
    }), "spec is the desired state of the Ingress."),
    status=(ANY, "status is the current state of the Ingress."))

KINDS["IngressClass"] = _root(
    "IngressClass", "IngressClass represents the class of the Ingress, referenced by the Ingress Spec.",
    spec=(Obj("IngressClassSpec", {
        "controller": (STR, "The name of the controller that implements this class, e.g. k8s.io/ingress-nginx."),
        "parameters": (Obj("IngressClassParametersReference", {
            "apiGroup": (STR, "The group of the referenced resource."),
            "kind": (STR, "The type of resource being referenced."),
            "name": (STR, "The name of resource being referenced."),
            "namespace": (STR, "The namespace of the resource, when scope is Namespace."),
            "scope": (STR, "Cluster or Namespace; defaults to Cluster."),
        }, ("kind", "name")), "A link to a custom resource with additional configuration."),
    }), "spec is the desired state of the IngressClass."))

# ---- admissionregistration.k8s.io ---------------------------------------------------------

_LABEL_SELECTOR_ANY = (ANY, "A label query; an empty selector matches everything.")
KINDS["ValidatingWebhookConfiguration"] = _root(
    "ValidatingWebhookConfiguration",
    "ValidatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject "
    "and object without changing it.",
    webhooks=(ListOf(Obj("ValidatingWebhook", {
        "name": (STR, "The name of the admission webhook, fully qualified (e.g. imagepolicy.kubernetes.io)."),
        "clientConfig": (Obj("WebhookClientConfig", {
            "url": (STR, "The location of the webhook, in standard URL form."),
            "service": (Obj("ServiceReference", {
                "namespace": (STR, "The namespace of the service."),
                "name": (STR, "The name of the service."),
                "path": (STR, "An optional URL path which will be sent in any request to this service."),
                "port": (INT, "The port on the service that hosting webhook; defaults to 443."),
            }, ("namespace", "name")), "A reference to the service for this webhook."),
            "caBundle": (STR, "A PEM encoded CA bundle which will be used to validate the webhook's server "
                              "certificate."),
        }), "Defines how to communicate with the hook."),
        "rules": (ListOf(Obj("RuleWithOperations", {
            "operations": (STRS, "The operations the admission hook cares about: CREATE, UPDATE, DELETE, CONNECT "
                                 "or *."),
            "apiGroups": (STRS, "The API groups the resources belong to; '*' is all groups."),
            "apiVersions": (STRS, "The API versions the resources belong to; '*' is all versions."),
            "resources": (STRS, "A list of resources this rule applies to."),
            "scope": (STR, "The scope of this rule: Cluster, Namespaced or *."),
        })), "Describes what operations on what resources/subresources the webhook cares about."),
        "failurePolicy": (STR, "How unrecognized errors from the admission endpoint are handled: Ignore or Fail."),
        "matchPolicy": (STR, "How the rules list is used to match incoming requests: Exact or Equivalent."),
        "namespaceSelector": _LABEL_SELECTOR_ANY,
        "objectSelector": _LABEL_SELECTOR_ANY,
        "sideEffects": (STR, "Whether this webhook has side effects: None or NoneOnDryRun."),
        "timeoutSeconds": (INT, "The timeout for this webhook, between 1 and 30 seconds; default 10."),
        "admissionReviewVersions": (STRS, "An ordered list of preferred AdmissionReview versions."),
        "matchConditions": (ListOf(ANY), "A list of conditions that must be met for a request to be sent to this "
                                         "webhook."),
    }, ("name", "clientConfig", "sideEffects", "admissionReviewVersions"))),
        "Webhooks is a list of webhooks and the affected resources and operations."))

# ---- gateway.networking.k8s.io (Gateway API v1.2.1 CRDs) ------------------------------------

_PARENT_REF = Obj("ParentReference", {
    "group": (STR, "Group of the referent; gateway.networking.k8s.io by default."),
    "kind": (STR, "Kind of the referent; Gateway by default."),
    "namespace": (STR, "Namespace of the referent; the route's namespace by default."),
    "name": (STR, "Name of the referent."),
    "sectionName": (STR, "The name of a listener of the Gateway."),
    "port": (INT, "The port of a listener of the Gateway."),
}, ("name",))

KINDS["GatewayClass"] = _root(
    "GatewayClass", "GatewayClass describes a class of Gateways available to the user for creating Gateway resources.",
    spec=(Obj("GatewayClassSpec", {
        "controllerName": (STR, "The name of the controller that is managing Gateways of this class."),
        "parametersRef": (ANY, "A reference to a resource that contains the configuration parameters."),
        "description": (STR, "Description helps describe a GatewayClass with more details."),
    }, ("controllerName",)), "Spec defines the desired state of GatewayClass."),
    status=(ANY, "Status defines the current state of GatewayClass."))

KINDS["Gateway"] = _root(
    "Gateway", "Gateway represents an instance of a service-traffic handling infrastructure by binding Listeners "
               "to a set of IP addresses.",
    spec=(Obj("GatewaySpec", {
        "gatewayClassName": (STR, "The name of a GatewayClass resource."),
        "listeners": (ListOf(Obj("Listener", {
            "name": (STR, "The name of the Listener; unique within a Gateway."),
            "hostname": (STR, "The virtual hostname to match for protocol types that define this concept."),
            "port": (INT, "The network port."),
            "protocol": (STR, "The network protocol this listener expects to receive (HTTP, HTTPS, TLS, TCP, UDP)."),
            "tls": (ANY, "The TLS configuration for the Listener."),
            "allowedRoutes": (ANY, "The types of routes that MAY be attached to a Listener and the trusted namespaces."),
        }, ("name", "port", "protocol"))), "The logical endpoints that are bound on this Gateway's addresses."),
        "addresses": (ListOf(ANY), "Requested addresses for this Gateway."),
        "infrastructure": (ANY, "Infrastructure-level attributes about this Gateway instance."),
        "backendTLS": (ANY, "TLS configuration for the connections from the Gateway to backends."),
    }, ("gatewayClassName", "listeners")), "Spec defines the desired state of Gateway."),
    status=(ANY, "Status defines the current state of Gateway."))

KINDS["HTTPRoute"] = _root(
    "HTTPRoute", "HTTPRoute provides a way to route HTTP requests.",
    spec=(Obj("HTTPRouteSpec", {
        "parentRefs": (ListOf(_PARENT_REF), "The resources (usually Gateways) that this Route wants to attach to."),
        "hostnames": (STRS, "Hostnames to match against the HTTP Host header."),
        "rules": (ListOf(Obj("HTTPRouteRule", {
            "name": (STR, "The name of the route rule."),
            "matches": (ListOf(ANY), "Conditions used for matching the rule against incoming HTTP requests."),
            "filters": (ListOf(ANY), "Filters applied to requests that match this rule."),
            "backendRefs": (ListOf(Obj("HTTPBackendRef", {
                "group": (STR, "Group of the referent; the core API group by default."),
                "kind": (STR, "Kind of the referent; Service by default."),
                "name": (STR, "Name of the referent."),
                "namespace": (STR, "Namespace of the backend; the route's namespace by default."),
                "port": (INT, "Destination port number to use for this resource."),
                "weight": (INT, "The proportion of requests forwarded to the referenced backend."),
                "filters": (ListOf(ANY), "Filters applied to requests forwarded to this backend."),
            }, ("name",))), "The backend(s) where matching requests should be sent."),
            "timeouts": (ANY, "Timeouts of the rule."),
        })), "A list of HTTP matchers, filters and actions."),
    }), "Spec defines the desired state of HTTPRoute."),
    status=(ANY, "Status defines the current state of HTTPRoute."))

KINDS["ReferenceGrant"] = _root(
    "ReferenceGrant", "ReferenceGrant identifies kinds of resources in other namespaces that are trusted to "
                      "reference the specified kinds of resources in the same namespace as the policy.",
    spec=(Obj("ReferenceGrantSpec", {
        "from": (ListOf(Obj("ReferenceGrantFrom", {
            "group": (STR, "The group of the referent."), "kind": (STR, "The kind of the referent."),
            "namespace": (STR, "The namespace of the referent."),
        }, ("group", "kind", "namespace"))), "The trusted namespaces and kinds that can reference the resources."),
        "to": (ListOf(Obj("ReferenceGrantTo", {
            "group": (STR, "The group of the referent."), "kind": (STR, "The kind of the referent."),
            "name": (STR, "The name of the referent; all of the kind when empty."),
        }, ("group", "kind"))), "The resources that may be referenced by the resources described in From."),
    }, ("from", "to")), "Spec defines the desired state of ReferenceGrant."))

# ---------------------------------------------------------------------------------------------
# Storage: PersistentVolume, PersistentVolumeClaim, StorageClass

_NODE_SELECTOR = Obj("NodeSelector", {
    "nodeSelectorTerms": (ListOf(Obj("NodeSelectorTerm", {
        "matchExpressions": (ListOf(Obj("NodeSelectorRequirement", {
            "key": (STR, "The label key that the selector applies to."),
            "operator": (STR, "In, NotIn, Exists, DoesNotExist, Gt or Lt."),
            "values": (STRS, "An array of string values."),
        }, ("key", "operator"))), "A list of node selector requirements by node's labels."),
        "matchFields": (ListOf(ANY), "A list of node selector requirements by node's fields."),
    })), "A list of node selector terms, ORed."),
}, ("nodeSelectorTerms",))

_PV_SOURCES = {
    "hostPath": (VOLUME.fields["hostPath"][0], "A directory on the host (single node testing only)."),
    "nfs": (VOLUME.fields["nfs"][0], "NFS mount on the host."),
    "local": (Obj("LocalVolumeSource", {
        "path": (STR, "The full path to the volume on the node."),
        "fsType": (STR, "The filesystem type to mount (block devices only)."),
    }, ("path",)), "Directly-attached storage with node affinity."),
    "csi": (ANY, "Storage handled by an external CSI driver."),
    "iscsi": (ANY, "An ISCSI Disk resource."), "fc": (ANY, "A Fibre Channel resource."),
    "cephfs": (ANY, "A Ceph FS mount."), "rbd": (ANY, "A Rados Block Device mount."),
    "awsElasticBlockStore": (ANY, "Deprecated."), "gcePersistentDisk": (ANY, "Deprecated."),
    "azureDisk": (ANY, "Deprecated."), "azureFile": (ANY, "Deprecated."), "cinder": (ANY, "Deprecated."),
    "vsphereVolume": (ANY, "Deprecated."), "flexVolume": (ANY, "Deprecated."), "glusterfs": (ANY, "Removed."),
}

KINDS["PersistentVolumeClaim"] = _root(
    "PersistentVolumeClaim", "PersistentVolumeClaim is a user's request for and claim to a persistent volume",
    spec=PVC.fields["spec"], status=(ANY, "Current information about the claim."))

KINDS["PersistentVolume"] = _root(
    "PersistentVolume", "PersistentVolume (PV) is a storage resource provisioned by an administrator.",
    spec=(Obj("PersistentVolumeSpec", {
        "capacity": (MapOf(QTY), "The persistent volume's resources and capacity."),
        "accessModes": (STRS, "All ways the volume can be mounted."),
        "claimRef": (OBJECT_REFERENCE, "Part of a bi-directional binding with a PersistentVolumeClaim."),
        "persistentVolumeReclaimPolicy": (STR, "What happens when released from its claim: Retain, Delete, Recycle."),
        "storageClassName": (STR, "Name of the StorageClass this volume belongs to."),
        "mountOptions": (STRS, "A list of mount options, e.g. [\"ro\", \"soft\"]."),
        "volumeMode": (STR, "Block or Filesystem. Defaults to Filesystem."),
        "nodeAffinity": (Obj("VolumeNodeAffinity", {
            "required": (_NODE_SELECTOR, "Hard node constraints that must be met."),
        }), "The nodes this volume can be accessed from."),
        "volumeAttributesClassName": (STR, "The VolumeAttributesClass this volume belongs to."),
        **_PV_SOURCES,
    }), "The actual volume backing the persistent volume."),
    status=(ANY, "Current information about the persistent volume."))

KINDS["StorageClass"] = _root(
    "StorageClass", "StorageClass describes the parameters for a class of storage for which "
                    "PersistentVolumes can be dynamically provisioned.",
    provisioner=(STR, "The type of the provisioner."),
    parameters=(LABELS, "Parameters for the provisioner that should create volumes of this storage class."),
    reclaimPolicy=(STR, "The reclaim policy of dynamically provisioned volumes: Delete (default) or Retain."),
    mountOptions=(STRS, "Mount options of dynamically provisioned volumes."),
    allowVolumeExpansion=(BOOL, "Whether the storage class allows volume expand."),
    volumeBindingMode=(STR, "How PersistentVolumeClaims are provisioned and bound: Immediate (default) "
                            "or WaitForFirstConsumer."),
    allowedTopologies=(ListOf(ANY), "Topologies where volumes can be dynamically provisioned."),
)


# ---------------------------------------------------------------------------------------------
# Strict decoding


def _decoder_root(obj: dict):
    """The kind's decoder tree: Kubernetes' own definition of its group-version-kind
    (api/openapi/decoding.py), else the description above (kinds the release lacks: the Gateway
    API's CRDs)."""
    return decoding.for_object(obj) or KINDS.get(obj.get("kind", ""))


def unknown_fields(obj: dict) -> list[str]:
    """Paths of fields the kind does not have, as the strict decoder names them.

    `spec.template.spec.containers[0].imagee`; sorted the way the decoder meets them (kubectl
    sends JSON with sorted keys). Unknown kinds and opaque subtrees report nothing.
    """
    root = _decoder_root(obj)
    if root is None:
        return []
    out: list[str] = []
    _walk(obj, root, "", out)
    return out


def _walk(value, t, path: str, out: list[str]) -> None:
    if isinstance(t, Obj) and isinstance(value, dict):
        for k in sorted(value):
            p = f"{path}.{k}" if path else k
            if k not in t.fields:
                out.append(p)
            else:
                _walk(value[k], t.fields[k][0], p, out)
    elif isinstance(t, ListOf) and isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, t.item, f"{path}[{i}]", out)
    elif isinstance(t, MapOf) and isinstance(value, dict) and isinstance(t.item, Obj):
        for k in sorted(value):
            _walk(value[k], t.item, f"{path}[{k}]", out)


def type_error(obj: dict) -> str | None:
    """The first JSON type mismatch, in encoding/json's words, or None.

    e.g. `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type
    int32` (replicas: "3"), or a number as a label value (`version: 1.0`). The apiserver returns
    it as `<Kind> in version "v1" cannot be handled as a <Kind>: <this>`.
    """
    root = _decoder_root(obj)
    if root is None:
        return None
    return _type_walk(obj, root, "", None)


def _json_kind(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _type_walk(value, t, path: str, owner: str | None) -> str | None:
    if value is None:
        return None  # null is accepted everywhere
    where = f"Go struct field {owner}.{path}" if owner else "Go value"
    if isinstance(t, Opaque):
        return None
    if isinstance(t, Scalar):
        kind = _json_kind(value)
        if t.name == "Quantity" and kind in ("string", "number"):
            try:
                quantity.parse(value)
            except quantity.QuantityError as e:
                return str(e)  # Quantity.UnmarshalJSON's own error, as the decoder passes it on
            return None
        if t.name == "IntOrString" or t.name == "Quantity":
            if kind in ("string", "number"):
                return None
            return f"json: cannot unmarshal {kind} into {where} of type {'intstr.IntOrString' if t.name == 'IntOrString' else 'resource.Quantity'}"
        if t.go in ("int32", "int64"):
            bits = 31 if t.go == "int32" else 63
            if kind == "number" and (isinstance(value, int) or float(value).is_integer()) \
                    and -(1 << bits) <= int(value) < (1 << bits):  # Go's json refuses what overflows the type
                return None
            if kind == "number":
                return f"json: cannot unmarshal number {value} into {where} of type {t.go}"
        elif t.go == "string" and kind == "string":
            return None
        elif t.go == "bool" and kind == "bool":
            return None
        elif t.go == "float64" and kind == "number":
            return None
        elif t.go == "[]uint8" and kind == "string":
            return None  # base64 text; its decoding is checked by validation.strict
        elif not t.go:
            return None
        return f"json: cannot unmarshal {kind} into {where} of type {t.go}"
    if isinstance(t, ListOf):
        if not isinstance(value, list):
            return f"json: cannot unmarshal {_json_kind(value)} into {where} of type []{_go_elem(t.item)}"
        for v in value:
            err = _type_walk(v, t.item, path, owner)
            if err:
                return err
        return None
    if isinstance(t, MapOf):
        if not isinstance(value, dict):
            return f"json: cannot unmarshal {_json_kind(value)} into {where} of type map[string]{_go_elem(t.item)}"
        for k in sorted(value):
            err = _type_walk(value[k], t.item, path, owner)
            if err:
                return err
        return None
    if isinstance(t, Obj):
        if not isinstance(value, dict):
            return f"json: cannot unmarshal {_json_kind(value)} into {where} of type {_go_elem(t)}"
        for k in sorted(value):
            if k in t.fields:
                p = f"{path}.{k}" if path else k
                err = _type_walk(value[k], t.fields[k][0], p, t.name)
                if err:
                    return err
    return None


def decode_nulls(obj: dict) -> None:
    """What encoding/json makes of JSON nulls in a typed object: a null field keeps its zero
    value (so it is simply absent once encoded again), a null item of a list of structs is a
    zero struct (`containers: [null]` is a container with no name and no image, which
    validation then names), a null string item an empty string. In place."""
    root = _decoder_root(obj)
    if root is not None:
        _nulls(obj, root)


def _nulls(value, t) -> None:
    if isinstance(t, Obj) and isinstance(value, dict):
        for k in list(value):
            if value[k] is None and k in t.fields:
                del value[k]
            elif k in t.fields:
                _nulls(value[k], t.fields[k][0])
    elif isinstance(t, ListOf) and isinstance(value, list):
        for i, v in enumerate(value):
            if v is None:
                if isinstance(t.item, Obj):
                    value[i] = {}
                elif isinstance(t.item, Scalar) and t.item.go == "string":
                    value[i] = ""
            else:
                _nulls(v, t.item)
    elif isinstance(t, MapOf) and isinstance(value, dict) and isinstance(t.item, Obj):
        for k, v in value.items():
            if v is None:
                value[k] = {}
            else:
                _nulls(v, t.item)


def _go_elem(t) -> str:
    if isinstance(t, Scalar):
        return t.go or t.name
    if isinstance(t, Obj):
        pkg = "v1."
        return pkg + t.name
    if isinstance(t, ListOf):
        return "[]" + _go_elem(t.item)
    if isinstance(t, MapOf):
        return "map[string]" + _go_elem(t.item)
    return "interface {}"


# ---------------------------------------------------------------------------------------------
# explain


def explain(kind: str, path: str = "") -> dict:
    """What `kubectl explain <kind>[.<path>]` needs: the field's type, description and children.

    Returns {"kind", "field" (dotted path or ""), "type" (e.g. "[]Container"), "description",
    "required" (bool), "fields": [{"name", "type", "description", "required"}]}. Raises KeyError
    (with the first unknown segment) for a field that does not exist.
    """
    root = KINDS.get(kind)
    if root is None:
        raise KeyError(kind)
    t, desc, required = root, root.description, False
    for seg in [s for s in path.split(".") if s]:
        inner = t
        while isinstance(inner, (ListOf, MapOf)):
            inner = inner.item
        if not isinstance(inner, Obj) or seg not in inner.fields:
            raise KeyError(seg)
        required = seg in inner.required
        t, desc = inner.fields[seg]
    inner = t
    while isinstance(inner, (ListOf, MapOf)):
        inner = inner.item
    fields = []
    if isinstance(inner, Obj):
        if not desc:
            desc = inner.description
        for name in sorted(inner.fields):
            ft, fd = inner.fields[name]
            fields.append({"name": name, "type": type_name(ft), "description": fd,
                           "required": name in inner.required})
    return {"kind": kind, "field": path, "type": type_name(t), "description": desc,
            "required": required, "fields": fields}


_METRIC_TARGET = Obj("MetricTarget", {
    "type": (STR, "Whether the metric type is Utilization, Value, or AverageValue."),
    "value": (QTY, "The target value of the metric (as a quantity)."),
    "averageValue": (QTY, "The target value of the average of the metric across all relevant pods (as a quantity)."),
    "averageUtilization": (INT, "The target value of the average of the resource metric across all relevant pods, "
                                "as a percentage of the requested value of the resource for the pods."),
}, ("type",))
_METRIC_IDENTIFIER = Obj("MetricIdentifier", {
    "name": (STR, "The name of the given metric."),
    "selector": (LABEL_SELECTOR, "The label selector for the given metric."),
}, ("name",))
_XREF = Obj("CrossVersionObjectReference", {
    "kind": (STR, "Kind of the referent."),
    "name": (STR, "Name of the referent."),
    "apiVersion": (STR, "API version of the referent."),
}, ("kind", "name"))
_SCALING_RULES = Obj("HPAScalingRules", {
    "stabilizationWindowSeconds": (INT, "The number of seconds for which past recommendations should be considered "
                                        "while scaling up or scaling down."),
    "selectPolicy": (STR, "Which policy should be used: Max, Min or Disabled."),
    "policies": (ListOf(Obj("HPAScalingPolicy", {
        "type": (STR, "The scaling policy: Pods or Percent."),
        "value": (INT, "The amount of change which is permitted by the policy. It must be greater than zero."),
        "periodSeconds": (INT, "The window of time for which the policy should hold true (1 to 1800)."),
    }, ("type", "value", "periodSeconds"))), "A list of potential scaling polices which can be used during scaling."),
    "tolerance": (QTY, "The tolerance on the ratio between the current and desired metric value."),
})

KINDS["HorizontalPodAutoscaler"] = _root(
    "HorizontalPodAutoscaler", "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which "
    "automatically manages the replica count of any resource implementing the scale subresource based on the metrics "
    "specified.",
    spec=(Obj("HorizontalPodAutoscalerSpec", {
        "scaleTargetRef": (_XREF, "Points to the target resource to scale, and is used to the pods for which metrics "
                                  "should be collected, as well as to actually change the replica count."),
        "minReplicas": (INT, "The lower limit for the number of replicas to which the autoscaler can scale down. "
                             "It defaults to 1 pod."),
        "maxReplicas": (INT, "The upper limit for the number of replicas to which the autoscaler can scale up."),
        "metrics": (ListOf(Obj("MetricSpec", {
            "type": (STR, "The type of metric source: ContainerResource, External, Object, Pods or Resource."),
            "resource": (Obj("ResourceMetricSource", {
                "name": (STR, "The name of the resource in question."),
                "target": (_METRIC_TARGET, "The target value for the given metric."),
            }, ("name", "target")), "A resource metric (such as those specified in requests and limits)."),
            "containerResource": (Obj("ContainerResourceMetricSource", {
                "name": (STR, "The name of the resource in question."),
                "container": (STR, "The name of the container in the pods of the scaling target."),
                "target": (_METRIC_TARGET, "The target value for the given metric."),
            }, ("name", "target", "container")), "A resource metric of a single container in each pod."),
            "pods": (Obj("PodsMetricSource", {
                "metric": (_METRIC_IDENTIFIER, "Identifies the target metric by name and selector."),
                "target": (_METRIC_TARGET, "The target value for the given metric."),
            }, ("metric", "target")), "A metric describing each pod in the current scale target."),
            "object": (Obj("ObjectMetricSource", {
                "describedObject": (_XREF, "The object the metric describes."),
                "metric": (_METRIC_IDENTIFIER, "Identifies the target metric by name and selector."),
                "target": (_METRIC_TARGET, "The target value for the given metric."),
            }, ("describedObject", "target", "metric")), "A metric describing a single kubernetes object."),
            "external": (Obj("ExternalMetricSource", {
                "metric": (_METRIC_IDENTIFIER, "Identifies the target metric by name and selector."),
                "target": (_METRIC_TARGET, "The target value for the given metric."),
            }, ("metric", "target")), "A global metric that is not associated with any Kubernetes object."),
        }, ("type",))), "The specifications for which to use to calculate the desired replica count."),
        "behavior": (Obj("HorizontalPodAutoscalerBehavior", {
            "scaleUp": (_SCALING_RULES, "Scaling policy for scaling Up."),
            "scaleDown": (_SCALING_RULES, "Scaling policy for scaling Down."),
        }), "Configures the scaling behavior of the target in both Up and Down directions."),
    }, ("scaleTargetRef", "maxReplicas")), "The specification for the behaviour of the autoscaler."),
    status=(ANY, "The current information about the autoscaler."))
