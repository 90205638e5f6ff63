"""Files that are not ledgers stop with one line that names the file and says what it is."""

from __future__ import annotations

import pytest

from cwbtools.errors import InputFileError
from cwbtools.ingest import ingest_paths

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
HTML = b"\xef\xbb\xbf\n  <!DOCTYPE html>\n<html><head><title>Page not found</title></head><body>404</body></html>\n"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("spend-2024-03.xlsx", PDF, "is a PDF"),
        ("spend-2024-03.csv", PDF, "is a PDF"),
        ("spend-2024-03.csv", HTML, "is a web page"),
        ("spend-2024-03.xls", HTML, "is a web page"),
    ],
)
def test_a_pdf_or_web_page_under_any_name_is_named_for_what_it_is(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        ingest_paths([path], anchor="Test council")
    message = str(err.value)
    assert says in message and name in message and "\n" not in message
    assert "Catalog" not in message and "not found" not in message  # describes the file, never quotes it


def test_a_csv_that_merely_mentions_html_is_read(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("Supplier Name,Amount,Payment Date\n<html> Design Ltd,10.00,01/05/2019\n", encoding="utf-8")
    result = ingest_paths([path], anchor="Test council")
    assert int(result.transactions["amount_pence"].sum()) == 1000
