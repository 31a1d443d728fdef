"""Inbound and outbound mail, pure: RFC 5322 messages read with the standard library's `email`
package (policy `default`: RFC 2047 words such as =?UTF-8?B?...?= decode on access), the loop
rules that keep automatic mail out of the desk, and the outgoing message built for a customer.

Nothing here does I/O; `inbound_service` reads, decides with these, and writes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from .inbound_rules import clean_text

MAX_BODY_CHARS = 20_000  # what a ticket keeps of a message's text; the rest is history
MAX_ATTACHMENTS = 50
_MSGID = re.compile(r"<[^<>\s]{1,900}>")
_DESK_ID = re.compile(r"<desk\.([A-Za-z0-9_-]{6,64})\.[^<>@\s]+@")
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})

# Where quoted history starts in a reply (the first match cuts the rest): Gmail/Apple
# ("On ... wrote:"), Outlook ("-----Original Message-----", a rule of underscores, a "From:"
# block), Chinese clients ("在 ... 写道：", "发件人："), and "--" signatures.
_HISTORY = re.compile(
    r"^(?:On\s.{1,300}\swrote:\s*$"
    r"|-{2,}\s*Original Message\s*-{2,}"
    r"|_{10,}\s*$"
    r"|(?:From|发件人)\s*[:：].+$"
    r"|在.{1,300}写道\s*[:：]\s*$"
    r"|-{2,}\s*原始邮件\s*-{2,}"
    r"|--\s*$)",
    re.IGNORECASE,
)


class MailUnreadable(ValueError):
    """The bytes are not a mail message a ticket can be made of (no sender, not MIME)."""


@dataclass(frozen=True)
class Attachment:
    key: str  # under the tenant's folder of the attachments bucket (the caller prefixes it)
    name: str
    content_type: str
    size: int
    payload: bytes = field(default=b"", repr=False)  # stored in the bucket, never in the ticket

    def reference(self, folder: str) -> dict[str, object]:
        """What the ticket records: the key under `folder`, the name, type and size."""
        return {
            "key": folder + self.key,
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
        }


@dataclass(frozen=True)
class ParsedMail:
    sender_email: str
    sender_name: str
    subject: str
    body: str
    message_id: str
    thread_refs: list[str]
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str | None = None  # why the message is automatic (never a ticket), or None


def parse_mail(raw: bytes) -> ParsedMail:
    """Sender, decoded subject, reply text, thread headers and attachments of a raw message."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise MailUnreadable("The body is not a mail message (no headers).")
    name, address = _sender(message)
    message_id = _first_id(_header(message, "Message-ID"))
    if not message_id:
        # Mail without a Message-ID still needs a stable dedup key: the hash of its bytes.
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    refs = _ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References"))
    return ParsedMail(
        sender_email=address,
        sender_name=name,
        subject=clean_text(_header(message, "Subject"))[:500],
        body=_reply_text(message),
        message_id=message_id,
        thread_refs=list(dict.fromkeys(r for r in refs if r != message_id)),
        attachments=_attachments(message, message_id),
        automatic=automatic_reason(message, address),
    )


def automatic_reason(message: EmailMessage, sender: str | None = None) -> str | None:
    """Why a message is automatic and must never open or reopen a ticket (RFC 3834, bulk
    mail, delivery reports), or None for mail a person wrote."""
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if name in message:
            return f"{name} present"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type", "") or "").lower()
        return f"delivery report ({report_type or 'multipart/report'})"
    if "Return-Path" in message and _header(message, "Return-Path").strip() in ("<>", ""):
        return "bounce (empty Return-Path)"
    local_part = (sender or _sender(message)[1]).partition("@")[0].lower()
    if local_part in BOUNCE_SENDERS:
        return f"bounce ({local_part})"
    return None


def build_reply(
    *,
    from_address: str,
    to: str,
    subject: str,
    text: str,
    ticket_id: str,
    message_id: str,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
) -> EmailMessage:
    """The message the desk sends a customer: marked automatic (RFC 3834) so that their
    auto-responders stay quiet, threaded onto their mail, the ticket named in the subject."""
    reply = EmailMessage(policy=policy.SMTP)
    reply["From"] = from_address
    reply["To"] = to
    tag = f"[#{ticket_id}]"
    reply["Subject"] = subject if tag in subject else f"{tag} {subject}".strip()
    reply["Message-ID"] = desk_message_id(ticket_id, message_id, from_address)
    reply["Auto-Submitted"] = "auto-replied"
    reply["X-Auto-Response-Suppress"] = "All"  # Exchange's way to say the same
    if in_reply_to:
        reply["In-Reply-To"] = in_reply_to
        reply["References"] = " ".join([*(references or []), in_reply_to][-20:])
    reply.set_content(text)
    return reply


def desk_message_id(ticket_id: str, message_id: str, from_address: str) -> str:
    """Our replies' Message-ID names their ticket, so the customer's answer finds it."""
    return f"<desk.{ticket_id}.{message_id}@{from_address.rpartition('@')[2] or 'desk'}>"


def desk_ticket_of(ref: str) -> str | None:
    """The ticket one of our Message-IDs names, or None for anyone else's."""
    found = _DESK_ID.match(ref)
    return found.group(1) if found else None


def ticket_tag(subject: str) -> str | None:
    """The ticket a subject names ("Re: [#01J...] ..."), for replies whose client dropped
    the thread headers."""
    found = re.search(r"\[#([A-Za-z0-9_-]{6,64})\]", subject)
    return found.group(1) if found else None


# --- reading --------------------------------------------------------------------------------


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser cannot make sense of
        return ""
    return str(value) if value is not None else ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    for header in ("From", "Sender", "Reply-To"):
        raw = _header(message, header)
        if raw:
            pairs = getaddresses([raw])
            name, address = pairs[0] if pairs else parseaddr(raw)
            if "@" in address:
                return clean_text(name)[:200], address.strip().lower()[:254]
    return "", ""


def _first_id(raw: str) -> str:
    found = _ids(raw)
    return found[0] if found else ""


def _ids(raw: str) -> list[str]:
    return _MSGID.findall(raw)[:50]


def _reply_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_text(content)
    return strip_history(clean_text(content, keep_newlines=True))[:MAX_BODY_CHARS]


def strip_history(text: str) -> str:
    """The new part of a reply: quoted lines (">") and everything from the history marker on."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if _HISTORY.match(stripped) and kept:
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _attachments(message: EmailMessage, message_id: str) -> list[Attachment]:
    """Attachments by reference: the key they are kept under beside the raw message, never
    their bytes in the ticket."""
    folder = hashlib.sha256(message_id.encode()).hexdigest()[:32]
    found: list[Attachment] = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        if number > MAX_ATTACHMENTS:
            break
        name = clean_text(part.get_filename() or f"attachment-{number}")[:200]
        payload = part.get_payload(decode=True)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or "file"
        found.append(
            Attachment(
                key=f"mail/{folder}/{number}-{safe}",
                name=name,
                content_type=part.get_content_type(),
                size=len(payload) if isinstance(payload, bytes) else 0,
                payload=payload if isinstance(payload, bytes) else b"",
            )
        )
    return found


class _Text(HTMLParser):
    """The readable text of an HTML mail: no scripts, styles or quoted history (blockquote)."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table"})
    HIDDEN = frozenset({"script", "style", "head", "title", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    reader.close()
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in "".join(reader.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
