"""Writes the ONNX fixtures of zkmc's import tests (committed; CI does not run Python).

Each graph is built with onnx.helper in the layout torch.onnx.export and skl2onnx produce
(node names like `/conv1/Conv`, Gemm with transB = 1, a symbolic batch dimension), with seeded
random weights. Rerun from the repository root:
    pip install onnx==1.23.2 numpy && python3 tests/onnx/make_fixtures.py
"""
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).parent
RNG = np.random.default_rng(7)


def init(name, shape, scale=0.5):
    return numpy_helper.from_array((RNG.standard_normal(shape) * scale).astype(np.float32), name)


def const(name, values, dtype=np.float32):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def save(name, nodes, inits, x_shape, y_name="output", y_shape=None, extra_inputs=(), extra_outputs=()):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *x_shape])
    y = helper.make_tensor_value_info(y_name, TensorProto.FLOAT, y_shape)
    graph = helper.make_graph(nodes, name, [x, *extra_inputs], [y, *extra_outputs], inits)
    model = helper.make_model(graph, producer_name="zkmc-fixtures", opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    (OUT / f"{name}.onnx").write_bytes(model.SerializeToString())


def gemm_mlp():
    """Gemm (transB, alpha, beta) -> Relu -> Gemm -> Sigmoid."""
    save("gemm_mlp", [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], name="/fc1/Gemm",
                         transB=1, alpha=0.5, beta=2.0),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("Gemm", ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"], ["/fc2/Gemm_output_0"],
                         name="/fc2/Gemm"),
        helper.make_node("Sigmoid", ["/fc2/Gemm_output_0"], ["output"], name="/act/Sigmoid"),
    ], [init("fc1.weight", (12, 6)), init("fc1.bias", (12,), 0.1), init("fc2.weight", (12, 4)),
        init("fc2.bias", (4,), 0.1)], [6], y_shape=["batch", 4])


def matmul_softmax():
    """skl2onnx layout: Cast, MatMul + Add, Tanh, MatMul + Add, Softmax, Identity, and an int
    label output (ArgMax) that the importer leaves out."""
    label = helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"])
    save("matmul_softmax", [
        helper.make_node("Cast", ["input"], ["cast_input"], name="Cast", to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["cast_input", "coefficient"], ["mul_result"], name="MatMul"),
        helper.make_node("Add", ["mul_result", "intercepts"], ["add_result"], name="Add"),
        helper.make_node("Tanh", ["add_result"], ["next_activations"], name="Tanh"),
        helper.make_node("MatMul", ["next_activations", "coefficient1"], ["mul_result1"], name="MatMul1"),
        helper.make_node("Add", ["mul_result1", "intercepts1"], ["add_result1"], name="Add1"),
        helper.make_node("Softmax", ["add_result1"], ["out_activations_result"], name="Softmax", axis=1),
        helper.make_node("Identity", ["out_activations_result"], ["probabilities"], name="Identity"),
        helper.make_node("ArgMax", ["probabilities"], ["label"], name="ArgMax", axis=1),
    ], [init("coefficient", (8, 16)), init("intercepts", (1, 16), 0.1), init("coefficient1", (16, 5)),
        init("intercepts1", (1, 5), 0.1)], [8], y_name="probabilities", y_shape=["batch", 5],
       extra_outputs=[label])


def conv_bn():
    """Conv (no bias, pads 1) -> BatchNormalization -> Relu -> MaxPool 2 -> Conv (stride 2) ->
    per-channel Add -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> Dropout."""
    save("conv_bn", [
        helper.make_node("Conv", ["input", "conv1.weight"], ["c1"], name="/conv1/Conv", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["c1", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["n1"],
                         name="/bn1/BatchNormalization", epsilon=1e-5),
        helper.make_node("Relu", ["n1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2.weight"], ["c2"], name="/conv2/Conv", kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "conv2.shift"], ["a2"], name="/conv2/Add"),
        helper.make_node("Relu", ["a2"], ["r2"], name="/relu2/Relu"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["g"], ["f"], name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["d"], name="/fc/Gemm", transB=1),
        helper.make_node("Dropout", ["d"], ["output"], name="/drop/Dropout"),
    ], [init("conv1.weight", (4, 2, 3, 3)), init("bn.scale", (4,), 0.3), init("bn.bias", (4,), 0.1),
        const("bn.mean", RNG.standard_normal(4) * 0.1), const("bn.var", RNG.uniform(0.5, 2.0, 4)),
        init("conv2.weight", (6, 4, 3, 3), 0.3), init("conv2.shift", (6, 1, 1), 0.1),
        init("fc.weight", (3, 6)), init("fc.bias", (3,), 0.1)], [2, 8, 8], y_shape=["batch", 3])


