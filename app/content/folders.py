"""The content folders being loaded: where problems go and how authors know each file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .source import Problems, SourceFile


@dataclass
class ContentFolders:
    courses_dir: Path
    quizzes_dir: Path
    problems: Problems = field(default_factory=Problems)

    def display(self, path: Path) -> str:
        """The path as authors know it: relative to the folder holding courses/ and quizzes/."""
        for base in (self.courses_dir.parent, self.quizzes_dir.parent):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def source(self, path: Path) -> SourceFile:
        return SourceFile(path, self.display(path), self.problems)


def visible(folder: Path) -> list[Path]:
    """Entries of a folder, sorted, without hidden files (editor and OS litter)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
