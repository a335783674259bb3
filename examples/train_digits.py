"""Train the two bundled digits examples and write their data files.

Rerun from the repository root with:

    pip install scikit-learn==1.9.1 numpy==2.4.6
    python3 examples/train_digits.py

(examples/requirements.txt pins these plus scikit-learn's scipy and threadpoolctl; tested with
Python 3.11.) It takes a few seconds on one core and prints both models' accuracies.

Both models are trained on scikit-learn's bundled 8x8 digits dataset (no download): pixel
values / 16.0 (range [0, 1]), 80/20 train/test split with random_state=0. Everything is
seeded and single-threaded, so a rerun with the pinned versions reproduces the files.

For each model, examples/<name>/ receives:
  <name>.zkm            the model in zkmc's language; the fixed-point types are chosen from the
                        trained values (weights: largest F such that every q fits in 8 bits)
  weights.json          float parameters, w as [n_in, n_out]
  input.json            the first test image, {"x": [...]}; input_ezkl.json in EZKL's layout
  expected_output.json  logits/class of the exact fixed-point model (integer codes q,
                        value = q / 2^F) and of the float model, plus the true label

Fixed-point semantics (mirrors zkmc): quantize q = floor(v * 2^F + 0.5) in float64; `@` and
`+` are exact integer arithmetic (scales add / must match); rescale_clamp from scale Fv to F
is y = floor((v + 2^(s-1)) / 2^s) with s = Fv - F, then saturation into the target width;
relu = max(y, 0); argmax takes the first index on ties.
"""

import json
import math
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

SEED = 0
EXAMPLES = Path(__file__).resolve().parent
X_BITS = 8  # width of the input pixels' fixed-point type
W_BITS = 8  # width of every weight matrix's fixed-point type
BIAS_WIDTHS = (24, 32)  # the smallest of these that holds a bias is used
ACT = (16, 8)  # (W, F) of hidden activations and logits

ZKM_HEADER = {
    "mlp_digits": (
        "Digits classifier: 64-64-32-10 ReLU MLP trained on scikit-learn's 8x8 digits.",
        "A 64-64-32-10 ReLU MLP.",
    ),
    "linear_digits": (
        "Digits classifier: linear 64-10 logistic regression trained on scikit-learn's 8x8 digits.",
        "A linear classifier: logits = x @ w + b, class = argmax(logits).",
    ),
}


def load_data():
    """Digits scaled to [0, 1], split 80/20 with random_state=0."""
    digits = load_digits()
    x = digits.data / 16.0
    return train_test_split(x, digits.target, test_size=0.2, random_state=SEED)


def train_mlp(x, y):
    """64-64-32-10 ReLU MLP; returns [(w [n_in, n_out], b [n_out]), ...]."""
    clf = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", alpha=1e-3,
                        max_iter=500, random_state=SEED).fit(x, y)
    return list(zip(clf.coefs_, clf.intercepts_))


def train_linear(x, y):
    """64-10 multinomial logistic regression; returns [(w [64, 10], b [10])]."""
    clf = LogisticRegression(max_iter=1000, random_state=SEED).fit(x, y)
    return [(clf.coef_.T, clf.intercept_)]


def quantize(values, frac):
    """q = floor(v * 2^frac + 0.5) elementwise, as (nested) lists of Python ints."""
    if isinstance(values, (list, np.ndarray)):
        return [quantize(v, frac) for v in values]
    return math.floor(float(values) * 2.0**frac + 0.5)


def fits(values, ty):
    """Whether every float quantizes into ty = (W, F) without overflow."""
    bits, frac = ty
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return all(lo <= q <= hi for q in np.ravel(quantize(values, frac)))


def max_frac(values, bits):
    """The largest F in 0..=bits such that every value fits fixed<bits, F>."""
    return max(f for f in range(bits + 1) if fits(values, (bits, f)))


def choose_types(x_all, layers):
    """(W, F) for x and for every layer's (w, b): b's F is the scale of its matmul."""
    x_type = (X_BITS, max_frac(x_all, X_BITS))
    types, f_in = [], x_type[1]
    for w, b in layers:
        f_w = max_frac(w, W_BITS)
        f_b = f_in + f_w
        assert f_b >= ACT[1], "rescale_clamp cannot raise the scale"
        w_b = next(bits for bits in BIAS_WIDTHS if fits(b, (bits, f_b)))
        types.append(((W_BITS, f_w), (w_b, f_b)))
        f_in = ACT[1]
    return x_type, types


def rescale_clamp(v, f_from, ty):
    """Exact zkmc rescale_clamp of integer code v from scale f_from to ty = (W, F)."""
    s = f_from - ty[1]
    y = (v + (1 << (s - 1))) >> s if s > 0 else v
    return min(max(y, -(1 << (ty[0] - 1))), (1 << (ty[0] - 1)) - 1)


def argmax(v):
    """Index of the largest element, the first one on ties."""
    return max(range(len(v)), key=lambda i: (v[i], -i))


def forward_fixed(xq, f_x, qlayers):
    """Integer forward pass; qlayers = [(wq, bq, f_w)], wq given transposed as [n_out][n_in]."""
    h, f_h = xq, f_x
    for i, (wq_t, bq, f_w) in enumerate(qlayers):
        acc = [sum(map(int.__mul__, h, col)) + bias for col, bias in zip(wq_t, bq)]
        h = [rescale_clamp(a, f_h + f_w, ACT) for a in acc]
        if i < len(qlayers) - 1:
            h = [max(y, 0) for y in h]
        f_h = ACT[1]
    return h, argmax(h)


