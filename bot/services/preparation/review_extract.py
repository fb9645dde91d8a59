"""A document's text, from the file a member attached or the text they pasted.

Plain functions (CPU work: the service runs them in a worker thread). Anything that is not a
readable document is refused with a `DocumentRefused` naming why and what to do instead; the
caller keeps nothing then. Error messages never quote the document.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import PurePath

from bot.errors import InvalidInput

#: Files larger than this are refused before they are downloaded (the attachment's size).
MAX_BYTES = 2 * 1024 * 1024
#: Text longer than this is no application document (the longest ERAS field is 28,000).
MAX_CHARACTERS = 60_000
#: PDF pages read at most (an application document is a few pages).
MAX_PAGES = 40
#: A .docx unpacks to at most this many bytes (a zip bomb is refused before it is parsed).
MAX_UNPACKED = 20 * 1024 * 1024
EXTENSIONS = (".txt", ".md", ".docx", ".pdf")
#: Word's encrypted files (and old .doc files) are OLE compound files, not zip packages.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# pypdf logs what it repairs in a damaged file; nothing of it is for the bot's log.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class DocumentRefused(InvalidInput):
    """A file or text the review cannot take; the message says why and what to do."""


def check_size(filename: str, size: int) -> None:
    """Refuse by name and size, before the file is downloaded."""
    extension(filename)
    if size > MAX_BYTES:
        raise DocumentRefused(
            f"That file is {size / 1024 / 1024:.1f} MB; I take documents up to "
            f"{MAX_BYTES // 1024 // 1024} MB. Save it as plain text (.txt) or paste the text "
            "instead. Nothing was kept."
        )


def extension(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise DocumentRefused(
            "I can read .txt, .md, .docx and .pdf files; save yours as one of these, or paste "
            "the text instead. Nothing was kept."
        )
    return suffix


def extract(filename: str, data: bytes) -> str:
    """The text of ``data`` (a file called ``filename``), checked to be a document."""
    check_size(filename, len(data))
    suffix = extension(filename)
    if suffix == ".pdf":
        text = _pdf(data)
    elif suffix == ".docx":
        text = _docx(data)
    else:
        text = _plain(data)
    return checked_text(text, scanned=suffix == ".pdf")


def checked_text(text: str, *, scanned: bool = False) -> str:
    """Pasted or extracted text, with line endings made plain; refused when empty or too long."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        if scanned:
            raise DocumentRefused(
                "That PDF has no text I can read: it looks scanned (pictures of pages). Export "
                "it from your word processor as a PDF with text, or paste the text instead. "
                "Nothing was kept."
            )
        raise DocumentRefused("That document is empty. Nothing was kept.")
    if len(text) > MAX_CHARACTERS:
        raise DocumentRefused(
            f"That document has {len(text):,} characters; a review takes up to "
            f"{MAX_CHARACTERS:,} (the longest ERAS field is 28,000). Nothing was kept."
        )
    return text


def _malformed(what: str) -> DocumentRefused:
    return DocumentRefused(
        f"I could not read that file: it is not a valid {what}, or it is damaged. Save it again "
        "(or as .txt) and attach it once more, or paste the text instead. Nothing was kept."
    )


def _locked() -> DocumentRefused:
    return DocumentRefused(
        "That file is password-protected, so I cannot read it. Save a copy without the "
        "password (or as .txt) and attach that, or paste the text instead. Nothing was kept."
    )


def _plain(data: bytes) -> str:
    if b"\x00" in data:
        raise _malformed("text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentRefused(
            "That text file is not UTF-8, so some characters would be lost. Save it as UTF-8 "
            "(\"Save as\" > Encoding: UTF-8) and attach it again. Nothing was kept."
        ) from None


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _locked()
        pages = reader.pages
        return "\n\n".join((pages[i].extract_text() or "") for i in range(min(len(pages), MAX_PAGES)))
    except DocumentRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        if "decrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise _locked() from None
        raise _malformed("PDF") from None


def _docx(data: bytes) -> str:
    if data.startswith(_OLE_MAGIC):
        raise _locked()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > MAX_UNPACKED:
                raise _malformed("Word document")
        from docx import Document

        document = Document(io.BytesIO(data))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
        return "\n".join(lines)
    except DocumentRefused:
        raise
    except Exception:  # python-docx raises many kinds for a damaged package; none is ours
        raise _malformed("Word document") from None
