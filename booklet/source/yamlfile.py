"""Safe YAML loading that keeps line numbers and refuses what authors never need.

Dates stay strings (so an impossible date is our error with a line, not a
PyYAML crash), and anchors/aliases are refused (they invite alias bombs and no
front-matter needs them).
"""
from __future__ import annotations

from typing import Any

import yaml

from ..errors import BookletError


MAX_DEPTH = 50  # lists and mappings inside one another; front-matter needs three at most


class _Loader(yaml.SafeLoader):
    depth = 0

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


# Timestamps stay plain strings: validation parses dates itself and can name the line.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML text; return the data and the line of every mapping key by path.

    `first_line` is the file line on which `text` starts, so front-matter errors
    point at the right line of the chapter file.
    """
    loader = _Loader(text)
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
