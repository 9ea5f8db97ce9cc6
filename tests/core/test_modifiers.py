"""Modifiers: the grammar of modified codes, the bundled entries, the fit rules and modifier search."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from desktop_app.core.grammar import (
    CodeRange,
    CodeSet,
    CodeTerm,
    ModifiedCode,
    PrefixTerm,
    parse_code_list,
    parse_modified_code,
    parse_modifier_query,
)
from desktop_app.core.modifiers import (
    FAMILY_LABELS,
    OUR_MODIFIER_LABEL,
    ModifierDates,
    PcTc,
    SurgeryIndicators,
    bundled_modifiers,
    check_modifiers,
    evaluation_and_management_ranges,
    fit,
    modifiers_named_by,
    read_modifiers,
)
from desktop_app.core.resources import data_dir
from desktop_app.core.store import CodeStore

# --- grammar -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "code", "modifiers"), [
    ("99213-25", "99213", ("25",)),
    ("99213 25", "99213", ("25",)),
    ("99213 - 25", "99213", ("25",)),
    ("99213\u201325", "99213", ("25",)),  # en dash pasted from a document
    ("3074F-8P", "3074F", ("8P",)),
    ("3074f-8p", "3074F", ("8P",)),
    ("27447-RT", "27447", ("RT",)),
    ("27447-RT-59", "27447", ("RT", "59")),
    ("27447 rt 59", "27447", ("RT", "59")),
    ("G0438-25", "G0438", ("25",)),
    ("\uff19\uff19\uff12\uff11\uff13\uff0d\uff12\uff15", "99213", ("25",)),  # full-width, through clean_input (NFKC)
    ("\u200b99213-25", "99213", ("25",)),
])
def test_modified_codes_parse(typed: str, code: str, modifiers: tuple[str, ...]) -> None:
    assert parse_modified_code(typed) == ModifiedCode(code, modifiers)
    assert parse_code_list(typed) == [CodeTerm(code, modifiers)]


@pytest.mark.parametrize("typed", [
    "99213", "99213-2", "99213-255", "99213-", "9921-25", "99213-25x", "99213--25", "25", "hello 25",
    "99213 \u0669\u0665",  # Arabic-Indic digits are not a modifier
    "99202-99205",
])
def test_not_modified_codes(typed: str) -> None:
    assert parse_modified_code(typed) is None


@pytest.mark.parametrize(("typed", "items"), [
    ("99213 25, 3074F-8P", [CodeTerm("99213", ("25",)), CodeTerm("3074F", ("8P",))]),
    ("99213 25 99214 59", [CodeTerm("99213", ("25",)), CodeTerm("99214", ("59",))]),
    ("99213-25; 27447-RT-59", [CodeTerm("99213", ("25",)), CodeTerm("27447", ("RT", "59"))]),
    # after a comma a two-character piece is an item of its own (a prefix), not the previous code's modifier
    ("99213, 25", [CodeTerm("99213"), PrefixTerm("25")]),
    ("25", [PrefixTerm("25")]),
])
def test_lists_of_modified_codes(typed: str, items: list[object]) -> None:
    assert parse_code_list(typed) == items


@pytest.mark.parametrize(("typed", "modifier"), [
    ("modifier 25", "25"), ("Modifier 59", "59"), ("mod 59", "59"), ("mod-59", "59"), ("-59", "59"),
    ("\u201359", "59"), ("modifier TC", "TC"), ("tc modifier", "TC"), ("mod 8p", "8P"), ("modifiers: 1P", "1P"),
])
def test_modifier_queries(typed: str, modifier: str) -> None:
    assert parse_modifier_query(typed) == modifier


@pytest.mark.parametrize("typed", ["modifier", "25", "99213-25", "modifier 255", "mod 5", "modifier for bilateral"])
def test_not_modifier_queries(typed: str) -> None:
    assert parse_modifier_query(typed) is None


# --- the bundled entries --------------------------------------------------------------------------------

REQUIRED_TEXT = ("22 23 24 25 26 32 33 47 50 51 52 53 54 55 56 57 58 59 62 63 66 73 74 76 77 78 79 80 81 82 90 91 92 "
            "93 95 96 97 99 P1 P2 P3 P4 P5 P6 1P 2P 3P 8P LT RT E1 E2 E3 E4 FA F1 F2 F3 F4 F5 F6 F7 F8 F9 TA T1 T2 "
            "T3 T4 T5 T6 T7 T8 T9 LC LD LM RC RI TC GT GQ FQ FR XE XS XP XU GA GZ GY GX KX GC GE GP GO GN Q5 Q6 QW "
            "JW JZ CS PO PN AS SA SB AI UN UP UQ UR US")
REQUIRED = REQUIRED_TEXT.split()


def test_every_modifier_the_issue_names_is_bundled() -> None:
    entries = bundled_modifiers()
    assert [m for m in REQUIRED if m not in entries] == []
    assert 120 <= len(entries) <= 160


def test_bundled_entries_are_complete_and_ours() -> None:
    for entry in bundled_modifiers().values():
        assert entry.family in FAMILY_LABELS
        assert entry.meaning and entry.use and entry.not_for, entry.modifier
        # one or two sentences each: short enough to read at a glance
        for text in (entry.meaning, entry.use, entry.not_for):
            assert len(text) < 260, (entry.modifier, text)
    assert {m for m, e in bundled_modifiers().items() if e.family == "Category II"} == {"1P", "2P", "3P", "8P"}


@pytest.mark.parametrize(("content", "message"), [
    ("25,CPT,I,,,,a,b,c,k\n25,CPT,I,,,,a,b,c,k\n", "line 3: modifier 25 appears twice"),
    ("ABC,CPT,I,,,,a,b,c,k\n", "line 2: 'ABC' is not a two-character modifier"),
    ("25,CPT,IV,,,,a,b,c,k\n", "line 2: applies_to must list"),
    ("25,CPT,I,,,,a,,c,k\n", "line 2: 25 needs applies_to, meaning, use and not_for"),
    ("25,Other,I,,,,a,b,c,k\n", "line 2: unknown family"),
    ("25,CPT,I,99499-99202,,,a,b,c,k\n", "line 2: 99499 comes after 99202"),
    ("25,CPT,I,banana,,,a,b,c,k\n", "line 2: 'banana' is not a code"),
    ("25,CPT,I,,,E/M, eye exams,a,b,c,k\n", "line 2: expected 10 columns"),
    ("25,CPT,I,,,,a,b,c\n", "line 2: expected 10 columns"),
])
def test_a_broken_modifier_file_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "modifiers.csv").write_text(
        "modifier,family,applies_to,only_on,not_on,range_note,meaning,use,not_for,keywords\n" + content)
    with pytest.raises(ValueError, match=message):
        read_modifiers(tmp_path)


def test_the_shipped_file_reads() -> None:
    assert read_modifiers(data_dir()) == bundled_modifiers()


# --- the fit rules, table-driven ------------------------------------------------------------------------

E = bundled_modifiers()


@pytest.mark.parametrize(("code", "code_set", "modifiers", "fits", "reason"), [
    ("99213", "I", ["25"], [True], ""),
    ("G0438", "HCPCS", ["25"], [True], ""),
    ("27447", "I", ["25"], [False], "25 goes only on E/M services, eye exams and E/M-like HCPCS visits"),
    ("G0463", "HCPCS", ["25"], [True], ""),
    ("3074F", "II", ["8P"], [True], ""),
    ("99213", "I", ["8P"], [False], "8P (CPT Category II performance-measure modifier) goes on CPT Category II"),
    ("G8752", "HCPCS", ["1P"], [False], "goes on CPT Category II codes; G8752 is a HCPCS Level II code"),
    ("3074F", "II", ["25"], [False], "25 (CPT Level I modifier) goes on CPT Category I and HCPCS Level II codes"),
    ("27447", "I", ["RT"], [True], ""),
    ("27447", "I", ["RT", "59"], [True, True], ""),
    ("99213", "I", ["LT"], [False], "LT is not used on E/M services (99202\u201399499); 99213 is one"),
    ("27447", "I", ["LT", "RT"], [True, False], "LT and RT together on one line"),
    ("27447", "I", ["59", "XS"], [True, False], "59 and XS on one line"),
    ("27447", "I", ["RT", "RT"], [False, False], "RT appears twice"),
    ("00142", "I", ["P3"], [True], ""),
    ("27447", "I", ["P3"], [False], "P3 goes only on anesthesia codes (00100\u201301999)"),
    ("92928", "I", ["LD"], [True], ""),
    ("93000", "I", ["LD"], [False], "coronary intervention codes"),
    ("27447", "I", ["ZZ"], [False], "ZZ is not a modifier CodeDesk knows"),
])
def test_fit_rules(code: str, code_set: str, modifiers: list[str], fits: list[bool], reason: str) -> None:
    checks = [fit(code, code_set, m, E.get(m), others=modifiers) for m in modifiers]
    assert [c.fits for c in checks] == fits
    reasons = " ".join(c.reason for c in checks)
    assert reason in reasons
    assert all(c.reason for c in checks if not c.fits)


@pytest.mark.parametrize(("modifier", "pctc", "fits"), [
    ("26", PcTc("1", "RVU test"), True), ("TC", PcTc("1", "RVU test"), True),
    ("26", PcTc("6", "RVU test"), True), ("TC", PcTc("6", "RVU test"), False),
    ("26", PcTc("4", "RVU test"), False), ("TC", PcTc("0", "RVU test"), False),
    ("26", PcTc("9", "RVU test", frozenset({"26"})), True),  # the file has a 26 row for the code: allowed
    ("26", None, True),  # no RVU file: accepted, with a note that it was not checked
])
def test_pc_tc_indicator(modifier: str, pctc: PcTc | None, fits: bool) -> None:
    check = fit("71046", "I", modifier, E[modifier], pctc=pctc)
    assert check.fits is fits
    if not fits:
        assert f"PC/TC indicator {pctc.indicator}" in check.reason  # type: ignore[union-attr]
    if pctc is None:
        assert "not checked" in check.notes[0]


def test_an_imported_modifier_without_bundled_rules_fits_with_a_note() -> None:
    check = fit("99213", "I", "Z1", None, imported_title="Invented text", imported_source="fixture")
    assert check.fits and check.known and check.source == "fixture" and "no rules" in check.notes[0]


@pytest.mark.parametrize(("words", "lifted"), [
    (("bilateral",), ["50"]),
    (("distinct", "procedural", "service"), ["59", "XE", "XS", "XP", "XU"]),
    (("screening", "colonoscopy"), []),
    (("office", "visit"), []),
])
def test_keyword_phrases_name_modifiers(words: tuple[str, ...], lifted: list[str]) -> None:
    assert modifiers_named_by(words) == lifted


# --- the store: search, detail ---------------------------------------------------------------------------


def codes(store: CodeStore, query: str, limit: int = 10) -> list[str]:
    return [hit.code for hit in store.search(query, limit=limit).hits]


@pytest.mark.parametrize(("query", "first"), [
    ("modifier 25", "25"), ("mod 59", "59"), ("-59", "59"), ("25", "25"), ("8P", "8P"), ("1p", "1P"),
    ("bilateral", "50"), ("distinct procedural service", "59"), ("TC", "TC"),
])
def test_modifiers_are_found_first(store: CodeStore, query: str, first: str) -> None:
    assert codes(store, query)[0] == first


def test_telehealth_modifier_finds_the_telehealth_modifiers(store: CodeStore) -> None:
    found = codes(store, "telehealth modifier")
    assert {"95", "GT", "FQ", "93"} <= set(found)
    assert all(store.search("telehealth modifier").hits[i].kind == "modifier" for i in range(4))


def test_a_prefix_search_still_lists_codes_after_the_modifier(store: CodeStore) -> None:
    found = codes(store, "25", limit=50)
    assert found[0] == "25" and any(code.startswith("25") and len(code) == 5 for code in found[1:])


def test_the_word_level_does_not_list_every_modifier(store: CodeStore) -> None:
    """The families' names ("CPT Level I modifier") were indexed whole, so "drug level" listed 165 modifiers."""
    for query in ("level", "drug level"):
        listed = [hit.code for hit in store.search(query, limit=200).hits if hit.kind == "modifier"]
        # What is left is modifiers whose own words match (91: a repeated drug level; JW/JZ: drugs)
        assert len(listed) <= 5 and not {"25", "59", "RT", "GT", "26", "TC"} & set(listed), (query, listed)
    assert {"25", "59"} <= set(codes(store, "CPT modifier", limit=200))
    assert {"RT", "GT"} <= set(codes(store, "HCPCS modifier", limit=200))


