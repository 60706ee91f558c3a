"""The documents of an index as files: list them with their metadata, read one's text, add an
uploaded file to the corpus folder and delete one (a sync then indexes or drops it).

File names from outside are reduced to safe names and never resolve outside the corpus folder.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError, ConfigError
from assistant.core.settings import Settings
from assistant.core.types import AddedDocument, Validity
from assistant.core.validity import DocFacts, DocStatus, Timeline, resolve, timeline, today, warning
from assistant.index.layout import IndexPaths
from assistant.index.manifest import open_manifest
from assistant.index.pointer import IndexPointer
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import sidecar_path

# File systems allow 255 bytes per name; "(2)" and ".meta.json" must still fit.
MAX_NAME_BYTES = 200


def safe_filename(name: str) -> str:
    """A file name with no folder part, no leading dots and no control or shell-special
    characters; Chinese characters and spaces are kept. A name longer than 200 bytes (UTF-8) is
    cut and given a digest of the whole name, so two long names stay two files."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base).strip().lstrip(".")
    if not base or base in {".", ".."}:
        raise AssistantError(f"{name!r} is not a usable file name")
    if len(base.encode()) > MAX_NAME_BYTES:
        suffix = Path(base).suffix[:12]
        digest = hashlib.sha256(base.encode()).hexdigest()[:10]
        room = MAX_NAME_BYTES - len(suffix.encode()) - 11
        stem = base.encode()[:room].decode("utf-8", errors="ignore")
        base = f"{stem}-{digest}{suffix}"
    return base


def _free_name(root: Path, name: str) -> str:
    """``name``, or "stem (2).ext", "stem (3).ext" … when a file (or its sidecar) is there."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while (root / candidate).exists() or sidecar_path(root / candidate).exists():
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    return candidate


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root``."""
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise AssistantError(f"{relative!r} points outside the corpus folder")
    return target


class CorpusDocuments:
    """The corpus files behind one index (its corpus folders as the last sync recorded them)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.paths = IndexPaths(Path(settings.index_dir))

    def _roots(self) -> list[Path]:
        pointer = IndexPointer.load(self.paths.pointer)
        return [Path(r) for r in pointer.corpus_roots] or list(self.settings.corpus_dirs)

    def listing(self) -> list[dict[str, Any]]:
        """The indexed documents: source, title, issuer, 文号, date, type, chunks, format, and
        whether each is in force today (with the warning when not)."""
        pointer = IndexPointer.load(self.paths.pointer)
        if not pointer.collection:
            return []
        manifest = open_manifest(self.settings, self.paths, pointer.collection)
        statuses = self.statuses()
        on = today()
        out = []
        for src, e in sorted(manifest.docs.items()):
            st = statuses.get(src)
            out.append({"source": src, **e.meta, "chunks": len(e.chunk_ids), "format": e.format,
                        "effective": e.validity.get("effective", ""),
                        "expires": e.validity.get("expires", ""),
                        "in_force": st.in_force(on) if st else True,
                        "validity_note": warning(st, on) if st else ""})  # fmt: skip
        return out

    def statuses(self) -> dict[str, DocStatus]:
        """Every indexed document's validity with its references resolved (from the manifest)."""
        pointer = IndexPointer.load(self.paths.pointer)
        if not pointer.collection:
            return {}
        manifest = open_manifest(self.settings, self.paths, pointer.collection)
        return resolve(
            DocFacts(src, e.meta.get("title", ""), e.meta.get("doc_number", ""),
                     e.meta.get("date", ""), e.meta.get("issuer", ""),
                     Validity.from_dict(e.validity))
            for src, e in manifest.docs.items()
        )  # fmt: skip

    def timeline(self, source: str, on: str = "") -> Timeline:
        """A document's validity timeline (issued, effective, expires, repealed, amended …)."""
        statuses = self.statuses()
        if source not in statuses:
            known = ", ".join(sorted(statuses)[:5])
            raise AssistantError(
                f"no indexed document {source!r}; name one as 'status' lists them"
                + (f" (e.g. {known})" if known else "")
            )
        return timeline(statuses[source], on or today())

    def corpus_root(self) -> Path:
        """The folder new documents are written to: the first corpus folder of the index."""
        roots = self._roots()
        if not roots:
            raise ConfigError("no corpus folder is known; run 'policy-assistant index CORPUS_DIR'")
        return roots[0]

    def path_of(self, source: str) -> Path:
        """The file behind a source path (sources carry a folder prefix with several roots)."""
        roots = self._roots()
        if len(roots) == 1:
            return inside(roots[0], source)
        head, _, rest = source.partition("/")
        for root in roots:
            if root.resolve().name == head:
                return inside(root, rest)
        raise AssistantError(f"no corpus folder holds {source!r}")

    def text(self, source: str) -> str:
        """The text of a document as the loaders read it (chunk offsets point into it)."""
        return load_file(self.path_of(source), source, self.settings.ingest.read_limits).text

    def add(self, filename: str, data: bytes, replace: bool = False) -> AddedDocument:
        """Write an uploaded file into the corpus folder.

        The name is reduced to a safe file name (no folders, no hidden files); the type and size
        are checked first. A document of the same name is never overwritten unless ``replace``:
        the upload is saved beside it under "name (2).ext". A replaced document loses its
        sidecar, whose metadata described the old text.
        """
        name = safe_filename(filename)
        suffix = Path(name).suffix.lower()
        ingest = self.settings.ingest
        if suffix not in ingest.extensions:
            allowed = ", ".join(ingest.extensions)
            raise AssistantError(
                f"{filename!r}: file type {suffix or '(none)'} is not read; use {allowed}"
            )
        limit = ingest.max_file_bytes
        if len(data) > limit:
            raise AssistantError(
                f"{filename!r} is {len(data) / 2**20:.1f} MiB, over the "
                f"{ingest.max_file_mb:g} MiB limit (ingest.max_file_mb)"
            )
        if not data:
            raise AssistantError(f"{filename!r} is empty")
        root = self.corpus_root()
        root.mkdir(parents=True, exist_ok=True)
        exists = inside(root, name).exists()
        final = name if replace or not exists else _free_name(root, name)
        target = inside(root, final)
        dropped = False
        if replace and exists:
            side = sidecar_path(target)
            dropped = side.is_file()
            side.unlink(missing_ok=True)
        tmp = target.with_name(f".{target.name}.upload")
        tmp.write_bytes(data)
        tmp.replace(target)
        return AddedDocument(
            source=target.relative_to(root.resolve()).as_posix(), requested=name,
            replaced=replace and exists, renamed=final != name, sidecar_dropped=dropped,
        )  # fmt: skip

    def delete(self, source: str) -> None:
        """Remove a document (and its sidecar) from the corpus folder."""
        path = self.path_of(source)
        if not path.is_file():
            raise AssistantError(f"{source!r} is not in the corpus folder")
        path.unlink()
        sidecar_path(path).unlink(missing_ok=True)
