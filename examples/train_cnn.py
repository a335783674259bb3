"""Train the bundled digits CNN (examples/cnn_digits) and write its data files.

Rerun from the repository root with (same pinned environment as train_digits.py):

    pip install -r examples/requirements.txt
    python3 examples/train_cnn.py

The model: x [1, 8, 8] (scikit-learn's bundled 8x8 digits, pixel / 16.0, no download)
-> conv2d 3x3, 8 channels, stride 1, padding 1 -> ReLU -> 2x2 average pooling -> [8, 4, 4]
-> flatten (channel-major, as zkmc's row-major [C, H, W]) -> dense 128 -> 10 logits.
Trained with numpy only (full-batch gradients by hand, Adam), seeded and single-threaded, on the
same 80/20 split as train_digits.py. It takes about half a minute on one core.

The fixed-point model mirrors zkmc exactly: weights take the largest F that fits 8 bits, biases
the scale of their products; the conv result is rescale_clamp'ed to fixed<16, 8> and ReLU'd; the
2x2 window sum at 2 more fractional bits is the exact average, rescaled (round half up) back to
fixed<16, 8>; the logits are rescale_clamp'ed to fixed<16, 8>.
"""

import math
import time

import numpy as np
from threadpoolctl import threadpool_limits

from train_digits import (ACT, EXAMPLES, SEED, X_BITS, W_BITS, argmax, fits, load_data,
                          max_frac, quantize, rescale_clamp, type_str, write_json)

NAME = "cnn_digits"
CHANNELS = 8
EPOCHS = 400
LEARNING_RATE = 0.02


def patches(x):
    """[N, 64] images -> [N, 64 positions, 9] 3x3 windows with zero padding 1."""
    img = np.pad(x.reshape(-1, 8, 8), ((0, 0), (1, 1), (1, 1)))
    cols = [img[:, kh:kh + 8, kw:kw + 8].reshape(-1, 64) for kh in range(3) for kw in range(3)]
    return np.stack(cols, axis=2)


def pool(a):
    """[N, 8 ch, 8, 8] -> [N, 8 ch, 4, 4] 2x2 averages."""
    n = a.shape[0]
    return a.reshape(n, CHANNELS, 4, 2, 4, 2).mean(axis=(3, 5))


def forward(params, p):
    """Logits and the intermediates backprop needs; p are the patches."""
    k, b1, w2, b2 = params
    conv = np.einsum("npj,cj->ncp", p, k) + b1[None, :, None]  # [N, ch, 64]
    act = np.maximum(conv, 0.0)
    pooled = pool(act.reshape(-1, CHANNELS, 8, 8)).reshape(-1, CHANNELS * 16)
    return pooled @ w2 + b2, (conv, pooled)


def gradients(params, p, y):
    """Cross-entropy gradients of the four parameters."""
    k, _, w2, _ = params
    logits, (conv, pooled) = forward(params, p)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    d_logits = e / e.sum(axis=1, keepdims=True)
    d_logits[np.arange(len(y)), y] -= 1.0
    d_logits /= len(y)
    d_pooled = (d_logits @ w2.T).reshape(-1, CHANNELS, 4, 1, 4, 1) / 4.0
    d_act = np.broadcast_to(d_pooled, (len(y), CHANNELS, 4, 2, 4, 2)).reshape(-1, CHANNELS, 64)
    d_conv = d_act * (conv > 0)
    return [np.einsum("ncp,npj->cj", d_conv, p), d_conv.sum(axis=(0, 2)),
            pooled.T @ d_logits, d_logits.sum(axis=0)]


def train(x, y):
    """Adam on the full training set; returns [k [8, 9], b1 [8], w2 [128, 10], b2 [10]]."""
    rng = np.random.default_rng(SEED)
    params = [rng.normal(0, 0.3, (CHANNELS, 9)), np.zeros(CHANNELS),
              rng.normal(0, 0.1, (CHANNELS * 16, 10)), np.zeros(10)]
    m = [np.zeros_like(t) for t in params]
    v = [np.zeros_like(t) for t in params]
    p = patches(x)
    for step in range(1, EPOCHS + 1):
        for i, g in enumerate(gradients(params, p, y)):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            m_hat, v_hat = m[i] / (1 - 0.9**step), v[i] / (1 - 0.999**step)
            params[i] = params[i] - LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params


def choose_types(x_all, params):
    """(W, F) of x, the kernel, its bias, the dense weights and their bias."""
    k, b1, w2, b2 = params
    x_ty = (X_BITS, max_frac(x_all, X_BITS))
    k_ty = (W_BITS, max_frac(k, W_BITS))
    w_ty = (W_BITS, max_frac(w2, W_BITS))
    bias = lambda b, f: (next(bits for bits in (24, 32) if fits(b, (bits, f))), f)
    return x_ty, k_ty, bias(b1, x_ty[1] + k_ty[1]), w_ty, bias(b2, ACT[1] + w_ty[1])


