"""The report's tables: one shape for the page, the PDF and the CSV files, so their figures agree.

Cells are plain values (text, whole numbers, ISO dates, numbers already rounded); the page, the
PDF and the CSV all print exactly these.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from actions.exports import _cell as spreadsheet_safe

Cell = str | int | float | None


@dataclass
class Table:
    slug: str  # the CSV's file name
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def top(self, n: int) -> Table:
        """The first `n` rows, saying where the rest are (the PDF a meeting reads)."""
        if len(self.rows) <= n:
            return self
        rest = (f"The first {n} of {len(self.rows)} rows; all of them are on the report page "
                f"and in its CSV files.")
        return Table(self.slug, self.title, self.columns, self.rows[:n],
                     f"{self.note} {rest}".strip())

    def column(self, name: str) -> list[Cell]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    @property
    def numeric(self) -> list[bool]:
        """Per column: does it hold numbers (printed right-aligned)?"""
        return [
            any(row[i] is not None for row in self.rows)
            and all(isinstance(row[i], int | float) for row in self.rows if row[i] is not None)
            for i in range(len(self.columns))
        ]

    @property
    def header(self) -> list[tuple[str, bool]]:
        return list(zip(self.columns, self.numeric, strict=True))

    @property
    def cells(self) -> list[list[tuple[Cell, bool]]]:
        numeric = self.numeric
        return [list(zip(row, numeric, strict=True)) for row in self.rows]


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    # The byte order mark makes Excel read UTF-8 instead of the locale's code page.
    return ("\ufeff" + csv_text(table)).encode()


def csv_zip(tables: list[Table], folder: str) -> bytes:
    """All tables as CSV files in one zip, inside `folder/` so unzipping makes no mess."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{folder}/{table.slug}.csv", csv_bytes(table))
    return buffer.getvalue()