def residual():
    """Gemm -> Relu -> Gemm, a residual Add of two tensors, Reshape to an image, AveragePool 2,
    Reshape back (a Constant shape)."""
    save("residual", [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h"], name="/fc1/Gemm", transB=1),
        helper.make_node("Relu", ["h"], ["r"], name="/relu/Relu"),
        helper.make_node("Gemm", ["r", "fc2.weight", "fc2.bias"], ["h2"], name="/fc2/Gemm", transB=1),
        helper.make_node("Add", ["r", "h2"], ["s"], name="/add/Add"),
        helper.make_node("Reshape", ["s", "image_shape"], ["img"], name="/view/Reshape"),
        helper.make_node("AveragePool", ["img"], ["pooled"], name="/pool/AveragePool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Constant", [], ["flat_shape"], name="/Constant",
                         value=numpy_helper.from_array(np.array([1, -1], dtype=np.int64))),
        helper.make_node("Reshape", ["pooled", "flat_shape"], ["output"], name="/flat/Reshape"),
    ], [init("fc1.weight", (16, 16), 0.3), init("fc1.bias", (16,), 0.1), init("fc2.weight", (16, 16), 0.3),
        init("fc2.bias", (16,), 0.1), const("image_shape", [1, 1, 4, 4], np.int64)], [16], y_shape=["batch", 4])


def odd_pools():
    """Conv -> Relu -> AveragePool 3 (a window whose area is not a power of two) ->
    GlobalAveragePool over 3x3 -> Flatten -> Gemm."""
    save("odd_pools", [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="/relu/Relu"),
        helper.make_node("AveragePool", ["r"], ["p"], name="/pool/AveragePool", kernel_shape=[3, 3],
                         strides=[3, 3]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"], name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["g"], ["f"], name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ], [init("conv.weight", (8, 3, 3, 3), 0.4), init("conv.bias", (8,), 0.1), init("fc.weight", (4, 8)),
        init("fc.bias", (4,), 0.1)], [3, 9, 9], y_shape=["batch", 4])


def torch_view():
    """`x.view(x.size(0), -1)` as torch.onnx.export writes it with a dynamic batch: Shape ->
    Gather -> Unsqueeze -> Concat with a Constant -1 -> Reshape, between a Conv block and a Gemm."""
    save("torch_view", [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv",
                         kernel_shape=[3, 3], pads=[0, 0, 0, 0]),
        helper.make_node("Relu", ["c"], ["r"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Shape", ["p"], ["/Shape_output_0"], name="/Shape"),
        helper.make_node("Constant", [], ["/Constant_output_0"], name="/Constant",
                         value=numpy_helper.from_array(np.array(0, dtype=np.int64))),
        helper.make_node("Gather", ["/Shape_output_0", "/Constant_output_0"], ["/Gather_output_0"],
                         name="/Gather", axis=0),
        helper.make_node("Constant", [], ["/Constant_1_output_0"], name="/Constant_1",
                         value=numpy_helper.from_array(np.array([0], dtype=np.int64))),
        helper.make_node("Unsqueeze", ["/Gather_output_0", "/Constant_1_output_0"], ["/Unsqueeze_output_0"],
                         name="/Unsqueeze"),
        helper.make_node("Constant", [], ["/Constant_2_output_0"], name="/Constant_2",
                         value=numpy_helper.from_array(np.array([-1], dtype=np.int64))),
        helper.make_node("Concat", ["/Unsqueeze_output_0", "/Constant_2_output_0"], ["/Concat_output_0"],
                         name="/Concat", axis=0),
        helper.make_node("Reshape", ["p", "/Concat_output_0"], ["f"], name="/Reshape"),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ], [init("conv.weight", (4, 1, 3, 3), 0.4), init("conv.bias", (4,), 0.1), init("fc.weight", (5, 144), 0.2),
        init("fc.bias", (5,), 0.1)], [1, 14, 14], y_shape=["batch", 5])


def unsupported():
    """Three nodes zkmc cannot import (each must be reported), around supported ones."""
    save("unsupported", [
        helper.make_node("MatMul", ["input", "w"], ["m"], name="/fc/MatMul"),
        helper.make_node("LeakyRelu", ["m"], ["l"], name="/act/LeakyRelu", alpha=0.1),
        helper.make_node("Mul", ["l", "scale"], ["s"], name="/scale/Mul"),
        helper.make_node("Relu", ["s"], ["r"], name="/relu/Relu"),
        helper.make_node("Erf", ["r"], ["output"], name="/gelu/Erf"),
    ], [init("w", (4, 4)), const("scale", [2.0])], [4], y_shape=["batch", 4])


def two_inputs():
    """Two graph inputs: E1003."""
    other = helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", 4])
    save("two_inputs", [helper.make_node("Add", ["input", "mask"], ["output"], name="/add/Add")], [], [4],
         y_shape=["batch", 4], extra_inputs=[other])


if __name__ == "__main__":
    for make in (gemm_mlp, matmul_softmax, conv_bn, residual, unsupported, two_inputs, odd_pools, torch_view):
        make()
    (OUT / "not_onnx.onnx").write_bytes(b"this is not a protobuf \xff\xfe\x00")
    print("wrote", sorted(p.name for p in OUT.glob("*.onnx")))