def test_everyday_word_searches_keep_codes_first(store: CodeStore) -> None:
    for query in ("office visit", "screening colonoscopy", "knee replacement"):
        hits = store.search(query).hits
        assert hits and hits[0].kind == "code", query


def test_search_a_modified_code_explains_the_modifier(store: CodeStore) -> None:
    hits = store.search("99213-25").hits
    assert [h.code for h in hits] == ["99213", "25"]
    (check,) = hits[0].modifiers
    assert check.fits and check.meaning == E["25"].meaning
    assert hits[0].text == "99213-25" and hits[1].match == "modifier"
    bad = store.search("99213-8P").hits[0].modifiers[0]
    assert not bad.fits and "Category II" in bad.reason
    assert hits[0].to_json()["modifiers"][0]["modifier"] == "25"  # type: ignore[index]


def test_modifiers_written_in_order_are_listed_in_order(store: CodeStore) -> None:
    assert codes(store, "27447-RT-59") == ["27447", "RT", "59"]


def test_detail_of_a_modifier_and_of_a_modified_code(store: CodeStore) -> None:
    modifier = store.detail("25")
    assert modifier.kind == "modifier" and modifier.modifier == E["25"] and modifier.known
    data = modifier.to_json()
    assert data["modifier"]["source"] == OUR_MODIFIER_LABEL  # type: ignore[index]
    assert data["descriptors"][0]["text"] == E["25"].meaning  # type: ignore[index]
    modified = store.detail("99213 25")
    assert modified.code == "99213" and modified.text == "99213-25" and modified.applied[0].fits
    assert json.loads(json.dumps(modified.to_json()))["modifiers"][0]["fits"] is True
    assert store.detail("99213").to_json()["modifiers"] == []


