"""Candidate answer units: enumerations kept whole, content under headings, abbreviations."""

from __future__ import annotations

from assistant.qa.units import is_heading, sentences, units


def _texts(text: str, kind: str) -> list[str]:
    return [text[u.start : u.end] for u in units(text) if u.kind == kind]


def test_a_semicolon_list_stays_one_sentence_and_its_items_are_a_unit() -> None:
    text = (
        "在接警处置过程中做到三必问：问清户籍和目前生活所在地；问清近期出行轨迹；问清有无不适症状。"
    )
    assert text in _texts(text, "sentence")
    assert "问清户籍和目前生活所在地；问清近期出行轨迹；问清有无不适症状。" in _texts(text, "items")


def test_numbered_steps_after_an_introduction_form_one_list() -> None:
    text = ("操作步骤： \u3000\u3000第一步，纳税人登陆开票系统。 \u3000\u3000第二步，系统自动上报汇总"
            "发票数据。 \u3000\u3000第三步，系统自动完成清卡。 （十八）依法加强权益保障。")  # fmt: skip
    items = _texts(text, "items")
    assert any(t.startswith("第一步") and t.endswith("系统自动完成清卡。") for t in items)
    assert not any("权益保障" in t for t in items)  # another enumeration family


def test_what_a_heading_says_is_a_unit_but_the_heading_alone_is_not() -> None:
    text = ("（十八）依法加强权益保障。对受疫情影响逾期申报的纳税人，免予行政处罚；对逾期未申报的"
            "纳税人，暂不认定非正常户。 （十九）加强宣传。")  # fmt: skip
    under = _texts(text, "under_heading")
    assert under == [
        "对受疫情影响逾期申报的纳税人，免予行政处罚；对逾期未申报的纳税人，暂不认定非正常户。"
    ]
    assert "（十八）依法加强权益保障。" not in _texts(text, "sentence")
    assert is_heading("（十八）依法加强权益保障。") and not is_heading("一、对企业，加快退税。")


def test_a_flattened_heading_is_its_own_sentence() -> None:
    text = "一、支持疫情防控物资供应 对生产企业加快退税。"
    assert [text[s.start : s.end] for s in sentences(text)] == [
        "一、支持疫情防控物资供应",
        "对生产企业加快退税。",
    ]


def test_initials_and_titles_do_not_end_a_sentence() -> None:
    text = "主席是麦克阿瑟（John H. McArthur）教授。 Call the DMV. Mr. Smith will answer."
    assert [text[s.start : s.end] for s in sentences(text)] == [
        "主席是麦克阿瑟（John H. McArthur）教授。", "Call the DMV.", "Mr. Smith will answer."]  # fmt: skip


def test_every_unit_is_a_slice_of_the_passage() -> None:
    text = "各地要做到：一是严格排查；二是及时报告。 三、其他 本通知自印发之日起施行。"
    for u in units(text):
        assert text[u.start : u.end].strip() == text[u.start : u.end]
        assert 0 <= u.start < u.end <= len(text)


# From the NY DMV page "Drivers from other Countries" (doc2dial, CC BY 3.0).
FAQ = (
    "If I have a driver license from another country and I have a NY State learner permit, can "
    "I drive without a supervising driver? \n"
    "Yes. Your valid foreign driver license allows you to drive without a supervising driver. "
    "You can drive on any street, road, highway, bridge, or tunnel, except in a DMV road test "
    "area. \n"
    "Do I need to exchange my foreign license? \n"
    "No. You can drive with it until you become a resident."
)


def test_an_faq_question_is_context_and_its_answer_follows_it() -> None:
    every = [FAQ[u.start : u.end] for u in units(FAQ)]
    assert not any(t.endswith("?") for t in every)  # a question is never an answer
    under = _texts(FAQ, "under_heading")
    assert any(t.startswith("Yes. Your valid foreign driver license") for t in under)
    assert not any("exchange my foreign license" in t for t in under)  # stops at the next one


def test_a_bare_reply_is_joined_to_the_sentence_after_it() -> None:
    spans = [FAQ[s.start : s.end] for s in sentences(FAQ)]
    assert "Yes." not in spans and "No." not in spans
    assert "No. You can drive with it until you become a resident." in spans
    assert "可以。持有效外国驾照可以驾驶。" in [
        "可以。持有效外国驾照可以驾驶。"[s.start : s.end]
        for s in sentences("可以。持有效外国驾照可以驾驶。")
    ]
