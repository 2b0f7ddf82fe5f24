"""The shared config and credentials files, parsed as botocore parses them.

Sans-I/O: these functions take the files' text, never a path. The rules are
botocore's (``botocore/configloader.py``), checked side by side in the tests:

* Both files are INI, read with the standard library's ``RawConfigParser``, as
  botocore reads them: keys are lower-cased, a duplicate section or key is an
  error, ``#``/``;`` start a comment only at the start of a line, a ``[DEFAULT]``
  section's keys appear in every section, and a value starting on the next
  (indented) line is a nested block (``s3 =`` then ``  addressing_style = path``),
  which no credentials step reads and which is left out here.
* In the **credentials file** every section is a profile: ``[dev]``.
* In the **config file** a profile is ``[profile dev]``; ``[default]`` is the
  default profile; a bare ``[dev]`` is *not* a profile. The section name is split
  shell-style: any section whose name starts with ``profile`` and splits into two
  words names the profile in its second word (botocore's rule, so
  ``[profile "my dev"]`` is ``my dev``); ``[sso-session x]`` sections are kept
  apart. When both ``[default]`` and ``[profile default]`` exist, the later one
  in the file wins (botocore iterates the sections in order).
* The **merged** view the role, process, SSO and web-identity steps read is the
  config file's profiles updated key by key with the credentials file's.

A file is bounded at :data:`MAX_CONFIG_BYTES`.
"""

from __future__ import annotations

import configparser
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from awscore._inputs import shown
from awscore.errors import CredentialsConfigError

__all__ = [
    "MAX_CONFIG_BYTES",
    "Profiles",
    "SharedConfig",
    "parse_config_file",
    "parse_credentials_file",
    "parse_ini",
]

#: The largest shared config or credentials file read (1 MiB).
MAX_CONFIG_BYTES = 1 << 20

Profiles = dict[str, dict[str, str]]


def parse_ini(text: str, *, source: str, step: str = "config-file") -> Profiles:
    """Each section of an INI ``text`` with its (non-nested) keys and values.

    ``source`` names the file in errors. Raises
    :class:`~awscore.errors.CredentialsConfigError` when the text is too large
    or does not parse (as botocore raises ``ConfigParseError``).
    """
    # Types first: configparser formats a non-text source with %r (a huge or
    # deeply nested value would crash it) and reads a non-text text as lines.
    if not isinstance(source, str):
        raise CredentialsConfigError(
            f"the file name (source) must be text, not {shown(source)}", step=step
        )
    if not isinstance(text, str):
        raise CredentialsConfigError(
            f"the {source} contents must be text, not {shown(text)}", step=step
        )
    if len(text) > MAX_CONFIG_BYTES:
        raise CredentialsConfigError(
            f"{source} is larger than {MAX_CONFIG_BYTES} bytes, the limit for a "
            "shared config or credentials file",
            step=step,
        )
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=source)
    except configparser.Error as error:
        # configparser's message names the line; it holds no secret value
        # except for a parse error inside a value line, so only its kind and
        # position are kept.
        where = getattr(error, "lineno", None)
        # ParsingError keeps its lines in .errors; MissingSectionHeaderError, its
        # subclass, has .lineno and (on Python 3.11) no .errors at all.
        found = getattr(error, "errors", None)
        if where is None and found:
            where = found[0][0]
        at = f" at line {where}" if where is not None else ""
        raise CredentialsConfigError(
            f"{source} cannot be parsed{at}: {type(error).__name__} (INI with "
            "[section] headers and 'key = value' lines is accepted)",
            step=step,
        ) from None
    sections: Profiles = {}
    for name in parser.sections():
        values: dict[str, str] = {}
        for key, value in parser.items(name):
            if value.startswith("\n"):
                continue  # a nested block (s3 = ...): no credentials step reads it
            values[key] = value
        sections[name] = values
    return sections


def parse_credentials_file(text: str, *, source: str = "credentials file") -> Profiles:
    """The profiles of a shared credentials file: every section is one."""
    return parse_ini(text, source=source, step="shared-credentials-file")


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedConfig:
    """The config file's profiles and ``[sso-session x]`` sections."""

    profiles: Profiles = field(default_factory=dict)
    sso_sessions: Profiles = field(default_factory=dict)


def parse_config_file(text: str, *, source: str = "config file") -> SharedConfig:
    """The profiles of a shared config file, by botocore's section rules."""
    profiles: Profiles = {}
    sso_sessions: Profiles = {}
    for name, values in parse_ini(text, source=source).items():
        if name.startswith("profile"):
            try:
                parts = shlex.split(name)
            except ValueError:
                continue  # botocore skips a section name shlex cannot split
            if len(parts) == 2:
                profiles[parts[1]] = values
        elif name == "default":
            profiles[name] = values
        elif name.startswith("sso-session"):
            try:
                parts = shlex.split(name)
            except ValueError:
                continue
            if len(parts) == 2:
                sso_sessions[parts[1]] = values
    return SharedConfig(profiles=profiles, sso_sessions=sso_sessions)


def merge_profiles(
    config: Mapping[str, Mapping[str, str]], credentials: Profiles
) -> Profiles:
    """botocore's ``Session.full_config`` profiles: config, then credentials keys."""
    merged: Profiles = {name: dict(values) for name, values in config.items()}
    for name, values in credentials.items():
        merged.setdefault(name, {}).update(values)
    return merged
