"""The application's side of a browser POST form upload (S3's ``POST Object``).

The middleware has verified the policy's signature and every condition before
the application runs, and hands over the whole body with the
:class:`~awscore.sigv4.PostForm` it checked (``environ[POST_FORM_KEY]``). The
application takes the fields from that verified form, never from a reading of
its own (two parsers that disagree about a field would let a form store what its
policy does not allow); it parses the body again, with the standard library's
``email`` parser, only to take out the file part, and refuses the form if its
fields read differently there. What is left is what S3 does with an accepted form
(S3 API reference, "POST Object"): store the ``file`` part under the ``key``
field, with ``${filename}`` replaced by the file's name, the ``Content-Type``
and ``x-amz-meta-*`` fields as its headers, and answer as
``success_action_status`` asks (204 by default, 200, or 201 with a
``PostResponse`` document).
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from email.message import Message
from typing import Any

from awscore.sigv4 import POST_FORM_KEY, PostForm

__all__ = ["FormUpload", "FormUploadError", "parse_form_upload"]


class FormUploadError(Exception):
    """The form is not one S3 would store (no key, no file part)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FormUpload:
    """An accepted form: the object's key, its bytes, the other fields."""

    key: str
    content: bytes
    #: every field but ``file``, names lower-cased (S3 field names are not
    #: case-sensitive)
    fields: dict[str, str]


def parse_form_upload(environ: dict[str, Any]) -> FormUpload:
    """The verified form's fields and the file part of the body passed on."""
    verified = environ.get(POST_FORM_KEY)
    if not isinstance(verified, PostForm):
        raise FormUploadError("the middleware passed no verified PostForm")
    content_type = environ.get("CONTENT_TYPE", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise FormUploadError(
            "The body of your POST request is not well-formed multipart/form-data."
        )
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = bytes(environ["wsgi.input"].read(length)) if length > 0 else b""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    content: bytes | None = None
    filename = ""
    parts = message.get_payload()
    if not isinstance(parts, list):
        raise FormUploadError("the form has no parts")
    for part in parts:
        assert isinstance(part, Message)
        name = str(part.get_param("name", header="content-disposition") or "")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name.lower() == "file":
            content = data
            filename = str(part.get_filename() or "")
            break  # S3 ignores the fields after the file
        fields[name.lower()] = data.decode("utf-8")
    if content is None:
        raise FormUploadError("POST requires exactly one file upload per request.")
    checked = {name.lower(): value for name, value in verified.fields}
    if fields != checked or len(content) != verified.file_size:
        raise FormUploadError(
            "the form reads differently than the middleware verified it: fields "
            f"{sorted(fields)} against {sorted(checked)}, a file of {len(content)} "
            f"bytes against {verified.file_size}"
        )
    fields = checked
    key = fields.get("key")
    if not key:
        raise FormUploadError(
            "Bucket POST must contain a field named 'key'.  If it is specified, "
            "please check the order of the fields."
        )
    return FormUpload(
        key=key.replace("${filename}", filename), content=content, fields=fields
    )
