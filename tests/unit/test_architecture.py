"""House rules that are cheap to check mechanically."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_never_import_discord() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in _imports(path) if n.split(".")[0] == "discord")
        for path in (ROOT / "bot" / "services").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_import_check_would_catch_discord(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from discord import ui\nimport discord.ext.commands\n")
    assert {"discord", "discord.ext.commands"} <= _imports(sample)


# SELECT counts only when a column list follows, so discord.py's own `ui.Select` menu class
# (which every select menu in a cog names) is not taken for SQL.
SQL = re.compile(
    r"\bSELECT\s+[\w*(]|\b(INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b", re.IGNORECASE
)


def test_the_sql_check_tells_sql_from_select_menus() -> None:
    for sql in ("SELECT id FROM t", "select * from t", "INSERT INTO t", "update t set x = 1",
                "DELETE FROM t", "SELECT count(*) FROM t"):
        assert SQL.search(sql), sql
    for code in ("menu = discord.ui.Select(options=opts)", "@discord.ui.select(row=1)",
                 "def pick(self, select: discord.ui.Select) -> None:", "select.values"):
        assert not SQL.search(code), code


def test_cogs_hold_no_sql() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "cogs").rglob("*.py")
        if SQL.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def _pokes(source: str) -> list[int]:
    """Lines that reach a scheduler's ``poke`` (called, or taken to call later)."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == "poke")


def test_the_poke_check_would_catch_a_hand_written_wake() -> None:
    sample = (
        "async def cmd(self, interaction):\n"
        "    await self.service.request(1, 2)\n"
        "    self.bot.scheduler.poke('mentoring')\n"
        "    wake = bot_of(interaction).scheduler.poke\n"
    )
    assert _pokes(sample) == [3, 4]
    assert _pokes("self.bot.services.outbox.enqueue('k', due=now)\n") == []


def test_no_cog_wakes_the_scheduler_by_hand() -> None:
    """Due work wakes its timer itself, after the commit that wrote it (the outbox's enqueue,
    or a service's own waker): a wake that every caller must remember gets forgotten."""
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "cogs").rglob("*.py")
        if (lines := _pokes(path.read_text("utf-8")))
    }
    assert offenders == {}


# -- module graph ------------------------------------------------------------------------------
PACKAGES = ("bot", "cogs", "localdiscord")


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the project modules it imports, lazy (in-function) imports included and
    ``if TYPE_CHECKING:`` blocks excluded (they never run). ``from pkg import sub`` depends on
    ``pkg.sub`` when that is a module (the package itself is then already initialised)."""
    files = {
        _module_name(root, path): path
        for package in packages if (root / package).is_dir()
        for path in (root / package).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text("utf-8"))
        type_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for stmt in node.body for inner in ast.walk(stmt)
        }
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        wanted: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            if isinstance(node, ast.Import):
                wanted.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    wanted.add(full if full in files else base)
        deps = set()
        for dep in wanted:
            while dep and dep not in files:
                dep = dep.rpartition(".")[0]
            if dep and dep != name:
                deps.add(dep)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_lazy_ones_included() -> None:
    assert _cycles(_graph(ROOT, PACKAGES)) == []


def test_the_cycle_check_would_catch_a_lazy_cycle(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\n")
    (tmp_path / "pkg" / "b.py").write_text("def f():\n    from pkg.a import x\n")
    (tmp_path / "pkg" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import y\n"
    )
    assert _cycles(_graph(tmp_path, ("pkg",))) == [["pkg.a", "pkg.b"]]


def _private_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a package's private module (``pkg._name``) from outside that package."""
    bad = []
    for module, deps in graph.items():
        for dep in deps:
            owner, _, leaf = dep.rpartition(".")
            if leaf.startswith("_") and not leaf.startswith("__") and not (
                module == owner or module.startswith(owner + ".")
            ):
                bad.append(f"{module} -> {dep}")
    return sorted(bad)


def test_private_modules_are_imported_only_by_their_package() -> None:
    """A package's API is its ``__init__``; tests may reach inside (they are not scanned)."""
    assert _private_imports(_graph(ROOT, PACKAGES)) == []


