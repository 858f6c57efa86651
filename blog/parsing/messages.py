"""Messages about files: errors and warnings naming the file, line and column."""

from dataclasses import dataclass


class Severity:
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Message:
    """Something the importer tells the site owner about one file (or about the run)."""

    path: str
    text: str
    severity: str = Severity.ERROR
    line: int | None = None
    column: int | None = None
    source_line: str | None = None
    # What the message is about, for the summary's counts: "kept" (template text shown as
    # written), "removed" (by the sanitizer), "missing file"; "" for anything else.
    topic: str = ""

    def __str__(self):
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        text = f"{location}: {self.text}" if location else self.text
        if self.source_line is not None:
            text += f"\n    {self.source_line}"
        return text

    def as_dict(self):
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "text": self.text,
            "topic": self.topic,
        }


class ParseError(Exception):
    """A file that cannot be imported, with where and why."""

    def __init__(self, path, message, *, line=None, column=None, source_line=None):
        super().__init__(message)
        self.message = Message(
            path=str(path), text=message, line=line, column=column, source_line=source_line
        )

    @property
    def path(self):
        return self.message.path

    @property
    def line(self):
        return self.message.line

    @property
    def column(self):
        return self.message.column

    def __str__(self):
        return str(self.message)
