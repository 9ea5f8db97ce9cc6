"""What the AMA readers assume: verified against the AMA's public code, or still assumed (see the README)."""

from __future__ import annotations

# What the readers assume, checked against the AMA's own public ETL code and its test fixtures
# (github.com/AMADataLabs/Core, Source/Python/datalabs/curate/cpt/ and etl/cpt/, their tests under
# Test/Python/test/datalabs/curate/cpt/) and the HL7 FHIR CPT converter (hapifhir/org.hl7.fhir.core,
# org.hl7.fhir.convertors/.../misc/CPTImporter.java). Shown in the README; the sources are credited there.
VERIFIED = (
    "LONGULT/MEDU/SHORTU: a licence notice of several paragraphs, data after the last blank line; LONGULT "
    "code<TAB>text; MEDU/SHORTU code, one blank, text 48/28 wide (curate/cpt/descriptor.py and its test).",
    "LONGUT is LONGULT upper-cased and written as Windows-1252; LONGULF/LONGUF are fixed-field copies (code "
    "padded to 8, text 71 wide) made from LONGULT (etl/cpt/files/link/transform.py, descriptor.py "
    "formatters; CPTImporter.java reads LONGUT as an upper-case designation).",
    "ConsumerDescriptor header 'Concept Id, CPT Code, Consumer Friendly Descriptor'; ClinicianDescriptor "
    "'Concept Id, CPT Code, Clinician Descriptor Id, Clinician Descriptor', several rows per code, concept ids "
    "of 7 digits and descriptor ids of 8 (test_descriptor.py; CPTImporter.java).",
    "CPT Link files have no title line (the parsers skip only the header). Deleted_DTK: Concept Id, Code, Date "
    "Deleted, Level, Descriptor, Instruction; History_DTK: Date, Change Type, Concept Id, CPT Code, Level, Prior "
    "Value, Current Value, Instruction, rows often of 6 fields; HistoryModifiers_DTK: Date, Change Type, Concept "
    "Id, Modifier Code, Prior Value, CurrentValue, rows with no code for section headings "
    "(curate/cpt/link/history.py and test_history.py).",
    "History dates are YYYYMMDD or 'Pre-1982' / 'Pre-1990' (test_history.py; etl/cpt/api/transform.py drops "
    "the Pre- rows before parsing %Y%m%d). Change types seen: ADDED, DELETED.",
    "PLA XML: the XML declaration on line 1, root <plaCodes>, <plaCode cdCode cdId>, cdDesc/cdMDesc/cdSDesc, "
    "cdStatus EXISTING, clinicalDesc, consumerDesc, effectiveDate and publishDate like 2017-02-01T00:00:00-06:00, "
    "labName, manufacturerName, testName (test_pla.py; api/transform.py parses %Y-%m-%dT%H:%M:%S%z).",
    "MODUL: the headings Appendix A, Anesthesia Physical Status, CPT Level I Modifiers, Category II Modifiers, "
    "Level II (HCPCS/National) Modifiers; 'Physical Status Modifier P1: …'; Category II entries named on their "
    "first line with no colon; Windows-1252 and CRLF (test_modifier.py).",
    "Encodings: descriptor files read as UTF-8 with a Windows-1252 fallback, MODUL and LONGUT/LONGUF as "
    "Windows-1252; CRLF line ends (descriptor.py _decode; the fixtures of the tests above).",
    "Release cadence: annual release 1 September and Q4 update 1 October, both effective 1 January of the next "
    "year; Q1-Q3 released a quarter before they take effect (the AMA's release schedule configuration).",
)

UNVERIFIED = (
    "The PLA status value of a deleted code (a cdStatus starting 'Delet' marks the code deleted; EXISTING and "
    "any other value are active), and the layouts of CPTPLATab.txt and CPTPLAChanges.txt (skipped with a note).",
    "Change types other than ADDED and DELETED, and what 'Level' holds (both stored and shown as the file "
    "words them); whether History_DTK also has rows without a code (skipped, counted in a note, as in "
    "HistoryModifiers_DTK).",
    "The wording of the Deleted_DTK instruction column (codes named in it become links, whatever the words).",
    "Release names: a year in the folder, zip or file name ('[year] Standard Update [n]', 'CPT 2021 Data File_PLA "
    "Q2 Updt', 'PLA Code Data Files_ 2022_Q4'), else a date stamp ('CPT_Link_20200131') read as the next "
    "year's release from September on; what the n of 'Standard Update n' means (kept as update n, effective "
    "1 January of the year); Q1-Q4 in a name as the quarterly update of that year.",
    "ConsolidatedCodeList.txt / Modifiers.txt (the 2026 'Current Format'): header texts and the licence "
    "preamble before them come from a third-party fixture only.",
    "The fixed-field layout of LONGULF/LONGUF in a real release (not read, so nothing depends on it).",
)
