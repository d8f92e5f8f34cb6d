"""The apps depend in one direction, and services never import tasks (docs/architecture.md).

Read from the source with ``ast`` (imports inside functions count too), so a new import that
breaks a rule fails here, not as an import cycle at start-up.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["ilusmart.fluvius", "accounts", "consents", "meters", "privacy"]  # lower ← higher


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str):
    base = ROOT / package.replace(".", "/")
    for path in base.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path


def _layer(module: str) -> int | None:
    for index, package in enumerate(ORDER):
        if module == package or module.startswith(package + "."):
            return index
    return None


@pytest.mark.parametrize("package", ORDER)
def test_no_app_imports_a_higher_one(package):
    own = ORDER.index(package)
    wrong = []
    for path in _modules(package):
        for module in _imports(path):
            layer = _layer(module)
            if layer is not None and layer > own:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_the_fluvius_package_imports_nothing_of_ours_but_the_clock():
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _modules("ilusmart.fluvius")
        for module in _imports(path)
        if module.split(".")[0] in {"accounts", "consents", "meters", "privacy", "ilusmart"}
        and not module.startswith("ilusmart.fluvius")
        and module not in {"ilusmart", "ilusmart.clock"}
    ]
    assert wrong == []


def test_services_and_selectors_never_import_tasks():
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for package in ("accounts", "consents", "meters", "privacy")
        for path in _modules(package)
        if {"services", "selectors"} & set(path.parts)
        for module in _imports(path)
        if module.endswith(".tasks") or module == "tasks"
    ]
    assert wrong == []


def test_fluvius_types_do_not_import_slots():
    assert not any("slots" in m for m in _imports(ROOT / "ilusmart/fluvius/types.py"))
    relative = [
        n.module
        for n in ast.walk(ast.parse((ROOT / "ilusmart/fluvius/types.py").read_text()))
        if isinstance(n, ast.ImportFrom) and n.level
    ]
    assert relative == ["localtime"]


# Keys of Fluvius's JSON (fluvius-api.md), distinctive enough that our own code has no other use
# for them. A Fluvius answer is read in ilusmart/fluvius/payloads.py only.
FLUVIUS_JSON_KEYS = frozenset(
    {
        "_meta",
        "fetchTime",
        "referenceNumber",
        "dataAccessContractNumber",
        "dataServiceType",
        "dataServiceTypes",
        "dataPeriodFrom",
        "dataPeriodTo",
        "mandateExpirationDate",
        "renewalStatus",
        "lastUpdatedFrom",
        "lastUpdatedTo",
        "shortUrlIdentifier",
        "headpoint",
        "physicalMeters",
        "quarterHourlyEnergy",
        "hourlyEnergy",
        "dailyEnergy",
        "validationState",
        "energyType",
        "periodType",
    }
)


def _outside_the_fluvius_package():
    """Every module of the apps and of the project package except ilusmart/fluvius/ itself."""
    for package in ("accounts", "consents", "meters", "privacy", "ilusmart"):
        for path in _modules(package):
            if path.relative_to(ROOT).parts[:2] != ("ilusmart", "fluvius"):
                yield path


# The client's methods that hand out (or decode) raw JSON; private, for ilusmart/fluvius/ only.
RAW_CLIENT_METHODS = frozenset({"_request_json", "_energy_fetch_raw", "_energy_payloads", "_json_success"})


def test_no_module_outside_the_fluvius_package_reads_fluvius_json():
    """The client hands out typed values (``MandateList``, ``DayReadings``…), never a payload.

    Outside ilusmart/fluvius/ nothing imports the payload parsers, calls the client's raw request
    methods or ``.json()`` on a response, or spells one of Fluvius's JSON keys.
    """
    from ilusmart.fluvius.client import FluviusClient

    assert all(hasattr(FluviusClient, name) for name in RAW_CLIENT_METHODS)  # kept up to date
    wrong = []
    for path in _outside_the_fluvius_package():
        where = path.relative_to(ROOT)
        wrong += [f"{where} imports {m}" for m in _imports(path) if m == "ilusmart.fluvius.payloads"]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "ilusmart.fluvius":
                wrong += [
                    f"{where} imports ilusmart.fluvius.payloads" for a in node.names if a.name == "payloads"
                ]
            elif isinstance(node, ast.Attribute) and node.attr in RAW_CLIENT_METHODS:
                wrong.append(f"{where}:{node.lineno} calls the client's raw {node.attr}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "json"
            ):
                wrong.append(f"{where}:{node.lineno} decodes a response with .json()")
            elif isinstance(node, ast.Constant) and node.value in FLUVIUS_JSON_KEYS:
                wrong.append(f"{where}:{node.lineno} spells the Fluvius JSON key {node.value!r}")
    assert wrong == []
