"""Hostile values for the payload generator: secrets of well-known shapes and their encodings."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable

# (value, the part of it that must never be recorded). Each is redacted by its shape alone,
# under any key, in free text too.
SECRETS = [
    (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ),
    ("Bearer 9f8e7d6c5b4a39281716fedcba0987654321abcd", "9f8e7d6c5b4a39281716fedcba09876"),
    ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "DdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"),
    (
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Eby8vdM02xNOcqFlqUwJPLl"
        "mEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq",
    ),
    ("sk_live_51H8abcdefghijklmnopqrstuvwxyz0123456789ABCD", "51H8abcdefghijklmnopqrstuvwxyz"),
    ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c6912E7710c838347Ae178B4a"),
    ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AbCdEfGhIjKlMnOpQrStUvWx"),
    ("sk-proj-abcDEF1234567890abcDEF1234567890abcDEF1234567890ab", "abcDEF1234567890abcDEF12345"),
    (
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefgh"
        "ijklmnopqrstuvwxyz012345678-AAAAAA",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
    ),
    ("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", "TwL2iGABf9DHoTf"),
    ("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", "aB3_-xaB3_-xaB3_-xaB3_-xa1B2"),
    ("gsk_" + "aB3d" * 13, "aB3d" * 13),
    ("postgresql://admin:S3cr3tPassw0rd@db.example.com:5432/app", "S3cr3tPassw0rd"),
    ("https://user:hunter2pass@example.com/path", "hunter2pass"),
    ("https://example.com/cb?access_token=ya29.a0AfH6SMBx3abcdef&state=1", "ya29.a0AfH6SMBx3"),
    ("4111 1111 1111 1111", "1111 1111 1111"),
    ("4111111111111111", "4111111111111111"),
    ("DE89370400440532013000", "DE89370400440532013000"),
    ("078-05-1120", "078-05-1120"),
    ("password=hunter2pass", "hunter2pass"),
    ("sessionid=9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d; Path=/", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"),
    ("Basic dXNlcjpodW50ZXIycGFzcw==", "dXNlcjpodW50ZXIycGFzcw"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75xyzXYZ\n-----END RSA PRIVATE KEY-----",
        "MIIEpAIBAAKCAQEA75xyzXYZ",
    ),
    ("jane.doe+test@example.co.uk", "jane.doe+test@example.co.uk"),
    ("+1 (415) 555-2671", "555-2671"),
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("de89 3704 0044 0532 0130 00", "3704 0044 0532"),
    ("203.0.113.7", "203.0.113.7"),
    ("[2001:db8::8a2e:370:7334]:8443", "8a2e:370:7334"),
    ("198.51.100.23, 10.0.0.1", "198.51.100.23"),
    # an address as a URI naming a person (SIP, WebFinger, mailto in any case), a tel: URI, and
    # a North American number with spaces alone between its groups
    ("sip:alice@example.com", "alice@example.com"),
    ("SIPS:bob.smith@voip.example.org;transport=tls", "bob.smith@voip.example.org"),
    ("acct:carol@social.example.net", "carol@social.example.net"),
    ("MailTo:dave@example.net?subject=Hello", "dave@example.net"),
    ("tel:+1-415-555-2672", "415-555-2672"),
    ("415 555 2673", "555 2673"),
    ("(415) 555 2674", "555 2674"),
    ("+1 415 555 2675", "555 2675"),
    ("1 415 555 2676", "555 2676"),
    ("tel:4155552677", "4155552677"),
    ("SMS:+14155552678;body=hi", "4155552678"),
    ("xmpp:juliet@chat.example.com/balcony", "juliet@chat.example.com"),
    ("Mailto: erin@example.org", "erin@example.org"),
    ("tel: +1 415 555 2679", "555 2679"),
    # a mailto: URI listing several addresses, or naming them in its query (RFC 6068)
    ("mailto:frank@example.com,gina@example.org", "frank@example.com"),
    ("mailto:?to=hank@example.com&subject=Hi", "hank@example.com"),
]
# Of these, the ones a free-text sentence around them keeps (documented: an email or IP address
# or a phone number is someone's data only as the whole value; an AWS secret key is a secret in
# a sentence too).
WHOLE_ONLY = {
    "jane.doe+test@example.co.uk",
    "+1 (415) 555-2671",
    "203.0.113.7",
    "[2001:db8::8a2e:370:7334]:8443",
    "198.51.100.23, 10.0.0.1",
    "sip:alice@example.com",
    "SIPS:bob.smith@voip.example.org;transport=tls",
    "acct:carol@social.example.net",
    "MailTo:dave@example.net?subject=Hello",
    "tel:+1-415-555-2672",
    "415 555 2673",
    "(415) 555 2674",
    "+1 415 555 2675",
    "1 415 555 2676",
    "tel:4155552677",
    "SMS:+14155552678;body=hi",
    "xmpp:juliet@chat.example.com/balcony",
    "Mailto: erin@example.org",
    "tel: +1 415 555 2679",
    "mailto:frank@example.com,gina@example.org",
    "mailto:?to=hank@example.com&subject=Hi",
}

# Values a payload is full of that look, by their characters, like some secret or personal value
# (an "@", digits in groups, a "+", hex, dots): each must be recorded as it is, in every
# encoding and place the secrets are tried in (tests/test_hostile_payloads.py).
INNOCENT = [
    # versions, a package at a version, retina assets and file names
    "1.2.3",
    "v2.0.0-rc.1",
    "v1.2.3+build.20240115",
    "lodash@4.17.21",
    "mailto:?subject=Hello%20there",
    "react@18.2.0",
    "@types/node@20.11.5",
    "logo@2x.png",
    "icon@3x.webp",
    "report-2024.pdf",
    # decimals, coordinates, counts
    "3.14159",
    "-0.5",
    "+0.00012345",
    "+37.7749295",
    "-122.4194155",
    "37.7749295,-122.4194155",
    "1e-9",
    "12345",
    # dates and times
    "2024-01-15",
    "2025-01-27T09:30:00.123+01:00",
    "15/01/2024 09:30",
    # identifiers and hashes of non-secret things
    "0f5e2a3c-1111-4222-8333-444455556666",
    "933c19db4f5e2a3c111142228333444455556666",
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    "5d41402abc4b2a76b9719d911017c592",
    "01HV8Z3K9YQ2M4N6P8R0T2V4X6",
    # words and sentences
    "kinematics",
    "What is inverse kinematics?",
    "The reader finished the chapter on servo torque.",
    # URLs without credentials, internal addresses
    "https://example.com/docs?page=2&sort=asc#intro",
    "http://localhost:8000/api/chapters/kinematics",
    "10.0.0.1",
    "192.168.1.20:5432",
    "127.0.0.1",
    "fe80::1",
    # HTTP methods and route templates
    "GET",
    "POST",
    "DELETE",
    "/api/chapters/{chapter_id}",
    "/users/{user_id}/posts/{post_id:int}",
    # git remotes (a git host's SSH account is no person's address)
    "git@github.com",
    "git@gitlab.com:group/repo.git",
    "ssh://git@github.com/org/repo.git",
    "hg@bitbucket.org",
    # numbers with spaces between them that are no phone number
    "1 2 3",
    "978 0 306 40615 7",
    "100 200 3000",
    "2024 01 15",
    "12 345 678",
    "1 000 000",
    "$1,299.99",
    "98.6 / 100",
    "3 of 5",
    "09:30:00",
    "ISBN 978-0-306-40615-7",
    "id:4155552671x",
]


def fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda text: text,
    "percent": lambda text: urllib.parse.quote(text, safe=""),
    "percent-twice": lambda text: urllib.parse.quote(urllib.parse.quote(text, safe=""), safe=""),
    "fullwidth": fullwidth,
    "zero-width-joiners": "\u200d".join,
    "zero-width-space": lambda text: text[: len(text) // 2] + "\u200b" + text[len(text) // 2 :],
    "rtl-marks": lambda text: "\u202e" + text + "\u202c",
    "padded": lambda text: "  " + text + "\n",
    "json-string": lambda text: json.dumps({"v": text}),
    "json-twice": lambda text: json.dumps(json.dumps([text])),
    "sentence": lambda text: f"please use {text} for the login",
}