def test_26_and_tc_follow_the_imported_pc_tc_indicator(store: CodeStore) -> None:
    conn = store.conn
    source = conn.execute("INSERT INTO sources (kind, name, file_name, release, effective_date, loaded_at) "
                          "VALUES ('cms-rvu', 'Invented RVU', 'x', 'T1', '2030-01-01', 'now')").lastrowid
    for code, indicator in (("71046", "1"), ("93000", "4")):
        conn.execute("INSERT OR IGNORE INTO codes (code, code_set) VALUES (?, 'I')", (code,))
        conn.execute("INSERT INTO code_facts (code, modifier, source_id, facts) VALUES (?, '', ?, ?)",
                     (code, source, json.dumps({"pctc_indicator": indicator})))
    conn.commit()
    assert store.detail("71046-26").applied[0].fits
    assert store.detail("71046-TC").applied[0].notes == ("PC/TC indicator 1 in Invented RVU allows TC",)
    refused = store.detail("93000-26").applied[0]
    assert not refused.fits and "PC/TC indicator 4 in Invented RVU" in refused.reason


# --- the RVU file's surgery indicators decide 50, 51, 62, 66, 80, 81, 82 and AS ---------------------------------

RVU = "Invented RVU"


def indicators(global_days: str = "090", **values: str) -> SurgeryIndicators:
    return SurgeryIndicators(values, RVU, global_days)


