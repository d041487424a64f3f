"""Facts written down outside Python agree with their one source, workflows/contracts.py."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from workflows import contracts as c

ROOT = Path(__file__).resolve().parent.parent


def test_compose_setup_creates_the_contract_search_attributes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    script = "\n".join(compose["services"]["temporal-setup"]["command"])
    listed = re.search(r"for attribute in ([^;]+);", script)
    assert listed, "temporal-setup no longer loops over the attributes"
    pairs = dict(item.split(":") for item in listed.group(1).split())
    assert pairs == c.search_attribute_types()


def test_readme_web_ui_section_names_every_search_attribute():
    readme = (ROOT / "README.md").read_text()
    for name, kind in c.search_attribute_types().items():
        assert f"`{name}`" in readme, name
        assert kind in readme


def test_make_run_registers_the_contract_search_attributes():
    from devtools import run

    assert dict(a.split("=") for a in run.SEARCH_ATTRIBUTES) == c.search_attribute_types()


def test_worker_registers_the_contract_search_attributes():
    from core.temporal_setup import SEARCH_ATTRIBUTES

    assert set(SEARCH_ATTRIBUTES) == set(c.search_attribute_types())
