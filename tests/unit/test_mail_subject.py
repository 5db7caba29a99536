"""The Subject of the mails reads back exactly as written (issue 13, point 10).

Python 3.11 folds a long non-ASCII header with a space left before an
encoded word, which readers show doubled: "janvier 2027  à 10h00".
"""

from collective.rendezvous.notifications.dispatch import set_subject
from email import message_from_bytes
from email import policy
from email.message import EmailMessage
from hypothesis import given
from hypothesis import strategies as st

import pytest


WORDS = st.sampled_from(
    [
        "Annulation",
        "rendez-vous",
        "du",
        "lundi",
        "11",
        "janvier",
        "décembre",
        "2027",
        "à",
        "10h00",
        "Pièces",
        "d'identité",
        "«État civil»",
        "Rappel\u202f:",
        "Zoé",
        "x" * 40,
        "",
    ]
)


def read_back(subject: str, reading=policy.default) -> tuple[str, bytes]:
    message = EmailMessage(policy=policy.SMTP)
    set_subject(message, subject)
    message.set_content("text")
    raw = message.as_bytes()
    return str(message_from_bytes(raw, policy=reading)["Subject"]), raw


@pytest.mark.parametrize(
    "subject",
    [
        "Annulation de votre rendez-vous du lundi 11 janvier 2027 à 10h00",
        "Confirmation de votre rendez-vous du lundi 14 décembre 2026 à 10h00",
        "A plain subject long enough to be folded somewhere past the seventy-eighth",
    ],
)
def test_known_subjects(subject):
    text, raw = read_back(subject)
    assert text == subject
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


@given(st.lists(WORDS, min_size=1, max_size=30).map(" ".join))
def test_any_subject_reads_back(subject):
    subject = subject.strip()
    text, _raw = read_back(subject, policy.strict)
    assert text == subject


def test_no_line_break_gets_into_the_header():
    text, raw = read_back("Rendez-vous\r\nBcc: victim@example.org à 10h00")
    assert text == "Rendez-vous Bcc: victim@example.org à 10h00"
    assert b"\r\nBcc:" not in raw