@pytest.mark.parametrize(("code", "code_set", "modifier", "surgery", "fits", "said"), [
    # Outside 10004-69990, allowed by the file (the bundled range refused these)
    ("93590", "I", "80", indicators(asst_surg="2"), True, "assistant at surgery: may be paid (ASST SURG 2, "
                                                           "Invented RVU)"),
    ("96547", "I", "80", indicators(asst_surg="2", global_days="ZZZ"), True, "assistant at surgery: may be paid"),
    ("93591", "I", "66", indicators(team_surg="1"), True, "team surgery: paid by report, only with documentation"),
    ("0483T", "III", "62", indicators(co_surg="2"), True, "co-surgeons: permitted"),
    ("0483T", "III", "80", indicators(asst_surg="2"), True, "assistant at surgery: may be paid"),
    ("0483T", "III", "AS", indicators(asst_surg="2"), True, "ASST SURG 2"),
    # Inside 10004-69990, forbidden by the file (the bundled range accepted these)
    ("11042", "I", "80", indicators(asst_surg="1"), False, "assistant at surgery on 11042: not paid (ASST SURG 1, "
                                                           "Invented RVU)"),
    ("11042", "I", "81", indicators(asst_surg="1"), False, "ASST SURG 1"),
    ("11042", "I", "82", indicators(asst_surg="9"), False, "assistant at surgery on 11042: does not apply"),
    ("10060", "I", "62", indicators(co_surg="0"), False, "co-surgeons on 10060: not permitted (CO SURG 0"),
    ("27130", "I", "66", indicators(team_surg="0"), False, "team surgery on 27130: not permitted (TEAM SURG 0"),
    ("27130", "I", "62", indicators(co_surg="1"), True, "co-surgeons: paid only with documentation"),
    ("27130", "I", "80", indicators(asst_surg="0"), True, "assistant at surgery: paid only with documentation"),
    # 51: MULT PROC, and never on an add-on code
    ("22614", "I", "51", indicators(mult_proc="0", global_days="ZZZ"), False, "22614 is an add-on code"),
    ("22899", "I", "51", indicators(mult_proc="2", global_days="ZZZ"), False, "global period ZZZ, Invented RVU"),
    ("11300", "I", "51", indicators(mult_proc="0", global_days="000"), False, "multiple procedures on 11300: no "
                                                                              "reduction applies"),
    ("11300", "I", "51", indicators(mult_proc="2", global_days="000"), True, "the standard reduction applies"),
    ("43239", "I", "51", indicators(mult_proc="3", global_days="000"), True, "multiple endoscopy rules"),
    ("70450", "I", "51", indicators(mult_proc="4", global_days="XXX"), True, "51 is not needed for Medicare"),
    # 50: BILAT SURG
    ("11300", "I", "50", indicators(bilat_surg="9"), False, "bilateral surgery on 11300: does not apply"),
    ("11300", "I", "50", indicators(bilat_surg="0"), False, "no bilateral adjustment"),
    ("69210", "I", "50", indicators(bilat_surg="2"), False, "already valued as bilateral (BILAT SURG 2"),
    ("73560", "I", "50", indicators(bilat_surg="3"), True, "each side is paid at 100%"),
    ("27447", "I", "50", indicators(bilat_surg="1"), True, "the bilateral adjustment (150%) applies"),
    # An E/M visit: the file's "with documentation" value does not make an assistant surgeon fit a visit
    ("99213", "I", "80", indicators(asst_surg="0"), False, "80 is not used on E/M services (99202\u201399499)"),
    ("98005", "I", "AS", indicators(asst_surg="0"), False, "AS is not used on E/M services (98000\u201398016)"),
    # A value the documentation does not list: accepted, said
    ("27447", "I", "80", indicators(asst_surg="5"), True, "indicator value 5 is not in the RVU documentation"),
])
def test_the_rvu_surgery_indicator_decides(code: str, code_set: str, modifier: str, surgery: SurgeryIndicators,
                                           fits: bool, said: str) -> None:
    check = fit(code, code_set, modifier, E[modifier], surgery=surgery, others=[modifier])
    assert check.fits is fits, check
    assert said in (check.reason if not fits else " ".join(check.notes))


