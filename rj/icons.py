"""Icons: a few of Lucide's (a maintained, ISC-licensed set), built at set-up into one
small SVG sprite, ``rj/static/vendor/icons.svg``, from the npm package ``lucide-static``
(``make`` runs ``python -m rj.icons``). Never a CDN. An icon always stands beside a word
or carries an accessible name; on its own it is hidden from screen readers."""

import re
import sys
from pathlib import Path

# Every icon a template may use, by its Lucide name.
ICONS = (
    "arrow-down-up",
    "arrow-right",
    "arrow-right-left",
    "check",
    "chevron-down",
    "chevron-up",
    "circle",
    "circle-check",
    "circle-dashed",
    "circle-dot",
    "clock",
    "download",
    "eye",
    "list-filter",
    "file-clock",
    "lock",
    "log-out",
    "menu",
    "pencil",
    "plus",
    "printer",
    "shield-check",
    "square",
    "trash",
    "triangle-alert",
    "user",
    "users",
    "x",
)

SOURCE = Path("node_modules/lucide-static/sprite.svg")
TARGET = Path("rj/static/vendor/icons.svg")


def build(source=SOURCE, target=TARGET, names=ICONS):
    """Write a sprite of ``names`` only, taken from Lucide's full sprite."""
    text = source.read_text(encoding="utf-8")
    symbols = {
        m.group(2): m.group(1)
        for m in re.finditer(r'(<symbol id="([a-z0-9-]+)".*?</symbol>)', text, re.S)
    }
    missing = [name for name in names if name not in symbols]
    if missing:
        raise SystemExit(f"Not in {source}: {', '.join(missing)}")
    body = "\n".join(symbols[name] for name in names)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        "<!-- Lucide icons (https://lucide.dev), ISC License -->\n"
        f"<defs>\n{body}\n</defs>\n</svg>\n",
        encoding="utf-8",
    )
    return target


if __name__ == "__main__":
    print(f"Wrote {build(*[Path(a) for a in sys.argv[1:3]])}")
