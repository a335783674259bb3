"""Train the bundled LeNet-5-style CNN (examples/lenet_digits) and write its data files.

Rerun from the repository root with (same pinned environment as train_digits.py):

    pip install -r examples/requirements.txt
    python3 examples/train_lenet.py

Data: scikit-learn's bundled 8x8 digits (no download), pixel / 16.0, each pixel repeated 3x3
(24x24) and zero-padded by 2 to 28x28; the same 80/20 split as train_digits.py.
The model: conv 5x5 (6 channels) -> ReLU -> 2x2 max pool -> conv 5x5 (16 channels) -> ReLU ->
2x2 max pool -> flatten (256, channel-major) -> dense 120 -> ReLU -> dense 84 -> ReLU -> dense 10.
Trained with numpy only (hand-written gradients, mini-batch Adam), seeded and single-threaded.

The fixed-point model mirrors zkmc exactly: weights take the largest F that fits 8 bits, biases
the scale of their products; every layer's result is rescale_clamp'ed to fixed<16, 8> (round
half up, saturate), then ReLU and max pooling act on the codes.
"""

import time

import numpy as np
from threadpoolctl import threadpool_limits

from train_digits import (ACT, EXAMPLES, SEED, W_BITS, X_BITS, argmax, fits, load_data, max_frac,
                          quantize, type_str, write_json)

NAME = "lenet_digits"
EPOCHS = 12
BATCH = 32
LEARNING_RATE = 0.002
SHAPES = {"k1": (6, 1, 5, 5), "b1": (6,), "k2": (16, 6, 5, 5), "b2": (16,),
          "w3": (256, 120), "b3": (120,), "w4": (120, 84), "b4": (84,), "w5": (84, 10),
          "b5": (10,)}


def images(x):
    """[N, 64] digits -> [N, 1, 28, 28]: each pixel 3x3, zero border of 2."""
    big = np.kron(x.reshape(-1, 8, 8), np.ones((3, 3)))
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))[:, None]


def patches(a, k):
    """[N, C, H, W] -> [N, OH·OW, C·k·k] valid k x k windows, (c, kh, kw) order."""
    n, c, h, w = a.shape
    oh, ow = h - k + 1, w - k + 1
    cols = [a[:, :, i:i + oh, j:j + ow] for i in range(k) for j in range(k)]
    stacked = np.stack(cols, axis=2)  # [N, C, k*k, OH, OW]
    return stacked.reshape(n, c * k * k, oh * ow).transpose(0, 2, 1), (oh, ow)


def conv(a, kern, bias):
    """Valid convolution; returns [N, CO, OH, OW] and the patches."""
    p, (oh, ow) = patches(a, kern.shape[-1])
    out = p @ kern.reshape(kern.shape[0], -1).T + bias  # [N, OH·OW, CO]
    return out.transpose(0, 2, 1).reshape(a.shape[0], -1, oh, ow), p


