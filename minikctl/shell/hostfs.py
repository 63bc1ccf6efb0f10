"""The learner's real working directory as the shell interpreter's file system.

Why: in `minikctl shell` files are the learner's own (manifests written with `> x.yaml` or a
here-document are kept, and `kubectl apply -f` reads them from disk), so redirections, globbing
and `[ -f x ]` of minikctl/sh work on the host's files here, through the same small interface
as a container's simulated files (minikctl/images/fs.py). Only file contents are touched;
nothing is executed.
"""
from __future__ import annotations

import os
import shutil


class HostFS:
    def kind(self, path: str) -> str | None:
        if os.path.isdir(path):
            return "dir"
        if os.path.exists(path):
            return "file"
        return None

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def read(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def listdir(self, path: str) -> list[str] | None:
        try:
            return sorted(os.listdir(path))
        except OSError:
            return None

    def executable(self, path: str) -> bool:
        return os.path.isfile(path) and os.access(path, os.X_OK)

    def writable(self, path: str) -> bool:
        return os.access(path, os.W_OK)

    def write(self, path: str, text: str, append: bool = False) -> str | None:
        try:
            with open(path, "a" if append else "w", encoding="utf-8") as f:
                f.write(text)
        except IsADirectoryError:
            return "EISDIR"
        except FileNotFoundError:
            return "ENOENT"
        except NotADirectoryError:
            return "ENOTDIR"
        except PermissionError:
            return "EACCES"
        except OSError as e:
            return e.strerror or "EIO"
        return None

    def mkdir(self, path: str, parents: bool = False) -> str | None:
        try:
            os.makedirs(path, exist_ok=True) if parents else os.mkdir(path)
        except FileExistsError:
            return "EEXIST"
        except FileNotFoundError:
            return "ENOENT"
        except OSError as e:
            return e.strerror or "EIO"
        return None

    def remove(self, path: str, recursive: bool = False, directory: bool = False) -> str | None:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                if recursive:
                    shutil.rmtree(path)
                elif directory:
                    os.rmdir(path)
                else:
                    return "EISDIR"
            else:
                os.unlink(path)
        except FileNotFoundError:
            return "ENOENT"
        except OSError as e:
            return e.strerror or "EIO"
        return None
