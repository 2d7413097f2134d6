#!/usr/bin/env python3
"""A bounded differential against the real Helm engine (the oracles in ../shared/oracles).

Generates values files (YAML 1.1 scalars, tags, keys, merge keys, anchors, duplicate keys,
documents, null chart defaults) and charts of static templates (separators, comments,
whitespace, kinds, subfolders, partials, NOTES.txt) from a fixed seed, and compares:

  redis-ha values --show-secrets --chart DIR -f FILE... -o json   with   helm-values --chart DIR -f FILE...
  redis-ha render NAME --chart DIR                 with   helm-template DIR --name NAME

Exits 1 on any disagreement that is not one of the deliberate differences the README lists
(see `deliberate`). Usage: helm-differential.py BIN ORACLES_DIR [CASES]
"""

import base64
import json
import os
import random
import subprocess
import sys
import tempfile

BIN, ORACLES = sys.argv[1], sys.argv[2]
CASES = int(sys.argv[3]) if len(sys.argv) > 3 else 300
rng = random.Random(int(os.environ.get("HELM_DIFF_SEED", "12")))

INTS = ["0", "7", "-12", "+3", "1_000", "1__0", "0777", "09", "0o17", "0O17", "0x1F", "0X1f",
        "0x_1f", "0b101", "-0b11", "-0x10", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "18446744073709551615", "99999999999999999999", "_1", "1_",
        "0x", "0b2", "08", "-0"]
FLOATS = ["1.", ".5", "1.5", "-2.25", "1e3", "1E3", "1.5e-3", "+.5", "-.5", "1e400", "1_0.5",
          "0.1e3", "1e", "e3", ".", "1.2.3", "6.02e23", "0.0", "-0.0", "1e-400"]
SPECIAL = [".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", ".Nan"]
BOOLS = ["y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "true", "True",
         "TRUE", "tRUE", "false", "False", "on", "On", "ON", "oN", "off", "Off", "OFF"]
NULLS = ["~", "null", "Null", "NULL", "nuLL", ""]
STRS = ["text", "10Gi", "-", "2001-12-14", "2001-12-14T21:59:43.10-05:00", "2001-12-14 21:59:43.10",
        "12:30", "a b", "x-y", "<<", "=", "1-2"]
TAGS = ["!!int", "!!float", "!!bool", "!!null", "!!str", "!!timestamp", "!foo", "!"]


def scalar_text():
    pool = rng.choice([INTS, FLOATS, BOOLS, NULLS, STRS, SPECIAL if rng.random() < 0.2 else STRS])
    return rng.choice(pool)


def scalar():
    text = scalar_text()
    style = rng.random()
    if text == "" and style < 0.6:
        return ""
    if style < 0.55:
        out = text
    elif style < 0.7:
        out = "'" + text + "'"
    elif style < 0.8:
        out = '"' + text + '"'
    elif style < 0.95:
        tag = rng.choice(TAGS)
        out = tag + " " + rng.choice([text, '"' + text + '"'])
    else:
        data = rng.choice(["hello", "a:b", "", "\u00e9t\u00e9"]).encode()
        out = "!!binary " + base64.b64encode(data).decode()
    return out


def flow_item():
    item = scalar()
    return "'-'" if item in ("", "-") or item.endswith(" -") else item


def key():
    r = rng.random()
    if r < 0.5:
        return "k" + str(rng.randrange(6))
    if r < 0.6:
        return rng.choice(["1.5", "3.14159265358979", "1e10", "1e3", "0x1f", "1_0", "-2", ".inf",
                           "yes", "on", "n", "1.0", "0.00001", "1234567.0"])
    if r < 0.65:
        # Not a quoted number beside the same number: Helm keeps one of the two at random.
        return rng.choice(["~", "null", "18446744073709551615", "'~'"])
    return rng.choice(["name", "port", "'yes'", '"on"', "a.b", "x_y"])