@pytest.mark.parametrize(("code", "code_set", "modifier", "fits", "reason"), [
    ("93590", "I", "80", False, "80 goes only on surgery codes (10004\u201369990)"),
    ("0483T", "III", "62", False, "62 goes only on surgery codes (10004\u201369990)"),
    ("11042", "I", "80", True, ""),
    ("11300", "I", "50", True, ""),
    ("22614", "I", "51", True, ""),
])
def test_without_the_rvu_file_the_bundled_range_decides_and_says_so(code: str, code_set: str, modifier: str,
                                                                    fits: bool, reason: str) -> None:
    check = fit(code, code_set, modifier, E[modifier], others=[modifier])
    assert check.fits is fits and reason in check.reason
    assert any("indicator not checked" in note and "import the CMS RVU file" in note for note in check.notes)


def test_a_code_the_rvu_row_gives_no_such_indicator_falls_back_to_the_range() -> None:
    check = fit("93590", "I", "80", E["80"], surgery=indicators(mult_proc="2"), others=["80"])
    assert not check.fits and "goes only on surgery codes" in check.reason
    assert check.notes[0] == "ASST SURG indicator not checked: Invented RVU gives none for 93590 (checked by code " \
                             "range instead)"


def _rvu_source(conn: sqlite3.Connection, name: str, effective: str, facts: dict[str, dict[str, str]]) -> None:
    source = conn.execute("INSERT INTO sources (kind, name, file_name, release, effective_date, loaded_at) "
                          "VALUES ('cms-rvu', ?, 'x', ?, ?, 'now')", (name, name, effective)).lastrowid
    for code, values in facts.items():
        conn.execute("INSERT OR IGNORE INTO codes (code, code_set) VALUES (?, ?)",
                     (code, "III" if code.endswith("T") else "I"))
        conn.execute("INSERT INTO code_facts (code, modifier, source_id, facts) VALUES (?, '', ?, ?)",
                     (code, source, json.dumps(values)))
    conn.commit()


