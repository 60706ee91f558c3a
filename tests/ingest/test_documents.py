"""Document files of an index: safe upload names, writes and deletes inside the corpus folder."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.core.errors import AssistantError
from assistant.ingest.documents import safe_filename


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\\\win\\\\x.md", "x.md"),
        (".hidden.txt", "hidden.txt"),
        ("通知 (1) 🚁.pdf", "通知 (1) 🚁.pdf"),
        ("a<b>:c?.txt", "a_b__c_.txt"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_upload_and_delete_stay_inside_the_corpus(settings, small_corpus) -> None:
    a = Assistant(settings)
    a.index([small_corpus])
    source = a.add_document("../../outside.txt", "关于试点的通知\n\n内容。".encode()).source
    assert source == "outside.txt" and (small_corpus / "outside.txt").is_file()
    assert not (small_corpus.parent.parent / "outside.txt").exists()
    with pytest.raises(AssistantError, match="not read"):
        a.add_document("evil.exe", b"MZ")
    with pytest.raises(AssistantError, match="empty"):
        a.add_document("e.txt", b"")
    with pytest.raises(AssistantError, match="outside the corpus"):
        a.delete_document("../gwr-2024.txt")
    report = a.index([small_corpus])
    assert report.added == ["outside.txt"]
    a.delete_document("outside.txt")
    assert a.index([small_corpus]).removed == ["outside.txt"]
    assert "outside.txt" not in {d["source"] for d in a.documents()}


def test_an_upload_never_overwrites_without_replace(settings, small_corpus) -> None:
    """Issue 13.1: a same-named upload (or a name that normalises to an existing one) is kept
    beside the document; only an explicit replace overwrites, and it drops the old sidecar."""
    a = Assistant(settings)
    a.index([small_corpus])
    original = (small_corpus / "gwr-2024.txt").read_bytes()
    fake = "假的政府工作报告\n\n内容被替换。".encode()
    names = ["gwr-2024.txt", "../../gwr-2024.txt", "/etc/gwr-2024.txt", "C:\\Windows\\gwr-2024.txt"]
    added = [a.add_document(n, fake) for n in names]
    assert [x.source for x in added] == ["gwr-2024 (2).txt", "gwr-2024 (3).txt",
                                         "gwr-2024 (4).txt", "gwr-2024 (5).txt"]  # fmt: skip
    assert all(x.renamed and not x.replaced for x in added)
    assert "already exists" in added[0].message()
    assert (small_corpus / "gwr-2024.txt").read_bytes() == original
    assert (small_corpus / "gwr-2024.meta.json").is_file()
    report = a.index([small_corpus])
    assert sorted(report.added) == sorted(x.source for x in added)
    titles = {d["source"]: d.get("title") for d in a.documents()}
    assert titles["gwr-2024 (2).txt"] != titles["gwr-2024.txt"]  # not the official title

    replaced = a.add_document("gwr-2024.txt", fake, replace=True)
    assert replaced.replaced and replaced.sidecar_dropped and replaced.source == "gwr-2024.txt"
    assert not (small_corpus / "gwr-2024.meta.json").exists()
    a.index([small_corpus])
    doc = next(d for d in a.documents() if d["source"] == "gwr-2024.txt")
    assert doc.get("title") != "2024年中华人民共和国国务院政府工作报告"


def test_two_long_names_with_one_prefix_stay_two_files(settings, small_corpus) -> None:
    a = Assistant(settings)
    a.index([small_corpus])
    first = a.add_document("通" * 230 + "甲.txt", "关于甲的通知\n\n甲。".encode())
    second = a.add_document("通" * 230 + "乙.txt", "关于乙的通知\n\n乙。".encode())
    assert first.source != second.source and not second.renamed
    assert all(len(x.source.encode()) <= 200 for x in (first, second))