def mapping(depth, indent=""):
    lines = []
    anchors = []
    for _ in range(rng.randrange(1, 5)):
        k = key()
        r = rng.random()
        if depth > 0 and r < 0.3:
            anchor = ""
            if rng.random() < 0.3:
                anchor = " &m" + str(len(anchors) + depth)
                anchors.append(anchor[2:])
            body, more = mapping(depth - 1, indent + "  ")
            anchors += more
            lines.append(f"{indent}{k}:{anchor}\n{body}")
        elif r < 0.4:
            # A lone `-` in a flow list is refused (a deliberate difference the README lists).
            items = ", ".join(flow_item() for _ in range(rng.randrange(0, 4)))
            lines.append(f"{indent}{k}: [{items}]\n")
        else:
            lines.append(f"{indent}{k}: {scalar()}\n")
    return "".join(lines), anchors


def merge_doc():
    """Anchors and `<<` in various places, as go-yaml applies them."""
    base = "base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nlist: &l [1, 2]\ns: &s text\n"
    forms = [
        "c: {x: 0, <<: *b}", "c: {<<: *b, x: 0}", "c: {<<: [*b, *o]}", "c: {<<: [*o, *b], z: 9}",
        "c: {<<: *l}", "c: {<<: *s}", "c: {<<: {x: 5}}", "c: {'<<': *b}", "c:\n  <<: *b\n  <<: *o",
        "c: {<<: [*b, 1]}", "c: {x: 1, x: 2}", "c: *b", "c: [*b, *l, *s]", "c: {<<: [{w: 1}, *b]}",
        "k: 1\nk: {a: 1}", "*s : 1",
    ]
    return base + rng.choice(forms) + "\n"


def values_file():
    r = rng.random()
    if r < 0.2:
        return merge_doc()
    body, _ = mapping(2)
    if r < 0.35:
        sep = rng.choice(["---\n", "--- # comment\n", "---   \n", "...\n", "--- x\n"])
        second, _ = mapping(1)
        return body + sep + second
    return body


def chart_values():
    body = "kept: 1\ndropped: null\nnested:\n  a: null\n  b: 2\n  deep: {c: null, d: [null, 1]}\nm: {x: 1}\n"
    return body


def user_overlay():
    return rng.choice([
        "", "kept: null\n", "nested: {b: null}\n", "nested: {a: null}\n", "nested: null\n",
        "m: 5\n", "kept: {z: 1}\n", "new: null\n", "nested: {deep: {c: 1}}\n", "dropped: 3\n",
    ])


def run_ours(args):
    p = subprocess.run([BIN, "values", "--show-secrets", *args, "-o", "json"], capture_output=True, text=True)
    if p.returncode == 0:
        return ("values", json.loads(p.stdout))
    return ("error", p.stderr.strip())


