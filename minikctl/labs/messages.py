"""The engine's own sentences, in English and Chinese.

Why here: these sentences carry values the engine computed (how many names changed, after how
many queries the order moved), so they cannot live in a lab's narration; keeping both languages
side by side keeps them in step.
"""
from __future__ import annotations

MESSAGES = {
    "info": {
        "en": "A fresh simulated cluster in {home}, virtual clock from {start}, seed {seed}.",
        "zh": "全新的模拟集群：{home}，虚拟时钟从 {start} 开始，种子 {seed}。",
    },
    "later": {"en": "{d} later", "zh": "{d} 之后"},
    "order_changed": {
        "en": "Same {n} records, another order: the answer was shuffled between the two queries (DNS round robin).",
        "zh": "同样的 {n} 条记录，顺序变了：两次查询之间答案被打乱（DNS 轮询）。",
    },
    "order_same": {
        "en": "Same order as last time; the order is random ({n} records: {perms} possible orders). Asking again.",
        "zh": "顺序和上次相同；顺序是随机的（{n} 条记录，共 {perms} 种顺序）。再查一次。",
    },
    "order_never": {
        "en": "The order did not change in {k} queries (it is random; try another --seed).",
        "zh": "{k} 次查询顺序都没有变（这是随机的，换一个 --seed 再试）。",
    },
    "answers_title": {"en": "Three Services, three kinds of DNS answer", "zh": "三种 Service，三种 DNS 解析"},
    "row_records": {"en": "records", "zh": "记录数"},
    "row_names": {"en": "names are", "zh": "名字"},
    "kind_ip-derived": {"en": "derived from the pod IP", "zh": "由 Pod IP 生成"},
    "kind_service": {"en": "the Service's own (virtual IP)", "zh": "Service 自己的（虚拟 IP）"},
    "kind_pod-name": {"en": "the pod's own name", "zh": "Pod 自己的名字"},
    "kind_address": {"en": "an address only (no reverse name)", "zh": "只有地址（无反向名）"},
    "kind_none": {"en": "no answer", "zh": "无应答"},
    "compare_title": {"en": "Per-pod DNS names before and after replacing a pod",
                      "zh": "替换 Pod 前后每个 Pod 的 DNS 名"},
    "col_service": {"en": "Service", "zh": "Service"},
    "col_before": {"en": "before", "zh": "之前"},
    "col_after": {"en": "after", "zh": "之后"},
    "col_verdict": {"en": "verdict", "zh": "结论"},
    "names_changed": {"en": "{c} of {n} names changed", "zh": "{n} 个名字中 {c} 个变了"},
    "names_kept": {"en": "all {n} names kept", "zh": "{n} 个名字全部保留"},
    "verdict_changed": {
        "en": "{label}: the per-pod names changed ({gone} -> {new}); they are derived from IPs, and a new pod has a new IP.",
        "zh": "{label}：每个 Pod 的名字变了（{gone} -> {new}）；名字由 IP 生成，新 Pod 有新 IP。",
    },
    "verdict_kept": {
        "en": "{label}: every per-pod name stayed ({names}), even though a pod was replaced.",
        "zh": "{label}：虽然替换了 Pod，每个 Pod 的名字都没变（{names}）。",
    },
    "step_pause": {"en": "-- Enter: next step, q: quit --", "zh": "-- 回车：下一步，q：退出 --"},
    "stopped": {"en": "Stopped at step {i} of {n}.", "zh": "在第 {i}/{n} 步停止。"},
    "done": {
        "en": "Lab finished. The cluster stays in {home}; explore it with: MINIKCTL_HOME={home} minikctl get po -o wide",
        "zh": "实验结束。集群保留在 {home}；可以继续探索：MINIKCTL_HOME={home} minikctl get po -o wide",
    },
    "unexpected_fail": {"en": "step {i}: '{cmd}' failed (exit {code})", "zh": "第 {i} 步：'{cmd}' 失败（退出码 {code}）"},
    "unexpected_ok": {"en": "step {i}: '{cmd}' was expected to fail but succeeded",
                      "zh": "第 {i} 步：'{cmd}' 本应失败却成功了"},
}


def msg(key: str, lang: str, **kw) -> str:
    texts = MESSAGES[key]
    return (texts.get(lang) or texts["en"]).format(**kw)
