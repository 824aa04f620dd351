"""The record of processing as CSV: the main sheet only, one row per activity."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TextIO

from pledge.declaration.model import Declaration
from pledge.records.ropa import MULTI_VALUE_SEPARATOR, headers, ropa_rows

# Excel opens a CSV without a byte-order mark in the system's legacy code page (Windows-1252
# in Western Europe), which turns "Délégué" into "DÃ©lÃ©guÃ©". A UTF-8 BOM makes it read the
# file as UTF-8; other CSV readers skip it (Python's "utf-8-sig" codec, pandas, LibreOffice).
BOM = "\ufeff"


def write_ropa_csv(declaration: Declaration, target: Path | str | TextIO, lang: str = "en") -> None:
    """Write the record to a file path or an open text stream, as UTF-8 with a BOM.

    Several values in one cell (categories, recipients, ...) are joined with "; ".
    """
    if isinstance(target, str | Path):
        with Path(target).open("w", encoding="utf-8", newline="") as stream:
            _write(declaration, stream, lang)
    else:
        _write(declaration, target, lang)


def _write(declaration: Declaration, stream: TextIO, lang: str) -> None:
    stream.write(BOM)
    writer = csv.writer(stream)
    writer.writerow(headers(lang))
    for row in ropa_rows(declaration, lang):
        writer.writerow(row.cells(MULTI_VALUE_SEPARATOR))
