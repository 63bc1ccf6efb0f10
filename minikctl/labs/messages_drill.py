"""The drill engine's and the exam's own sentences and table headers, in English and Chinese.

Keyed by the English text (the engine writes t("Time left: {left}", lang)); a test checks that
every text the engine passes through t() has its Chinese here."""
from __future__ import annotations
import re

ZH = {
    "TASK": "任务", "CONTEXT": "上下文", "DOMAIN": "领域", "WEIGHT": "权重", "CHECKS": "检查", "SCORE": "得分",
    "TOTAL": "总计", "PASS": "通过", "FAIL": "未通过", "CURRENT": "当前", "FLAGGED": "已标记", "VISITED": "已查看",
    "NAME": "名称", "ATTEMPTS": "尝试", "BEST": "最佳", "TITLE": "标题", "EXAM": "考试占比", "DRILLS": "练习数",
    "TRIED": "已尝试", "PASSED": "已通过", "yes": "是", "flagged": "已标记", "Exam": "考试",
    "not visited": "未查看",
    "Task {i} ({ctx}, {drill}): {got}/{total}": "任务 {i}({ctx},{drill}):{got}/{total}",
    "Result: {pct:.0f}% ({verdict}, pass mark {mark}%), seed {seed}, time used {used} of {all}":
        "结果:{pct:.0f}%({verdict},及格线 {mark}%),种子 {seed},用时 {used} / {all}",
    "Time was up at the deadline: work after it was not counted.": "考试在截止时间结束:之后的操作不计分。",
    "Simulator session {s} of 2": "模拟考试第 {s} 场(共 2 场)",
    "Task {i} of {n} \u00b7 Task weight: {w}% \u00b7 Time left: {left}": "任务 {i}/{n} \u00b7 权重:{w}% \u00b7 剩余时间:{left}",
    "Use context:": "切换上下文:",
    "Move: 'minikctl exam next|prev|goto N', flag it: 'minikctl exam flag', all tasks: 'minikctl exam list'; "
    "when done: 'minikctl exam submit'.":
        "切换任务:'minikctl exam next|prev|goto N',标记:'minikctl exam flag',全部任务:'minikctl exam list';"
        "完成后:'minikctl exam submit'。",
    "{what} started: {n} tasks, {time} (seed {seed}). Every task names its context: run its use-context line first.":
        "{what}开始:{n} 个任务,{time}(种子 {seed})。每个任务都注明了上下文:先执行它的 use-context 命令。",
    "Task {i} flagged.": "任务 {i} 已标记。", "Task {i} unflagged.": "任务 {i} 已取消标记。",
    "Time left: {left}": "剩余时间:{left}",
    "Drill {name} \u00b7 {domain} \u00b7 Task weight: {w}%": "练习 {name} \u00b7 {domain} \u00b7 权重:{w}%",
    "Solve it with minikctl (kubectl) commands, then run 'minikctl drill check'.":
        "用 minikctl(kubectl)命令完成任务,然后运行 'minikctl drill check'。",
    "Stuck? 'minikctl drill hint', 'minikctl drill solution'. Start over: 'minikctl drill reset'.":
        "卡住了?'minikctl drill hint'、'minikctl drill solution'。重新开始:'minikctl drill reset'。",
    "Score: {got}/{total} ({pct}%)   attempts: {n}   best: {best}%": "得分:{got}/{total}({pct}%)   尝试:{n}   最佳:{best}%",
    "All checks pass. Well done!": "全部检查通过。做得好!",
    "No hint for this drill.": "这个练习没有提示。",
    "Due for review:": "需要复习:", "Next:": "下一个:",
    "Why:": "原因:", "Drill": "练习",
    "Solve it with kubectl on context {ctx}, then run 'minikctl drill check'.":
        "在上下文 {ctx} 上用 kubectl 完成任务,然后运行 'minikctl drill check'。",
}