def same_json(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        # Deliberate: redis-ha keeps integers exact, Helm's go through float64.
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return a == b


def deliberate(ours, helm):
    """The README's deliberate differences that a generated case can hit."""
    kind, detail = ours
    if kind == "error" and "nest deeper than" in detail:
        return True
    return False


def values_differential(work):
    chart = os.path.join(work, "chart")
    os.makedirs(os.path.join(chart, "templates"))
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: diff\nversion: 0.1.0\n")
    cases = []
    for i in range(CASES):
        files = []
        if rng.random() < 0.3:
            path = os.path.join(work, f"o{i}.yaml")
            with open(path, "w") as f:
                f.write(user_overlay())
            files.append(path)
        path = os.path.join(work, f"v{i}.yaml")
        with open(path, "w") as f:
            f.write(values_file())
        files.append(path)
        args = ["--chart", chart]
        for path in files:
            args += ["-f", path]
        cases.append(args)
    with open(os.path.join(chart, "values.yaml"), "w") as f:
        f.write(chart_values())
    batch = "".join(json.dumps(a) + "\n" for a in cases)
    out = subprocess.run([os.path.join(ORACLES, "helm-values"), "--batch"], input=batch,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    failures = skipped = 0
    for args, line in zip(cases, out):
        helm = json.loads(line)
        if "oracle" in helm:
            skipped += 1
            continue
        ours = run_ours(args)
        agree = ("values" in helm and ours[0] == "values" and same_json(ours[1], helm["values"])) \
            or ("error" in helm and ours[0] == "error")
        if not agree and not deliberate(ours, helm):
            failures += 1
            if failures <= 15:
                shown = "".join(f"--- {p}\n{open(p).read()}" for p in args[3::2])
                print(f"values disagree:\n{shown}  redis-ha: {ours}\n  helm:     {helm}\n")
    print(f"values: {len(cases)} cases, {failures} disagreements, {skipped} the oracle could not decide")
    return failures


KINDS = ["ConfigMap", "Secret", "Service", "Deployment", "StatefulSet", "Namespace", "Pod",
         "ServiceAccount", "Zed", "Alpha", "CustomThing", "PodDisruptionBudget", "Job", "Role"]
SEPARATORS = ["---\n", "\n---\n", "--- # a comment\n", "---   \n\n", "\n\n---\n---\n", "---\n\n---\n",
              "---\t\n", "\n---"]
TRAILING = ["", "\n", "\n\n", "  \n", "\n \n", "\n\n\n"]


def document(n):
    kind = rng.choice(KINDS)
    lines = [f"apiVersion: v1", f"kind: {kind}", f"metadata:", f"  name: d{n}"]
    if rng.random() < 0.4:
        lines.insert(rng.randrange(len(lines) + 1), "# a comment")
    if rng.random() < 0.3:
        lines += ["data:", "  text: |", "    one", "    ---not a separator", "    two"]
    if rng.random() < 0.2:
        return "# only a comment"
    return "\n".join(lines)


def template_text():
    parts = []
    if rng.random() < 0.3:
        parts.append(rng.choice(["\n", "\n\n", "---\n", "  \n---\n"]))
    for i in range(rng.randrange(1, 4)):
        if i:
            sep = rng.choice(SEPARATORS)
            # Text glued to `---` is no separator: both tools would see duplicate keys.
            parts.append(sep if sep.startswith("\n") else "\n" + sep)
        parts.append(document(i))
    parts.append(rng.choice(TRAILING))
    return "".join(parts)


def render_differential(work, charts):
    failures = 0
    oracle = os.path.join(ORACLES, "helm-template")
    values_json = os.path.join(work, "empty.json")
    with open(values_json, "w") as f:
        f.write("{}")
    for c in range(charts):
        chart = os.path.join(work, f"chart{c}")
        os.makedirs(os.path.join(chart, "templates", "sub"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write(f"apiVersion: v2\nname: static{c}\nversion: 0.1.0\n")
        names = rng.sample(["a.yaml", "b.yaml", "sub/c.yaml", "sub-d.yaml", "z.yml", "m.yaml"],
                           rng.randrange(1, 5))
        for name in names:
            with open(os.path.join(chart, "templates", name), "w") as f:
                f.write(template_text())
        with open(os.path.join(chart, "templates", "NOTES.txt"), "w") as f:
            f.write("Installed.\n")
        with open(os.path.join(chart, "templates", "_partial.tpl"), "w") as f:
            f.write("kind: Never\n")
        helm = subprocess.run([oracle, chart, "--values-json", values_json, "--name", "rel"],
                              capture_output=True, text=True)
        ours = subprocess.run([BIN, "render", "rel", "--chart", chart], capture_output=True, text=True)
        if helm.returncode == 3:
            continue
        agree = (helm.returncode == 0 and ours.returncode == 0 and helm.stdout == ours.stdout) or \
            (helm.returncode != 0 and ours.returncode != 0)
        # Deliberate (README): a map without apiVersion or kind, a duplicate key in a manifest.
        if not agree and ours.returncode == 2 and (
                "has no `" in ours.stderr or "duplicate key" in ours.stderr):
            agree = True
        if not agree:
            failures += 1
            if failures <= 5:
                print(f"render disagrees on {chart}:\n--- redis-ha ({ours.returncode})\n{ours.stdout}{ours.stderr}"
                      f"--- helm ({helm.returncode})\n{helm.stdout}{helm.stderr}")
    print(f"render: {charts} charts, {failures} disagreements")
    return failures


def main():
    with tempfile.TemporaryDirectory() as work:
        failures = values_differential(work)
        failures += render_differential(work, max(CASES // 10, 5))
    sys.exit(1 if failures else 0)


main()