def max_pool(a):
    """2x2 max pool; returns the pooled tensor and the argmax mask for backprop."""
    n, c, h, w = a.shape
    blocks = a.reshape(n, c, h // 2, 2, w // 2, 2)
    pooled = blocks.max(axis=(3, 5))
    mask = blocks == pooled[:, :, :, None, :, None]
    return pooled, mask


def forward(params, x):
    """Logits and the intermediates backprop needs."""
    c1, p1 = conv(x, params["k1"], params["b1"])
    a1 = np.maximum(c1, 0)
    m1, mask1 = max_pool(a1)
    c2, p2 = conv(m1, params["k2"], params["b2"])
    a2 = np.maximum(c2, 0)
    m2, mask2 = max_pool(a2)
    f = m2.reshape(len(x), -1)
    h3 = np.maximum(f @ params["w3"] + params["b3"], 0)
    h4 = np.maximum(h3 @ params["w4"] + params["b4"], 0)
    logits = h4 @ params["w5"] + params["b5"]
    return logits, (p1, c1, mask1, m1, p2, c2, mask2, f, h3, h4)


def unpool(d, mask):
    """Spread the pooled gradient to the chosen elements (ties share it)."""
    n, c, h, w = d.shape
    spread = np.broadcast_to(d[:, :, :, None, :, None], (n, c, h, 2, w, 2)) * mask
    return spread.reshape(n, c, 2 * h, 2 * w)


def conv_grads(d_out, p, kern, inputs_shape):
    """Gradients of a valid convolution: kernel, bias and input."""
    n, co, oh, ow = d_out.shape
    d = d_out.reshape(n, co, oh * ow).transpose(0, 2, 1)  # [N, OH·OW, CO]
    d_k = np.einsum("npo,npj->oj", d, p).reshape(kern.shape)
    d_b = d.sum(axis=(0, 1))
    d_p = d @ kern.reshape(co, -1)  # [N, OH·OW, C·k·k]
    _, c, h, w = inputs_shape
    k = kern.shape[-1]
    d_in = np.zeros(inputs_shape)
    d_p = d_p.transpose(0, 2, 1).reshape(n, c, k * k, oh, ow)
    for idx in range(k * k):
        i, j = divmod(idx, k)
        d_in[:, :, i:i + oh, j:j + ow] += d_p[:, :, idx]
    return d_k, d_b, d_in


def gradients(params, x, y):
    """Cross-entropy gradients of every parameter."""
    logits, (p1, c1, mask1, m1, p2, c2, mask2, f, h3, h4) = forward(params, x)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1.0
    d /= len(y)
    g = {"w5": h4.T @ d, "b5": d.sum(0)}
    d4 = (d @ params["w5"].T) * (h4 > 0)
    g["w4"], g["b4"] = h3.T @ d4, d4.sum(0)
    d3 = (d4 @ params["w4"].T) * (h3 > 0)
    g["w3"], g["b3"] = f.T @ d3, d3.sum(0)
    d_m2 = (d3 @ params["w3"].T).reshape(-1, 16, 4, 4)
    d_c2 = unpool(d_m2, mask2) * (c2 > 0)
    g["k2"], g["b2"], d_m1 = conv_grads(d_c2, p2, params["k2"], m1.shape)
    d_c1 = unpool(d_m1, mask1) * (c1 > 0)
    g["k1"], g["b1"], _ = conv_grads(d_c1, p1, params["k1"], x.shape)
    return g


def train(x, y):
    """Mini-batch Adam; returns the parameters by name."""
    rng = np.random.default_rng(SEED)
    params = {}
    for name, shape in SHAPES.items():
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        if name.startswith("b"):
            params[name] = np.zeros(shape)
        elif name.startswith("k"):
            params[name] = rng.normal(0, np.sqrt(2 / fan_in), shape)
        else:
            params[name] = rng.normal(0, np.sqrt(2 / shape[0]), shape)
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(t) for k, t in params.items()}
    step = 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start:start + BATCH]
            step += 1
            for name, g in gradients(params, x[batch], y[batch]).items():
                m[name] = 0.9 * m[name] + 0.1 * g
                v[name] = 0.999 * v[name] + 0.001 * g * g
                m_hat, v_hat = m[name] / (1 - 0.9**step), v[name] / (1 - 0.999**step)
                params[name] -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params


def choose_types(x_all, params):
    """(W, F) of x and of every parameter, in SHAPES order."""
    x_ty = (X_BITS, max_frac(x_all, X_BITS))
    types, f_in = {}, x_ty[1]
    for layer in ("1", "2", "3", "4", "5"):
        wname = ("k" if layer in "12" else "w") + layer
        f_w = max_frac(params[wname], W_BITS)
        f_b = f_in + f_w
        bits = next(b for b in (24, 32) if fits(params["b" + layer], (b, f_b)))
        types[wname], types["b" + layer] = (W_BITS, f_w), (bits, f_b)
        f_in = ACT[1]
    return x_ty, types


def rescale_clamp(v, f_from):
    """Exact zkmc rescale_clamp of int64 codes from scale f_from to ACT."""
    s = f_from - ACT[1]
    y = (v + (1 << (s - 1))) >> s
    return np.clip(y, -(1 << (ACT[0] - 1)), (1 << (ACT[0] - 1)) - 1)


