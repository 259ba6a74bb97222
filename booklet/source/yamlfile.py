"""Safe YAML loading that keeps line numbers and refuses what authors never need.

Dates stay strings (so an impossible date is our error with a line, not a
PyYAML crash), and anchors/aliases are refused (they invite alias bombs and no
front-matter needs them). A key given twice in one mapping is refused, naming
both lines (YAML would silently keep the last: `status: ready` after
`status: draft`), and so is a number too long for any field: Python will not
convert one of more than 4300 digits, and none of ours needs more than 15.
"""
from __future__ import annotations

import math
import re
from typing import Any

import yaml

from ..errors import BookletError


MAX_DEPTH = 50  # lists and mappings inside one another; front-matter needs three at most
# Digits in a whole number: an order is at most 4, a PubMed ID 9; 15 keeps every number exact
# in JSON and JavaScript (below 2**53) and far below Python's 4300-digit conversion limit.
MAX_DIGITS = 15


def _number_error(literal: str, why: str) -> str:
    shown = literal if len(literal) <= 24 else f"{literal[:20]}... ({len(literal):,} characters)"
    return f"number {shown} {why}"


class _Loader(yaml.SafeLoader):
    depth = 0
    line_offset = 0  # file line of the text's first line, less one (front-matter starts on line 2)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if self.depth >= MAX_DEPTH:  # deeper nesting would exhaust Python's stack inside PyYAML
            raise BookletError(f"YAML nested more than {MAX_DEPTH} levels deep", line=event.start_mark.line + 1)
        if isinstance(event, yaml.AliasEvent):
            raise BookletError("YAML aliases (*name) are not allowed", line=event.start_mark.line + 1)
        if getattr(event, "anchor", None):
            raise BookletError("YAML anchors (&name) are not allowed", line=event.start_mark.line + 1)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        """The mapping, refusing a key it already has (PyYAML would keep the last one silently)."""
        if not isinstance(node, yaml.MappingNode):  # `!!set` on a scalar: PyYAML's own error says so
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML's own error says so
                continue
            if first is None:
                seen[key] = key_node.start_mark.line
            else:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
                shown = name if len(name) <= 40 else name[:37] + "..."
                raise BookletError(f"duplicate key '{shown}' (line {first + 1 + self.line_offset} sets it too)",
                                   line=key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node):
        literal = node.value
        digits = literal.replace("_", "").replace(":", "").lstrip("+-")
        if digits[:2].lower() in ("0x", "0o", "0b"):
            digits = digits[2:]
        if len(digits) > MAX_DIGITS:
            raise BookletError(_number_error(literal, f"has more than {MAX_DIGITS} digits: no field takes one "
                                             "so long (put it in quotes if it is text)"), line=node.start_mark.line + 1)
        value = super().construct_yaml_int(node)
        if abs(value) >= 10 ** MAX_DIGITS:  # 0xfff... and 1:2:3:... (sexagesimal) grow past their digits
            raise BookletError(_number_error(literal, f"is too large: no field takes a number of more than "
                                             f"{MAX_DIGITS} digits"), line=node.start_mark.line + 1)
        return value

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if math.isinf(value) and "inf" not in node.value.lower():  # 1.0e+999: a finite number read as infinite
            raise BookletError(_number_error(node.value, "is too large for any field"), line=node.start_mark.line + 1)
        return value


def _misfit_refused(tag: str, constructor):
    """`constructor`, whose Python errors on a value its tag does not fit (`!!int abc`, `!!bool 2`,
    `!!timestamp soon`: PyYAML assumes the value matched the tag's pattern) become our own."""
    def construct(loader: _Loader, node: yaml.Node) -> Any:
        try:
            return constructor(loader, node)
        except (ValueError, IndexError, KeyError, AttributeError, TypeError):
            value = repr(node.value) if isinstance(node, yaml.ScalarNode) else \
                "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            raise BookletError(f"invalid YAML: {value} cannot be read as !!{tag}",
                               line=node.start_mark.line + 1) from None
    return construct


for _tag, _constructor in (("int", _Loader.construct_yaml_int), ("float", _Loader.construct_yaml_float),
                           ("bool", _Loader.construct_yaml_bool), ("timestamp", _Loader.construct_yaml_timestamp)):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _misfit_refused(_tag, _constructor))


# Timestamps stay plain strings: validation parses dates itself and can name the line.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# What PyYAML's reader refuses (yaml.reader.Reader.NON_PRINTABLE): controls other than tab and
# newline, and the noncharacters U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML text; return the data and the line of every mapping key by path.

    `first_line` is the file line on which `text` starts, so front-matter errors
    point at the right line of the chapter file.
    """
    if found := _UNPRINTABLE.search(text):  # PyYAML refuses these while reading, before any line is known
        at = text.count("\n", 0, found.start()) + first_line
        raise BookletError(f"YAML may not hold the control character U+{ord(found.group()):04X}: remove it",
                           path, at)
    loader = _Loader(text)
    loader.line_offset = first_line - 1
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except BookletError as err:
        raise BookletError(err.message, path, (err.line or 1) + first_line - 1) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + first_line if mark else None
        message = " ".join(str(part) for part in (err.context, err.problem) if part)
        raise BookletError(f"invalid YAML: {message}", path, line) from None
    except yaml.YAMLError as err:
        raise BookletError(f"invalid YAML: {err}", path, first_line) from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {(): node.start_mark.line + first_line}
    _record_lines(node, (), lines, first_line)
    return data, lines


def _record_lines(node: yaml.Node, prefix: tuple, lines: dict[tuple, int], first_line: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, key_node.value)
            lines[key] = key_node.start_mark.line + first_line
            _record_lines(value_node, key, lines, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = (*prefix, index)
            lines[key] = item.start_mark.line + first_line
            _record_lines(item, key, lines, first_line)
