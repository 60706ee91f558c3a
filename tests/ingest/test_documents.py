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
    source = a.add_document("../../outside.txt", "关于试点的通知\n\n内容。".encode())
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