def forward_fixed(xq, types, q):
    """The exact integer model; xq is [64] codes, q the quantized parameters."""
    x_ty, k_ty, _, w_ty, _ = types
    kq, b1q, w2q, b2q = q
    img = [[0] * 10] + [[0] + xq[r * 8:(r + 1) * 8] + [0] for r in range(8)] + [[0] * 10]
    act = []
    for c in range(CHANNELS):
        plane = []
        for r in range(8):
            for col in range(8):
                taps = [img[r + kh][col + kw] for kh in range(3) for kw in range(3)]
                acc = b1q[c] + sum(map(int.__mul__, taps, kq[c]))
                plane.append(max(rescale_clamp(acc, x_ty[1] + k_ty[1], ACT), 0))
        act.append(plane)
    pooled = []
    for c in range(CHANNELS):
        for r in range(4):
            for col in range(4):
                s = sum(act[c][(2 * r + dr) * 8 + 2 * col + dc] for dr in (0, 1) for dc in (0, 1))
                pooled.append((s + 2) >> 2)  # rescale from F + 2 to F: round half up
    logits = [rescale_clamp(b2q[o] + sum(pooled[i] * w2q[i][o] for i in range(128)),
                            ACT[1] + w_ty[1], ACT) for o in range(10)]
    return logits, argmax(logits)


def forward_float(x, params):
    """Float logits and class of one image."""
    logits, _ = forward(params, patches(x[None, :]))
    return logits[0].tolist(), int(np.argmax(logits[0]))


def zkm_source(types):
    """The model in zkmc's language."""
    x_ty, k_ty, b1_ty, w_ty, b2_ty = map(type_str, types)
    act = type_str(ACT)
    return f"""//! Digits classifier: a small CNN trained on scikit-learn's 8x8 digits.

/// conv 3x3 (8 channels, padding 1) -> ReLU -> 2x2 average pooling -> dense 128 -> 10.
model {NAME} {{
    /// Pixel intensities scaled to [0, 1], one channel.
    private input x: {x_ty}[1, 8, 8];
    /// Convolution kernel, [out channels, in channels, height, width].
    public param k1: {k_ty}[{CHANNELS}, 1, 3, 3];
    /// Convolution bias, at the scale of its products.
    public param b1: {b1_ty}[{CHANNELS}];
    /// Dense weights, [inputs, outputs]; inputs in [channel, row, column] order.
    public param w2: {w_ty}[{CHANNELS * 16}, 10];
    /// Dense bias, at the scale of its matrix product.
    public param b2: {b2_ty}[10];
    /// Logits at scale 2^-{ACT[1]}.
    public output logits: {act}[10];
    /// The predicted digit.
    public output class: int<8>;

    let h1 = relu(rescale_clamp(conv2d(x, k1, b1, 1, 1), {act}));
    let p1 = rescale(avg_pool2d(h1, 2), {act});
    logits = rescale_clamp(flatten(p1) @ w2 + b2, {act});
    class = argmax(logits);
}}
"""


def main():
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        x_train, x_test, y_train, y_test = load_data()
        params = train(x_train, y_train)
    x_all = np.concatenate([x_train, x_test])
    types = choose_types(x_all, params)
    k, b1, w2, b2 = params
    q = [quantize(k, types[1][1]), quantize(b1, types[2][1]), quantize(w2, types[3][1]),
         quantize(b2, types[4][1])]
    xq_test = quantize(x_test, types[0][1])
    fixed_pred = [forward_fixed(xq, types, q)[1] for xq in xq_test]
    float_pred = [forward_float(x, params)[1] for x in x_test]

    out = EXAMPLES / NAME
    out.mkdir(exist_ok=True)
    (out / f"{NAME}.zkm").write_text(zkm_source(types))
    write_json(out / "weights.json", {"k1": k.reshape(CHANNELS, 1, 3, 3).tolist(),
                                      "b1": b1.tolist(), "w2": w2.tolist(), "b2": b2.tolist()})
    write_json(out / "input.json", {"x": x_test[0].reshape(1, 8, 8).tolist()})
    q_logits, q_class = forward_fixed(xq_test[0], types, q)
    f_logits, f_class = forward_float(x_test[0], params)
    write_json(out / "expected_output.json", {
        "quantized": {"logits": q_logits, "class": q_class},
        "float": {"logits": f_logits, "class": f_class},
        "label": int(y_test[0]),
    })
    accuracy = lambda a, b: float(np.mean(np.asarray(a) == np.asarray(b)))
    print(f"{NAME}: float acc {accuracy(float_pred, y_test):.4f}, fixed acc "
          f"{accuracy(fixed_pred, y_test):.4f}, float/fixed agreement "
          f"{accuracy(float_pred, fixed_pred):.4f} ({len(y_test)} test images)")
    print("  types: " + ", ".join(map(type_str, types)))
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
