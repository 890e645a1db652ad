"""The config file as a person writes it: read (YAML), validated by the
models in `hybridtui.config`, and every problem said at once, each at its
`file:line` in plain words with the field's own documentation; and the
`columns:` block written back, every other line left as it is.

Kept apart from the models: the providers import those, and only the CLI
and the dashboard read or write the file.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

from hybridtui.config import (
    CLOUD_MODELS,
    PATTERN_WORDS,
    AppConfig,
    CloudBase,
    Overrides,
    Strict,
)
from hybridtui.errors import ConfigError, NoConfigError


def load_config(path: Path, data: bytes | None = None) -> AppConfig:
    """Read and validate a config file; raise ConfigError listing every problem.
    `data`: the file's bytes, already read (the memo's key was made from them:
    reading the file again could validate a newer text under the older key)."""
    try:
        text = path.read_text(encoding="utf-8") if data is None else data.decode("utf-8")
    except FileNotFoundError:
        raise NoConfigError(
            f"config file not found: {path}",
            hint="Create it (see sample_configs/) or run with --demo.",
        ) from None
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise not_utf8(path, e) from None
    return parse_config(text, str(path))


def not_utf8(path: Path, e: UnicodeDecodeError) -> ConfigError:
    """A config file saved as Latin-1 or UTF-16 by an editor: where, and what to do."""
    return ConfigError(
        f"{path}: {utf8_problem(e)}", hint="Save the file as UTF-8; YAML files are read as UTF-8."
    )


def utf8_problem(e: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 is, as an editor counts."""
    before = e.object[: e.start]
    line = before.count(b"\n") + 1
    column = e.start - (before.rfind(b"\n") + 1) + 1
    return f"not UTF-8 text (byte 0x{e.object[e.start]:02x} at line {line}, column {column})"


#: libyaml's loader where PyYAML has it: the pure-Python one took 6 of the
#: 8 ms the demo config's parse adds to every start (bench/startup.py).
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """A document's node tree (for the line numbers of problems) and its data.
    A document libyaml rejects is parsed again by the pure-Python loader, so
    a YAML error reads the same with or without libyaml."""
    try:
        return yaml.compose(text, Loader=_FAST_LOADER), yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)