def test_the_newest_imported_rvu_file_decides_in_the_store(store: CodeStore) -> None:
    older = {"93590": {"asst_surg": "1", "global_days": "000"}, "11042": {"asst_surg": "2", "global_days": "000"}}
    newer = {"93590": {"asst_surg": "2", "global_days": "000"}, "11042": {"asst_surg": "1", "global_days": "000"},
             "22614": {"mult_proc": "0", "global_days": "ZZZ"}, "0483T": {"co_surg": "2", "global_days": "000"}}
    _rvu_source(store.conn, "Invented RVU 2031", "2031-01-01", newer)
    _rvu_source(store.conn, "Invented RVU 2030", "2030-01-01", older)  # imported later, but older
    allowed = store.detail("93590-80").applied[0]
    assert allowed.fits and allowed.notes == ("assistant at surgery: may be paid (ASST SURG 2, Invented RVU 2031)",)
    refused = store.detail("11042-80").applied[0]
    assert not refused.fits and "not paid (ASST SURG 1, Invented RVU 2031)" in refused.reason
    assert not store.detail("22614-51").applied[0].fits
    assert store.detail("0483T-62").applied[0].fits
    # Modifiers the indicators do not govern are not touched by them
    assert store.detail("11042-RT").applied[0].fits
    # A code the imported file does not list: the bundled range, and the note says the file has no indicator
    unlisted = store.detail("27447-80").applied[0]
    assert unlisted.fits and unlisted.notes == (
        "ASST SURG indicator not checked: Invented RVU 2031 gives none for 27447 (checked by code range instead)",)


# --- terminated modifiers (the imported HCPCS file's dates) ---------------------------------------------------------


def test_a_terminated_modifier_is_refused_with_its_date_and_file() -> None:
    dates = ModifierDates("2008-01-01", "2019-12-31", "Invented HCPCS 2031")
    check = fit("99213", "I", "Z7", None, "Invented title", "Invented HCPCS 2031", dates=dates, on="2026-12-03")
    assert not check.fits and check.reason == "Z7 was terminated: valid through 2019-12-31 (Invented HCPCS 2031)"
    # the last day it may be used, and before: fits
    assert fit("99213", "I", "Z7", None, "Invented title", dates=dates, on="2019-12-31").fits
    # a bundled modifier is refused too, before its bundled rules
    assert not fit("99213", "I", "25", E["25"], dates=dates, on="2026-12-03").fits
    added_later = ModifierDates("2032-01-01", "", "Invented HCPCS 2031")
    early = fit("99213", "I", "Z7", None, "Invented title", dates=added_later, on="2031-06-01")
    assert not early.fits and "takes effect on 2032-01-01" in early.reason


HCPCS_MODIFIER_ROWS = [  # modifier, invented title, added, terminated (YYYYMMDD or '')
    ("Z5", "Invented modifier that ended long ago", "20080101", "20191231"),
    ("Z6", "Invented modifier still in use", "20100101", ""),
    ("GT", "Invented text for a bundled modifier that the file says ended", "20000101", "20201231"),
]


