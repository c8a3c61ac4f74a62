"""Loaders per format, on fixtures the tests make themselves: PDFs, DOCX, HTML, bombs."""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import pytest

from chatbot.config import Config
from chatbot.documents import load_corpus
from chatbot.errors import CorpusError
from chatbot.loaders import load_text


def make_pdf(pages: list[str], title: str = "") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def make_docx(blocks: list[tuple[str, str]]) -> bytes:
    import docx

    document = docx.Document()
    for style, text in blocks:
        if style == "title":
            document.add_heading(text, level=0)
        elif style.startswith("h"):
            document.add_heading(text, level=int(style[1:]))
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def inflating_pdf(inflated_bytes: int) -> bytes:
    """A one-page PDF with real text whose content stream inflates to `inflated_bytes`."""
    text = b"BT /F1 12 Tf 72 712 Td (Bomb text here.) Tj ET\n"
    stream = zlib.compress(text + b" " * inflated_bytes, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_pdf_text_per_page_becomes_page_sections():
    text = load_text(
        make_pdf(["Zebras have stripes.", "", "GitHub was founded in 2008."], "Animal Facts"),
        "a.pdf",
    )
    assert text.startswith("# Animal Facts")
    assert (
        "## Page 1\n\nZebras have stripes." in text
        and "## Page 3\n\nGitHub was founded in 2008." in text
    )
    assert "## Page 2" not in text


def test_pdf_passages_carry_their_page_number(tmp_path):
    from chatbot.chunking import chunk_document

    (tmp_path / "facts.pdf").write_bytes(
        make_pdf(["Zebras have stripes.", "GitHub was founded in 2008."])
    )
    (doc,) = load_corpus(tmp_path)
    headings = [c.heading for c in chunk_document(doc, Config().chunking)]
    assert any(h.endswith("Page 2") for h in headings)


def test_a_pdf_without_a_text_layer_is_refused():
    with pytest.raises(CorpusError, match="no text layer"):
        load_text(make_pdf(["", ""]), "scan.pdf")


def test_a_broken_pdf_is_refused_with_a_reason():
    with pytest.raises(CorpusError, match="could not be read as a PDF"):
        load_text(b"%PDF-1.4\nthis is not really a pdf", "broken.pdf")


def test_the_inflating_pdf_fixture_is_a_real_pdf():
    assert "Bomb text here." in load_text(inflating_pdf(1000), "small.pdf")


def test_a_pdf_bomb_stops_at_the_limit_and_quickly():
    started = time.perf_counter()
    with pytest.raises(CorpusError, match=r"could not be read as a PDF.*[Ll]imit"):
        load_text(inflating_pdf(300 * 2**20), "bomb.pdf")
    assert time.perf_counter() - started < 30


def test_docx_headings_are_kept():
    data = make_docx(
        [("title", "Team Handbook"), ("h1", "Holidays"), ("p", "Everyone gets 25 days."), ("p", "")]
    )
    assert (
        load_text(data, "handbook.docx")
        == "# Team Handbook\n\n## Holidays\n\nEveryone gets 25 days."
    )


def test_a_zip_bomb_docx_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (60 * 2**20))
    with pytest.raises(CorpusError, match="zip bomb"):
        load_text(out.getvalue(), "bomb.docx")


def test_a_file_that_is_not_a_docx_is_refused():
    with pytest.raises(CorpusError, match=r"not a valid .docx"):
        load_text(b"plain text pretending", "fake.docx")


def test_html_main_text_is_kept_and_boilerplate_dropped():
    page = (
        "<html><head><title>Zebra Page</title></head><body><nav>Home | About | Login</nav>"
        "<article><h1>Zebras</h1><p>Zebras are African equines with distinctive black-and-white "
        "striped coats.</p>"
        "<h2>Habitat</h2><p>They live in grasslands and savannas across eastern and southern "
        "Africa.</p></article>"
        "<footer>Copyright 2024 Example Corp. All rights reserved.</footer></body></html>"
    )
    text = load_text(page.encode(), "zebras.html")
    assert text.startswith("# Zebras") and "## Habitat" in text and "grasslands" in text
    assert "Login" not in text and "All rights reserved" not in text


def test_unsupported_types_are_refused():
    with pytest.raises(CorpusError, match="not a supported type"):
        load_text(b"data", "slides.pptx")


def test_a_mixed_folder_loads_every_format(tmp_path):
    (tmp_path / "a.md").write_text("# Markdown Doc\n\nText.")
    (tmp_path / "b.pdf").write_bytes(make_pdf(["Portable text."], "PDF Doc"))
    (tmp_path / "c.docx").write_bytes(make_docx([("title", "Word Doc"), ("p", "Some words.")]))
    (tmp_path / "d.html").write_text(
        "<html><head><title>Web Doc</title></head><body><article><h1>Web Doc</h1>"
        "<p>A web page with enough words in it to count as the main content of the "
        "page.</p></article></body></html>"
    )
    assert sorted(d.title for d in load_corpus(tmp_path)) == [
        "Markdown Doc",
        "PDF Doc",
        "Web Doc",
        "Word Doc",
    ]
