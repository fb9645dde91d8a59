"""Documents for the document-review tests, made on the spot: a PDF with text, a scanned one
(pages without text), a password-protected one, damaged ones, a .docx. No binary fixture
files: each is a few lines of code, so what a test feeds the bot is visible here."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from pypdf import PdfReader, PdfWriter

SAMPLES = Path(__file__).resolve().parent / "data" / "review"


def sample(name: str) -> str:
    """``personal_statement.txt`` or ``cv.md``: written for these tests (fictional people)."""
    return (SAMPLES / name).read_text("utf-8")


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` as text (no lines: a page with no text, as a scan)."""
    content = ("BT /F1 11 Tf 72 720 Td 14 TL "
               + " ".join(f"({_escape(line)}) Tj T*" for line in lines) + " ET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return out


def scanned_pdf() -> bytes:
    return pdf([])


def locked_pdf(lines: list[str]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(lines))))
    writer.encrypt(user_password="open sesame", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def damaged_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"


def docx(paragraphs: list[str]) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def locked_docx() -> bytes:
    """What Word writes for a password-protected file: an OLE compound file, not a zip."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
