"""Read the stage graphs and the seed routing rules once, at web or worker start.

The files are the packaged `config/stages.yaml` and `config/routing.yaml` unless
`MRVRS_STAGES_FILE` / `MRVRS_ROUTING_FILE` name others. A file that cannot be read,
is not YAML, or breaks a rule stops start-up with `WorkflowConfigError`, whose
message names the file and lists every problem, so a bad edit never reaches a case.

The routing file is only the seed: `mrvrs db init` stores it as the first routing
version of an empty database (`read_seed`), and its rules are in force until then.
Afterwards administrators change routing on the admin pages
(`workflows.routing_store`, `workflows.routing_provider`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import config
from config.settings import Settings
from forms.loader import load_yaml
from workflows.errors import ConfigError
from workflows.routing import RoutingRules, load_routing_rules
from workflows.stages import StageGraph, load_all_stage_graphs

PACKAGED = Path(config.__file__).resolve().parent


class WorkflowConfigError(ValueError):
    """A workflow configuration file that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class WorkflowConfig:
    graphs: Mapping[str | None, StageGraph]
    rules: RoutingRules


def load_workflow_config(settings: Settings) -> WorkflowConfig:
    """Load and check both files, reporting the first file that fails in full."""
    graphs = _load(settings.stages_file or PACKAGED / "stages.yaml", load_all_stage_graphs)
    rules = _load(settings.routing_file or PACKAGED / "routing.yaml", load_routing_rules)
    return WorkflowConfig(graphs, rules)


def read_seed(path: str | Path) -> Any:
    """The routing seed file as a plain mapping, checked as at start-up."""
    _load(path, load_routing_rules)
    return _load_unchanged(str(path), Path(path).stat().st_mtime_ns, _as_is)


def _as_is(mapping: Any) -> Any:
    return mapping


def _load(path: str | Path, build: Callable[[Any], Any]) -> Any:
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise WorkflowConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return _load_unchanged(str(path), stamp, build)


@functools.lru_cache(maxsize=16)
def _load_unchanged(path: str, stamp: int, build: Callable[[Any], Any]) -> Any:
    """Parse a file once per version of it: every app or worker start reuses the result,
    which is immutable, and an edited file (a new modification time) is read again."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:  # the form loader's limits on size, depth and aliases, and its scalar rules
        mapping = load_yaml(text, path)
    except ValueError as exc:
        raise WorkflowConfigError(f"{path}: is not valid YAML: {exc}") from None
    try:
        return build(mapping)
    except ConfigError as exc:
        raise WorkflowConfigError(f"{path}: {exc}") from None
