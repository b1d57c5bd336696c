"""One error type per kind of failure. The CLI maps them to exit codes, the API to problem documents."""

from __future__ import annotations


class KzlawError(Exception):
    """Base of kzlaw's own errors."""


class InputError(KzlawError):
    """Input that cannot be read at all: bad syntax, wrong format, forbidden construct, too large.

    Carries a line and column where the parser gives one.
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 kind: str = "syntax"):
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)

    def at(self, source) -> str:
        """The message as a compiler's: "file:line:column: message" (the position when known)."""
        where = f":{self.line}:{self.column}" if self.line is not None else ""
        return f"{source}{where}: {self.message}"


class UnknownRegime(KzlawError):
    def __init__(self, regime: str, known: list[str]):
        self.regime = regime
        self.known = known
        said = f"unknown regime {regime!r}" if regime.strip() else "no regime named (an empty value)"
        super().__init__(f"{said}; known: {', '.join(known)}, or 'all'")