def write_invented_hcpcs(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """A fixed-width HCPCS file (the CMS layout) holding only invented modifier records."""
    from tests.fixtures.make_fixtures import _hcpcs_record, write_invented_hcpcs_txt

    records = []
    for modifier, title, added, terminated in rows:
        fields = {"short": title[:28], "cov": "C", "added": added, "effective": added, "action": "N"}
        if terminated:
            fields["term"] = terminated
        records.append(_hcpcs_record(modifier, "00100", "7", title, fields, None))
    write_invented_hcpcs_txt(path, records)


def test_terminated_modifiers_are_refused_in_the_store(store: CodeStore, tmp_path: Path) -> None:
    from desktop_app.core.importers import import_paths

    write_invented_hcpcs(tmp_path / "HCPC2031_JAN_ANWEB.txt", HCPCS_MODIFIER_ROWS)
    import_paths(store.conn, [tmp_path / "HCPC2031_JAN_ANWEB.txt"])
    store.refresh()
    ended = store.modifier_checks("99213", "I", ["Z5"])[0]
    assert not ended.fits
    assert ended.reason == "Z5 was terminated: valid through 2019-12-31 (CMS HCPCS Level II 2031 January)"
    assert store.modifier_checks("99213", "I", ["Z6"])[0].fits
    assert not store.modifier_checks("99213", "I", ["GT"])[0].fits
    # on a date of service before the termination, it fits
    assert store.conn is not None
    assert check_modifiers(store.conn, "99213", "I", ["Z5"], on=date(2019, 6, 1))[0].fits
    # a newer file that lists the modifier without a termination date decides
    write_invented_hcpcs(tmp_path / "HCPC2032_JAN_ANWEB.txt", [("Z5", "Invented modifier back in use", "20080101",
                                                                "")])
    import_paths(store.conn, [tmp_path / "HCPC2032_JAN_ANWEB.txt"])
    store.refresh()
    assert store.modifier_checks("99213", "I", ["Z5"])[0].fits


# --- anesthesia payment modifiers that contradict each other -------------------------------------------------------


@pytest.mark.parametrize("pair", [
    ("AA", "QK"), ("AA", "QY"), ("AA", "AD"), ("QK", "QY"), ("QK", "AD"), ("QY", "AD"), ("QX", "QZ"),
    ("AA", "QX"), ("AA", "QZ"), ("QK", "QZ"), ("QY", "QX"), ("AD", "QZ"),
])
def test_contradictory_anesthesia_modifiers_are_refused(pair: tuple[str, str]) -> None:
    first, second = pair
    checks = [fit("00100", "I", m, E[m], others=list(pair)) for m in pair]
    assert checks[0].fits and not checks[1].fits, checks
    # the reason names both (in the order the conflict list has them), on the second of the line
    assert re.match(f"({first} and {second}|{second} and {first}) on one line", checks[1].reason)


@pytest.mark.parametrize("line", [("AA", "P2"), ("QK", "P3"), ("QZ", "P1"), ("QX", "QS"), ("AA", "QS", "P3")])
def test_anesthesia_modifiers_that_go_together_still_fit(line: tuple[str, ...]) -> None:
    assert all(fit("00100", "I", m, E[m], others=list(line)).fits for m in line)


# --- E/M: every range our sections call E/M --------------------------------------------------------------------------


def test_entries_that_name_e_m_services_cover_every_e_m_range() -> None:
    """98000-98016 (telemedicine visits, numbered in Medicine's range) are E/M: 25 goes on them, 59 does not."""
    em = evaluation_and_management_ranges()
    assert CodeRange("98000", "98016") in em and CodeRange("99202", "99499") in em
    for entry in bundled_modifiers().values():
        if entry.range_note.startswith("E/M services") and entry.modifier not in {"GE"}:
            ranges = entry.only_on or entry.not_on
            for em_range in em:
                assert any(em_range.start in r and em_range.end in r for r in ranges), (entry.modifier, em_range)


@pytest.mark.parametrize(("modifier", "fits"), [
    ("25", True), ("24", True), ("57", True), ("FT", True),
    ("59", False), ("XE", False), ("XS", False), ("XP", False), ("XU", False), ("LT", False), ("51", False),
])
def test_telemedicine_e_m_visits_take_e_m_modifiers(modifier: str, fits: bool) -> None:
    assert fit("98005", "I", modifier, E[modifier], others=[modifier]).fits is fits


# --- Category III: what the comparison view says about its modifiers --------------------------------------------


def test_what_the_comparison_says_about_category_iii_modifiers_is_true() -> None:
    from desktop_app.core.catalog import Catalog

    feature = Catalog.from_files(data_dir()).features_by_key()["modifiers"]["III"]
    named = set(re.findall(r"\b(?:[0-9]{2}|[A-Z]{2}|[A-Z][0-9])\b", feature.value)) | set(feature.examples)
    entries = bundled_modifiers()
    assert named and all(CodeSet.CAT_III in entries[m].applies_to for m in named if m in entries), named
    not_for_iii = {m for m, e in entries.items()
                   if CodeSet.CAT_I in e.applies_to and CodeSet.CAT_III not in e.applies_to}
    assert {"25", "90", "P1", "QK"} <= not_for_iii  # E/M, laboratory and anesthesia modifiers: not Category III
    assert "same modifiers as Category I" not in feature.value
