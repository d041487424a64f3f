"""A person's name in the order of the reader's language (docs/hu-style.md, Names).

Hungarian puts the family name first and keeps the title's full stop: „Dr. Kovács János”;
English puts the given name first and drops it: „Dr János Kovács”.
"""

from __future__ import annotations


def person_name(title: str | None, given: str | None, family: str | None, language: str) -> str:
    title = (title or "").strip()
    given, family = (given or "").strip(), (family or "").strip()
    if language == "hu":
        if title and not title.endswith("."):
            title += "."  # „Dr” → „Dr.”
        parts = [title, family, given]
    else:
        title = title.rstrip(".")  # British usage: Dr, Mr, Ms without a full stop
        parts = [title, given, family]
    return " ".join(p for p in parts if p)
