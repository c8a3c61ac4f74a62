"""The chat page in a real headless Chromium: ask, click a citation, see the highlighted passage;
hostile documents and answers run no script and load nothing from outside.

Screenshots go to tests/artifacts/ (not committed) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from chatbot.pipeline import Chatbot
from tests.conftest import served_page
from tests.fakes import SlowLLM

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = (
    "# Evil Page\n\nThe GNU license trivia: <script>alert('doc-script')</script> "
    "<img src=x onerror=alert('doc-img')> [click](javascript:alert('doc-link')) "
    "![tracker](http://evil.example/t.png) <iframe src=http://evil.example/></iframe>\n"
)
HOSTILE_REPLY = (
    "Trivia <img src=x onerror=alert('answer-img')> ![t](http://evil.example/a.png) "
    "<script>alert('answer-script')</script> [1][2][3]."
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium found: install Debian's `chromium` package (apt-get install chromium)",
)


@pytest.fixture
def page_url(config, embedder, echo_llm):
    (config.corpus_dir / "evil.md").write_text(HOSTILE)
    with served_page(Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)) as url:
        yield url


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def ask(page, question: str, answers_before: int) -> None:
    box = page.locator("textarea").first
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('.answer .cite, .answer.refusal').length > {answers_before}",
        timeout=30_000,
    )
    page.wait_for_timeout(300)


def test_ask_click_a_citation_and_see_the_passage_highlighted(page_url, browser, echo_llm):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    dialogs, outside = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: None if request.url.startswith(page_url) else outside.append(request.url),
    )
    page.goto(page_url)

    echo_llm.reply = "Richard Stallman introduced it in 1989 [1]."
    ask(page, "Who introduced the GNU General Public License?", 0)
    page.locator("a.cite").first.click()
    highlighted = page.locator("details.source[open] mark").first
    assert highlighted.is_visible()
    assert "Richard Stallman in 1989" in highlighted.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    echo_llm.reply = HOSTILE_REPLY
    ask(page, "What GNU license trivia does the evil page give?", 1)
    last_link = page.locator("a.cite").last
    last_link.focus()
    page.keyboard.press("Enter")  # the keyboard alone opens a source too
    assert page.locator("details.source[open]").count() >= 2
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "chat-hostile.png"), full_page=True)
    assert dialogs == [], f"a script ran: {dialogs}"
    assert outside == [], f"the page loaded something from outside: {outside}"
    assert page.locator(".message img[src='x'], .message iframe, .message script").count() == 0
    assert "<img src=x onerror" in page.locator(".answer").last.inner_text()  # shown as text
    assert "<script>alert('doc-script')</script>" in page.locator(".sources").last.text_content()

    page.get_by_role("tab", name="Documents").click()
    page.get_by_text("Evil Page", exact=True).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "documents.png"), full_page=True)


def test_the_page_works_at_phone_width(page_url, browser, echo_llm):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(page_url)
    echo_llm.reply = "GitHub was founded in 2008 [1]."
    ask(page, "When was GitHub founded?", 0)
    page.locator("a.cite").first.click()
    assert page.locator("details.source[open] mark").first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways at phone width ({width}px)"
    page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)


def test_stop_retry_copy_and_clear(config, embedder, browser):
    from playwright.sync_api import expect

    llm = SlowLLM()
    with served_page(Chatbot(config, embedder=embedder, llm=llm, progress=False)) as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(url)
        box = page.locator("textarea").first
        box.fill("When was GitHub founded?")
        box.press("Enter")
        # What is being read shows while the model reads it, and stays above the words.
        page.locator(".answer .reading").first.wait_for(timeout=15_000)
        page.get_by_text("word3").first.wait_for(timeout=15_000)
        assert page.locator(".answer .reading").last.inner_text().startswith("Reading ")
        page.locator("button.stop-button").click()
        page.wait_for_timeout(300)
        produced = llm.produced
        shown = page.locator(".answer").last.inner_text()
        page.wait_for_timeout(1500)
        assert llm.produced <= produced + 2, "the model kept generating after Stop"
        assert page.locator(".answer").last.inner_text() == shown and "word59" not in shown

        page.locator("button[aria-label='Retry']").last.click()
        page.get_by_text("word2").first.wait_for(timeout=15_000)
        page.locator("button.stop-button").click()
        assert page.locator("button[aria-label='Copy message']").count() >= 1
        # The stopped answer's last update can still be on its way: clear once the page is idle.
        expect(page.locator("button.stop-button")).to_be_hidden(timeout=15_000)
        page.wait_for_timeout(500)

        # A late update of the stopped answer can still land just after the first Clear (about
        # one full run in ten here): a second Clear must then empty the chat.
        for attempt in (1, 2):
            page.locator("button[aria-label='Clear']").click()
            try:
                expect(page.locator(".answer")).to_have_count(0, timeout=10_000)
                break
            except AssertionError:  # keep what the page showed for a person to look at
                page.screenshot(path=str(ARTIFACTS / f"not-cleared-{attempt}.png"), full_page=True)
                if attempt == 2:
                    raise
        box.fill("When was GitHub founded?")
        assert box.is_editable()


def test_a_visitor_behind_another_sees_that_they_are_waiting(config, embedder, browser):
    with served_page(Chatbot(config, embedder=embedder, llm=SlowLLM(), progress=False)) as url:
        pages = [browser.new_page(viewport={"width": 1000, "height": 700}) for _ in range(2)]
        for page in pages:
            page.goto(url)
        for page in pages:
            box = page.locator("textarea").first
            box.fill("When was GitHub founded?")
            box.press("Enter")
            # The second asks only once the first is answering, so it is the one that waits.
            if page is pages[0]:
                page.get_by_text("word1").first.wait_for(timeout=15_000)
        pages[1].get_by_text(re.compile(r"queue: 1/\d")).first.wait_for(timeout=15_000)
        ARTIFACTS.mkdir(exist_ok=True)
        pages[1].screenshot(path=str(ARTIFACTS / "queued.png"))
        for page in pages:
            page.locator("button.stop-button").click()


def test_a_conversation_survives_a_reload_of_the_page(page_url, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(page_url)
    page.get_by_text("Every answer cites the passages").wait_for(timeout=15_000)  # the empty chat
    box = page.locator("textarea").first
    box.fill("When was GitHub founded?")
    box.press("Enter")
    page.locator(".answer").first.wait_for(timeout=15_000)
    page.wait_for_timeout(1000)  # the conversation is saved in the browser as it settles

    page.reload()
    page.get_by_text("When was GitHub founded?").first.wait_for(timeout=15_000)
    assert page.locator(".answer").count() == 0  # a new chat, with the old one listed beside it
    page.get_by_text("When was GitHub founded?").first.click()
    page.locator(".answer").first.wait_for(timeout=15_000)
    assert "2008" in page.locator(".answer").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "reloaded.png"), full_page=True)


def test_a_shared_page_without_a_password_has_a_read_only_documents_tab(
    config, embedder, echo_llm, browser
):
    from chatbot.access import Access

    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    with served_page(bot, access=Access(local_only=False)) as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(url)
        page.get_by_role("tab", name="Documents").click()
        page.get_by_text("Changes are off").wait_for(timeout=15_000)
        for name in ("Add and rebuild", "Remove and rebuild", "Rebuild index"):
            assert page.get_by_role("button", name=name, exact=True).is_disabled(), name
        page.screenshot(path=str(ARTIFACTS / "read-only.png"), full_page=True)


def test_the_admin_password_unlocks_changes_on_a_shared_page(config, embedder, echo_llm, browser):
    from chatbot.access import Access

    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    with served_page(bot, access=Access(local_only=False, admin_password="s3cret")) as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(url)
        page.get_by_role("tab", name="Documents").click()
        password = page.get_by_label("Admin password")
        password.fill("wrong")
        page.get_by_role("button", name="Rebuild index", exact=True).click()
        page.get_by_text("Wrong admin password").first.wait_for(timeout=15_000)
        password.fill("s3cret")
        page.get_by_role("button", name="Rebuild index", exact=True).click()
        page.get_by_text("Index rebuilt").first.wait_for(timeout=15_000)
    from chatbot import change_log

    assert [c["action"] for c in change_log.recent(config.index_dir)] == ["rebuild"]


def test_two_supporting_passages_are_both_highlighted_and_the_chat_downloads(
    page_url, browser, echo_llm
):
    page = browser.new_page(viewport={"width": 1200, "height": 1000}, accept_downloads=True)
    page.goto(page_url)
    echo_llm.reply = (
        "Richard Stallman introduced the GPL in 1989, and GitHub was founded in 2008 [1][2]."
    )
    ask(page, "Who introduced the GNU General Public License, and when was GitHub founded?", 0)
    links = page.locator(".answer a.cite")
    assert links.count() == 2
    for n in range(2):
        links.nth(n).click()
    marks = page.locator("details.source[open] mark")
    assert marks.count() == 2
    highlighted = " | ".join(marks.nth(n).inner_text() for n in range(2))
    assert "introduced by Richard Stallman in 1989" in highlighted
    assert "GitHub was founded in 2008" in highlighted
    page.screenshot(path=str(ARTIFACTS / "two-passages.png"), full_page=True)

    with page.expect_download(timeout=15_000) as download:
        page.get_by_role("button", name="Download as Markdown").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert "## Who introduced the GNU General Public License, and when was GitHub" in saved
    assert "[1][2]." in saved and "\n1. " in saved and "\n2. " in saved
    assert "   > GitHub was founded in 2008" in saved
