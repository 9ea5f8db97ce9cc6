"""The columns of the CSV files CodeDesk itself writes, in one place: the writers use them, and the importer of
code lists uses them to tell such a file from a code list (importing one as "your own list" credited the CMS
titles of a results export to the user's list). A module of its own so that importers need not import the
writers (each file family's importer stands alone: see the import contracts)."""

from __future__ import annotations

# The search-results export (core.export.results_table).
RESULT_COLUMNS = ("code", "category", "section", "title", "title_source", "status", "deleted_date",
                  "descriptor_sources", "match", "summary")
# The working-set export (core.export.working_set_table): favourites, notes and history with their titles.
WORKING_SET_COLUMNS = ("kind", "list", "code", "category", "title", "title_source", "status", "text", "when",
                       "summary")
# The working-set file that File → Import Working Set reads back (core.working_set).
WORKING_SET_HEADER = ("kind", "list", "code", "text", "when")
