"""Writes docs/CLI.md and man/*.1 from the Typer app (keystore_tool/cli/docgen.py).

python scripts/gen_docs.py          # regenerate
python scripts/gen_docs.py --check  # exit 1 when a checked-in file is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from keystore_tool.cli.docgen import man_pages, markdown  # noqa: E402


def wanted() -> dict[Path, str]:
    files = {ROOT / "docs" / "CLI.md": markdown()}
    files.update({ROOT / "man" / name: text for name, text in man_pages().items()})
    return files


def main() -> int:
    check = "--check" in sys.argv[1:]
    files = wanted()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    extra = sorted(set((ROOT / "man").glob("*.1")) - set(files))
    if check:
        for path in [*stale, *extra]:
            print(f"stale: {path.relative_to(ROOT)} (run make docs)", file=sys.stderr)
        return 1 if stale or extra else 0
    for path in extra:
        path.unlink()
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
