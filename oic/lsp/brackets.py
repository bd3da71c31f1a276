"""Where the cursor stands among the brackets of the text before it: the open brackets around it,
innermost last, each with where it opens and the keys (``Name:``) written directly inside it.

Completion runs on text that is being typed and so rarely parses; this scan needs no parse. Strings
(with ``\\"`` escapes) and ``#`` comments are skipped, so brackets inside them do not count.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\"[^\"]*\")\s*:")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


class Open:
    """An open bracket: ``char``, its ``offset`` in the text, and the offsets where the entries
    directly inside it start (after the bracket and after each comma at its level)."""

    def __init__(self, char: str, offset: int) -> None:
        self.char = char
        self.offset = offset
        self.entries = [offset + 1]

    def keys(self, text: str) -> set[str]:
        """The keys written at the start of the entries before the cursor's."""
        found = set()
        for start in self.entries[:-1]:
            match = _KEY.match(text, start)
            if match:
                found.add(match.group(1).strip('"'))
        return found

    def current_entry(self, text: str, end: int) -> str:
        return text[self.entries[-1] : end]


def open_brackets(text: str) -> list[Open]:
    """The brackets open at the end of ``text``, outermost first."""
    stack: list[Open] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index += 1
            while index < length and text[index] != '"' and text[index] != "\n":
                index += 2 if text[index] == "\\" else 1
        elif char == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        elif char in "([{":
            stack.append(Open(char, index))
        elif char in _CLOSERS:
            if stack and stack[-1].char == _CLOSERS[char]:
                stack.pop()
        elif char == "," and stack:
            stack[-1].entries.append(index + 1)
        index += 1
    return stack


def in_string(line_before: str) -> bool:
    """Whether the end of ``line_before`` is inside a string literal (an odd number of unescaped
    quotes before it; oi strings do not span lines)."""
    return len(re.findall(r'(?<!\\)"', line_before)) % 2 == 1
