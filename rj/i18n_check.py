"""Words in a template that are not marked for translation.

Text between tags, the attributes people read (``aria-label``, ``title``, ``alt``,
``placeholder``) and string literals in expressions that read as words must go through
``_()``, ``gettext``/``ngettext`` or a ``{% trans %}`` block. ``python -m rj.i18n_check``
lists what is left, and the test suite fails on any.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "aria-description"}
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
LETTER = re.compile(r"[^\W\d_]")
# A literal that reads as words: two words or more, or one capitalised word.
WORDS = re.compile(r"[^\W\d_]\s+[^\W\d_]|^[A-Z][a-z]+[.!?…:]?$")
PLACEHOLDER = "0"
ATTRIBUTES_ONLY = re.compile(r'(\s*[\w:-]+="[^"]*")+\s*')


class _Skeleton(HTMLParser):
    """Text and read attributes of the HTML left once every Jinja tag is gone."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and LETTER.search(value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        text = data.strip()
        if ATTRIBUTES_ONLY.fullmatch(text):
            return  # a macro that writes attributes into a tag, not words
        if not self.skip and LETTER.search(text):
            self.found.append(" ".join(text.split()))


def unmarked(source, env=None):
    """Each piece of ``source`` (a template's text) a reader sees that is not marked."""
    env = env or Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    skeleton, found = [], []
    in_trans = 0
    tokens = list(env.lex(source))
    call_depth = []  # the parenthesis depth of each gettext call we are inside
    depth = 0
    previous = []
    for _line, kind, value in tokens:
        if kind == "whitespace":
            continue  # {% trans %} lexes as block_begin, whitespace, name
        if kind == "name" and previous[-1:] == ["block_begin"] and value in ("trans", "pluralize"):
            in_trans += value == "trans"
        if kind == "name" and previous[-1:] == ["block_begin"] and value == "endtrans":
            in_trans -= 1
        if kind == "data":
            skeleton.append(PLACEHOLDER if in_trans else value)
        elif kind == "variable_begin":
            skeleton.append(PLACEHOLDER)  # a value: no words of its own, even in a tag name
        # A {% tag %} leaves nothing, so `<tr{% if x %} class="y"{% endif %}>` stays a tag.
        if kind == "operator" and value == "(":
            depth += 1
            if len(previous) >= 1 and previous[-1] in GETTEXT:
                call_depth.append(depth)
        elif kind == "operator" and value == ")":
            if call_depth and call_depth[-1] == depth:
                call_depth.pop()
            depth -= 1
        elif kind == "string" and not call_depth and not in_trans and WORDS.search(value[1:-1]):
            found.append(value)
        previous.append(value if kind == "name" else kind)
    parser = _Skeleton()
    parser.feed("".join(skeleton))
    parser.close()
    return parser.found + found


def report(root=TEMPLATES):
    """{template path: [unmarked pieces]} for every template under ``root``."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    problems = {}
    for path in sorted(root.rglob("*.html")) + sorted(root.rglob("*.svg")):
        found = unmarked(path.read_text(encoding="utf-8"), env)
        if found:
            problems[str(path.relative_to(root))] = found
    return problems


def main(argv=None):
    """``python -m rj.i18n_check [PREFIX ...]``: only templates under those folders."""
    prefixes = tuple(argv if argv is not None else sys.argv[1:])
    problems = {
        path: found for path, found in report().items() if not prefixes or path.startswith(prefixes)
    }
    for path, found in problems.items():
        for piece in found:
            print(f"{path}: {piece}")
    if problems:
        count = sum(len(found) for found in problems.values())
        print(f"{count} unmarked in {len(problems)} templates", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