def test_the_private_import_check_would_catch_a_reach_inside(tmp_path: Path) -> None:
    for package in ("svc", "web"):
        (tmp_path / package).mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("from svc._store import load\n")
    (tmp_path / "svc" / "_store.py").write_text("def load(): ...\n")
    (tmp_path / "svc" / "feature.py").write_text("from svc._store import load\n")
    (tmp_path / "web" / "__init__.py").write_text("")
    (tmp_path / "web" / "views.py").write_text("from svc import load\nfrom svc._store import load\n")
    assert _private_imports(_graph(tmp_path, ("svc", "web"))) == ["web.views -> svc._store"]


def test_bot_core_never_imports_cogs() -> None:
    """The adapters depend on the core, never the other way (bot.app only finds the cog
    packages to load them)."""
    graph = _graph(ROOT, PACKAGES)
    offenders = {
        module: sorted(d for d in deps if d.split(".")[0] == "cogs")
        for module, deps in graph.items()
        if module.startswith("bot.") and module != "bot.app"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


# -- cog shape ---------------------------------------------------------------------------------
def _loose_cogs(cogs_root: Path) -> list[str]:
    """Modules that define an extension ``setup`` outside a capability package's ``__init__``
    (a cog is ``cogs/<capability>/``, its ``setup`` in ``__init__.py``)."""
    loose = []
    for path in sorted(cogs_root.rglob("*.py")):
        relative = path.relative_to(cogs_root)
        tree = ast.parse(path.read_text("utf-8"))
        has_setup = any(isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
                        and node.name == "setup" for node in tree.body)
        in_package = len(relative.parts) == 2 and relative.name == "__init__.py"
        if has_setup and not in_package:
            loose.append(relative.as_posix())
    return loose


def test_every_cog_is_a_package() -> None:
    assert _loose_cogs(ROOT / "cogs") == []


def test_the_package_check_would_catch_a_single_module_cog(tmp_path: Path) -> None:
    (tmp_path / "flat.py").write_text("async def setup(bot): ...\n")
    (tmp_path / "_base.py").write_text("class FmgCog: ...\n")
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "__init__.py").write_text("async def setup(bot): ...\n")
    (tmp_path / "good" / "cog.py").write_text("async def setup(bot): ...\n")
    (tmp_path / "good" / "views.py").write_text("def setup_view(): ...\n")
    assert _loose_cogs(tmp_path) == ["flat.py", "good/cog.py"]


def _hand_added_commands(source: str) -> list[int]:
    """Lines that add or remove app commands by hand (``tree.add_command``, a group's
    ``add_command``, or either taken to call later)."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Attribute)
                  and node.attr in ("add_command", "remove_command"))


def test_the_command_check_would_catch_a_hand_added_group() -> None:
    sample = (
        "async def cog_load(self):\n"
        "    self.bot.tree.add_command(self.group)\n"
        "    tree = self.bot.tree\n"
        "    tree.remove_command('mentor')\n"
        "    self.group.add_command(switch)\n"
    )
    assert _hand_added_commands(sample) == [2, 4, 5]
    assert _hand_added_commands("@group.command(name='x')\nasync def x(self, i): ...\n") == []


def test_no_cog_adds_commands_by_hand() -> None:
    """Slash commands are class-level groups of the cog (discord.py adds and removes them with
    it); only the base cog touches the tree, for context menus (`cogs/_base.py`)."""
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "cogs").rglob("*.py")
        if path.name != "_base.py" and (lines := _hand_added_commands(path.read_text("utf-8")))
    }
    assert offenders == {}


def _bare_groups(source: str) -> list[int]:
    """Lines that build an ``app_commands.Group`` directly instead of through the base cog's
    ``guild_group`` (server-only, with the guild context set) or ``anywhere_group`` (DMs too):
    each group states where it may be used."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "Group")


def test_the_group_check_would_catch_a_bare_group() -> None:
    sample = (
        "class C:\n"
        "    cycle = app_commands.Group(name='cycle', description='x', guild_only=True)\n"
        "    mentor = guild_group('mentor', 'Mentor matchmaking')\n"
    )
    assert _bare_groups(sample) == [2]


def test_command_groups_are_built_by_guild_group() -> None:
    """A group built by hand once set ``guild_only`` but not the guild context; every group
    goes through ``cogs._base.guild_group`` or ``anywhere_group``."""
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "cogs").rglob("*.py")
        if path.name != "_base.py" and (lines := _bare_groups(path.read_text("utf-8")))
    }
    assert offenders == {}


# -- services return data; adapters render -----------------------------------------------------
MARKUP = ("<@", "<#", "<t:")
#: UserError subclasses (bot/errors.py): their message is what a member reads, so it may mention.
USER_ERRORS = ("Error", "Conflict", "NotFound", "Forbidden", "InvalidInput")


