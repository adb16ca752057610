"""The shape of a service's ``GET /labels``: its codes and their words, in the domain's order.

Each service serves the labels of its own domain (the one home of those words); the console
shows what they send. Lists of ``{code, label}`` rather than JSON objects: the answer keeps
the domain's order (the loop's stages in order), whatever the JSON encoder does with keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from marshmallow import Schema, fields


class LabelSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)


def label_list(description: str) -> fields.List:
    """A documented field of ``{code, label}`` items."""
    return fields.List(fields.Nested(LabelSchema), metadata={"description": description})


def labelled(mapping: Mapping[str, str], codes: Iterable[str] | None = None) -> list[dict]:
    """``mapping`` as ``[{code, label}]`` in its order (or in the order of ``codes``)."""
    return [
        {"code": str(code), "label": mapping[code]}
        for code in (mapping if codes is None else codes)
    ]
