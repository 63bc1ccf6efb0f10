"""The cluster's etcd, as a kubeadm control plane runs it: the keys the apiserver stores objects
under, snapshots (what `etcdctl snapshot save` writes and `etcdutl snapshot restore` reads), the
member identity, and which data directory the etcd static pod serves from.

The live store (SQLite) *is* the etcd data of the directory the etcd static pod's manifest
points at (`datadir.live`). A snapshot is a file in the node's file system holding every
object with its key and revision; restoring it makes a data directory, and pointing
/etc/kubernetes/manifests/etcd.yaml's etcd-data hostPath there swaps the store's objects for
the snapshot's (`datadir.sync`), as a real etcd restarted on that directory serves them.
"""
