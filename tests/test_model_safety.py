"""Safe model loading: chat templates embedded in a GGUF render in llama-cpp-python's Jinja sandbox,
and the dependency pins exclude releases with known vulnerabilities."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import jinja2.exceptions
import pytest
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
MESSAGES = [{"role": "user", "content": "hi"}]
HOSTILE_TEMPLATES = [
    # Reach os through a class's globals, the classic template escape.
    "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('echo pwned').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('echo pwned') }}",
    "{% for m in messages %}{{ m.__class__.__base__.__subclasses__() }}{% endfor %}",
]


@pytest.mark.parametrize("template", HOSTILE_TEMPLATES)
def test_a_template_reaching_for_python_internals_fails_safely(template, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    formatter = Jinja2ChatFormatter(template=template, eos_token="</s>", bos_token="<s>")
    with pytest.raises((jinja2.exceptions.SecurityError, jinja2.exceptions.UndefinedError)):
        formatter(messages=MESSAGES)


def test_an_ordinary_template_still_renders():
    template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}<|assistant|>"
    assert Jinja2ChatFormatter(template=template, eos_token="", bos_token="")(
        messages=MESSAGES
    ).prompt == ("<|user|>hi<|assistant|>")


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


@pytest.mark.parametrize(
    "package, first_safe",
    [
        (
            "jinja2",
            "3.1.6",
        ),  # sandbox breakouts fixed in 3.1.3–3.1.6 (CVE-2024-56326, CVE-2025-27516)
        ("llama-cpp-python", "0.2.72"),  # chat-template code execution (CVE-2024-34359)
        ("gradio", "5.31.0"),  # file-route and upload path issues of 4.x/5.x
    ],
)
def test_installed_and_pinned_versions_exclude_known_vulnerable_releases(package, first_safe):
    assert _release(version(package)) >= _release(first_safe)
    pins = PYPROJECT.read_text()
    pin = re.search(rf'"{package}\s*(==|>=)\s*([\d.]+)', pins, re.IGNORECASE)
    assert pin and _release(pin.group(2)) >= _release(first_safe), (
        f"pyproject.toml must pin {package}>={first_safe}"
    )
