"""The database images' own client programs, talking to the simulated servers: redis-cli,
pg_isready, mysqladmin ping. What a client reaches is decided by the same connection model as
wget/curl (net/proxy/traffic: DNS, kube-proxy, the backend's process from images/behaviours).

Modelled: redis-cli PING [message] (`PONG`, or the message), ECHO; pg_isready (`<host>:<port> -
accepting connections` / `no response`); mysqladmin ping (`mysqld is alive`). Anything else
these clients can do says plainly that it is not simulated.
"""
from __future__ import annotations
from functools import lru_cache

from minikctl import lazy

_src = lazy.function("minikctl.images.nettools", "_src")
behaviours = lazy.module("minikctl.images.behaviours")
traffic = lazy.module("minikctl.net.proxy.traffic")

NOT_SIM = "minikctl: {what} is not simulated\n"

# which image ships which client (by the server program its image runs)
CLIENTS = {"redis-server": ("redis-cli",), "postgres": ("pg_isready", "psql"), "mysqld": ("mysqladmin", "mysql"),
           "mariadbd": ("mysqladmin", "mariadb-admin", "mysql")}


def _peer(ctx, host: str, port: int):
    """('ok', server program) | ('refused', None) | ('bad address', None) | ('timeout', None)."""
    o = traffic.connect(ctx.view, _src(ctx), host, port)
    if o.status not in ("ok", "not http"):
        return o.status, None
    got = behaviours.listeners(o.pod or {}).get(int((o.backend or f":{port}").rsplit(":", 1)[1])) \
        if o.pod else None
    return "ok", (got[2].program.rsplit("/", 1)[-1] if got else None)


def _opt(args: list[str], short: str, long: str | None, default):
    for i, a in enumerate(args):
        if a == short or (long and a == long):
            if i + 1 < len(args):
                return args[i + 1]
        if a.startswith(short) and len(a) > len(short) and not a.startswith("--"):
            return a[len(short):]
        if long and a.startswith(long + "="):
            return a.split("=", 1)[1]
    return default


def _rest(args: list[str], with_value: tuple[str, ...]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in with_value:
            skip = True
            continue
        if a.startswith("-"):
            continue
        out.append(a)
    return out


def redis_cli(ctx, argv):
    args = list(argv[1:])
    host = _opt(args, "-h", None, "127.0.0.1")
    port = int(_opt(args, "-p", None, "6379"))
    cmd = _rest(args, ("-h", "-p", "-a", "-n", "-u"))
    if not cmd:
        return "", NOT_SIM.format(what="the interactive redis-cli"), 1
    status, program = _peer(ctx, host, port)
    if status == "ok" and program != "redis-server":
        return "", NOT_SIM.format(what=f"redis-cli talking to {program or 'a server that is not redis'}"), 1
    if status != "ok":
        why = "Connection refused" if status == "refused" else (
            "Name or service not known" if status == "bad address" else "Connection timed out")
        return f"Could not connect to Redis at {host}:{port}: {why}\n", "", 1
    verb = cmd[0].upper()
    if verb == "PING":
        return ("PONG\n" if len(cmd) == 1 else f'"{cmd[1]}"\n'), "", 0
    if verb == "ECHO" and len(cmd) == 2:
        return f'"{cmd[1]}"\n', "", 0
    return "", NOT_SIM.format(what=f"redis-cli {verb}"), 1


def pg_isready(ctx, argv):
    args = list(argv[1:])
    host = _opt(args, "-h", "--host", None)
    port = int(_opt(args, "-p", "--port", "5432"))
    shown = f"{host}:{port}" if host else f"/var/run/postgresql:{port}"
    status, program = _peer(ctx, host or "127.0.0.1", port)
    if status == "ok" and program == "postgres":
        return f"{shown} - accepting connections\n", "", 0
    return f"{shown} - no response\n", "", 2


def mysqladmin(ctx, argv):
    args = list(argv[1:])
    words = _rest(args, ("-h", "-P", "-u", "-p", "--host", "--port", "--user"))
    if words[:1] != ["ping"]:
        return "", NOT_SIM.format(what=f"mysqladmin {' '.join(words) or '(no command)'}"), 1
    host = _opt(args, "-h", "--host", "localhost")
    port = int(_opt(args, "-P", "--port", "3306"))
    status, program = _peer(ctx, "127.0.0.1" if host == "localhost" else host, port)
    if status == "ok" and program in ("mysqld", "mariadbd"):
        return "mysqld is alive\n", "", 0
    return "", NOT_SIM.format(what="mysqladmin's connection errors"), 1


def _not_simulated(name):
    def tool(ctx, argv):
        return "", NOT_SIM.format(what=f"the {name} client"), 1
    return tool


TOOLS = {"redis-cli": redis_cli, "pg_isready": pg_isready, "mysqladmin": mysqladmin, "mariadb-admin": mysqladmin}


def client_tools(image: str) -> dict:
    """The client programs the image ships (by the server program its ENTRYPOINT/CMD runs)."""
    program = _default_program(image)
    if program is None:
        return {}
    return {n: TOOLS.get(n) or _not_simulated(n) for n in CLIENTS.get(program, ())}


@lru_cache(maxsize=256)
def _default_program(image: str) -> str | None:
    """The program the image's own ENTRYPOINT/CMD runs: a fact of the image (minikctl/data's
    tables), asked for every command run in one of its containers, so looked up once per process."""
    try:
        return behaviours.process({"name": "c", "image": image}).program.rsplit("/", 1)[-1]
    except Exception:
        return None
