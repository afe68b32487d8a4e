"""S3 mechanics, written once: one bucket's objects stored, sized, deleted, and handed out
through presigned links. The attachments are its user; what a key or a filename may be is
theirs to decide (clarity.attachments), not this module's.

Only this module (and the repositories that use it) touch S3.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import encode_rfc2231
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from clarity.core.errors import ServiceUnavailable
from clarity.store.dynamodb import error_code

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

# DeleteObjects takes at most 1,000 keys a call.
DELETE_BATCH_LIMIT = 1000
MISSING_OBJECT_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@contextmanager
def s3_errors() -> Iterator[None]:
    """S3 failures that outlived botocore's retries become ServiceUnavailable (a 503 the client
    may retry); a missing object is the caller's to handle, so it propagates."""
    try:
        yield
    except ClientError as error:
        if error_code(error) in MISSING_OBJECT_CODES:
            raise
        raise ServiceUnavailable("file storage is unavailable right now") from error
    except BotoCoreError as error:
        raise ServiceUnavailable("file storage could not be reached") from error


@dataclass(frozen=True)
class UploadForm:
    """A presigned S3 POST: where to send the form, and the fields to send before the file."""

    url: str
    fields: dict[str, str]


def attachment_disposition(filename: str) -> str:
    """A Content-Disposition that makes a browser download the file under `filename`, never show
    it inline: an ASCII fallback for old clients, and the exact name in RFC 6266's filename*."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f'attachment; filename="{fallback}"; filename*={encode_rfc2231(filename, "utf-8")}'


class Bucket:
    def __init__(self, client: "S3Client", name: str) -> None:
        self.client = client
        self.name = name

    def put(self, key: str, body: bytes, content_type: str) -> None:
        with s3_errors():
            self.client.put_object(Bucket=self.name, Key=key, Body=body, ContentType=content_type)

    def size_of(self, key: str) -> int | None:
        """The stored object's size in bytes, or None when there is no such object."""
        try:
            with s3_errors():
                head = self.client.head_object(Bucket=self.name, Key=key)
        except ClientError:  # s3_errors let only a missing object through
            return None
        return int(head["ContentLength"])

    def delete_all(self, keys: Sequence[str]) -> None:
        """Delete these objects (a missing one counts as deleted), 1,000 a call. A key S3 could
        not delete raises, so the caller keeps its record and can retry."""
        for start in range(0, len(keys), DELETE_BATCH_LIMIT):
            batch: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in keys[start : start + DELETE_BATCH_LIMIT]]
            with s3_errors():
                response = self.client.delete_objects(Bucket=self.name, Delete={"Objects": batch, "Quiet": True})
            errors = response.get("Errors") or []
            if errors:
                raise ServiceUnavailable(f"file storage did not delete {len(errors)} of {len(batch)} files")

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int) -> str:
        """A presigned GET that downloads the object as `filename`, typed `content_type`: S3 sets
        both response headers from the signed query, whatever the object was stored with."""
        parameters: dict[str, Any] = {
            "Bucket": self.name,
            "Key": key,
            "ResponseContentDisposition": attachment_disposition(filename),
            "ResponseContentType": content_type,
        }
        return str(self.client.generate_presigned_url("get_object", Params=parameters, ExpiresIn=expires_in))

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        """A presigned POST whose policy pins the key, the content type and the exact length:
        S3 refuses any other upload to it (moto does not enforce policies: callers check the
        stored size themselves, with `size_of`)."""
        with s3_errors():
            post = self.client.generate_presigned_post(
                Bucket=self.name,
                Key=key,
                Fields={"Content-Type": content_type},
                Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
                ExpiresIn=expires_in,
            )
        return UploadForm(url=str(post["url"]), fields={name: str(value) for name, value in post["fields"].items()})
