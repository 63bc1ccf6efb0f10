"""Go's base64.StdEncoding decoder, for the apiserver's decoding of `[]byte` fields (Secret data).

The apiserver decodes a Secret's `data` values while it decodes the request body, so a value
that is not base64 fails there with Go's CorruptInputError: `illegal base64 data at input byte
N`. Python's decoder neither reports that position nor has Go's rules (padding required, CR/LF
skipped anywhere, trailing garbage after padding refused), so this follows decodeQuantum.
"""
from __future__ import annotations

import base64

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}


class CorruptInput(ValueError):
    def __init__(self, pos: int):
        super().__init__(f"illegal base64 data at input byte {pos}")
        self.pos = pos


def _quantum(src: str, si: int) -> tuple[int, int, bool]:
    """One 4-character group from si: (next index, characters read, end reached)."""
    n = len(src)
    j = 0
    while j < 4:
        if si == n:
            if j == 0:
                return si, 0, True
            raise CorruptInput(si - j)
        ch = src[si]
        si += 1
        if ch in _VALUE:
            j += 1
            continue
        if ch in "\r\n":
            continue
        if ch != "=":
            raise CorruptInput(si - 1)
        if j in (0, 1):
            raise CorruptInput(si - 1)
        if j == 2:
            while si < n and src[si] in "\r\n":
                si += 1
            if si == n:
                raise CorruptInput(n)
            if src[si] != "=":
                raise CorruptInput(si - 1)
            si += 1
        while si < n and src[si] in "\r\n":
            si += 1
        if si < n:
            raise CorruptInput(si)
        return si, j, True
    return si, 4, False


def check(text: str) -> None:
    """Raise CorruptInput as Go's DecodeString would for text; return quietly if it decodes."""
    si = 0
    while True:
        si, _, end = _quantum(text, si)
        if end:
            return


def decode(text: str) -> bytes:
    """Go's decoding (raises CorruptInput); CR and LF are ignored as Go ignores them."""
    check(text)
    return base64.b64decode(text.replace("\r", "").replace("\n", ""))