def forward_fixed(xq, x_ty, types, q):
    """The exact integer model on one image `[1, 28, 28]` (codes as int64 arrays)."""
    a, f = xq.astype(np.int64)[None], x_ty[1]
    for layer in ("1", "2"):
        k, b = q["k" + layer], q["b" + layer]
        c, _ = conv(a, k, b)
        c = rescale_clamp(c.astype(np.int64), f + types["k" + layer][1])
        a, _ = max_pool(np.maximum(c, 0))
        f = ACT[1]
    h = a.reshape(1, -1)
    for layer in ("3", "4", "5"):
        acc = h @ q["w" + layer] + q["b" + layer]
        h = rescale_clamp(acc, ACT[1] + types["w" + layer][1])
        if layer != "5":
            h = np.maximum(h, 0)
    logits = [int(v) for v in h[0]]
    return logits, argmax(logits)


def zkm_source(x_ty, types):
    """The model in zkmc's language."""
    t = {k: type_str(v) for k, v in types.items()}
    act = type_str(ACT)
    decl = "\n".join(
        f"    /// {doc}\n    public param {name}: {t[name]}{list(SHAPES[name])};"
        for name, doc in [
            ("k1", "Conv 1 kernel, [out, in, height, width]."), ("b1", "Conv 1 bias."),
            ("k2", "Conv 2 kernel."), ("b2", "Conv 2 bias."),
            ("w3", "Dense 3 weights, [inputs, outputs]."), ("b3", "Dense 3 bias."),
            ("w4", "Dense 4 weights."), ("b4", "Dense 4 bias."),
            ("w5", "Dense 5 weights."), ("b5", "Dense 5 bias.")])
    return f"""//! Digits classifier: a LeNet-5-style CNN on 28x28 upscaled scikit-learn digits.

/// conv 5x5 (6) -> ReLU -> max pool 2 -> conv 5x5 (16) -> ReLU -> max pool 2 -> 120 -> 84 -> 10.
model {NAME} {{
    /// Pixel intensities scaled to [0, 1], one channel.
    private input x: {type_str(x_ty)}[1, 28, 28];
{decl}
    /// Logits at scale 2^-{ACT[1]}.
    public output logits: {act}[10];
    /// The predicted digit.
    public output class: int<8>;

    let h1 = max_pool2d(relu(rescale_clamp(conv2d(x, k1, b1, 1, 0), {act})), 2);
    let h2 = max_pool2d(relu(rescale_clamp(conv2d(h1, k2, b2, 1, 0), {act})), 2);
    let h3 = relu(rescale_clamp(flatten(h2) @ w3 + b3, {act}));
    let h4 = relu(rescale_clamp(h3 @ w4 + b4, {act}));
    logits = rescale_clamp(h4 @ w5 + b5, {act});
    class = argmax(logits);
}}
"""


def main():
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        x_train, x_test, y_train, y_test = load_data()
        xi_train, xi_test = images(x_train), images(x_test)
        params = train(xi_train, y_train)
        float_pred = np.argmax(forward(params, xi_test)[0], axis=1)
    x_ty, types = choose_types(np.concatenate([x_train, x_test]), params)
    q = {k: np.asarray(quantize(v, types[k][1]), dtype=np.int64) for k, v in params.items()}
    xq_test = np.asarray(quantize(xi_test, x_ty[1]), dtype=np.int64)
    fixed_pred = [forward_fixed(xq, x_ty, types, q)[1] for xq in xq_test]

    out = EXAMPLES / NAME
    out.mkdir(exist_ok=True)
    (out / f"{NAME}.zkm").write_text(zkm_source(x_ty, types))
    write_json(out / "weights.json", {k: v.tolist() for k, v in params.items()})
    write_json(out / "input.json", {"x": xi_test[0].tolist()})
    q_logits, q_class = forward_fixed(xq_test[0], x_ty, types, q)
    f_logits = forward(params, xi_test[:1])[0][0]
    write_json(out / "expected_output.json", {
        "quantized": {"logits": q_logits, "class": q_class},
        "float": {"logits": f_logits.tolist(), "class": int(np.argmax(f_logits))},
        "label": int(y_test[0]),
    })
    accuracy = lambda a, b: float(np.mean(np.asarray(a) == np.asarray(b)))
    print(f"{NAME}: float acc {accuracy(float_pred, y_test):.4f}, fixed acc "
          f"{accuracy(fixed_pred, y_test):.4f}, float/fixed agreement "
          f"{accuracy(float_pred, fixed_pred):.4f} ({len(y_test)} test images)")
    print("  types: x " + type_str(x_ty) + ", "
          + ", ".join(f"{k} {type_str(v)}" for k, v in types.items()))
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
