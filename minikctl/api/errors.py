"""Errors are values: one type for what the apiserver says, one for what kubectl says itself.

The CLI renders both once, the way kubectl's cmdutil.CheckErr does, and sets the exit code.
"""
from __future__ import annotations


class ApiError(Exception):
    """A Status from the (simulated) apiserver: reason, HTTP code, message, causes."""

    def __init__(self, reason: str, message: str, code: int = 400, *, kind: str = "",
                 name: str = "", causes: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.code = code
        self.kind = kind
        self.name = name
        self.causes = causes or []  # [(field, body)]

    def render(self) -> str:
        """kubectl's rendering of a StatusError (cmdutil.StandardErrorMessage)."""
        if self.reason == "Invalid" and self.causes:
            return invalid_message(self.kind, self.name, self.causes)
        if self.reason:
            return f"Error from server ({self.reason}): {self.message}"
        return f"Error from server: {self.message}"


def invalid_message(kind: str, name: str, causes: list[tuple[str, str]]) -> str:
    """'The Service "x" is invalid: field: body' or the multi-cause bullet form."""
    seen: list[str] = []
    for field, body in causes:
        line = f"{field}: {body}" if field else body
        if line not in seen:
            seen.append(line)
    if len(seen) == 1:
        return f'The {kind} "{name}" is invalid: {seen[0]}'
    return f'The {kind} "{name}" is invalid: \n' + "\n".join(f"* {s}" for s in seen)


class CliError(Exception):
    """An error kubectl raises itself (printed as 'error: ...'), with its exit code."""

    def __init__(self, message: str, code: int = 1, *, raw: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.raw = raw  # print as is, without the 'error: ' prefix

    def render(self) -> str:
        if self.raw or self.message.startswith(("error: ", "Error from server", "minikctl: ")):
            return self.message
        return f"error: {self.message}"


def not_found(resource: str, name: str) -> ApiError:
    """NotFound as errors.NewNotFound words it: 'pods "x" not found'."""
    return ApiError("NotFound", f'{resource} "{name}" not found', 404, name=name)


def already_exists(resource: str, name: str) -> ApiError:
    return ApiError("AlreadyExists", f'{resource} "{name}" already exists', 409, name=name)


def invalid(kind: str, name: str, causes: list[tuple[str, str]]) -> ApiError:
    msg = invalid_message(kind, name, causes)
    return ApiError("Invalid", msg, 422, kind=kind, name=name, causes=causes)
