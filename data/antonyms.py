#!/usr/bin/env python3
"""Derive data/antonyms.txt from WordNet 3.0 (Debian's wordnet-base: /usr/share/wordnet).

    apt-get install wordnet-base && python3 data/antonyms.py > data/antonyms.txt

Two words are antonyms here when WordNet's lexical antonym pointer ("!") links them: "fast" /
"slow", "enable" / "disable", "synchronous" / "asynchronous". Only direct pointers count (not the
"indirect" antonyms of a head's satellites: "speedy" is not listed against "slow"), and only
one-word lemmas of lowercase letters, so a pair names the two ends of one scale.

The scorer uses them to tell an answer that says the opposite of the reference in other words
("child processes are slower") from one that says it again ("… are faster"). A few pairs
technical text uses as opposites that WordNet lacks are added (TECHNICAL), and pairs that in
technical text are not opposites are left out (NOT_OPPOSITE: "input" / "output" name the two
halves of I/O, not a reversal).

Output: one line per word, "word antonym antonym …", words and antonyms sorted bytewise.
"""
import collections
import re

WORDNET = "/usr/share/wordnet"
WORD = re.compile(r"^[a-z]+$")

TECHNICAL = [
    ("sync", "async"), ("blocking", "nonblocking"), ("stateful", "stateless"),
    ("mutable", "immutable"), ("encrypted", "plaintext"), ("parallel", "sequential"),
    ("concurrent", "sequential"), ("optional", "required"), ("public", "private"),
    ("before", "after"), ("increase", "decrease"), ("increases", "decreases"),
    ("enabled", "disabled"), ("enables", "disables"), ("allow", "forbid"), ("allows", "forbids"),
    ("faster", "slower"), ("larger", "smaller"), ("bigger", "smaller"), ("more", "less"),
    ("more", "fewer"), ("higher", "lower"), ("cheaper", "costlier"), ("safe", "unsafe"),
    ("secure", "insecure"), ("valid", "invalid"), ("single", "multi"),
]
NOT_OPPOSITE = [
    ("input", "output"), ("read", "write"), ("client", "server"), ("request", "response"),
    ("question", "answer"), ("left", "right"), ("man", "woman"), ("parent", "child"),
    ("send", "receive"), ("buy", "sell"), ("push", "pull"), ("open", "close"), ("start", "end"),
    ("start", "finish"), ("begin", "end"), ("first", "last"), ("import", "export"),
    ("key", "value"), ("head", "tail"), ("front", "back"), ("top", "bottom"),
]


def antonyms(pos):
    out = []
    for line in open(f"{WORDNET}/data.{pos}", encoding="latin-1"):
        if line.startswith("  "):  # the licence header
            continue
        f = line.split()
        count = int(f[3], 16)
        lemmas = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]) for i in range(count)]
        p = 4 + 2 * count
        for k in range(int(f[p])):
            symbol, target, tpos, st = f[p + 1 + 4 * k : p + 5 + 4 * k]
            if symbol != "!":
                continue
            source, dest = int(st[:2], 16), int(st[2:], 16)
            out.append((lemmas[source - 1], target, tpos, dest))
    return out


def lemma_at(tables, offset, pos, number):
    pos = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}[pos]
    return tables[pos][offset][number - 1]


tables = {}
for pos in ["noun", "verb", "adj", "adv"]:
    t = {}
    for line in open(f"{WORDNET}/data.{pos}", encoding="latin-1"):
        if line.startswith("  "):
            continue
        f = line.split()
        count = int(f[3], 16)
        t[f[0]] = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]) for i in range(count)]
    tables[pos] = t

pairs = collections.defaultdict(set)


def link(a, b):
    if a != b and WORD.match(a) and WORD.match(b):
        pairs[a].add(b)
        pairs[b].add(a)


for pos in ["noun", "verb", "adj", "adv"]:
    for word, target, tpos, dest in antonyms(pos):
        link(word, lemma_at(tables, target, tpos, dest))
for a, b in TECHNICAL:
    link(a, b)
for a, b in NOT_OPPOSITE:
    pairs[a].discard(b)
    pairs[b].discard(a)

for w in sorted(pairs):
    if pairs[w]:
        print(w, *sorted(pairs[w]))
