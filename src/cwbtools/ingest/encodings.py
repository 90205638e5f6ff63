"""How a text ledger's bytes become text, decided per file from the bytes themselves.

Publishers change encoding from one month's file to the next, and a file stitched together from
two systems changes it from line to line: UTF-8 (BOM or none), Windows cp1252 (`£` as 0xA3), the
DOS code page's `£` (0x9C), text encoded twice (`Â£` for `£`, `ï¿½` for U+FFFD), a download cut
in the middle of a character, CR CR LF line ends. One wrong guess for the whole file turns every
name in it to mojibake, so:

- a file that is clean UTF-8 is handed to Arrow's own UTF-8 reader untouched (the fast path);
- any other file is read through a codec registered here (`Decoding.codec`), which Arrow's CSV
  reader and Python's `open` both take, so both see the same text:
  `cwb_text.utf8`: UTF-8, each byte that is not part of a UTF-8 character read as cp1252 (so the
  UTF-8 lines and the cp1252 lines of one file are each read right, and one stray byte spoils one
  character, not the file); characters encoded twice repaired; a character cut off by the end of
  the file read as U+FFFD. `cwb_text.cp1252`: every byte cp1252 (its five unassigned bytes as
  latin-1). Flags: `.pound9c`, every 0x9C is `£`; `.spaced`, the empty line after every line
  (CR CR LF) dropped, so it is not counted as a row.
In either code page 0x9C directly before a digit is `£` (`\\x9c750`), never `œ`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

# cp1252 byte by byte, its five unassigned bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as latin-1
_TABLE = "".join(bytes([b]).decode("cp1252", errors="replace").replace("\ufffd", chr(b)) for b in range(256))
_TABLE_9C = _TABLE[:0x9C] + "£" + _TABLE[0x9D:]
_BYTE_OF = {ch: b for b, ch in enumerate(_TABLE)}
_DOS_POUND = re.compile("œ(?=[0-9])")

# Text encoded twice: UTF-8 bytes read as cp1252, then written as UTF-8 again. A lead character
# (the cp1252 reading of a UTF-8 lead byte) followed by as many continuation characters as it
# announces; repaired only when those bytes are a UTF-8 character.
_CONT = "[" + re.escape(_TABLE[0x80:0xC0]) + "]"
_TWICE = re.compile(f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}")
# the same, looked for in a UTF-8 file's bytes: a lead character's UTF-8, then a continuation's
_TWICE_BYTES = re.compile(b"\xc3[\x82-\xb4](?:" + b"|".join(re.escape(c.encode()) for c in _TABLE[0x80:0xC0]) + b")")
_BLANK_AFTER = re.compile(r"(\r\n|\r|\n)(?:\r\n|\r|\n)")
_ASCII = bytes(range(128))
# each byte as 1 (a UTF-8 lead byte), 2 (a continuation byte) or 0
_LEAD_CONT = bytes(1 if 0xC2 <= b <= 0xF4 else 2 if 0x80 <= b < 0xC0 else 0 for b in range(256))
LONG_LINE_BYTES = 1 << 20  # a line this long is decoded before its end is seen


def _single_bytes(data: bytes, table: str = _TABLE) -> str:
    text = codecs.charmap_decode(data, "strict", table)[0]
    return _DOS_POUND.sub("£", text) if "œ" in text else text


def _repair_twice(text: str) -> str:
    def undo(m: re.Match) -> str:
        try:
            return bytes(_BYTE_OF[c] for c in m.group()).decode("utf-8")
        except UnicodeDecodeError:
            return m.group()

    for _ in range(3):  # encoded three times over is not unheard of (`Ã‚Â£`)
        fixed = _TWICE.sub(undo, text)
        if fixed == text:
            break
        text = fixed
    return text


def _not_utf8(err: UnicodeError, table: str) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    if err.reason == "unexpected end of data":  # the file stops part-way through a character
        return "\ufffd", err.end
    # one byte past the run, so that 0x9C before a digit is seen as £; a byte in, a character out
    return _single_bytes(err.object[err.start : err.end + 1], table)[: err.end - err.start], err.end


codecs.register_error("cwb_cp1252", lambda err: _not_utf8(err, _TABLE))
codecs.register_error("cwb_cp1252_9c", lambda err: _not_utf8(err, _TABLE_9C))


def _whole_lines(data: bytes) -> int:
    """Where the last line break that more text follows ends: the bytes before are whole lines,
    and a run of breaks (CR CR LF) is never cut in two. 0: there is none."""
    end = len(data.rstrip(b"\r\n"))
    return max(data.rfind(b"\n", 0, end), data.rfind(b"\r", 0, end)) + 1


class _Decoder(codecs.BufferedIncrementalDecoder):
    """Whole lines at a time, so that no repair ever sees half of what it repairs."""

    utf8 = True
    pound9c = False
    spaced = False

    def __init__(self, errors: str = "strict"):
        super().__init__(errors)
        self._start = True

    def _buffer_decode(self, data, errors, final):
        end = len(data) if final else _whole_lines(data)
        whole = final or end > 0
        if not whole:
            if len(data) < LONG_LINE_BYTES:
                return "", 0
            end = len(data.rstrip(b"\r\n")) or len(data)
        table = _TABLE_9C if self.pound9c else _TABLE
        chunk = bytes(data[:end])
        if self.utf8:
            handler = "cwb_cp1252_9c" if self.pound9c else "cwb_cp1252"
            # a whole-lines chunk ends in a line break: only the file's end can cut a character
            text, end = codecs.utf_8_decode(chunk, handler, whole)
            # looked for in the bytes (8x faster than in the text): bytes read as cp1252 here
            # never spell a repairable pair, since such a pair is UTF-8 and was read as such
            if _TWICE_BYTES.search(chunk):
                text = _repair_twice(text)
        else:
            text = _single_bytes(chunk, table)
        if self._start and text:
            text = text.removeprefix("\ufeff")
            self._start = False
        if self.spaced:
            text = _BLANK_AFTER.sub(r"\1", text)
        return text, end

    def reset(self):
        super().reset()
        self._start = True


def _codec_info(name: str) -> codecs.CodecInfo | None:
    parts = name.split(".")
    if parts[0] != "cwb_text" or len(parts) < 2 or parts[1] not in ("utf8", "cp1252"):
        return None
    flags = set(parts[2:])
    decoder = type(
        "Decoder",
        (_Decoder,),
        {"utf8": parts[1] == "utf8", "pound9c": "pound9c" in flags, "spaced": "spaced" in flags},
    )

    def decode(data, errors="strict"):
        return decoder(errors).decode(bytes(data), final=True), len(data)

    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=name,
        encode=utf8.encode,
        decode=decode,
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=decoder,
        streamreader=utf8.streamreader,
        streamwriter=utf8.streamwriter,
    )


codecs.register(_codec_info)


@dataclass(frozen=True)
class Decoding:
    """How one file's bytes are read: `codec` for Python's `open`, `arrow` for Arrow's CSV reader
    (`utf8`: the bytes as they are), and what was unusual about them (`note`, "" when nothing)."""

    codec: str
    arrow: str
    note: str = ""

    @property
    def fast(self) -> bool:
        return self.arrow == "utf8"


@dataclass
class _Scan:
    valid: bool = True  # every byte so far is part of a UTF-8 character
    cut: bool = False  # valid, but the last character is cut off by the end of the file
    utf8_chars: bool = False  # a UTF-8 character of two or more bytes seen
    twice: int = 0  # characters encoded twice, in a valid file
    high: set | None = None  # the bytes above 127, once the file is known not to be UTF-8


def _utf8_block_ok(data) -> bool:
    # Arrow's UTF-8 check (a binary -> string cast) runs about 8x faster than Python's decoder
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _whole_characters(buf, end: int) -> int:
    """Where the last complete UTF-8 character in buf[:end] ends (an incomplete one is held back)."""
    lead = end - 1
    while lead >= max(0, end - 4) and (buf[lead] & 0xC0) == 0x80:  # back over continuation bytes
        lead -= 1
    if lead >= max(0, end - 4) and buf[lead] >= 0xC0:
        need = 2 if buf[lead] < 0xE0 else 3 if buf[lead] < 0xF0 else 4
        if end - lead < need:
            return lead
    return end


def _scan(path: Path, block: int = 1 << 22) -> _Scan:
    """One pass over the file, block by block into one buffer (a character cut by a block's end is
    carried to the front of the next). Once a byte is not UTF-8, only what decides between cp1252
    and mixed is looked for: the bytes above 127, and whether any UTF-8 character is there."""
    scan = _Scan()
    buf = bytearray(block + 4)
    view = memoryview(buf)
    carry = valid_bytes = 0
    with open(path, "rb") as fh:
        while got := fh.readinto(view[carry : carry + block]):
            end = carry + got
            if scan.valid:
                cut = _whole_characters(buf, end)
                part = view[:cut]
                if _utf8_block_ok(part):
                    if buf.find(b"\xc3", 0, cut) >= 0:
                        scan.twice += len(_TWICE_BYTES.findall(part))
                    valid_bytes += cut
                    carry = end - cut
                    buf[:carry] = buf[cut:end]
                    continue
                scan.valid, scan.twice, scan.high = False, 0, set()
                scan.utf8_chars = not _ascii_prefix(path, valid_bytes)  # UTF-8 lines before this block
            data = bytes(view[:end])
            carry = 0
            if len(scan.high) < 2:  # all that matters of them: whether 0x9C is the only one
                scan.high.update(data.translate(None, _ASCII))
            if not scan.utf8_chars and _has_utf8_char(data):
                scan.utf8_chars = True
            if scan.utf8_chars and len(scan.high) > 1:
                break  # mixed, and not the DOS pound alone: nothing more to learn
    if scan.valid and carry:
        scan.cut = True
    return scan


def _ascii_prefix(path: Path, size: int) -> bool:
    """The first `size` bytes of the file are ASCII (read again: needed only once a file turns out
    not to be UTF-8, so a clean file's scan never pays for it)."""
    with open(path, "rb") as fh:
        while size > 0:
            data = fh.read(min(size, 1 << 22))
            if not data:
                break
            if not data.isascii():
                return False
            size -= len(data)
    return True


def _has_utf8_char(data: bytes) -> bool:
    """Whether `data` holds a UTF-8 character of two or more bytes (a cp1252 file seldom does):
    a lead byte then a continuation byte, found by classing every byte (C speed), then checked."""
    classes = data.translate(_LEAD_CONT)
    i = classes.find(b"\x01\x02")
    while i >= 0:
        need = 2 if data[i] < 0xE0 else 3 if data[i] < 0xF0 else 4
        try:
            data[i : i + need].decode("utf-8")
            return True
        except UnicodeDecodeError:
            i = classes.find(b"\x01\x02", i + 1)
    return False


def _is_utf8(path: Path, block: int = 1 << 22) -> bool:
    """The whole file is valid UTF-8 (a character cut off by its end is not)."""
    scan = _scan(path, block)
    return scan.valid and not scan.cut


def _spaced(head: bytes) -> bool:
    """An empty line after (nearly) every line of the file's first bytes: CR CR LF line ends,
    which every reader takes as a line and an empty line, or a file written double-spaced."""
    lines = re.split(rb"\r\n|\r|\n", head)[:-1]  # the last may be cut by the sample's end
    filled = [i for i in range(len(lines) - 1) if lines[i]]
    if len(filled) < 4:
        return False
    followed = sum(1 for i in filled if not lines[i + 1])
    return followed >= 0.9 * len(filled)


def _lines_not_utf8(path: Path) -> int:
    """How many lines hold a byte that is not UTF-8 (for the note on a mixed file)."""
    n, rest = 0, b""
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            data = rest + block
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            data, rest = data[:cut], data[cut:]
            for line in data.splitlines():
                if not line.isascii():
                    try:
                        line.decode("utf-8")
                    except UnicodeDecodeError:
                        n += 1
    if rest:
        try:
            rest.decode("utf-8")
        except UnicodeDecodeError:
            n += 1
    return n


def decide(path: Path) -> Decoding:
    """How to read `path`'s bytes, from one pass over them."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Excel's "Unicode text" export
        return Decoding("utf-16", "utf-16")
    scan = _scan(path)
    spaced = _spaced(head)
    notes = []
    if spaced:
        ends = "CR CR LF line ends" if b"\r\r\n" in head else "a blank line after every line"
        notes.append(f"{ends}: the empty line after each line is not a row")
    if scan.valid and not scan.cut and not scan.twice and not spaced:
        return Decoding("utf-8-sig", "utf8")
    if not scan.valid and not scan.utf8_chars:  # one single-byte code page throughout
        flags = ""
        if scan.high == {0x9C}:
            flags = ".pound9c"
            notes.insert(0, "byte 0x9C read as £ (the DOS code page's pound sign)")
        codec = "cwb_text.cp1252" + flags + (".spaced" if spaced else "")
        return Decoding(codec, codec, "; ".join(notes))
    if scan.cut:
        notes.insert(0, "the file ends part-way through a character (a cut download?): read as U+FFFD")
    if scan.twice:
        notes.insert(0, f"{scan.twice:,} characters encoded twice (such as `Â£` for `£`) read as meant")
    if not scan.valid:
        n = _lines_not_utf8(path)
        notes.insert(
            0,
            f"UTF-8 and cp1252 (Windows) in one file: {n:,} line{'s' if n != 1 else ''} with bytes that "
            "are not UTF-8 read as cp1252, the rest as UTF-8",
        )
    codec = "cwb_text.utf8" + (".spaced" if spaced else "")
    return Decoding(codec, codec, "; ".join(notes))
