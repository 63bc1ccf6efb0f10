"""Write each case's expected.yaml / expected.err from the real `kubectl kustomize`."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def target(case: str) -> str:
    t = os.path.join(HERE, case, "target")
    sub = open(t).read().strip() if os.path.exists(t) else "."
    return os.path.join(HERE, case, sub)


if __name__ == "__main__":
    for case in sorted(os.listdir(HERE)):
        if not os.path.isdir(os.path.join(HERE, case)):
            continue
        p = subprocess.run(["kubectl", "kustomize", target(case)], capture_output=True, text=True)
        if p.returncode:
            sys.exit(f"{case}: {p.stderr}")
        open(os.path.join(HERE, case, "expected.yaml"), "w").write(p.stdout)
        open(os.path.join(HERE, case, "expected.err"), "w").write(p.stderr)
