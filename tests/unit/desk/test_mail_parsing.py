"""Inbound mail read from real RFC 5322 files: sender, decoded subject, reply text, thread
headers, attachments by reference, and the loop rules that keep automatic mail out."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from chalicelib.desk import mail

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "desk"


def _eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_given_a_chinese_mail_with_rfc2047_subject_when_parsed_then_subject_sender_and_text_decode() -> (
    None
):
    parsed = mail.parse_mail(_eml("zh_new_question.eml"))

    assert parsed.subject == "打印机故障，无法启动 (急)"
    assert parsed.sender_email == "wang.xiaoming@example.cn"  # lower-cased
    assert parsed.sender_name == "王小明"
    assert "错误代码 E42" in parsed.body  # the text/plain part, not the HTML one
    assert "<b>" not in parsed.body
    assert parsed.message_id == "<20261201095810.4711@mail.example.cn>"
    assert parsed.thread_refs == []
    assert parsed.automatic is None


def test_given_a_mail_with_an_attachment_when_parsed_then_it_is_listed_by_key_not_inlined() -> None:
    (attachment,) = mail.parse_mail(_eml("zh_new_question.eml")).attachments

    assert attachment.name == "故障照片.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == 45
    assert attachment.key.startswith("mail/")  # under the tenant's folder, which receive adds
    assert len(attachment.payload) == attachment.size
    assert attachment.key.endswith(".pdf")


def test_given_a_reply_when_parsed_then_thread_refs_come_from_in_reply_to_and_references() -> None:
    parsed = mail.parse_mail(_eml("zh_reply_in_thread.eml"))

    assert parsed.subject == "回复：打印机故障"  # GB2312 encoded word
    assert parsed.thread_refs == [
        "<desk.reply.0001@desk.example.com>",
        "<20261201095810.4711@mail.example.cn>",
    ]
    assert parsed.body == "工程师还没有到，请问大概几点可以上门？"  # quoted history cut


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_reply.eml", "Auto-Submitted: auto-replied"),
        ("bounce.eml", "delivery report (delivery-status)"),
    ],
)
def test_given_automatic_mail_files_when_parsed_then_they_are_marked_automatic(
    name: str, reason: str
) -> None:
    assert mail.parse_mail(_eml(name)).automatic == reason


HEAD = "From: a@example.com\r\nTo: s@desk.example.com\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: no\r\n", None),
        ("Auto-Submitted: auto-generated\r\n", "Auto-Submitted: auto-generated"),
        (
            "Auto-Submitted: Auto-Replied; owner-email=a@example.com\r\n",
            "Auto-Submitted: auto-replied",
        ),
        ("X-Autoreply: yes\r\n", "X-Autoreply present"),
        ("X-Autorespond: 1\r\n", "X-Autorespond present"),
        ("Precedence: bulk\r\n", "Precedence: bulk"),
        ("Precedence: JUNK\r\n", "Precedence: junk"),
        ("Precedence: list\r\n", "Precedence: list"),
        ("Precedence: first-class\r\n", None),
        ("Return-Path: <>\r\n", "bounce (empty Return-Path)"),
        ("Return-Path: <a@example.com>\r\n", None),
    ],
)
def test_given_loop_headers_when_checked_then_the_reason_names_them(
    headers: str, reason: str | None
) -> None:
    raw = (HEAD + headers + "\r\nbody\r\n").encode()
    assert mail.parse_mail(raw).automatic == reason


def test_given_mail_from_mailer_daemon_when_checked_then_it_is_a_bounce() -> None:
    raw = HEAD.replace("a@example.com", "MAILER-DAEMON@mx.example.com") + "\r\nfailed\r\n"
    assert mail.parse_mail(raw.encode()).automatic == "bounce (mailer-daemon)"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Thanks!\n\nOn Mon, 1 Dec 2026 at 10:00, Desk <s@x> wrote:\n> old", "Thanks!"),
        ("好的\n\n在 2026年12月1日 10:00，客服 <s@x> 写道：\n> 旧内容", "好的"),
        ("Fine\n-----Original Message-----\nFrom: desk", "Fine"),
        ("OK\n________________________________\nFrom: Desk\nSent: today", "OK"),
        ("See below\n> quoted\nmy answer", "See below\nmy answer"),
        ("Hi\n-- \nJohn, Acme", "Hi"),
    ],
)
def test_given_reply_history_when_stripped_then_only_the_new_text_is_kept(
    text: str, kept: str
) -> None:
    assert mail.strip_history(text) == kept


def test_given_an_html_only_mail_when_parsed_then_its_text_is_read_without_quoted_history() -> None:
    raw = (
        HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><head><style>p{}</style></head><body><p>New&nbsp;question</p>"
        "<blockquote>old thread</blockquote><script>x()</script></body></html>\r\n"
    ).encode()
    assert mail.parse_mail(raw).body == "New question"


def test_given_nul_bytes_and_bidi_overrides_when_parsed_then_they_never_reach_the_text() -> None:
    raw = (HEAD.replace("hi", "a\x00b\u202ec") + "\r\nx\x00y\r\n").encode()
    parsed = mail.parse_mail(raw)
    assert parsed.subject == "abc"
    assert parsed.body == "xy"


def test_given_bytes_that_are_not_mail_when_parsed_then_it_is_refused() -> None:
    with pytest.raises(mail.MailUnreadable):
        mail.parse_mail(b"\x00\x01not mail")


def test_given_a_reply_built_when_read_back_then_it_is_marked_automatic_and_threaded() -> None:
    built = mail.build_reply(
        from_address="support@desk.example.com",
        to="wang.xiaoming@example.cn",
        subject="Re: 打印机故障",
        text="已安排工程师。",
        ticket_id="01JDESK01",
        message_id="01JMSG01",
        in_reply_to="<20261201095810.4711@mail.example.cn>",
    )
    back = message_from_bytes(built.as_bytes(), policy=policy.default)

    assert back["Auto-Submitted"] == "auto-replied"
    assert back["In-Reply-To"] == "<20261201095810.4711@mail.example.cn>"
    assert back["Subject"] == "[#01JDESK01] Re: 打印机故障"
    assert mail.ticket_tag(str(back["Subject"])) == "01JDESK01"
    assert back["Message-ID"] == "<desk.01JDESK01.01JMSG01@desk.example.com>"
    assert mail.desk_ticket_of(back["Message-ID"]) == "01JDESK01"
    assert mail.desk_ticket_of("<20261201095810.4711@mail.example.cn>") is None
    assert (
        mail.automatic_reason(back) == "Auto-Submitted: auto-replied"
    )  # our own mail loops back: refused
