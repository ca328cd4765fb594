"""JSON documents read within bounds, and sealed with a checksum of their content.

:func:`read` refuses a file larger than a size limit before reading it, and
a document nested deeper than a depth limit, so that neither a huge nor a
pathological file (200,000 ``[``) can exhaust memory or the stack.
:func:`seal` adds ``"checksum": "sha256:..."`` computed over the canonical
text of the rest of the document (sorted keys, no spaces, floats as
``repr``), and :func:`seal_state` checks it: a file edited or damaged after
it was written is detected, whatever the edit.
"""

from __future__ import annotations

import hashlib
import json
import os

__all__ = ["read", "seal", "seal_state", "JSONFileError", "MAX_BYTES", "MAX_DEPTH"]

#: The largest file :func:`read` accepts (a model of two million named features
#: with its schema is about 400 MB).
MAX_BYTES = 1 << 30
#: The deepest nesting :func:`read` accepts (model files nest six levels).
MAX_DEPTH = 64
_KEY = "checksum"


class JSONFileError(ValueError):
    """The file cannot be read as a bounded JSON document; the message says why."""


def read(path, *, max_bytes=None, max_depth=None):
    """The JSON document in ``path``, within ``max_bytes`` and ``max_depth``
    (default :data:`MAX_BYTES` and :data:`MAX_DEPTH`).

    Raises
    ------
    FileNotFoundError, OSError, UnicodeDecodeError
        As reading the file raises them.
    JSONFileError
        Too large, not valid JSON (with the line and column), or too deep.
    """
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_depth = MAX_DEPTH if max_depth is None else max_depth
    size = os.stat(path).st_size
    if size > max_bytes:
        raise JSONFileError(f"it holds {size:,} bytes, more than the {max_bytes:,} a model file "
                            "may have")
    with open(path, encoding="utf-8") as f:
        text = f.read(max_bytes + 1)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise JSONFileError(f"not valid JSON ({e.msg}: line {e.lineno}, column {e.colno}); the "
                            "file may be truncated or damaged") from None
    except RecursionError:
        raise JSONFileError(f"its JSON is nested far deeper than the {max_depth} levels a "
                            "model file may have") from None
    depth = _depth(doc)
    if depth > max_depth:
        raise JSONFileError(f"its JSON is nested {depth} levels deep, more than the "
                            f"{max_depth} a model file may have")
    return doc


def _depth(doc):
    """How deeply lists and objects nest in ``doc`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(doc, 1)] if isinstance(doc, (dict, list)) else []
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _digest(doc):
    text = json.dumps({k: v for k, v in doc.items() if k != _KEY}, sort_keys=True,
                      separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(doc):
    """``doc`` (a dict) as JSON will read it back, with its checksum added as its last key.

    The document is first written and read once, so that what is sealed is what a
    reader will see (keys that are numbers become text, tuples lists).
    """
    doc = json.loads(json.dumps({k: v for k, v in doc.items() if k != _KEY}, allow_nan=False))
    return {**doc, _KEY: _digest(doc)}


def seal_state(doc):
    """``"absent"`` (no checksum), ``"intact"`` or ``"changed"`` (it does not match)."""
    if _KEY not in doc:
        return "absent"
    return "intact" if doc[_KEY] == _digest(doc) else "changed"
