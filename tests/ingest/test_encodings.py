"""Encodings that change from month to month and from line to line (issue 17 point 7), on
hand-made byte files: the names as written and the pence, whatever the bytes did."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwbtools.errors import InputFileError
from cwbtools.ingest import ingest_paths, limits
from cwbtools.ingest.encodings import decide

HEADER = b"Supplier Name,Payment Date,Amount,Description\r\n"
NAMES = ["Café Crème Ltd", "Zürich Façades Ltd", "Señor Peñas Catering Ltd", "Brontë Églantine LLP", "Ælfric – Smiths"]


def _ingest(path: Path):
    res = ingest_paths([path], anchor="Enc")
    tx = res.transactions
    note = "; ".join(n for n in res.column_maps["note"] if n)
    return res, list(tx.supplier_name), list(tx.amount_pence), note


def _row(name: str, i: int, amount: str = "") -> str:
    return f'"{name}",{1 + i % 28:02d}/05/2023,"{amount or f"{100 + i}.{i % 100:02d}"}",Repairs'


def _pence(i: int) -> int:
    return (100 + i) * 100 + i % 100


def test_clean_utf8_keeps_the_fast_path(tmp_path):
    f = tmp_path / "clean.csv"
    f.write_bytes(codecs.BOM_UTF8 + HEADER + "\r\n".join(_row(n, i) for i, n in enumerate(NAMES)).encode() + b"\r\n")
    assert decide(f).fast and decide(f).note == ""
    res, names, pence, note = _ingest(f)
    assert names == NAMES and pence == [_pence(i) for i in range(5)] and note == ""


def test_cp1252_pound_and_accents(tmp_path):
    f = tmp_path / "win.csv"
    f.write_bytes(
        b"Supplier Name,Payment Date,Net Amount(\xa3),Description\r\n"
        + "\r\n".join(_row(n, i, f"£{100 + i}.{i % 100:02d}") for i, n in enumerate(NAMES)).encode("cp1252")
        + b"\r\n"
    )
    d = decide(f)
    assert not d.fast and d.note == ""  # one code page throughout: nothing unusual to say
    _, names, pence, _ = _ingest(f)
    assert names == NAMES and pence == [_pence(i) for i in range(5)]


def test_dos_pound_0x9c(tmp_path):
    # alone in a file, 0x9C is the DOS code page's £; in a cp1252 file, before a digit, too
    alone = tmp_path / "dos.csv"
    alone.write_bytes(HEADER + b'Fleet Ltd,24/04/2023,"\x9c2,644.75",\x9c2644.75 PER MONTH\r\n')
    res = ingest_paths([alone], anchor="D")
    assert res.transactions.description.tolist() == ["£2644.75 PER MONTH"]
    assert res.transactions.amount_pence.tolist() == [264475]
    assert "0x9C read as £" in res.column_maps.note.iloc[0]
    mixed = tmp_path / "dos_cp1252.csv"
    mixed.write_bytes(HEADER + b"Caf\xe9 Ltd,24/04/2023,12.00,Minor Adaptations<\x9c750\r\n")
    tx = ingest_paths([mixed], anchor="D").transactions
    assert tx.supplier_name.tolist() == ["Café Ltd"] and tx.description.tolist() == ["Minor Adaptations<£750"]


@pytest.mark.parametrize("cp1252_line", [False, True], ids=["utf8", "mixed"])
def test_text_encoded_twice_is_read_as_meant(tmp_path, cp1252_line):
    # UTF-8 read as cp1252 and written out as UTF-8 again: `Â£`, `CafÃ©`, and U+FFFD as `ï¿½`;
    # repaired alike in a file that also holds a cp1252 line
    def twice(text: str) -> bytes:
        return text.encode("utf-8").decode("cp1252").encode("utf-8")

    f = tmp_path / "twice.csv"
    f.write_bytes(
        twice("Payments over £500\r\n")
        + HEADER
        + b"\r\n".join(twice(_row(n, i, f"£{100 + i}.{i % 100:02d}")) for i, n in enumerate(NAMES[:3]))
        + b"\r\n"
        + _row("Lost \ufffd Sign Ltd", 3, "\ufffd103.03").encode("utf-8").decode("cp1252").encode("utf-8")
        + b"\r\n"
        + (_row("Señor Peñas Catering Ltd", 4).encode("cp1252") + b"\r\n" if cp1252_line else b"")
    )
    res, names, pence, note = _ingest(f)
    assert names == NAMES[:3] + ["Lost \ufffd Sign Ltd"] + (["Señor Peñas Catering Ltd"] if cp1252_line else [])
    assert pence == [_pence(i) for i in range(4 + cp1252_line)]
    assert ("UTF-8 and cp1252" if cp1252_line else "encoded twice") in note


def test_replacement_character_already_in_the_text_survives_a_cp1252_line(tmp_path):
    # U+FFFD written as UTF-8 in one line, a cp1252 byte in another: one reading for the whole
    # file turned the first into `ï¿½`; line by line each is what it was
    f = tmp_path / "fffd.csv"
    f.write_bytes(
        HEADER + _row("Grant \ufffd Trust", 0, "\ufffd100.00").encode() + b"\r\n" + b"Caf\xe9 Ltd,02/05/2023,5.00,x\r\n"
    )
    _, names, pence, note = _ingest(f)
    assert names == ["Grant \ufffd Trust", "Café Ltd"] and pence == [10000, 500]
    assert "1 line with bytes that are not UTF-8" in note


def test_utf8_and_cp1252_lines_in_one_file_each_read_right(tmp_path):
    rows = [_row(n, i) for i, n in enumerate(NAMES * 6)]
    lines = [r.encode("utf-8" if i % 3 else "cp1252") for i, r in enumerate(rows)]
    f = tmp_path / "mixed.csv"
    f.write_bytes(HEADER + b"\r\n".join(lines) + b"\r\n")
    res, names, pence, note = _ingest(f)
    assert names == NAMES * 6 and pence == [_pence(i) for i in range(30)]
    assert "UTF-8 and cp1252 (Windows) in one file: 10 lines" in note
    recon = res.reconciliation.iloc[0]
    assert recon.rows_read == recon.rows_kept == 30


def test_one_bad_byte_spoils_one_character_not_the_file(tmp_path):
    rows = [_row(n, i) for i, n in enumerate(NAMES)]
    data = bytearray(HEADER + "\r\n".join(rows).encode() + b"\r\n")
    at = data.index(b"Repairs", len(data) // 2)
    data[at + 3] = 0xFF
    f = tmp_path / "bad_byte.csv"
    f.write_bytes(bytes(data))
    res, names, pence, _ = _ingest(f)
    assert names == NAMES and pence == [_pence(i) for i in range(5)]
    assert "Rep\xffirs" in res.transactions.description.tolist()  # the one byte, as cp1252 reads it


def test_a_file_cut_mid_character_keeps_its_complete_rows(tmp_path):
    data = HEADER + "\r\n".join(_row(n, i) for i, n in enumerate(NAMES)).encode()
    last = data.rfind(b"\n") + 1
    cut = next(i for i in range(last, len(data)) if data[i] >= 0xC0) + 1  # one byte into `Æ`
    f = tmp_path / "cut.csv"
    f.write_bytes(data[:cut])
    res, names, pence, note = _ingest(f)
    assert names == NAMES[:4] and pence == [_pence(i) for i in range(4)]
    assert res.reconciliation.iloc[0].rows_read == 5  # the cut row is read, and set aside
    assert "ends part-way through a character" in note


@pytest.mark.parametrize("ending", [b"\r\r\n", b"\n\n", b"\r\n\r\n"], ids=["CR CR LF", "LF LF", "CRLF CRLF"])
def test_an_empty_line_after_every_row_is_not_a_row(tmp_path, ending):
    rows = [_row(n, i) for i, n in enumerate(NAMES * 2)]
    f = tmp_path / "spaced.csv"
    f.write_bytes(HEADER.rstrip(b"\r\n") + ending + ending.join(r.encode() for r in rows) + ending)
    res, names, pence, note = _ingest(f)
    assert names == NAMES * 2 and pence == [_pence(i) for i in range(10)]
    recon = res.reconciliation.iloc[0]
    assert recon.rows_read == recon.rows_kept == 10 and recon.rows_set_aside == 0
    assert "the empty line after each line is not a row" in note
    assert sorted(res.transactions.row_number) == list(range(2, 12))  # rows counted without the empty lines


def test_mixed_lines_across_streamed_blocks(tmp_path, monkeypatch):
    # Arrow reads a streamed file in blocks and hands a ragged row to the csv module: both read
    # through the same codec, and no character, repair or row is lost at a block's edge.
    from cwbtools.ingest import delimited

    monkeypatch.setattr(delimited, "STREAM_BLOCK_BYTES", 4096)
    rng = random.Random(7)
    names = [rng.choice(NAMES) for _ in range(2000)]
    lines = [_row(n, i).encode(rng.choice(["utf-8", "cp1252"])) for i, n in enumerate(names)]
    lines.insert(1500, b"Short row,01/05/2023")
    f = tmp_path / "big_mixed.csv"
    f.write_bytes(HEADER + b"\r\r\n".join(lines) + b"\r\r\n")
    part = ingest_paths([f], anchor="M", out_dir=tmp_path / "p", partition=True, chunk_rows=300)
    whole = ingest_paths([f], anchor="M")
    assert whole.transactions.supplier_name.tolist() == names
    assert whole.transactions.amount_pence.tolist() == [_pence(i) for i in range(2000)]
    cols = ["rows_read", "rows_kept", "pence_kept"]
    assert part.reconciliation[cols].equals(whole.reconciliation[cols])
    assert whole.reconciliation.iloc[0].rows_read == 2001


def test_line_and_cell_limits_come_from_the_run(tmp_path):
    f = tmp_path / "long.csv"
    rows = [_row(n, i) for i, n in enumerate(NAMES)]
    rows.append(f'"{"A" * 5000} Ltd",01/05/2023,1.00,x')
    f.write_bytes(HEADER + "\r\n".join(rows).encode() + b"\r\n")
    assert len(ingest_paths([f], anchor="L").transactions) == 6  # within the defaults
    with limits.using(limits.Limits(max_cell_chars=1000)), pytest.raises(InputFileError, match="max_cell_chars"):
        ingest_paths([f], anchor="L")
    with limits.using(limits.Limits(max_line_chars=1000)), pytest.raises(InputFileError, match="max_line_chars"):
        ingest_paths([f], anchor="L")
    # the csv module's reading (a ragged row hands over to it) holds to the same cell limit
    g = tmp_path / "long_ragged.csv"
    g.write_bytes(HEADER + rows[0].encode() + b"\r\nShort,row\r\n" + rows[-1].encode() + b"\r\n")
    with limits.using(limits.Limits(max_cell_chars=1000)), pytest.raises(InputFileError, match="max_cell_chars"):
        ingest_paths([g], anchor="L")


def test_encodings_on_real_ledgers(shared_data):
    # The corpus's own cases, each decided from its bytes: Brent's cp1252 lines among UTF-8 ones,
    # Warrington's DOS pound, Cambridge's CR CR LF, Derby's `ï¿½` title.
    corpus = shared_data / "spend-corpus"
    brent = decide(corpus / "brent" / "mar_may_2023.csv")
    assert brent.codec == "cwb_text.utf8" and "6 lines with bytes that are not UTF-8" in brent.note
    assert decide(corpus / "warrington" / "Final_Spend_Data_-_April_2023.csv").codec == "cwb_text.cp1252.pound9c"
    assert "CR CR LF" in decide(corpus / "cambridge-city" / "spending_fy2024_25.csv").note
    assert "encoded twice" in decide(corpus / "derby-city" / "payments-to-suppliers-april2023v2.csv").note


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(NAMES + ["Plain Ltd", "£5 Lost \ufffd"]), st.sampled_from(["utf-8", "cp1252"])),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([b"\n", b"\r\n", b"\r", b"\r\r\n"]),
    st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30),
)
def test_fed_in_any_pieces_each_line_reads_as_written(lines, ending, pieces):
    # Arrow and the csv module feed the codec whatever pieces they read: a character, a repair or
    # a CR CR LF cut by a piece's edge must come out the same as the whole file read at once.
    data = ending.join(text.encode(enc, errors="replace") for text, enc in lines) + ending
    codec = "cwb_text.utf8" + (".spaced" if ending == b"\r\r\n" else "")
    dec = codecs.getincrementaldecoder(codec)()
    out, at = [], 0
    for size in pieces * (1 + len(data) // sum(pieces)):
        out.append(dec.decode(data[at : at + size]))
        at += size
        if at >= len(data):
            break
    out.append(dec.decode(b"", final=True))
    expect = [t if e == "utf-8" or "\ufffd" not in t else t.replace("\ufffd", "?") for t, e in lines]
    sep = "\r" if ending == b"\r\r\n" else ending.decode()
    assert "".join(out) == sep.join(expect) + sep == codecs.decode(data, codec)