def _markup(source: str) -> list[int]:
    """Lines of string literals and f-string parts holding Discord markup, outside docstrings
    (any bare string statement), the message of a raised UserError, and regular expressions
    (``re.compile(r"<@!?\\d+>")`` recognises markup, as the sanitiser must; it writes none)."""
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            exempt.add(id(node.value))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = ast.unparse(node.exc.func).rpartition(".")[2]
            if name.endswith(USER_ERRORS):
                exempt.update(id(inner) for arg in node.exc.args for inner in ast.walk(arg))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and ast.unparse(node.func.value) == "re" and node.args):
            exempt.update(id(inner) for inner in ast.walk(node.args[0]))
    return sorted(
        node.lineno for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in exempt and any(m in node.value for m in MARKUP)
    )


def test_services_write_no_discord_markup() -> None:
    """Services return ids and aware datetimes; the cogs render mentions and timestamps."""
    offenders = {
        path.relative_to(ROOT).as_posix(): lines
        for path in (ROOT / "bot" / "services").rglob("*.py")
        if (lines := _markup(path.read_text("utf-8")))
    }
    assert offenders == {}


def test_the_markup_check_would_catch_a_rendered_mention() -> None:
    sample = (
        '"""Module docstring: <t:...> renders in each reader\'s zone."""\n'
        "import re\n"
        "from bot.errors import Conflict\n"
        "MENTION = re.compile(r'<@!?\\d+>')\n"
        "def notice(user_id, epoch, channel_id):\n"
        "    '''<@id> in a docstring is fine.'''\n"
        "    if not user_id:\n"
        "        raise Conflict(f'Already taken by <@{user_id}>.')\n"
        "    head = f'<@{user_id}> '\n"
        "    return head + f'starts <t:{epoch}:R>' + '<#' + str(channel_id) + '>'\n"
        "def fail():\n"
        "    raise ValueError(f'<@{1}>')\n"
        "def not_raised():\n"
        "    return Conflict(f'<@{1}>')\n"
    )
    assert _markup(sample) == [9, 10, 10, 14]


# -- time in the domain ------------------------------------------------------------------------
#: Name parts that make an int or float field an instant (``expires``, ``due_epoch``...).
TIME_WORDS = {"when", "deadline", "until", "since", "expires", "expiry", "due", "epoch",
              "timestamp", "ts", "time"}


def _epoch_fields(source: str) -> list[str]:
    """Dataclass fields that hold an instant as a number: a name ending in ``_at`` not typed
    ``datetime``, or a time-ish name typed ``int``/``float``. Instants are aware datetimes in
    the domain; epoch seconds stay in storage code (rows, not dataclasses)."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef) or not any(
            ast.unparse(d).split("(")[0].rpartition(".")[2] == "dataclass"
            for d in node.decorator_list
        ):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            names = {n.id for n in ast.walk(stmt.annotation) if isinstance(n, ast.Name)}
            numeric = bool(names & {"int", "float"})
            if (name.endswith("_at") and "datetime" not in names) or (
                numeric and set(name.split("_")) & TIME_WORDS
            ):
                bad.append(f"{node.name}.{name}")
    return bad


def test_domain_dataclasses_carry_datetimes_not_epoch_numbers() -> None:
    offenders = {
        path.relative_to(ROOT).as_posix(): fields
        for path in (ROOT / "bot" / "services").rglob("*.py")
        if (fields := _epoch_fields(path.read_text("utf-8")))
    }
    assert offenders == {}


def test_the_time_check_would_catch_an_epoch_field() -> None:
    sample = (
        "from dataclasses import dataclass\n"
        "import dataclasses\n"
        "@dataclass(frozen=True)\n"
        "class Offer:\n"
        "    id: int\n"
        "    created_at: int\n"
        "    expires_at: int | None\n"
        "    decided_at: datetime | None\n"
        "    due_epoch: float\n"
        "    duration_minutes: int\n"
        "    timezone: str\n"
        "@dataclasses.dataclass\n"
        "class Row:\n"
        "    sent_at: 'int'\n"
        "class NotData:\n"
        "    created_at: int\n"
    )
    assert _epoch_fields(sample) == ["Offer.created_at", "Offer.expires_at", "Offer.due_epoch",
                                     "Row.sent_at"]
