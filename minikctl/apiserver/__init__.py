"""The Kubernetes API over HTTPS for the real kubectl: `minikctl serve`.

Every request is one `open_cluster(env)` transaction, so the server, the minikctl CLI and the
simulation share one store and one clock. Modules: http (the server and request plumbing),
routes (paths -> verbs on kinds), discovery (version, discovery, openapi), table (server-side
printing from minikctl's own column definitions), status (errors as metav1.Status), patch
(the three patch types), watch, exec_stream (WebSocket exec), tls (the serving certificate).
"""
