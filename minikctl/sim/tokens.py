"""Service account tokens as the apiserver's TokenRequest issues them: a JWT signed RS256 by the
cluster's service-account key, with kubeadm's issuer and the claims a v1.32 apiserver writes
(aud, exp, iat, iss, jti, kubernetes.io{namespace, serviceaccount, pod, node, secret}, nbf, sub).

The key is made once per cluster (cryptography, on first use) and kept in the cluster's meta;
`kid` is the base64url SHA-256 of its public key in PKIX DER, as serviceaccount.keyIDFromPublicKey.
"""
from __future__ import annotations

import base64
import hashlib
import json
import uuid

from minikctl.api.errors import ApiError, not_found
from minikctl import lazy

hashes = lazy.module("cryptography.hazmat.primitives.hashes")
padding = lazy.module("cryptography.hazmat.primitives.asymmetric.padding")
ca = lazy.module("minikctl.sim.ca")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
timeutil = lazy.module("minikctl.timeutil")
exceptions = lazy.module("cryptography.exceptions")

ISSUER = "https://kubernetes.default.svc.cluster.local"
DEFAULT_SECONDS = 3600
MIN_SECONDS = 600
KEY_META = "serviceAccountKey"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key(cluster):
    pem = cluster.meta.get(KEY_META)
    if pem is None:
        key = ca.new_rsa_key()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
        cluster.meta[KEY_META] = pem
        return key
    return ca.load_own_key(pem)


def public_key_pem(cluster) -> str:
    return _key(cluster).public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return _b64(hashlib.sha256(der).digest())


def _json(v) -> bytes:
    return json.dumps(v, separators=(",", ":"), sort_keys=True).encode()


def sign(cluster, claims: dict) -> str:
    key = _key(cluster)
    head = _b64(json.dumps({"alg": "RS256", "kid": key_id(key)}, separators=(",", ":")).encode())
    body = _b64(_json(claims))
    sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(sig)}"


def decode(token: str) -> dict | None:
    """The claims of a JWT, unverified (see verify), or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        body = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(body)
    except (ValueError, TypeError):
        return None
    return claims


def verify(cluster, token: str) -> dict | None:
    parts = token.split(".")
    if len(parts) != 3 or KEY_META not in cluster.meta:
        return None
    try:
        sig = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        _key(cluster).public_key().verify(sig, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except (ValueError, exceptions.InvalidSignature):
        return None
    claims = decode(token)
    if claims is None or claims.get("iss") != ISSUER or claims.get("exp", 0) < cluster.now:
        return None
    return claims


_BOUND = {"Pod": "v1", "Secret": "v1", "Node": "v1"}


def request(cluster, namespace: str, name: str, *, audiences: list[str] | None = None,
            seconds: int | None = None, bound: dict | None = None) -> dict:
    """TokenRequest create on serviceaccounts/<name>/token: the TokenRequest the apiserver returns."""
    sa = cluster.get("ServiceAccount", namespace, name)
    if sa is None:
        raise not_found("serviceaccounts", name)
    exp_seconds = DEFAULT_SECONDS if seconds is None else seconds
    if exp_seconds < MIN_SECONDS:
        raise ApiError("Invalid", f'TokenRequest.authentication.k8s.io "{name}" is invalid: spec.expirationSeconds: '
                       f"Invalid value: {exp_seconds}: may not specify a duration less than 10 minutes", 422)
    if exp_seconds > 2 ** 32:
        raise ApiError("Invalid", f'TokenRequest.authentication.k8s.io "{name}" is invalid: spec.expirationSeconds: '
                       f"Invalid value: {exp_seconds}: may not specify a duration larger than 2^32 seconds", 422)
    auds = list(audiences or [ISSUER])
    now = int(cluster.now)
    k8s: dict = {"namespace": namespace, "serviceaccount": {"name": name, "uid": sa["metadata"]["uid"]}}
    if bound:
        kind = bound["kind"]
        obj = cluster.get(kind, None if kind == "Node" else namespace, bound["name"])
        if obj is None:
            raise not_found({"Pod": "pods", "Secret": "secrets", "Node": "nodes"}[kind], bound["name"])
        uid = obj["metadata"]["uid"]
        if bound.get("uid") and bound["uid"] != uid:
            raise ApiError("Conflict", f"the UID in the bound object reference ({bound['uid']}) does not match the UID "
                           "in record. The object might have been deleted and then recreated", 409)
        bound = {"kind": kind, "apiVersion": _BOUND[kind], "name": bound["name"], "uid": uid}
        k8s[kind.lower()] = {"name": bound["name"], "uid": uid}
        if kind == "Pod" and (obj.get("spec") or {}).get("nodeName"):
            node = cluster.get("Node", None, obj["spec"]["nodeName"])
            if node is not None:
                k8s["node"] = {"name": node["metadata"]["name"], "uid": node["metadata"]["uid"]}
    claims = {"aud": auds, "exp": now + exp_seconds, "iat": now, "iss": ISSUER,
              "jti": str(uuid.UUID(int=cluster.rng.getrandbits(128), version=4)), "kubernetes.io": k8s,
              "nbf": now, "sub": f"system:serviceaccount:{namespace}:{name}"}
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
            "spec": {"audiences": auds, "expirationSeconds": exp_seconds, "boundObjectRef": bound},
            "status": {"token": sign(cluster, claims), "expirationTimestamp": timeutil.fmt(now + exp_seconds)}}