def parse_config(text: str, source: str = "<config>") -> AppConfig:
    try:
        root, data = read_yaml(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(
            f"{source}: not valid YAML", problems=[f"{where}: {_yaml_words(problem)}"]
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the top level must be a mapping with a `clouds:` list",
            problems=[f"{source}:1: found {type(data).__name__}"],
        )
    # checked here as well as by the model, so each is said at its own line and
    # together with every other problem (the model stops at the first of them)
    own = _keymap_problems(root, data, source) + _duplicate_names(root, data, source)
    from pydantic import ValidationError  # only now: see hybridtui.config

    try:
        return AppConfig.validate(data)
    except ValidationError as e:
        problems = (
            [
                line  # an entry of an unknown kind says its other problems on lines of their own
                for err in e.errors()
                if tuple(err["loc"])[:1] != ("keymap",) and "duplicate cloud name" not in err["msg"]
                for line in _describe(err, root, data, source).split("\n")
            ]
            + own
        )
        n = len(problems)
        raise ConfigError(
            f"{source}: {n} problem{'s' if n != 1 else ''} found",
            problems=problems,
            hint="Fix them all and run `hybridtui check-config` again.",
        ) from None


#: PyYAML's parser words → what to do about them (its own words kept after).
_YAML_WORDS = (
    (
        "expected <block end>",
        "this line is indented differently from the lines above it: keys of one"
        " entry start in the same column",
    ),
    (
        "mapping values are not allowed here",
        "a `key: value` where none can start: check this line's indentation, or quote"
        " a value that contains ': '",
    ),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    ("found unexpected end of stream", "a quote or bracket opened and never closed"),
    ("expected ',' or ']'", "a [list opened and never closed with ]"),
    ("expected ',' or '}'", "a {mapping opened and never closed with }"),
)


def _yaml_words(problem: str) -> str:
    for raw, words in _YAML_WORDS:
        if raw in problem:
            return f"{words} (YAML: {problem})"
    return problem


def _keymap_problems(root: yaml.Node | None, data: dict[str, Any], source: str) -> list[str]:
    from hybridtui.keys import check_keymap

    keymap = data.get("keymap")
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        return []  # the model says what is wrong with its shape
    found = [(_line_of(root, ("keymap", bid)), bid, msg) for bid, msg in check_keymap(keymap)]
    return [f"{source}:{line}: keymap.{bid}: {msg}" for line, bid, msg in sorted(found)]


def _duplicate_names(root: yaml.Node | None, data: dict[str, Any], source: str) -> list[str]:
    clouds = data.get("clouds")
    if not isinstance(clouds, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for i, cloud in enumerate(clouds):
        name = cloud.get("name") if isinstance(cloud, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                f"{source}:{_line_of(root, ('clouds', i, 'name'))}: clouds[{i}].name: duplicate "
                f"cloud name {name!r} (clouds[{first[name]}] has it): names must be unique"
            )
        else:
            first[name] = i
    return problems


def check_aws_regions(text: str, source: str, known: list[str]) -> list[str]:
    """`file:line` problems for AWS regions that `known` (botocore's own list)
    does not have, with the closest names. Entries with an `endpoint_url` are
    skipped: a private endpoint or emulator may use any region name."""
    import difflib

    root, data = read_yaml(text)
    data = data or {}
    problems = []
    for i, cloud in enumerate(data.get("clouds") or []):
        if not isinstance(cloud, dict) or cloud.get("kind") != "aws" or cloud.get("endpoint_url"):
            continue
        for j, region in enumerate(cloud.get("regions") or []):
            if region in known:
                continue
            line = _line_of(root, ("clouds", i, "regions", j))
            close = difflib.get_close_matches(str(region), known, n=3, cutoff=0.6)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            problems.append(
                f"{source}:{line}: clouds[{i}].regions[{j}]: unknown AWS region {region!r}{hint}"
            )
    return problems


@dataclass(frozen=True, kw_only=True)
class _AnyKind(CloudBase):
    """What every kind has: an entry of an unknown kind is checked this far."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(err: Any, root: yaml.Node | None, data: Any, source: str) -> str:
    loc: tuple[Any, ...] = tuple(err["loc"])
    line = _line_of(root, loc)
    path = _loc_text(loc, data)
    etype = err["type"]
    ctx = err.get("ctx") or {}
    if etype in ("extra_forbidden", "unexpected_keyword_argument"):
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1], data)
        hint = difflib.get_close_matches(key, allowed, n=1)
        msg = f"unknown key {key!r}"
        if hint:
            msg += f" (did you mean {hint[0]!r}?)"
        if allowed:
            msg += f"; allowed: {', '.join(allowed)}"
        parent = _loc_text(loc[:-1], data) or "top level"
        return f"{source}:{line}: {parent}: {msg}"
    if etype == "missing":
        key = str(loc[-1])
        doc = _field_doc(loc, data)
        return f"{source}:{line}: {path}: missing required key {key!r}" + (
            f" ({doc})" if doc else ""
        )
    if etype == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        close = difflib.get_close_matches(tag, CLOUD_MODELS, n=1)
        said = (
            f"{source}:{_line_of(root, (*loc, 'kind'))}: {path}.kind: unknown kind {tag!r}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; allowed: {', '.join(CLOUD_MODELS)}"
        )
        # the rest of the entry is checked too, as the closest kind (or what
        # every kind has), so fixing the kind does not reveal a second round
        entry = _at(data, loc)
        if isinstance(entry, dict):
            model: type[CloudBase] = CLOUD_MODELS[close[0]] if close else _AnyKind
            from pydantic import ValidationError

            try:
                model.validate({**entry, "kind": close[0]} if close else entry)
            except ValidationError as inner:
                rest = [
                    _describe({**e, "loc": (*loc, *e["loc"])}, root, data, source)
                    for e in inner.errors()
                    if tuple(e["loc"])[:1] != ("kind",)
                ]
                said = "\n".join([said, *rest])
        return said
    if etype == "union_tag_not_found":
        return f"{source}:{line}: {path}: missing required key 'kind'; allowed: {', '.join(CLOUD_MODELS)}"
    if etype == "string_pattern_mismatch":
        what = PATTERN_WORDS.get(str(ctx.get("pattern")))
        if what:
            return f"{source}:{line}: {path}: {what} (got {err.get('input')!r})"
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{source}:{line}: {path or 'top level'}: {msg}{shown}"


def _walk(loc: tuple[Any, ...], data: Any) -> list[tuple[str, Any]]:
    """Pair each loc element with what it means, dropping pydantic's union tags."""
    out: list[tuple[str, Any]] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            if part in node:
                out.append(("key", part))
                node = node[part]
            elif isinstance(part, str) and node.get("kind") == part:
                out.append(("tag", part))  # discriminated union: the model chosen
            else:
                out.append(("key", part))
                node = None
        elif isinstance(node, list) and isinstance(part, int):
            out.append(("index", part))
            node = node[part] if part < len(node) else None
        else:
            out.append(("key", part))
            node = None
    return out


def _loc_text(loc: tuple[Any, ...], data: Any) -> str:
    text = ""
    for what, part in _walk(loc, data):
        if what == "index":
            text += f"[{part}]"
        elif what == "key":
            text += f".{part}" if text else str(part)
    return text


def _model_at(loc: tuple[Any, ...], data: Any) -> type[Strict] | None:
    """The model that validates the mapping at `loc`, if there is one."""
    model: type[Strict] | None = AppConfig
    in_clouds = False
    for what, part in _walk(loc, data):
        if what == "tag":
            model = CLOUD_MODELS.get(str(part))
        elif what == "index" and in_clouds:
            entry = data["clouds"][part] if part < len(data["clouds"]) else {}
            model = CLOUD_MODELS.get(entry.get("kind", "")) if isinstance(entry, dict) else None
            in_clouds = False
        elif model is AppConfig and part == "clouds":
            model, in_clouds = None, True
        elif model is not None and part == "overrides":
            model = Overrides
        else:
            return None
    return model


def _allowed_keys(loc: tuple[Any, ...], data: Any) -> list[str]:
    model = _model_at(loc, data)
    return [f.name for f in dataclasses.fields(model)] if model else []


def _field_doc(loc: tuple[Any, ...], data: Any) -> str:
    model = _model_at(loc[:-1], data)
    return _attribute_docs(model).get(str(loc[-1]), "") if model else ""


_DOCS: dict[type[Strict], dict[str, str]] = {}


def _attribute_docs(model: type[Strict]) -> dict[str, str]:
    """A model's field docstrings, read from its source when an error needs
    one (reading every model's source at import cost 50 ms of every start)."""
    if model in _DOCS:
        return _DOCS[model]
    docs: dict[str, str] = _DOCS.setdefault(model, {})
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, Strict)) or cls is Strict:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for stmt, after in zip(body, body[1:], strict=False):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest YAML node the error location reaches."""
    if root is None:
        return 1
    node: yaml.Node = root
    best: int = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    best = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                continue  # a union tag, or a missing key: stay on the mapping's line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            best = node.start_mark.line + 1
        else:
            break
    return best


def save_columns(path: Path, columns: dict[str, list[str]]) -> None:
    """Write the `columns:` block of a config file, leaving every other line
    (comments included) as it is: the block is replaced where it is, or added
    at the end. The result is validated before the file is replaced."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    block = (
        ["columns:\n"] + [f"  {kind}: [{', '.join(keys)}]\n" for kind, keys in columns.items()]
        if columns
        else []
    )
    start = next((i for i, line in enumerate(lines) if re.match(r"columns\s*:", line)), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        new = lines + block
    else:
        end = start + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        new = lines[:start] + block + lines[end:]
    text = "".join(new)
    parse_config(text, str(path))  # never write a file hybridtui would then refuse
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
