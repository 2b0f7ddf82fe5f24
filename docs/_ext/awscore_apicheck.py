"""Fail the docs build when a public name has no API reference; document constants.

Every name in the ``__all__`` of ``awscore.errors`` and of each module package
(``awscore.sigv4``, ``awscore.kinesis``, ...) must be documented somewhere on the
site as ``awscore.<module>.<name>``, normally by the ``automodule`` at the end of the
module's page. A missing one is a warning, and the build runs with ``-W``, so adding a
public name without documenting it fails the docs check.

``automodule`` cannot document a constant that a package re-exports (its ``#:``
comment is in the private module that defines it), so the directive
``.. awscore-constants:: awscore.<module>`` documents every public constant of a
package with its value and the ``#:`` comment from where it is defined; a constant
without such a comment is a warning too.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import awscore

logger = logging.getLogger(__name__)


def public_names() -> list[str]:
    """Every ``awscore.<module>.<name>`` that an ``__all__`` makes public."""
    modules = ["awscore.errors"] + [
        f"awscore.{info.name}"
        for info in pkgutil.iter_modules(awscore.__path__)
        if info.ispkg and info.name != "cli"
    ]
    names: list[str] = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            # errors re-exported by a module are documented once, on the errors page
            home = getattr(getattr(module, name), "__module__", module_name)
            where = "awscore.errors" if home == "awscore.errors" else module_name
            names.append(f"{where}.{name}")
    return sorted(set(names))


def _is_constant(value: object) -> bool:
    return not (callable(value) or isinstance(value, ModuleType | type))


def _doc_comment(package: ModuleType, name: str) -> list[str] | None:
    for info in pkgutil.iter_modules(package.__path__):
        analyzer = ModuleAnalyzer.for_module(f"{package.__name__}.{info.name}")
        docs = analyzer.find_attr_docs().get(("", name))
        if docs:
            return [line for line in docs if line.strip()]
    return None


class ConstantsDirective(SphinxDirective):
    """``.. awscore-constants:: awscore.kinesis``: every public constant, documented."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        package = importlib.import_module(self.arguments[0])
        lines: list[str] = []
        for name in getattr(package, "__all__", ()):
            value = getattr(package, name)
            if not _is_constant(value):
                continue
            doc = _doc_comment(package, name)
            if doc is None:
                logger.warning(
                    "constant %s.%s has no #: comment where it is defined",
                    package.__name__,
                    name,
                    location=self.get_location(),
                )
                doc = []
            lines += [
                f".. py:data:: {package.__name__}.{name}",
                f"   :value: {value!r}",
                "",
                *(f"   {line}" for line in doc),
                "",
            ]
        return self.parse_text_to_nodes("\n".join(lines))


def _check(app: Sphinx, env: BuildEnvironment) -> None:
    documented = set(env.get_domain("py").objects)  # type: ignore[attr-defined]
    for name in public_names():
        if name not in documented:
            logger.warning(
                "public name %s has no API reference: add it to its module's "
                "automodule (or document it)",
                name,
            )


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("awscore-constants", ConstantsDirective)
    app.connect("env-check-consistency", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
