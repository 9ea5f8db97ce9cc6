"""Issue 10 on the search engine: spelling per word, ranking a coder agrees with, coder tokens.

The bundled-reference checks run everywhere; the checks "with the files imported" import the real 2025 RVU and
HCPCS files into a copy of the reference and skip without ../shared/data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.core.database import MIGRATIONS, SCHEMA_VERSION
from desktop_app.core.importers import import_paths
from desktop_app.core.query import units_expression
from desktop_app.core.store import CodeStore
from desktop_app.core.vocabulary import QueryUnit


@pytest.fixture
def imported(store_with_real_files: CodeStore) -> CodeStore:
    return store_with_real_files  # shared, built once (tests/conftest.py); searched only


def codes(store: CodeStore, query: str, limit: int = 10) -> list[str]:
    return [hit.code for hit in store.search(query, limit=limit).hits]


# --- spelling, per word


@pytest.mark.parametrize(("query", "shown", "expected"), [
    ("colonscopy screening", "colonoscopy screening", "45378"),
    ("echocardiogrm complete", "echocardiogram complete", "93306"),
    ("venipucture", "venipuncture", "36415"),
    ("mamogram screening", "mammogram screening", "77067"),
])
def test_one_misspelt_word_is_corrected_and_shown_as_a_real_word(store: CodeStore, query: str, shown: str,
                                                                  expected: str) -> None:
    result = store.search(query, limit=10)
    assert result.message == f"Showing results for: {shown}"
    assert expected in [hit.code for hit in result.hits][:5]
    assert not result.partial


@pytest.mark.parametrize("query", ["Whipple", "trabeculectomy", "kyphoplasty", "septoplasty"])
def test_a_real_word_is_never_corrected(store: CodeStore, query: str) -> None:
    result = store.search(query, limit=10)
    assert result.corrected_words == ()
    assert not (result.message or "").startswith("Showing results for")


def test_real_words_missing_from_the_bundle_are_found_once_imported(imported: CodeStore) -> None:
    assert set(codes(imported, "trabeculectomy")) & {"66170", "66172"}
    assert set(codes(imported, "Whipple")) & {"48150", "48152", "48153", "48154"}
    assert imported.search("Whipple").corrected_words == ()


# --- ranking


def test_every_word_before_some_words(store: CodeStore) -> None:
    hits = store.search("systolic blood pressure less than 130", limit=10).hits
    assert hits[0].code == "3074F" and hits[0].match == "words"
    tiers = [hit.match for hit in hits]
    assert tiers == sorted(tiers, key=lambda match: match != "words")  # every-word hits come first


@pytest.mark.parametrize("fixture", ["store", "imported"])
def test_a_family_lists_in_code_order(request: pytest.FixtureRequest, fixture: str) -> None:
    found = codes(request.getfixturevalue(fixture), "office visit est")
    assert found[:5] == ["99211", "99212", "99213", "99214", "99215"]


@pytest.mark.parametrize("fixture", ["store", "imported"])
def test_without_contrast_ranks_the_without_code_first(request: pytest.FixtureRequest, fixture: str) -> None:
    found = codes(request.getfixturevalue(fixture), "MRI L spine w/o contrast")
    assert found.index("72148") < found.index("72158")


@pytest.mark.parametrize("fixture", ["store", "imported"])
def test_dexa_is_a_word_not_a_prefix_of_dexamethasone(request: pytest.FixtureRequest, fixture: str) -> None:
    assert "77080" in codes(request.getfixturevalue(fixture), "DEXA")[:3]


def test_systolic_under_130_with_hcpcs_imported(imported: CodeStore) -> None:
    assert "3074F" in codes(imported, "systolic blood pressure less than 130")[:3]
    assert "3074F" in codes(imported, "systolic BP < 130")[:3]


@pytest.mark.parametrize(("query", "expected"), [
    ("kyphoplasty", {"22513", "22514", "22515"}),
    ("ORIF distal radius fracture", {"25607", "25608", "25609"}),
    ("CT cervical spine with contrast", {"72126"}),
    ("carotid endarterectomy", {"35301"}),
    ("split thickness skin graft", {"15100", "15120"}),
    ("bunionectomy", {"28292", "28296"}),
    ("Humira injection", {"J0135"}),
])
def test_imported_shorthand_is_reached_with_plain_words(imported: CodeStore, query: str, expected: set[str]
                                                         ) -> None:
    assert set(codes(imported, query)) & expected


# --- coder tokens


@pytest.mark.parametrize("query", ["D&C", "D & C", "d & c", "dilation and curettage"])
def test_d_and_c(store: CodeStore, query: str) -> None:
    assert "58120" in codes(store, query)


@pytest.mark.parametrize("query", ["I&D abscess", "I & D abscess", "incision and drainage abscess"])
def test_i_and_d(store: CodeStore, query: str) -> None:
    assert codes(store, query)[:2] == ["10060", "10061"]


@pytest.mark.parametrize(("query", "expected"), [
    ("CT head w/o contrast", "70450"),
    ("CT head wo contrast", "70450"),
    ("CT head w/ contrast", "70460"),
    ("chest x-ray", "71046"),
    ("chest xray", "71046"),
    ("skin biopsies", "11102"),
    ("office visits", "99213"),
])
def test_coder_tokens_and_plurals(store: CodeStore, query: str, expected: str) -> None:
    assert expected in codes(store, query)


# --- the index-format migration


def test_an_older_database_is_indexed_again_with_expansions(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    row_id = store.conn.execute("SELECT id FROM codes WHERE code = '99211'").fetchone()[0]
    with store.conn:  # the index as an older CodeDesk wrote it: the text alone
        store.conn.execute("DELETE FROM code_fts WHERE rowid = ?", (row_id,))
        store.conn.execute("INSERT INTO code_fts (rowid, code, title, body, keywords) VALUES (?, '99211', "
                           "'Off/op est invented text', '', '')", (row_id,))
    # Just before the last re-indexing step (found by name: a migration of another kind may come after it).
    reindexing = max(i for i, step in enumerate(MIGRATIONS) if step.__name__.startswith("_migrate_search"))
    store.conn.execute(f"PRAGMA user_version = {reindexing}")
    store.close()

    reopened = CodeStore.open(db_path)
    title = reopened.conn.execute("SELECT title FROM code_fts WHERE rowid = ?", (row_id,)).fetchone()[0]
    assert "\u2022" in title or "established" in title.lower()
    assert reopened.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    reopened.close()


def test_a_one_letter_last_token_is_not_matched_as_a_prefix() -> None:
    expression = units_expression([QueryUnit("o/p")])
    assert '"o p"*' not in expression and '"o p"' in expression
    assert '"colon"*' in units_expression([QueryUnit("colon")])


# --- round 3: two words, one of which the code's descriptor does not use


@pytest.mark.parametrize(("query", "rarer"), [
    ("colonoscopy level", "colonoscopy"),
    ("level colonoscopy", "colonoscopy"),
])
def test_two_words_fill_with_the_rarer_word(store: CodeStore, query: str, rarer: str) -> None:
    from desktop_app.core.search import SearchFilters

    units = store.engine.vocabulary.query_units(query.split())
    fill = store.engine._fill_expression(units, SearchFilters())
    assert f'"{rarer}"' in fill and '"level"' not in fill


@pytest.mark.parametrize(("query", "expected"), [
    ("office visit", ""),  # one known phrase: nothing to drop
    ("visit", ""),
])
def test_nothing_to_fill_for_one_unit(store: CodeStore, query: str, expected: str) -> None:
    from desktop_app.core.search import SearchFilters

    units = store.engine.vocabulary.query_units(query.split())
    assert store.engine._fill_expression(units, SearchFilters()) == expected


def test_three_words_fill_with_all_words_but_one(store: CodeStore) -> None:
    from desktop_app.core.search import SearchFilters

    units = store.engine.vocabulary.query_units(["zebra", "quagga", "colonoscopy"])
    assert store.engine._fill_expression(units, SearchFilters()) == units_expression(units, most_words=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("gabapentin test", "80355"),  # the drug names the code; "test" is not in its descriptor
    ("thoracic spine xray 3 views", "72072"),  # "3vws" read as 3 views
    ("breast lift", "19316"),  # mastopexy read from its parts, -pexy also a lift
    ("voice box removal", "31360"),  # larynx by its lay name
])
def test_round_3_mechanisms_with_the_files_imported(imported: CodeStore, query: str, expected: str) -> None:
    assert expected in codes(imported, query)


# --- round 5: possessives, phrases broken up by the short descriptors, dental codes, short forms read otherwise


@pytest.mark.parametrize(("text", "words"), [
    ("Morton's neuroma excision", ("morton", "neuroma", "excision")),
    ("Baker\u2019s cyst", ("baker", "cyst")),
    ("d'alembert 3's", ("d", "alembert", "3", "s")),  # not a name's possessive: left as typed
])
def test_a_possessive_is_the_name(text: str, words: tuple[str, ...]) -> None:
    from desktop_app.core.query import parse_query

    assert parse_query(text).words == words


def test_a_known_phrase_typed_also_matches_its_words_close_together() -> None:
    expression = units_expression([QueryUnit("chronic care management", ("ccm",), phrase=True)])
    assert '"chronic care management"' in expression
    assert 'NEAR("chronic" "care" "management", 10)' in expression
    assert "NEAR(" not in units_expression([QueryUnit("colon")])  # one word typed: no NEAR group
    # two-word phrases stay exact (speed: "office visit" is in most E/M queries)
    assert "NEAR(" not in units_expression([QueryUnit("office visit", (), phrase=True)])


@pytest.mark.parametrize(("text", "meaning", "not_meaning"), [
    ("Rplcmt ccm-d sys 2 leads", "cardiac contractility modulation device", "chronic care management"),
    ("Interrog dev ccm prgrmg", "cardiac contractility modulation", "chronic care management"),
    ("Rmvl pg wcs battery", "pulse generator", "page"),
    ("Brthlns glnd cst mrsplzatn", "cyst", None),
    ("Shunt supr v/c p-art bilat", "vena cava", None),
    ("Tcat perq clsr l atr apndge w/imaging", "appendage", None),
    ("Mitral valve repair invented", "heart valve", None),
])
def test_short_forms_read_in_round_5(text: str, meaning: str, not_meaning: str | None) -> None:
    from desktop_app.core.vocabulary import load_vocabulary

    expanded = load_vocabulary().expand(text)
    assert meaning in expanded
    assert not_meaning is None or not_meaning not in expanded


def test_office_visit_lists_the_e_m_visits_before_dental_codes(imported: CodeStore) -> None:
    found = codes(imported, "office visit")
    assert set(found[:8]) == {"99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"}
    assert not any(code.startswith("D") for code in found[:8])


def test_a_query_only_dental_codes_answer_still_lists_them(imported: CodeStore) -> None:
    assert codes(imported, "tooth extraction")[0].startswith("D")


@pytest.mark.parametrize(("query", "expected"), [
    ("Bartholin cyst marsupialization", "56440"),  # the short descriptor abbreviates every word
    ("Morton's neuroma excision", "28080"),  # possessive; the descriptor says only "foot lesion"
    ("Maze procedure", "33254"),  # the descriptor abbreviates: atria/atrial
    ("heart valve repair", "33425"),  # the descriptor names only the valve: the valves are the heart's
    ("chronic care management", "99490"),  # abbreviated word by word: the phrase's words close together
])
def test_round_5_classes_with_the_files_imported(imported: CodeStore, query: str, expected: str) -> None:
    assert expected in codes(imported, query)


@pytest.mark.parametrize(("word", "known"), [
    ("urethrogram", True),  # urethro + gram, nothing left over: a real word, not a typo of "ureterogram"
    ("hysterosalpingogram", True),
    ("colonscopy", False),  # col-o-n + scopy leaves a letter: still a typo to correct
    ("tympanoplasy", False),  # no known ending: a typo
])
def test_a_medical_word_read_whole_from_its_parts_is_never_corrected(word: str, known: bool) -> None:
    from desktop_app.core.vocabulary import load_vocabulary

    assert load_vocabulary().knows(word) is known


@pytest.mark.parametrize(("text", "expected", "unexpected"), [
    ("Invented repair 2.6-5.0 cm", {"3 cm", "4 cm"}, {"2 cm", "6 cm"}),
    ("Invented transfer 10.1-30sqcm", {"11 sq cm", "20 sq cm", "30 sq cm"}, {"10 sq cm", "31 sq cm"}),
    ("Invented gauge 1-100 mm", set(), {"50 mm"}),  # too wide a range: no numbers
    ("Invented code 2-3 views", set(), {"2 views"}),  # no size unit: left alone
])
def test_a_size_typed_finds_the_range_that_holds_it(text: str, expected: set[str], unexpected: set[str]) -> None:
    from desktop_app.core.vocabulary import load_vocabulary

    expanded = set(load_vocabulary().expand(text))
    assert expected <= expanded
    assert not unexpected & expanded


# --- anesthesia codes name the operation they are for; a coder typing the operation means the operation


def _rvu_with_titles(tmp_path: Path, titles: dict[str, str]) -> Path:
    """The invented CMS-layout RVU fixture cut down to one row per ``code`` with its own short descriptor."""
    text = (Path(__file__).resolve().parents[1] / "fixtures" / "cms" / "PPRRVU2030_Jan.csv").read_text(
        encoding="utf-8")
    header_end = text.index("\n", text.index("HCPCS,")) + 1
    first_row = text[header_end:text.index("\n", header_end) + 1]
    code, old_title = first_row.split(",")[0], first_row.split(",")[2]
    rows = "".join(first_row.replace(code, new_code, 1).replace(old_title, title, 1)
                   for new_code, title in titles.items())
    path = tmp_path / "PPRRVU2030_Jan.csv"
    path.write_text(text[:header_end] + rows, encoding="utf-8")
    return path


def test_the_operation_ranks_above_the_anesthesia_for_it(tmp_path: Path, reference_template: Path) -> None:
    # The anesthesia code's descriptor is the shorter one, so on bm25 alone it would rank first.
    path = tmp_path / "codes.sqlite3"
    shutil.copyfile(reference_template, path)
    store = CodeStore.open(path)
    try:
        import_paths(store.conn, [_rvu_with_titles(tmp_path, {"01403": "Anesth zorbic arthroplasty",
                                                              "27448": "Total zorbic arthroplasty w/femoral part"})])
        store.refresh()
        assert codes(store, "zorbic arthroplasty")[:2] == ["27448", "01403"]
        assert codes(store, "anesthesia zorbic arthroplasty")[0] == "01403"  # asked for: still found first
    finally:
        store.close()


def test_total_knee_lists_the_arthroplasty_before_its_anesthesia(imported: CodeStore) -> None:
    assert codes(imported, "total knee")[0] == "27447"
    assert codes(imported, "knee arthroplasty")[0] == "27447"
    assert codes(imported, "anesthesia knee arthroplasty")[0] == "01402"
