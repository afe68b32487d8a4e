"""`attachments.create(file=...)`: a path, bytes or a file object, as a name, bytes and a media type."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from typing import IO, Optional, Union

FileInput = Union[str, "os.PathLike[str]", bytes, IO[bytes]]


@dataclass(frozen=True)
class UploadFile:
    filename: str
    content: bytes
    file_type: Optional[str]


def read_file(file: FileInput, filename: Optional[str], file_type: Optional[str]) -> UploadFile:
    if isinstance(file, bytes):
        content, default_name = file, "file"
    elif isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as opened:
            content = opened.read()
        default_name = os.path.basename(os.fspath(file))
    else:
        content = file.read()
        default_name = os.path.basename(str(getattr(file, "name", "file")))
    name = filename or default_name
    return UploadFile(name, content, file_type or mimetypes.guess_type(name)[0])