def forward_float(x, layers):
    """Float logits (ReLU between layers) and the predicted class."""
    h = np.asarray(x)
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h.tolist(), int(np.argmax(h))


def type_str(ty):
    """zkmc spelling of a (W, F) fixed-point type."""
    return f"fixed<{ty[0]}, {ty[1]}>"


def param_names(n_layers):
    """(weight, bias) names per layer: w, b for one layer, else w1, b1, w2, b2, ..."""
    if n_layers == 1:
        return [("w", "b")]
    return [(f"w{k}", f"b{k}") for k in range(1, n_layers + 1)]


def zkm_source(name, dims, x_type, types):
    """The .zkm text of dense layers dims[0] -> dims[1] -> ... with ReLU between them."""
    title, model_doc = ZKM_HEADER[name]
    names, act = param_names(len(types)), type_str(ACT)
    decls = ["/// Pixel intensities scaled to [0, 1].",
             f"private input x: {type_str(x_type)}[{dims[0]}];"]
    for i, ((wn, bn), (w_ty, b_ty)) in enumerate(zip(names, types)):
        w_doc, b_doc = (("Weights", "Bias") if len(types) == 1
                        else (f"Layer {i + 1} weights", f"Layer {i + 1} bias"))
        decls += [f"/// {w_doc}, [inputs, outputs].",
                  f"public param {wn}: {type_str(w_ty)}[{dims[i]}, {dims[i + 1]}];",
                  f"/// {b_doc}, at the scale of its matrix product.",
                  f"public param {bn}: {type_str(b_ty)}[{dims[i + 1]}];"]
    decls += [f"/// Logits at scale 2^-{ACT[1]}.",
              f"public output logits: {act}[{dims[-1]}];",
              "/// The predicted digit.", "public output class: int<8>;"]
    body, prev = [], "x"
    for k, (wn, bn) in enumerate(names[:-1], start=1):
        body.append(f"let h{k} = relu(rescale_clamp({prev} @ {wn} + {bn}, {act}));")
        prev = f"h{k}"
    wn, bn = names[-1]
    body += [f"logits = rescale_clamp({prev} @ {wn} + {bn}, {act});", "class = argmax(logits);"]
    lines = [f"//! {title}", "", f"/// {model_doc}", f"model {name} {{"]
    lines += [f"    {s}" for s in decls] + [""] + [f"    {s}" for s in body] + ["}"]
    return "\n".join(lines) + "\n"


def write_json(path, obj):
    """Write obj as JSON (floats at full round-trip precision)."""
    path.write_text(json.dumps(obj) + "\n")


def build_example(name, layers, x_test, y_test, x_all):
    """Quantize a trained model, evaluate both versions and write its example folder."""
    x_type, types = choose_types(x_all, layers)
    qlayers = [(quantize(w.T, w_ty[1]), quantize(b, b_ty[1]), w_ty[1])
               for (w, b), (w_ty, b_ty) in zip(layers, types)]
    xq_test = quantize(x_test, x_type[1])
    float_pred = [forward_float(x, layers)[1] for x in x_test]
    fixed_pred = [forward_fixed(xq, x_type[1], qlayers)[1] for xq in xq_test]

    out = EXAMPLES / name
    out.mkdir(exist_ok=True)
    dims = [layers[0][0].shape[0]] + [w.shape[1] for w, _ in layers]
    (out / f"{name}.zkm").write_text(zkm_source(name, dims, x_type, types))
    names = [n for pair in param_names(len(layers)) for n in pair]
    params = [t.tolist() for layer in layers for t in layer]
    write_json(out / "weights.json", dict(zip(names, params)))
    x0 = x_test[0].tolist()
    write_json(out / "input.json", {"x": x0})
    write_json(out / "input_ezkl.json", {"input_data": [x0]})
    q_logits, q_class = forward_fixed(xq_test[0], x_type[1], qlayers)
    f_logits, f_class = forward_float(x_test[0], layers)
    write_json(out / "expected_output.json", {
        "quantized": {"logits": q_logits, "class": q_class},
        "float": {"logits": f_logits, "class": f_class},
        "label": int(y_test[0]),
    })

    float_acc, fixed_acc, agree = (np.mean(np.asarray(a) == np.asarray(b)) for a, b in
                                   [(float_pred, y_test), (fixed_pred, y_test),
                                    (float_pred, fixed_pred)])
    print(f"{name}: x {type_str(x_type)}, float acc {float_acc:.4f}, fixed acc {fixed_acc:.4f},"
          f" float/fixed agreement {agree:.4f} ({len(y_test)} test images)")
    for pname, t, ty in zip(names, params, [t for pair in types for t in pair]):
        print(f"  {pname}: {type_str(ty)}, max |v| = {np.max(np.abs(t)):.4f}")


def main():
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        x_train, x_test, y_train, y_test = load_data()
        x_all = np.concatenate([x_train, x_test])
        build_example("mlp_digits", train_mlp(x_train, y_train), x_test, y_test, x_all)
        build_example("linear_digits", train_linear(x_train, y_train), x_test, y_test, x_all)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
