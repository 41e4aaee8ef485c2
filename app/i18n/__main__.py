"""`python -m app.i18n update|compile|check|todo|fill FILE`: keep the catalogues in step.

`todo` prints the English entries still to translate as JSON ({Dutch: ""}); fill in the values
and `fill` that file to write them into the catalogue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .catalogue import compile_all, fill, problems, untranslated, update


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "todo":
        print(json.dumps(untranslated(), ensure_ascii=False, indent=1))
        return 0
    if command == "fill" and len(argv) == 2:
        print(f"{fill(json.loads(Path(argv[1]).read_text()))} vertalingen geschreven.")
        return 0
    if command == "check":
        found = list(problems())
        for problem in found:
            print(problem, file=sys.stderr)
        if found:
            print(f"{len(found)} vertaalproblemen (zie hierboven).", file=sys.stderr)
        return 1 if found else 0
    print("gebruik: python -m app.i18n update|compile|check|todo|fill FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
