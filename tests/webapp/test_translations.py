"""The Hungarian catalog is complete: every English string in webapp/ has a translation.

No app, no database: the catalog is read with Babel and compared with what the extractors
find in the source tree right now, so a new `_("...")` without a Hungarian translation
fails here before it reaches a Hungarian user as English.

To fix a failure, from the repository root:
    .venv/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l \
        -o webapp/translations/messages.pot --project "AOS Portal" --no-location \
        --omit-header webapp
    .venv/bin/pybabel update -i webapp/translations/messages.pot -d webapp/translations \
        -l hu --no-fuzzy-matching
then translate the new entries in webapp/translations/hu/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2.ext
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
BABEL_CFG = ROOT / "babel.cfg"
PO_FILE = WEBAPP / "translations" / "hu" / "LC_MESSAGES" / "messages.po"

# The keywords of the `pybabel extract ... -k lazy_gettext -k _l` command: Babel's
# defaults (among them _, gettext, ngettext) plus Flask-Babel's lazy variants.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
}

# Python %-format conversions: %(name)s, %s, %5.2f, %% ...
FORMAT_SPEC = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)


@cache
def catalog() -> Catalog:
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="hu")


def _messages() -> list[Message]:
    return [m for m in catalog() if m.id]


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def _label(msgid: str | tuple[str, ...], context: str | None = None) -> str:
    text = msgid if isinstance(msgid, str) else msgid[0]
    return f"[{context}] {text!r}" if context else repr(text)


Placeholders = tuple[frozenset[str], tuple[str, ...]]


def _format_specs(text: str) -> tuple[Placeholders, str]:
    """(the placeholders of text, text without its conversions: a '%' left there is stray).

    Named placeholders compare as a set (a translation may reorder or repeat them),
    positional ones as a sequence; '%%' is a literal percent sign, not a placeholder.
    """
    specs = [m for m in FORMAT_SPEC.finditer(text) if m.group(0) != "%%"]
    named = frozenset(m.group(0) for m in specs if m.group("name") is not None)
    positional = tuple(m.group(0) for m in specs if m.group("name") is None)
    return (named, positional), FORMAT_SPEC.sub("", text)


def _show(specs: Placeholders) -> list[str]:
    named, positional = specs
    return sorted(named) + list(positional)


def test_every_message_is_translated() -> None:
    problems = []
    for message in _messages():
        if message.fuzzy:
            problems.append(f"fuzzy: {_label(message.id, message.context)}")
        elif not all(s.strip() for s in _strings(message)):
            problems.append(f"empty: {_label(message.id, message.context)}")
    assert not problems, (
        f"{len(problems)} message(s) in {PO_FILE.name} untranslated:\n" + "\n".join(problems)
    )


def test_translations_keep_the_placeholders() -> None:
    # Flask-Babel and Jinja's new-style gettext apply `% variables` to every string, so a
    # lost, renamed or extra placeholder (or a stray '%') breaks the page or the email.
    problems = []
    for message in _messages():
        expected, _ = _format_specs(_ids(message)[0])
        for translation in _strings(message):
            specs, rest = _format_specs(translation)
            if specs != expected:
                problems.append(
                    f"{_label(message.id, message.context)}: expected {_show(expected)}, "
                    f"translation {translation!r} has {_show(specs)}"
                )
            elif "%" in rest:
                problems.append(f"{_label(message.id, message.context)}: stray '%' in {rest!r}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def _method_map() -> tuple[list[tuple[str, Any]], dict[str, dict[str, Any]]]:
    """babel.cfg's mapping, with its jinja2 method bound to Jinja's own extractor."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(BABEL_CFG))
    bound = [
        (pattern, jinja2.ext.babel_extract if method == "jinja2" else method)
        for pattern, method in method_map
    ]
    return bound, options_map


def test_every_source_string_is_in_the_catalog() -> None:
    method_map, options_map = _method_map()
    found: dict[tuple[str, str | None], tuple[str, int]] = {}
    for filename, lineno, msgid, _comments, context in extract_from_dir(
        str(WEBAPP), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        key = msgid if isinstance(msgid, str) else msgid[0]
        if key:
            found.setdefault((key, context), (filename, lineno))
    # Guards the extraction itself: a broken method map would find nothing and pass.
    assert len(found) > 50, f"extraction found only {len(found)} messages: check babel.cfg"

    missing = [
        f"webapp/{filename}:{lineno}: {_label(key, context)}"
        for (key, context), (filename, lineno) in sorted(found.items(), key=lambda item: item[1])
        if catalog().get(key, context) is None
    ]
    assert not missing, (
        f"{len(missing)} message(s) in the source are missing from {PO_FILE.name} "
        "(run pybabel extract + update, then translate):\n" + "\n".join(missing)
    )
