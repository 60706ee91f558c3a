"""The corpus folders: which files are documents, reading their bytes (with the sidecar) within
the size limit, and the content digest that tells a changed document from an unchanged one."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import ConfigError, DocumentError
from assistant.core.settings import Settings
from assistant.core.types import FileProblem
from assistant.index.manifest import Manifest
from assistant.ingest.metadata import SIDECAR_SUFFIX, sidecar_path


@dataclass
class CorpusFile:
    """A document file, its source path (relative to its corpus folder) and that folder."""

    source: str
    path: Path
    root: str = ""  # the corpus folder, resolved


def scan(roots: list[Path], settings: Settings) -> tuple[dict[str, CorpusFile], list[FileProblem]]:
    """Every document file under ``roots`` by source path, and the files skipped with a reason.

    With several roots, source paths start with the root folder's name (``notices/a.pdf``).
    """
    files: dict[str, CorpusFile] = {}
    skipped: list[FileProblem] = []
    exts = {e.lower() for e in settings.ingest.extensions}
    real_roots = [r.resolve() for r in roots]
    for root in roots:
        if not root.is_dir():
            raise ConfigError(
                f"corpus folder {str(root)!r} does not exist or is not a folder; "
                "name an existing folder of documents"
            )
        prefix = f"{root.resolve().name}/" if len(roots) > 1 else ""
        real_root = str(root.resolve())
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                source = prefix + path.relative_to(root).as_posix()
                if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                    continue
                if path.suffix.lower() not in exts:
                    skipped.append(FileProblem(source, f"unsupported file type {path.suffix!r}"))
                    continue
                # os.walk does not enter linked folders, so only a link itself can lead out.
                outside = _outside(path, real_roots) if path.is_symlink() else ""
                if outside and not settings.ingest.follow_links_outside:
                    skipped.append(FileProblem(
                        source, f"a link to {outside}, outside the corpus folders (set "
                        "ingest.follow_links_outside to index it)"))  # fmt: skip
                    continue
                files[source] = CorpusFile(source, path, real_root)
    return files, skipped


def _outside(path: Path, roots: list[Path]) -> str:
    """Where a link leads when that is outside every corpus folder, else ""."""
    try:
        real = path.resolve(strict=False)
    except (OSError, RuntimeError):  # a link loop: the read reports it
        return ""
    if any(real.is_relative_to(r) for r in roots):
        return ""
    return str(real)


def likely_to_embed(files: dict[str, CorpusFile], manifest: Manifest) -> bool:
    """A new file, or one whose size or modification time differs from the manifest's."""
    for source, cf in files.items():
        entry = manifest.docs.get(source)
        if entry is None:
            return True
        try:
            st = cf.path.stat()
        except OSError:
            continue
        if st.st_size != entry.size or st.st_mtime != entry.mtime:
            return True
    return False


def file_digest(data: bytes, side: bytes) -> str:
    """The content hash of a document: its bytes and its sidecar's."""
    h = hashlib.sha256(data)
    h.update(b"\x00sidecar\x00")
    h.update(side)
    return h.hexdigest()


def read_document_bytes(cf: CorpusFile, max_bytes: int) -> tuple[bytes, bytes, os.stat_result]:
    """The file's bytes, its sidecar's bytes (or b"") and its stat; ``DocumentError`` naming
    the file when it is gone, unreadable or over ``max_bytes``."""
    try:
        st = cf.path.stat()
    except FileNotFoundError as exc:
        raise DocumentError(cf.source, "file disappeared while the sync was running") from exc
    except OSError as exc:
        raise DocumentError(cf.source, f"cannot read file ({exc.strerror or exc})") from exc
    if st.st_size > max_bytes:
        raise DocumentError(
            cf.source,
            f"file is {st.st_size / 2**20:.1f} MiB, over the limit of {max_bytes / 2**20:g} MiB "
            "(setting ingest.max_file_mb)",
        )
    try:
        data = cf.path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(cf.source, "file disappeared while the sync was running") from exc
    except OSError as exc:
        raise DocumentError(cf.source, f"cannot read file ({exc.strerror or exc})") from exc
    side = sidecar_path(cf.path)
    side_bytes = side.read_bytes() if side.is_file() else b""
    return data, side_bytes, st
