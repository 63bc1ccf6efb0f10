"""kube-scheduler's framework in miniature: a snapshot of the nodes (snapshot.py), the default
profile's filter plugins in their order (filters.py), its scores (scores.py) and preemption
(preemption.py). sim/controllers/scheduler.py runs them for each pending pod.

Why a framework and not one function: the FailedScheduling message a learner debugs from is
built from each node's first failing plugin (`3 Insufficient cpu, 1 node(s) had untolerated
taint ...`), and whether preemption is worth trying depends on whether that plugin's verdict is
resolvable. Both need the plugins, in the real order, each with its real reason text.
"""
