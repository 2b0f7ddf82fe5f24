"""cfn-init and cfn-hup: ``AWS::CloudFormation::Init`` planned in cfn-init's order.

>>> from awscore.cfn_init import plan
>>> metadata = {"config": {
...     "packages": {"yum": {"httpd": []}},
...     "files": {"/var/www/html/index.html": {"content": "Hello World"}},
...     "services": {"sysvinit": {"httpd": {"enabled": True, "ensureRunning": True}}},
... }}
>>> for action in plan(metadata).actions:
...     print(action.path)
config.packages.yum.httpd
config.files./var/www/html/index.html
config.services.sysvinit.httpd
"""

from __future__ import annotations

from awscore.cfn_init._archive import ArchiveLimits
from awscore.cfn_init._execute import (
    NEW_FILE_MODE,
    ActionResult,
    Backend,
    DryRunBackend,
    Fetch,
    PackageManager,
    RecordingPackageManager,
    RecordingServiceManager,
    RecordingUserManager,
    Report,
    ServiceManager,
    Status,
    StepResult,
    UserManager,
    execute,
    fetch_url,
    service_operations,
)
from awscore.cfn_init._hup import (
    Hook,
    HookFiring,
    HookPath,
    HupConfig,
    HupDecision,
    Trigger,
    hooks_to_fire,
)
from awscore.cfn_init._local import LocalBackend, SandboxServiceManager
from awscore.cfn_init._model import (
    PACKAGE_MANAGER_ORDER,
    PACKAGE_TOOLS,
    SECTION_ORDER,
    SERVICE_MANAGERS,
    Action,
    Command,
    Detail,
    Failure,
    File,
    Group,
    Package,
    Plan,
    Section,
    Service,
    Skip,
    Source,
    User,
)
from awscore.cfn_init._mustache import render as render_mustache
from awscore.cfn_init._packages import interpret_boolean, package_manager_key
from awscore.cfn_init._plan import MAX_SET_DEPTH, plan
from awscore.cfn_init._template import (
    INIT_KEY,
    MAX_VALUES,
    CfnYamlLoader,
    load_init_metadata,
    parse_template,
)
from awscore.cfn_init._validate import is_truthy, validate

__all__ = [
    "INIT_KEY",
    "MAX_SET_DEPTH",
    "MAX_VALUES",
    "NEW_FILE_MODE",
    "PACKAGE_MANAGER_ORDER",
    "PACKAGE_TOOLS",
    "SECTION_ORDER",
    "SERVICE_MANAGERS",
    "Action",
    "ActionResult",
    "ArchiveLimits",
    "Backend",
    "CfnYamlLoader",
    "Command",
    "Detail",
    "DryRunBackend",
    "Failure",
    "Fetch",
    "File",
    "Group",
    "Hook",
    "HookFiring",
    "HookPath",
    "HupConfig",
    "HupDecision",
    "LocalBackend",
    "Package",
    "PackageManager",
    "Plan",
    "RecordingPackageManager",
    "RecordingServiceManager",
    "RecordingUserManager",
    "Report",
    "SandboxServiceManager",
    "Section",
    "Service",
    "ServiceManager",
    "Skip",
    "Source",
    "Status",
    "StepResult",
    "Trigger",
    "User",
    "UserManager",
    "execute",
    "fetch_url",
    "hooks_to_fire",
    "interpret_boolean",
    "is_truthy",
    "load_init_metadata",
    "package_manager_key",
    "parse_template",
    "plan",
    "render_mustache",
    "service_operations",
    "validate",
]
