"""The dashboard's key bindings by id: default keys and where each is live.

One table, read by the UI (its `Binding`s take their keys from here), by the
config check (a `keymap:` entry must name a known id and must not take a key
another binding on screen at the same time already has) and by the help and
the palette (they show the keys in effect, remapped or not). Textual-free: the
config is checked without importing the UI.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

#: Where a binding is live. `app` ones are live everywhere on the dashboard;
#: `table` ones in a resource table, `scorecard` ones in the Interop table; those
#: two are never focused at once, so they may share a key (enter).
APP, TABLE, SCORECARD = "app", "table", "scorecard"

#: Binding id → (default keys, comma separated in Textual's names; scope).
BINDINGS: dict[str, tuple[str, str]] = {
    "quit": ("q", APP),
    "interrupt": ("ctrl+c", APP),
    "help": ("question_mark", APP),
    "refresh": ("r", APP),
    "cycle-theme": ("t", APP),
    "provision": ("p", APP),
    "leftovers": ("L", APP),
    "health": ("i", APP),
    "toggle-privacy": ("m", APP),
    "filter": ("slash", APP),
    "command": ("colon", APP),
    "clear-filter": ("escape", APP),
    "toggle-unified": ("u", APP),
    "delete-node": ("d", APP),
    "ssh-node": ("s", APP),
    "tab-nodes": ("1", APP),
    "tab-flavors": ("2", APP),
    "tab-images": ("3", APP),
    "tab-networks": ("4", APP),
    "tab-keys": ("5", APP),
    "tab-addresses": ("6", APP),
    "tab-security-groups": ("7", APP),
    "tab-routers": ("8", APP),
    "tab-interop": ("9", APP),
    "equivalents": ("e", APP),
    "zoom-pane": ("z", APP),
    "columns": ("o", APP),
    "next-pane": ("tab", APP),
    "previous-pane": ("shift+tab", APP),
    "cursor-up": ("up,k", TABLE),
    "cursor-down": ("down,j", TABLE),
    "page-up": ("pageup", TABLE),
    "page-down": ("pagedown", TABLE),
    "first-row": ("home,g", TABLE),
    "last-row": ("end,G", TABLE),
    "column-left": ("left,h", TABLE),
    "column-right": ("right,l", TABLE),
    "details": ("enter", TABLE),
    "yank-cell": ("y", TABLE),
    "yank-row": ("Y", TABLE),
    "export": ("x", TABLE),
    "evidence": ("enter", SCORECARD),
    "compare-two": ("c", SCORECARD),
}

#: What people type in a config for keys Textual names in words.
_KEY_NAMES = {
    "?": "question_mark",
    "/": "slash",
    ":": "colon",
    " ": "space",
    ",": "comma",
    ".": "full_stop",
    "-": "minus",
    "+": "plus",
    "esc": "escape",
    "return": "enter",
}
#: And back, for help and the footer.
_SHOWN = {"question_mark": "?", "slash": "/", "colon": ":", "full_stop": ".", "comma": ","}


def default(binding_id: str) -> str:
    """The default keys of a binding (the UI declares its bindings with this)."""
    return BINDINGS[binding_id][0]


def normalize(keys: str) -> str:
    """`?, f5` → `question_mark,f5`: the names Textual matches key presses with."""
    return ",".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(",") if k.strip())


def shown(keys: str) -> str:
    """`question_mark,f5` → `? / f5`, as help and the palette print keys."""
    return " / ".join(_SHOWN.get(k, k) for k in keys.split(","))


def effective(keymap: Mapping[str, str]) -> dict[str, str]:
    """Every binding id → the keys it answers to with this keymap."""
    return {
        bid: normalize(keymap[bid]) if bid in keymap else keys
        for bid, (keys, _scope) in BINDINGS.items()
    }


def check_keymap(keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """What is wrong with a `keymap:`: unknown ids (with the closest known
    one), empty keys, and keys that two bindings live at the same time would
    share (the second would never run). (binding id, problem) pairs."""
    problems: list[tuple[str, str]] = []
    for bid, keys in keymap.items():
        if bid not in BINDINGS:
            close = difflib.get_close_matches(bid, BINDINGS, n=1)
            problems.append(
                (
                    bid,
                    f"unknown binding id {bid!r}"
                    + (f" (did you mean {close[0]!r}?)" if close else "")
                    + f"; known ids: {', '.join(BINDINGS)}",
                )
            )
        elif not normalize(keys):
            problems.append((bid, "no key given"))
    known = {bid: keys for bid, keys in keymap.items() if bid in BINDINGS}
    keys_of = effective(known)
    owner: dict[tuple[str, str], str] = {}
    for bid, keys in keys_of.items():
        scope = BINDINGS[bid][1]
        for key in keys.split(","):
            for other_scope in (APP, TABLE, SCORECARD) if scope == APP else (APP, scope):
                other = owner.get((other_scope, key))
                if other is not None and (bid in known or other in known):
                    remapped, kept = (bid, other) if bid in known else (other, bid)
                    problems.append(
                        (
                            remapped,
                            f"{shown(key)!r} is already the key of {kept}; "
                            f"remap {kept} too, or choose another key",
                        )
                    )
            owner[(scope, key)] = bid
    return problems
