"""Exports the digits examples as ONNX models, with held-out and calibration data, for
`zkmc import` / `zkmc eval` (README, "Importing ONNX models").

- cnn_digits/model.onnx and lenet_digits/model.onnx: the float weights of weights.json in the
  graph layout torch.onnx.export writes (Conv, Relu, AveragePool/MaxPool, Flatten, Gemm with
  transB = 1, a symbolic batch dimension, PyTorch-style node names).
- sklearn_mlp/model.onnx: a 64-32-10 MLPClassifier trained here and converted by skl2onnx (its
  MatMul/Add/Relu/Softmax graph with the label branch zkmc leaves out).
- <example>/heldout.json: the first 200 digits of the 20% test split (never trained on), and
  <example>/calibration.json: 64 training digits, both as EZKL `input_data` rows.

Rerun from the repository root (pinned environment):
    pip install -r examples/requirements.txt && python3 examples/export_onnx.py
"""
import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from skl2onnx import to_onnx
from sklearn.neural_network import MLPClassifier

from train_digits import EXAMPLES, SEED, load_data


def lenet_images(x):
    """[N, 64] digits -> [N, 1, 28, 28], as train_lenet.py: each pixel 3x3, zero border of 2."""
    big = np.kron(x.reshape(-1, 8, 8), np.ones((3, 3)))
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))[:, None]


def rows(x):
    return {"input_data": [[float(v) for v in r.ravel()] for r in x]}


def write_data(name, train, test):
    folder = EXAMPLES / name
    (folder / "heldout.json").write_text(json.dumps(rows(test[:200]), separators=(",", ":")) + "\n")
    (folder / "calibration.json").write_text(json.dumps(rows(train[:64]), separators=(",", ":")) + "\n")


def tensor(name, values):
    return numpy_helper.from_array(np.asarray(values, dtype=np.float32), name)


def torch_like(name, nodes, inits, x_shape, classes=10):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *x_shape])
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])
    graph = helper.make_graph(nodes, name, [x], [y], inits)
    model = helper.make_model(graph, producer_name="pytorch-layout", opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    (EXAMPLES / name / "model.onnx").write_bytes(model.SerializeToString())


def node(op, inputs, output, name, **attrs):
    return helper.make_node(op, inputs, [output], name=name, **attrs)


def gemm(i, x, out):
    return node("Gemm", [x, f"fc{i}.weight", f"fc{i}.bias"], out, f"/fc{i}/Gemm", transB=1)


def cnn(w):
    torch_like("cnn_digits", [
        node("Conv", ["input", "conv1.weight", "conv1.bias"], "c1", "/conv1/Conv", kernel_shape=[3, 3],
             pads=[1, 1, 1, 1], strides=[1, 1]),
        node("Relu", ["c1"], "r1", "/relu1/Relu"),
        node("AveragePool", ["r1"], "p1", "/pool1/AveragePool", kernel_shape=[2, 2], strides=[2, 2]),
        node("Flatten", ["p1"], "f", "/flatten/Flatten", axis=1),
        gemm(2, "f", "logits"),
    ], [tensor("conv1.weight", w["k1"]), tensor("conv1.bias", w["b1"]),
        tensor("fc2.weight", np.array(w["w2"]).T), tensor("fc2.bias", w["b2"])], [1, 8, 8])


def lenet(w):
    conv = lambda i, x, out: node("Conv", [x, f"conv{i}.weight", f"conv{i}.bias"], out, f"/conv{i}/Conv",
                                  kernel_shape=[5, 5], strides=[1, 1], pads=[0, 0, 0, 0])
    pool = lambda i, x, out: node("MaxPool", [x], out, f"/pool{i}/MaxPool", kernel_shape=[2, 2], strides=[2, 2])
    torch_like("lenet_digits", [
        conv(1, "input", "c1"), node("Relu", ["c1"], "r1", "/relu1/Relu"), pool(1, "r1", "p1"),
        conv(2, "p1", "c2"), node("Relu", ["c2"], "r2", "/relu2/Relu"), pool(2, "r2", "p2"),
        node("Flatten", ["p2"], "f", "/flatten/Flatten", axis=1),
        gemm(3, "f", "h3"), node("Relu", ["h3"], "r3", "/relu3/Relu"),
        gemm(4, "r3", "h4"), node("Relu", ["h4"], "r4", "/relu4/Relu"),
        gemm(5, "r4", "logits"),
    ], [tensor("conv1.weight", w["k1"]), tensor("conv1.bias", w["b1"]),
        tensor("conv2.weight", w["k2"]), tensor("conv2.bias", w["b2"])]
       + [t for i in (3, 4, 5) for t in (tensor(f"fc{i}.weight", np.array(w[f"w{i}"]).T),
                                         tensor(f"fc{i}.bias", w[f"b{i}"]))], [1, 28, 28])


def sklearn_mlp(x_train, y_train, x_test, y_test):
    clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu", alpha=1e-3, max_iter=500,
                        random_state=SEED).fit(x_train, y_train)
    model = to_onnx(clf, x_train[:1].astype(np.float32), options={id(clf): {"zipmap": False}},
                    target_opset={"": 17, "ai.onnx.ml": 3})
    (EXAMPLES / "sklearn_mlp" / "model.onnx").write_bytes(model.SerializeToString())
    print(f"sklearn_mlp: float accuracy {clf.score(x_test, y_test):.4f} on {len(y_test)} test digits")


def main():
    x_train, x_test, y_train, y_test = load_data()
    weights = {n: json.loads((EXAMPLES / n / "weights.json").read_text()) for n in ("cnn_digits", "lenet_digits")}
    cnn(weights["cnn_digits"])
    write_data("cnn_digits", x_train.reshape(-1, 1, 8, 8), x_test.reshape(-1, 1, 8, 8))
    lenet(weights["lenet_digits"])
    write_data("lenet_digits", lenet_images(x_train), lenet_images(x_test))
    sklearn_mlp(x_train, y_train, x_test, y_test)
    write_data("sklearn_mlp", x_train, x_test)


if __name__ == "__main__":
    main()
