"""YAML with line numbers: mappings and lists remember where each entry was written, so a
validation error can name the line (yaml's composed nodes carry the marks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from device_models.spec import ModelError


class LMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LList(list[Any]):
    line: int
    lines: list[int]

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def load_yaml(path: Path, text: str) -> Any:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ModelError(path, 1, "the file is empty", "start with `id: your-model-id`")
        return _convert(loader, node, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "not valid YAML"
        raise ModelError(
            path, line, f"YAML syntax: {problem}", "check indentation, colons and quotes"
        ) from None
    except yaml.YAMLError as exc:
        raise ModelError(path, 1, f"YAML: {exc}", "check the file is valid YAML") from None
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LMap()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, path)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise ModelError(path, key_line, f"key {key!r} is not text", "keys are words")
            if key in out:
                raise ModelError(
                    path, key_line, f"key {key!r} appears twice", "keep one of the two"
                )
            out[key] = _convert(loader, value_node, path)
            out.lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line, seq.lines = line, []
        for item in node.value:
            seq.append(_convert(loader, item, path))
            seq.lines.append(item.start_mark.line + 1)
        return seq
    return loader.construct_object(node, deep=True)
