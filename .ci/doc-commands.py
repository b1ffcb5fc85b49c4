#!/usr/bin/env python3
"""Check that every `interview-bot …` command the README and docs/ name still parses.

    python3 .ci/doc-commands.py target/release/interview-bot README.md docs/*.md

For each mention (`interview-bot SUB [SUBSUB] [--flag …]` or `cargo run … -- SUB …`, in code
spans and code blocks alike) it runs `BIN SUB [SUBSUB] --help` and requires exit 0, and that
every `--flag` written after it on the same command is one that --help lists. A doc that names a
command or flag the binary no longer has fails CI with the file and line.
"""
import re
import subprocess
import sys

# The binary's name, or `cargo run [flags] --`, then the rest of the command.
MENTION = re.compile(r"(?:\binterview-bot|cargo run(?: [-\w]+)* --)((?: +[^\s`|;&)]+)+)")
WORD = re.compile(r"^[a-z][a-z-]*$")


def helps(binary, words, cache):
    key = tuple(words)
    if key not in cache:
        run = subprocess.run([binary, *words, "--help"], capture_output=True, text=True)
        cache[key] = (run.returncode, run.stdout + run.stderr)
    return cache[key]


def main():
    binary, *files = sys.argv[1:]
    cache, failures, checked = {}, [], 0
    for path in files:
        in_block = False
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            # Tables escape the pipe between alternatives: `bank list\|show\|check`.
            text = line.replace("\\|", "/")
            for match in MENTION.finditer(text):
                tokens = match.group(1).split()
                if not tokens or not WORD.match(tokens[0]):
                    continue  # "interview-bot.db", a path, prose
                first = tokens[0]
                code, out = helps(binary, [first], cache)
                where = f"{path}:{number}: interview-bot {first}"
                if code != 0:
                    failures.append(f"{where}: --help exits {code}")
                    continue
                commands = [[first]]
                has_subcommands = "\nCommands:" in out
                if has_subcommands and len(tokens) > 1:
                    alternatives = [w for w in re.split(r"[/,]", tokens[1]) if WORD.match(w)]
                    if alternatives:
                        commands = [[first, w] for w in alternatives]
                for words in commands:
                    code, out = helps(binary, words, cache)
                    checked += 1
                    if code != 0:
                        failures.append(f"{path}:{number}: interview-bot {' '.join(words)}: --help exits {code}")
                        continue
                    for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(tokens)):
                        if flag not in ("--help", "--release", "--locked") and not re.search(
                            rf"{re.escape(flag)}\b", out
                        ):
                            failures.append(
                                f"{path}:{number}: interview-bot {' '.join(words)}: no flag {flag} in --help"
                            )
    for f in failures:
        print(f)
    print(f"{checked} command mentions checked, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
