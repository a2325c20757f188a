#!/usr/bin/env python3
"""Checks socsim traces against docs/trace.schema.json, and the schema against the code.

  validate_traces.py traces SCHEMA DIR     every *.jsonl under DIR: each line one JSON object with
                                           every key once, valid against SCHEMA
  validate_traces.py kinds SCHEMA SOURCES README
                                           the event kinds the models emit (trace_event("kind", ...)
                                           under SOURCES) are exactly the schema's, and each is in
                                           README's trace table

The validator is Debian's python3-jsonschema (scripts/bootstrap installs it).
"""

import json
import pathlib
import re
import sys

try:
    import jsonschema
except ImportError:
    print("validate_traces.py needs Debian's python3-jsonschema (scripts/bootstrap installs it)")
    sys.exit(1)


def no_duplicate_keys(pairs):
    # json.loads keeps the last of two equal keys: a trace line with two "kind"s would pass.
    keys = [k for k, _ in pairs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError("key given twice: " + ", ".join(duplicates))
    return dict(pairs)


# Lines that differ only in their numbers and hexadecimal values validate alike: the schema's only
# checks on those are the hex pattern and `minimum: 0`, and the shape keeps both apart (a value
# that is not lower-case hex stays as it is, a minus sign stays). The suite's traces hold about
# two million events in a hundred shapes: each shape is parsed and validated once.
HEX_VALUES = re.compile(r'"0x[0-9a-f]+"')
DIGITS = re.compile(r"[0-9]+")


def shape(line):
    return DIGITS.sub("0", HEX_VALUES.sub('"0x0"', line))


def check_traces(schema_path, trace_dir):
    schema = json.loads(pathlib.Path(schema_path).read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    files = sorted(pathlib.Path(trace_dir).rglob("*.jsonl"))
    if not files:
        print(f"no traces (*.jsonl) under {trace_dir}: run the scenario tests first")
        return 1
    errors = 0
    kinds = {}
    events = 0
    shapes = set()
    for path in files:
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                events += 1
                key = shape(line)
                if key in shapes:
                    continue
                shapes.add(key)
                where = f"{path}:{number}"
                try:
                    event = json.loads(line, object_pairs_hook=no_duplicate_keys)
                except ValueError as e:
                    print(f"{where}: not one JSON object with unique keys: {e}")
                    errors += 1
                    continue
                for error in validator.iter_errors(event):
                    field = "/".join(str(p) for p in error.absolute_path) or "(the event)"
                    print(f"{where}: {field}: {error.message}")
                    errors += 1
                if isinstance(event, dict):
                    kinds[event.get("kind")] = kinds.get(event.get("kind"), 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: str(kv[0])))
    print(f"{len(files)} traces, {events} events in {len(shapes)} shapes (per kind: {summary}): {errors} errors")
    return 1 if errors else 0


def check_kinds(schema_path, sources, readme):
    schema_kinds = set(json.loads(pathlib.Path(schema_path).read_text())["properties"]["kind"]["enum"])
    emitted = {}
    pattern = re.compile(r'trace_event\s*(?:\w+\s*)?\(\s*"([a-z0-9_]+)"')
    for path in sorted(pathlib.Path(sources).rglob("*.cpp")):
        for kind in pattern.findall(path.read_text(encoding="utf-8")):
            emitted.setdefault(kind, str(path))
    # The README's table: rows "| `kind`, `kind2` | fields |" under "### Trace".
    text = pathlib.Path(readme).read_text(encoding="utf-8")
    section = text.split("### Trace", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            documented.update(re.findall(r"`([a-z0-9_]+)`", row.split("|")[1]))
    problems = []
    for kind, where in sorted(emitted.items()):
        if kind not in schema_kinds:
            problems.append(f"{where} emits '{kind}', which {schema_path} does not list")
        if kind not in documented:
            problems.append(f"{where} emits '{kind}', which README's trace table does not list")
    for kind in sorted(schema_kinds - emitted.keys()):
        problems.append(f"{schema_path} lists '{kind}', which no model under {sources} emits")
    for line in problems:
        print(line)
    print(f"{len(emitted)} kinds emitted, {len(schema_kinds)} in the schema, {len(documented)} in README: "
          f"{len(problems)} problems")
    return 1 if problems else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "traces":
        return check_traces(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "kinds":
        return check_kinds(argv[2], argv[3], argv[4])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
