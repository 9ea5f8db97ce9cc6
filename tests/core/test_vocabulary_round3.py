"""Issue 10, third round: general mechanisms of the vocabulary, on small invented vocabularies (table-driven).

* a count glued to a short form is read apart ("3vws" -> "3", "views");
* a medical word no key names is indexed with its reading from its parts ("mastopexy" -> "breast lift");
* a short form that stands for one of several words gives each word alone (not one phrase of all of them);
* body parts as one class (lay, Latin/Greek, adjective), in the bundled vocabulary.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from desktop_app.core.resources import data_dir
from desktop_app.core.vocabulary import Vocabulary, load_vocabulary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

INVENTED = """
[abbreviations]
vws = "views"
sgm = "segment"
nd = "node"
zzq = ["zebra", "zucchini"]

[synonyms]
groups = [["quuxbone", "quuxal", "lay quux"]]

[combining_forms]
glimo = ["glim"]
[suffixes]
pexy = ["fixation", "lift"]
ectomy = ["removal"]
"""


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    path = tmp_path_factory.mktemp("vocab") / "invented.toml"
    path.write_text(INVENTED, encoding="utf-8")
    return Vocabulary.from_toml([path])


@pytest.mark.parametrize(("text", "expected", "unexpected"), [
    ("Xray invented 3vws", {"3", "views"}, set()),
    ("Invented 2sgm graft", {"2", "segment"}, set()),
    ("Invented 1st 2nd stage", set(), {"1", "node"}),  # ordinals are not counts of a short form
    ("Invented 4abc", set(), {"4"}),  # letters no key names: nothing added
    ("Invented 3 vws", {"views"}, set()),  # written apart it was read before; still is
])
def test_a_count_glued_to_a_short_form_is_read_apart(invented: Vocabulary, text: str, expected: set[str],
                                                     unexpected: set[str]) -> None:
    expanded = set(invented.expand(text))
    assert expected <= expanded
    assert not unexpected & expanded


@pytest.mark.parametrize(("text", "expected"), [
    ("Glimopexy invented", {"glim fixation", "glim lift"}),
    ("Invented glimectomy left", {"glim removal"}),
])
def test_an_unlisted_medical_word_is_indexed_with_its_parts(invented: Vocabulary, text: str,
                                                           expected: set[str]) -> None:
    assert expected <= set(invented.expand(text))


@pytest.mark.parametrize("text", ["Invented pexy", "Invented quuxbone", "Glimo invented"])
def test_words_without_a_reading_from_parts_get_none(invented: Vocabulary, text: str) -> None:
    assert not any(value.endswith(("fixation", "lift", "removal")) for value in invented.expand(text))


def test_a_short_form_of_several_words_gives_each_alone(invented: Vocabulary) -> None:
    assert set(invented.alternatives("zzq")) == {"zebra", "zucchini"}
    assert {"zebra", "zucchini"} <= set(invented.expand("Invented zzq"))


def test_a_synonym_group_reads_every_way(invented: Vocabulary) -> None:
    assert set(invented.alternatives("quuxal")) == {"quuxbone", "lay quux"}
    assert {"quuxbone", "quuxal"} <= set(invented.expand("Invented lay quux"))


def _abbreviation_of(key: str, word: str) -> bool:
    letters = iter(word)
    return word[0] == key[0] and all(ch in letters for ch in key)


def test_no_bundled_short_form_joins_its_alternatives_into_one_phrase() -> None:
    """A value whose every word the key abbreviates ("cath" -> "catheter catheterization") is two meanings,
    not one phrase: written as one string, a query for the key would need both words in one descriptor."""
    joined = []
    for name in ("shorthand.toml", "abbreviations.toml"):
        with (data_dir() / name).open("rb") as fh:
            table = tomllib.load(fh).get("abbreviations", {})
        for key, value in table.items():
            if isinstance(value, str) and key.isalpha() and len(value.split()) >= 2 and all(
                    _abbreviation_of(key.lower(), word) for word in re.findall(r"[a-z]+", value.lower())):
                joined.append(f"{name}: {key} = {value!r}")
    assert not joined, "\n".join(joined)


@pytest.mark.parametrize(("word", "meaning"), [
    ("voice box", "larynx"),
    ("larynx", "voice box"),
    ("laryngeal", "larynx"),
    ("armpit", "axilla"),
    ("axillary", "armpit"),
    ("tubal", "oviduct"),
    ("oocytes", "eggs"),
    ("white blood cells", "leukocyte"),
    ("diaphragmatic", "diaphragm"),
    ("collarbone", "clavicle"),
    # what a procedure does, as said and as written
    ("placement", "insertion"),
    ("reattach", "replantation"),
    ("broken", "fracture"),
    ("exchange", "replacement"),
])
def test_body_parts_and_procedure_verbs_are_classes(word: str, meaning: str) -> None:
    units = load_vocabulary().query_units(word.split())
    assert len(units) == 1 and meaning in units[0].alternatives


def test_a_database_from_before_round_3_is_indexed_again(db_path: Path) -> None:
    """The last re-indexing migration re-indexes every code: an index row as an older CodeDesk wrote it is
    replaced."""
    from desktop_app.core.database import MIGRATIONS, SCHEMA_VERSION
    from desktop_app.core.store import CodeStore

    store = CodeStore.open(db_path)
    row_id = store.conn.execute("SELECT id FROM codes WHERE code = '99213'").fetchone()[0]
    with store.conn:
        store.conn.execute("UPDATE code_fts SET body = 'Invented older text 3vws' WHERE rowid = ?", (row_id,))
    # Just before the last re-indexing step (found by name: a migration of another kind may come after it).
    reindexing = max(i for i, step in enumerate(MIGRATIONS) if step.__name__.startswith("_migrate_search"))
    store.conn.execute(f"PRAGMA user_version = {reindexing}")
    store.close()

    reopened = CodeStore.open(db_path)
    body = reopened.conn.execute("SELECT body FROM code_fts WHERE rowid = ?", (row_id,)).fetchone()[0]
    assert "Invented older text" not in body
    assert reopened.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    reopened.close()
