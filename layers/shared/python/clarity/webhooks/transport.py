"""The one way a delivery reaches a receiver: a POST to an address already checked, with no
redirects followed and a hard timeout. Tests inject their own transport instead of this one."""

from collections.abc import Mapping
from typing import Protocol

import urllib3

from clarity.webhooks.destinations import Destination

# A receiver's answer is not read beyond this: only its status matters.
MAX_RESPONSE_BYTES = 4096


class Transport(Protocol):
    def __call__(
        self, destination: Destination, address: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> int:
        """POST `body` to `destination` at `address`; the status, or OSError/urllib3's errors."""
        ...


def post(destination: Destination, address: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """Connect to `address` itself (never re-resolving the name), while TLS checks the
    certificate against the URL's host name."""
    pool: urllib3.HTTPConnectionPool
    if destination.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            destination.port,
            server_hostname=destination.host,
            assert_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, destination.port)
    try:
        response = pool.urlopen(
            "POST",
            destination.target,
            body=body,
            headers={**headers, "Host": destination.host_header},
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(total=timeout),
            preload_content=False,
        )
        response.read(MAX_RESPONSE_BYTES)
        response.release_conn()
        return response.status
    finally:
        pool.close()
