"""File bytes -> text by format: Markdown and plain text, HTML (main text, boilerplate dropped),
PDF (text per page, each page a section "Page N"), DOCX (headings kept). Extraction is done by
maintained libraries (trafilatura, pypdf, python-docx); size limits stop parser bombs.

The text returned is Markdown-like, so the chunker finds titles and sections in every format.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePath

from chatbot.errors import CorpusError

TEXT_SUFFIXES = (".md", ".markdown", ".txt")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".docx")

MAX_FILE_BYTES = 100 * 2**20  # a larger file is refused before parsing
MAX_TEXT_CHARS = 60 * 2**20  # extracted text; more means a bomb or a corpus of its own
MAX_PDF_PAGES = 5000
MAX_DOCX_UNPACKED = 200 * 2**20  # sum of the uncompressed sizes of a .docx's parts
MAX_DOCX_RATIO = 200  # uncompressed / compressed: far beyond real documents


def suffix_of(name: str) -> str:
    return PurePath(name.replace("\\", "/")).suffix.lower()


def normalise(text: str) -> str:
    """Unify line endings and drop a BOM; keep everything else so offsets stay meaningful."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(name: str) -> str:
    return (
        f"{name} looks binary (it holds NUL bytes); save it as text, or in a supported format "
        f"({', '.join(SUPPORTED_SUFFIXES)})."
    )


def decode_text(data: bytes, name: str) -> str:
    """The normalised text of a file's bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    cp1252/Latin-1.

    Raises:
        CorpusError: binary or empty; the message names the file.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise CorpusError(_looks_binary(name))
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # legacy Windows/Latin-1 text; latin-1 maps every byte
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    text = normalise(text)
    if "\x00" in text:
        raise CorpusError(_looks_binary(name))
    if not text or text.isspace():
        raise CorpusError(f"{name} is empty; add text to it or remove it.")
    return text


def load_text(data: bytes, name: str) -> str:
    """The document's text, ready for chunking.

    Raises:
        CorpusError: unsupported type, too large, empty, no text layer, or not parseable; the
            message names the file and says what to do.
    """
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(
            f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; split it into smaller files."
        )
    suffix = suffix_of(name)
    if suffix in TEXT_SUFFIXES:
        return decode_text(data, name)
    if suffix in HTML_SUFFIXES:
        text = _html(data, name)
    elif suffix == ".pdf":
        text = _pdf(data, name)
    elif suffix == ".docx":
        text = _docx(data, name)
    else:
        raise CorpusError(
            f"{name} is not a supported type; use {', '.join(SUPPORTED_SUFFIXES)} files."
        )
    if len(text) > MAX_TEXT_CHARS:
        raise CorpusError(
            f"{name} expands to more than {MAX_TEXT_CHARS // 2**20} M characters; refusing it."
        )
    if not text or text.isspace():
        raise CorpusError(f"{name} has no text to index.")
    return text


def _html(data: bytes, name: str) -> str:
    import trafilatura

    page = decode_text(data, name)
    body = trafilatura.extract(
        page,
        output_format="markdown",
        include_formatting=True,
        include_comments=False,
        favor_recall=True,
    )
    if not body or not body.strip():
        raise CorpusError(f"{name} has no main text that could be extracted.")
    metadata = trafilatura.extract_metadata(page)
    title = metadata.title if metadata and metadata.title else ""
    if title and not body.lstrip().startswith("# "):
        body = f"# {title}\n\n{body}"
    return body


def _pdf(data: bytes, name: str) -> str:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{name} is encrypted; save an unencrypted copy and add that.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise CorpusError(f"{name} has more than {MAX_PDF_PAGES} pages; split it.")
        title = (reader.metadata.title if reader.metadata else None) or ""
        pages, total = [], 0
        for number, page in enumerate(reader.pages, start=1):
            text = (page.extract_text() or "").strip()
            total += len(text)
            if total > MAX_TEXT_CHARS:
                raise CorpusError(
                    f"{name} expands to more than {MAX_TEXT_CHARS // 2**20} M characters; refusing "
                    "it."
                )
            if text:
                pages.append(f"## Page {number}\n\n{text}")
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:  # pypdf raises these on broken files
        raise CorpusError(
            f"{name} could not be read as a PDF ({type(exc).__name__}: {exc})."
        ) from None
    if not pages:
        raise CorpusError(f"{name} has no text layer (a scan?); run OCR on it first.")
    heading = f"# {title.strip()}\n\n" if title.strip() else ""
    return heading + "\n\n".join(pages)


def _docx(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise CorpusError(f"{name} is not a valid .docx file.") from None
    if unpacked > MAX_DOCX_UNPACKED or unpacked > MAX_DOCX_RATIO * max(len(data), 1):
        raise CorpusError(f"{name} unpacks to {unpacked // 2**20} MB; refusing a likely zip bomb.")

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise CorpusError(
            f"{name} could not be read as a .docx file ({type(exc).__name__})."
        ) from None
    blocks = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        if style == "title":
            blocks.append(f"# {text}")
        elif style.startswith("heading ") and style[8:].isdigit():
            blocks.append(f"{'#' * min(6, int(style[8:]) + 1)} {text}")
        else:
            blocks.append(text)
    return "\n\n".join(blocks)
