"""The moto server as `make run` runs it: moto's own server, with its EventBridge targets fast.

moto delivers each event to each matching rule's target inside PutEvents, and for every
delivery it compiles eight JSONPath expressions (its default input template) with
jsonpath_ng, which builds a new parser each time: about 10 ms per event and target, on a
single Python process. With the local tap matching every domain event, the stream function
spent most of its time waiting on PutEvents (bench/stream_end_to_end.py). Compiled
expressions are immutable, so they are kept; what moto delivers does not change.

    python -m infra.local.moto_server -H 127.0.0.1 -p 5001   (moto_server's options)
"""

from __future__ import annotations

import sys
from functools import lru_cache


def fast_jsonpath() -> None:
    """Compile each JSONPath expression once (moto imports `parse` at every delivery)."""
    import jsonpath_ng.ext

    if not hasattr(jsonpath_ng.ext.parse, "cache_info"):
        jsonpath_ng.ext.parse = lru_cache(maxsize=256)(jsonpath_ng.ext.parse)


def main(argv: list[str] | None = None) -> None:
    fast_jsonpath()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
