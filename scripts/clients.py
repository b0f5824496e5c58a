"""`make clients` and `make clients-check`: the client libraries in clients/ from the service's schema.

The schema is exported from the code (`manage.py spectacular`, no server, no database), the same
document `/v1/openapi.json` serves, and committed as `clients/openapi.json`. From it:
- clients/python: openapi-python-client (pinned in clients/codegen/requirements.txt, run from
  .venv-clients); every file it writes is replaced, the hand-written ones (PYTHON_HAND_WRITTEN) are kept;
- clients/typescript/src/schema.ts: openapi-typescript (pinned in clients/typescript/package-lock.json);
  everything else there is hand-written.

`generate` writes all three; `check` writes them into a temporary folder and fails, naming the files,
when the committed ones differ (an endpoint changed without `make clients`).
"""

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "clients"
SCHEMA = CLIENTS / "openapi.json"
PYTHON_CLIENT = CLIENTS / "python"
TS_CLIENT = CLIENTS / "typescript"
TS_SCHEMA = TS_CLIENT / "src" / "schema.ts"
CODEGEN = CLIENTS / "codegen"
TOOLS_BIN = Path(os.environ.get("CLIENTS_VENV", ROOT / ".venv-clients")) / "bin"

# Paths under clients/python (a file, or a folder and all below it) that are written by hand.
PYTHON_HAND_WRITTEN = ("README.md", "onboarding_links_client/webhooks.py", "tests")
# Build and test leftovers, never compared nor removed.
IGNORED_NAMES = {"__pycache__", ".pytest_cache", ".ruff_cache", "dist", "build"}


def export_schema(dest: Path) -> None:
    # DEBUG on: the production start-up checks are about secrets and hosts, which the schema never shows.
    env = {**os.environ, "DEBUG": "true"}
    command = [sys.executable, "manage.py", "spectacular", "--format", "openapi-json", "--file", str(dest)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def generate_python(schema: Path, dest: Path) -> None:
    generator = TOOLS_BIN / "openapi-python-client"
    if not generator.exists():
        sys.exit(f"{generator} is missing: run `make clients-tools` first.")
    command = [
        str(generator),
        "generate",
        "--path",
        str(schema),
        "--config",
        str(CODEGEN / "python.yaml"),
        "--custom-template-path",
        str(CODEGEN / "python-templates"),
        "--meta",
        "pdm",
        "--output-path",
        str(dest),
        "--overwrite",
    ]
    # The generator formats its output with the ruff found on PATH: the pinned one beside it.
    env = {**os.environ, "PATH": f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or "Warning" in result.stdout + result.stderr:
        print(result.stdout + result.stderr, file=sys.stderr)
    if result.returncode != 0:
        sys.exit("openapi-python-client failed.")


def generate_typescript(schema: Path, dest: Path) -> None:
    generator = TS_CLIENT / "node_modules" / ".bin" / "openapi-typescript"
    if not generator.exists():
        sys.exit(f"{generator} is missing: run `make clients-tools` first.")
    # Not the default --default-non-nullable: a request field with a default (allowedFlows) may be left out.
    command = [str(generator), str(schema), "--default-non-nullable", "false", "--output", str(dest)]
    result = subprocess.run(command, cwd=TS_CLIENT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit("openapi-typescript failed.")


def _hand_written(relative: Path) -> bool:
    return any(relative == Path(path) or Path(path) in relative.parents for path in PYTHON_HAND_WRITTEN)


def generated_files(root: Path) -> dict[Path, bytes]:
    """Every file below `root` that the generator owns, by relative path."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        leftover = any(part in IGNORED_NAMES or part.endswith(".egg-info") for part in relative.parts)
        if path.is_file() and not leftover and not _hand_written(relative):
            files[relative] = path.read_bytes()
    return files


def sync_python(fresh: Path) -> None:
    """Make clients/python's generated files exactly `fresh`'s, keeping the hand-written ones."""
    wanted = generated_files(fresh)
    for relative in generated_files(PYTHON_CLIENT).keys() - wanted.keys():
        (PYTHON_CLIENT / relative).unlink()
    for relative, content in wanted.items():
        target = PYTHON_CLIENT / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    for folder in sorted((p for p in PYTHON_CLIENT.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def generate() -> None:
    export_schema(SCHEMA)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "python"
        generate_python(SCHEMA, fresh)
        sync_python(fresh)
    generate_typescript(SCHEMA, TS_SCHEMA)
    print(f"Regenerated {SCHEMA.relative_to(ROOT)}, clients/python and {TS_SCHEMA.relative_to(ROOT)}.")


def _differences(name: str, committed: dict[Path, bytes], fresh: dict[Path, bytes]) -> list[str]:
    problems = []
    for relative in sorted(committed.keys() | fresh.keys()):
        shown = f"{name}/{relative}"
        if relative not in committed:
            problems.append(f"missing: {shown}")
        elif relative not in fresh:
            problems.append(f"no longer generated: {shown}")
        elif committed[relative] != fresh[relative]:
            diff = difflib.unified_diff(
                committed[relative].decode(errors="replace").splitlines(),
                fresh[relative].decode(errors="replace").splitlines(),
                f"committed {shown}",
                f"regenerated {shown}",
                lineterm="",
                n=1,
            )
            problems.append(f"differs: {shown}\n" + "\n".join(list(diff)[:40]))
    return problems


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "openapi.json"
        export_schema(schema)
        generate_python(schema, Path(tmp) / "python")
        generate_typescript(schema, Path(tmp) / "schema.ts")
        name = Path("openapi.json")
        problems = [
            *_differences("clients", {name: SCHEMA.read_bytes()}, {name: schema.read_bytes()}),
            *_differences("clients/python", generated_files(PYTHON_CLIENT), generated_files(Path(tmp) / "python")),
            *_differences(
                "clients/typescript/src",
                {Path("schema.ts"): TS_SCHEMA.read_bytes() if TS_SCHEMA.exists() else b""},
                {Path("schema.ts"): (Path(tmp) / "schema.ts").read_bytes()},
            ),
        ]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("\nThe committed clients do not match the schema: run `make clients` and commit.", file=sys.stderr)
        return 1
    print("clients/ matches the schema.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["generate", "check"])
    args = parser.parse_args()
    if args.command == "generate":
        generate()
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
