"""Imported first by every function, before the stack: Python's cyclic garbage collector pauses
while the function loads, and resumes once it has.

A cold start allocates hundreds of thousands of objects (modules, classes, pydantic schemas) and
makes almost no garbage, so the collector's passes over them are wasted: about 20 ms of each cold
start on Python 3.13 in the Lambda image (BENCHMARKS.md, section 2). `initialised()` then moves
what loading made into the collector's permanent generation, which later passes skip, and turns
the collector back on before the first request.
"""

import gc

gc.disable()


def initialised() -> None:
    """The function has loaded: freeze what it made and collect garbage again from here on."""
    gc.freeze()
    gc.enable()
