"""The files an image ships that learners look at, per image family, and a node's own files.

Why data: /etc/os-release, /etc/passwd and the directory skeleton are facts of the real images
(busybox: its applets in /bin; nginx: Debian bookworm with /usr/share/nginx/html and
/etc/nginx; alpine; Debian/Ubuntu), copied from `docker run IMAGE cat ...` outputs. The kubelet's
files (/etc/hosts, /etc/resolv.conf, /etc/hostname) are computed from the pod (images/base.py).
"""
from __future__ import annotations

from functools import lru_cache

from minikctl import lazy

ExecContext = lazy.function("minikctl.images.context", "ExecContext")
FileSystem = lazy.function("minikctl.images.fs", "FileSystem")
family_of = lazy.function("minikctl.images.registry", "family_of")
kubelet_files = lazy.function("minikctl.images.base", "files")
node_files = lazy.function("minikctl.images.nodetools", "node_files")
toolset = lazy.function("minikctl.images.registry", "toolset")
traffic = lazy.module("minikctl.net.proxy.traffic")

BUSYBOX_PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""
BUSYBOX_GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nobody:x:65534:
"""
DEBIAN_PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
DEBIAN_OS_RELEASE = """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""
ALPINE_GROUP = """root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin,adm
adm:x:4:root,adm,daemon
tty:x:5:
disk:x:6:root,adm
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
console:x:17:
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
"""
ALPINE_OS_RELEASE = """NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.21.0
PRETTY_NAME="Alpine Linux v3.21"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
"""
NGINX_DEFAULT_CONF = """server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""
NGINX_50X = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""
BUSYBOX_ROOT = ["bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var"]
DEBIAN_ROOT = ["bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run",
               "sbin", "srv", "sys", "tmp", "usr", "var"]


def _family(image: str) -> str:
    fam = family_of(image)
    base = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]
    tag = image.split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
    if fam == "generic" and base == "alpine" or "alpine" in tag:
        return "alpine"
    if fam.startswith("busybox"):
        return "busybox"
    return fam


def populate(fs, view, pod: dict, container: dict) -> None:
    """A new container's tree: its image's files, then the kubelet's."""
    image = container.get("image") or "busybox"
    entries, execs = _image_tree(image)
    fs.entries.update(entries)
    fs.execs |= execs
    ctx = ExecContext(view=view, pod=pod, container=container.get("name"), node=(pod.get("spec") or {}).get("nodeName"))
    for path, text in kubelet_files(ctx).items():
        fs.add_file(path, text)


@lru_cache(maxsize=64)
def _image_tree(image: str) -> tuple[dict, frozenset]:
    """The files `image` ships, as a tree's entries and its executables (read-only: populate
    copies them). The same for every container of the image, and a container's tree is built for
    each exec, probe, lookup and served page: made once per process per image."""
    fs = FileSystem()
    fam = _family(image)
    tools = toolset(image).tools
    if fam == "busybox":
        for d in BUSYBOX_ROOT:
            fs.add_dir("/" + d)
        fs.add_file("/etc/passwd", BUSYBOX_PASSWD)
        fs.add_file("/etc/group", BUSYBOX_GROUP)
        fs.add_dir("/var/www")
        fs.add_dir("/var/spool/mail")
        fs.add_dir("/usr/sbin")
        for name in sorted(tools):
            fs.add_file(f"/bin/{name}", "", executable=True)
    else:
        for d in DEBIAN_ROOT:
            fs.add_dir("/" + d)
        fs.add_file("/etc/passwd", DEBIAN_PASSWD + ("nginx:x:101:101:nginx user:/nonexistent:/usr/sbin/nologin\n"
                                                    if fam == "nginx" else ""))
        fs.add_file("/etc/os-release", ALPINE_OS_RELEASE if fam == "alpine" else DEBIAN_OS_RELEASE)
        if fam == "alpine":
            fs.add_file("/etc/alpine-release", "3.21.0\n")
            fs.add_file("/etc/group", ALPINE_GROUP)
        else:
            fs.add_file("/etc/debian_version", "12.8\n")
        for d in ("/var/log", "/var/cache", "/var/lib", "/usr/local/bin", "/usr/share"):
            fs.add_dir(d)
        for name in sorted(tools):
            fs.add_file(f"/usr/bin/{name}" if name not in ("sh", "bash", "dash") else f"/bin/{name}", "",
                        executable=True)
    if fam == "nginx":
        fs.add_file("/usr/share/nginx/html/index.html", traffic.NGINX_INDEX)
        fs.add_file("/usr/share/nginx/html/50x.html", NGINX_50X)
        fs.add_file("/etc/nginx/conf.d/default.conf", NGINX_DEFAULT_CONF)
        fs.add_file("/etc/nginx/nginx.conf", NGINX_CONF)
        fs.add_file("/etc/nginx/mime.types", "types {\n    text/html                                        html htm shtml;\n}\n")
        fs.add_file("/docker-entrypoint.sh", "#!/bin/sh\n# vim:sw=4:ts=4:et\n\nset -e\n", executable=True)
        fs.add_dir("/docker-entrypoint.d")
        fs.add_dir("/var/cache/nginx")
        fs.add_file("/var/log/nginx/access.log", "")
        fs.add_file("/var/log/nginx/error.log", "")
        fs.add_file("/var/run/nginx.pid", "1\n")
    if "/agnhost" in image.split("@")[0].split(":")[0] or image.startswith("agnhost"):
        fs.add_file("/agnhost", "", executable=True)      # agnhost's Dockerfile: the binary, /uploads
        fs.add_dir("/uploads")
    return fs.entries, frozenset(fs.execs)


NGINX_CONF = """
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"""


def populate_node(fs, view, node: str) -> None:
    """A kubeadm node: its resolv.conf (the upstream), hostname, the kubelet's and kubeadm's dirs."""
    for d in DEBIAN_ROOT:
        fs.add_dir("/" + d)
    for d in ("/etc/kubernetes/manifests", "/etc/kubernetes/pki", "/var/lib/kubelet", "/var/log/pods",
              "/var/log/containers", "/etc/cni/net.d", "/opt/cni/bin"):
        fs.add_dir(d)
    ctx = ExecContext(view, pod=None, container=None, node=node, cwd="/root")
    for path, text in node_files(ctx).items():
        fs.add_file(path, text)
