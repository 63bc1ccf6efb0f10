"""Kubernetes' own OpenAPI schemas for the served version, read from a PyPI dependency.

The schemas are not in this repository: `kubernetes-validate` ships the upstream definitions of
every Kubernetes release (as JSON Schema converted from the apiserver's OpenAPI v2 document), and
source.py turns the served version's set back into OpenAPI v2 definitions. From those:

  v3.py       the OpenAPI v3 index (/openapi/v3) and one document per group-version, with
              components.schemas and the paths kubectl's explain template reads the GVK from
  v2.py       the OpenAPI v2 document (/openapi/v2), JSON or gnostic protobuf (kubectl <= 1.28
              validates and merges with it)
  explain.py  kubectl's plaintext explain template over a v3 document (minikctl explain)
  custom.py   the hook through which CustomResourceDefinitions add their schemas

Everything loads lazily: importing this package reads nothing; the first document asked for
reads the ~1.3 MB definitions file once per process.
"""