# The reasons a check gives (drill_checks), as patterns: the values stay, the words are translated.
REASONS = [
    # the node check (files, etcd, components, the kubelet, commands on a node)
    (r"^no node (\S+)$", "没有节点 {0}"),
    (r"^(\S+) not found on (\S+)$", "{1} 上没有 {0}"),
    (r"^(\S+) on (\S+) is a directory$", "{1} 上的 {0} 是一个目录"),
    (r"^(\S+) on (\S+) has no line matching /(.+)/$", "{1} 上的 {0} 没有匹配 /{2}/ 的行"),
    (r"^(\S+) on (\S+) still has a line matching /(.+)/$", "{1} 上的 {0} 仍有匹配 /{2}/ 的行"),
    (r"^(\S+) is down \((.*)\)$", "{0} 未运行({1})"),
    (r"^(\S+) is running$", "{0} 正在运行"),
    (r"^etcd serves (\S+), expected (\S+)$", "etcd 使用 {0},应为 {1}"),
    (r"^the kubelet on (\S+) runs with (\S+), expected (.+)$", "{0} 上的 kubelet 以 {1} 运行,应为 {2}"),
    (r"^etcdutl snapshot status (\S+): (.+)$", "etcdutl snapshot status {0}:{1}"),
    (r"^(\S+) is a copy of a database file, not a saved snapshot \(no checksum\)$",
     "{0} 是数据库文件的副本,不是保存的快照(没有校验和)"),
    (r"^the snapshot (\S+) holds no (\S+)$", "快照 {0} 中没有 {1}"),
    (r"^the snapshot (\S+) holds (\S+)$", "快照 {0} 中包含 {1}"),
    (r"^'(.+)' on (\S+) exited (\d+), expected (\d+)$", "{1} 上的 '{0}' 退出码为 {2},应为 {3}"),
    (r"^'(.+)' on (\S+) printed no (.+)$", "{1} 上的 '{0}' 没有输出 {2}"),
    (r"^(.+) not found$", "{0} 不存在"),
    (r"^(.+) exists$", "{0} 仍然存在"),
    (r"^(\S+) is (.+), expected to match /(.+)/$", "{0} 为 {1},应匹配 /{2}/"),
    (r"^(\S+) is (.+), expected (.+)$", "{0} 为 {1},应为 {2}"),
    (r"^(\d+) of (\d+) matching pod\(s\) (\w+), expected (\d+)$", "{1} 个匹配的 Pod 中 {0} 个 {2},应为 {3} 个"),
    (r"^(\d+) matching pod\(s\), expected exactly (\d+)$", "匹配的 Pod 有 {0} 个,应恰好为 {1} 个"),
    (r"^no running pod (.+) in namespace (.+)$", "命名空间 {1} 中没有运行中的 Pod {0}"),
    (r"^no Endpoints (.+) in namespace (.+)$", "命名空间 {1} 中没有 Endpoints {0}"),
    (r"^no Service (.+) in namespace (.+)$", "命名空间 {1} 中没有 Service {0}"),
    (r"^(\d+) ready address\(es\), expected (.+)$", "{0} 个就绪地址,应为 {1}"),
    (r"^(\d+) not-ready address\(es\), expected (.+)$", "{0} 个未就绪地址,应为 {1}"),
    (r"^auth can-i (.+): (yes|no), expected (yes|no)$", "auth can-i {0}:{1},应为 {2}"),
    (r"^(\S+) (\S+): (\d+) record\(s\), expected (.+)$", "{0} {1}:{2} 条记录,应为 {3}"),
    (r"^(\S+) (\S+): no reply from (\S+) \(timed out\)$", "{0} {1}:{2} 没有应答(超时)"),
    (r"^(\S+) (\S+): (\w+), expected (\w+)$", "{0} {1}:{2},应为 {3}"),
    (r"^(\S+): HTTP (\S+), expected (\d+)$", "{0}:HTTP {1},应为 {2}"),
    (r"^(\S+): (\S+), expected (\S+)$", "{0}:{1},应为 {2}"),
    (r"^kube-proxy has (\d+) ready endpoint\(s\) for (\S+), expected (\d+)(.*)$", "kube-proxy 为 {1} 配置了 {0} 个就绪端点,应为 {2}"),
    (r"^'(.+)' exited (\d+), expected (\d+)$", "'{0}' 退出码为 {1},应为 {2}"),
    (r"^(\d+) connections from one client reached (\d+) different pods$", "同一客户端的 {0} 个连接到达了 {1} 个不同的 Pod"),
]


def reason(detail: str, lang: str) -> str:
    """A check's reason in lang (the English one when no pattern fits)."""
    if lang != "zh":
        return detail
    for pat, zh in REASONS:
        m = re.match(pat, detail)
        if m:
            return zh.format(*m.groups())
    return detail


def t(text: str, lang: str = "en") -> str:
    return ZH.get(text, text) if lang == "zh" else text
