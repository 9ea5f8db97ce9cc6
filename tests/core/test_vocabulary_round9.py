"""Issue 10, round 9: our own names for thousands of codes (resources/data/code_terms*.toml), indexed as written.

The names are plain words already: indexed as written, they cost the import no vocabulary walk (issue 13), and a
database from an older CodeDesk is indexed again once (``_migrate_search_reach_9``)."""

from __future__ import annotations

import re
from pathlib import Path

from desktop_app.core.database import MIGRATIONS
from desktop_app.core.indexing import code_terms, search_row
from desktop_app.core.store import CodeStore
from desktop_app.core.vocabulary import index_text


def test_the_round_is_the_last_migration() -> None:
    names = [step.__name__ for step in MIGRATIONS]
    assert names.count("_migrate_search_reach_9") == 1
    assert names[-1] == "_migrate_search_reach_9"


def test_code_names_are_indexed_as_written_after_the_expanded_keywords() -> None:
    terms = code_terms()["48150"]
    keywords = search_row("48150", "Invented title", [], ["invented keyword w/o"], "Digestive System", "")[3]
    expanded = index_text("invented keyword w/o Digestive System")
    assert keywords == " ; ".join((expanded, *terms))
    # Without keywords or section words, the names alone.
    assert search_row("48150", "Invented title", [], [], "", "")[3] == " ; ".join(terms)
    # A code without names keeps its expanded keywords and nothing else.
    assert search_row("99999", "Invented title", [], ["w/o"], "", "")[3] == index_text("w/o")


def test_every_named_code_is_in_the_real_files_and_no_name_is_their_text(store_with_real_files: CodeStore) -> None:
    """Each code our names are written for is one the 2025 RVU or HCPCS file lists (a mistyped code would name
    nothing, or the wrong code), and no name is a descriptor of those files word for word (our own words)."""
    conn = store_with_real_files.conn
    files = {row[0] for row in conn.execute(
        "SELECT DISTINCT d.code FROM descriptors d JOIN sources s ON s.id = d.source_id "
        "WHERE s.kind IN ('cms-rvu', 'cms-hcpcs')")}
    named = code_terms()
    assert len(named) >= 6
    assert sorted(set(named) - files) == []
    def plain(text: str) -> str:  # case, punctuation and spacing aside
        return " ".join(re.findall(r"[a-z0-9]+", text.lower()))

    own: dict[str, set[str]] = {}
    for code, text in conn.execute("SELECT d.code, d.text FROM descriptors d JOIN sources s ON s.id = d.source_id "
                                   "WHERE s.kind IN ('cms-rvu', 'cms-hcpcs')"):
        own.setdefault(code, set()).add(plain(text))
    texts = set().union(*own.values())
    # A name is never the code's own descriptor (it would add nothing but copied text), nor, from three words on,
    # any descriptor of the files.
    copied = sorted((code, term) for code, terms in named.items() for term in terms
                    if plain(term) in own.get(code, ()) or (len(term.split()) >= 3 and plain(term) in texts))
    assert copied == []


def test_rf_is_radiofrequency_and_a_brain_cavity_shunt_is_not_always_a_vp_shunt() -> None:
    from desktop_app.core.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    assert "radiofrequency" in vocabulary.expand("Invented ablate organ rf")
    # The nine "brain cavity shunt" codes read as VP shunts (one of them is); a typed "vp shunt" still means one.
    assert not any("ventriculoperitoneal" in meaning for meaning in vocabulary.expand("Invented brain cavity shunt"))
    units = vocabulary.query_units(["vp", "shunt"])
    assert [unit.text for unit in units] == ["vp shunt"] and "ventriculoperitoneal shunt" in units[0].alternatives


def test_a_biosimilar_brand_finds_its_own_code_first(store_with_real_files: CodeStore) -> None:
    # Synonym groups of an originator and its biosimilars made every brand find all of them alike, in code order
    # ("udenyca": Q5111 fifth; "neulasta": J2506 fifth). Each biosimilar's code names its own brand; the
    # originators' brands are one-way vocabulary entries and names of their codes.
    def first(query: str) -> str:
        return store_with_real_files.search(query, limit=1).hits[0].code

    assert [first(q) for q in ("udenyca", "neulasta", "zarxio", "neupogen", "inflectra", "remicade", "retacrit")] == [
        "Q5111", "J2506", "Q5101", "J1442", "Q5103", "J1745", "Q5105"]


def test_readings_the_name_writers_found_wrong() -> None:
    from desktop_app.core.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    # "h-f-nk-sp" (the lesion excisions of scalp, neck, hands, feet and genitalia) read "spinal".
    sites = vocabulary.expand("Invented exc h-f-nk-sp lesion")
    assert "scalp" in sites and "spinal" not in sites
    # A shoulder or elbow hemiarthroplasty is no partial hip replacement; a tibia is not always a knee fracture.
    assert "partial hip replacement" not in vocabulary.alternatives("hemiarthroplasty")
    assert "knee fracture" not in vocabulary.alternatives("tibial")


def test_a_codes_names_are_shown_where_its_descriptors_are(store: CodeStore, db_path: Path) -> None:
    # Names nobody could see: "bunionectomy" found a code whose text never says so, and nothing said why.
    from PySide6.QtGui import QPalette

    from desktop_app.ui.detail_html import detail_html
    from tests.test_cli import cli

    names = code_terms()["70450"]  # a bundled code (CT head) with names of ours
    detail = store.detail("70450")
    assert detail.names == names and detail.to_json()["names"] == list(names)
    assert "Also known as" in detail_html(detail, QPalette()) and names[0] in detail_html(detail, QPalette())
    out = cli(db_path, "show", "70450")[1]
    assert "Also known as \u2014 CodeDesk's own words" in out and names[0] in out
    assert store.detail("99999").names == ()  # not in the database: nothing of ours to show
