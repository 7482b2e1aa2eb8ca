"""Candidates per second of the worker's models in PyTorch on the CPU: a baseline for
`studio-worker bench` (scripts/bench-worker.sh), which measures the same thing with candle.

It rebuilds the two models the worker runs from the worker's own converted weights
(`<models-dir>/omniart-eye-generator/model.safetensors` and
`<models-dir>/efficientnet-lite0/model.safetensors`), in eager PyTorch, eval mode, under
`torch.inference_mode()`, and measures as the worker does: each measurement is one warm-up
call, then calls repeated for about `--seconds`; candidates/s = calls × batch / elapsed.

- generator, batch 1, 16 and 64: fresh standard-normal latents of colour class 0 to
  3 × 128 × 128 images (the worker draws its latents with ChaCha20; here `torch.randn`).
- critic alone, batch 16: the 68-component style vectors (below) of 16 quantized eyes.
- fitness loop, batch 16: one search round of a 16-candidate job (`fitness::search` with no
  further rounds): generate 16 eyes of class 0, quantize them to 8 bits as the worker's PNGs
  do, compute each one's 68-component style vector with the style critic (EfficientNet-Lite0's
  stem and blocks 0 to 4), its deviation from a reference, and pick the best. The worker also
  encodes the winner as a PNG and scores its contrast; that is left out here (a 128 × 128
  image, small against the models).

It prints markdown rows without the header, to go under the table `studio-worker bench`
prints. `--check` instead prints, as JSON, the generator's first output values and the style
vectors for two fixed latents (given in the output), to compare with candle's.

`--device cuda[:N]` measures on a GPU (the models and every tensor there; each measurement
waits for the GPU's work), `--batches` sets the generator's batch sizes, and `--half-batches`
adds rows of the generator in bf16 (a GPU's reduced precision).

Usage: python scripts/bench_torch.py [--models-dir models] [--seconds 5] [--threads N]
[--device cpu|cuda[:N]] [--batches 1,16,64] [--half-batches 1024] [--check]
(needs torch and safetensors).
"""

import argparse
import copy
import json
import math
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

LATENT_SIZE = 100
CLASSES = 8
REFERENCE = [1.0] * 68  # the reference `studio-worker bench` scores against
PALETTE_WEIGHT = 300.0  # style::PALETTE_WEIGHT

# EfficientNet-Lite0's blocks 0 to 4: (kernel, stride, expansion, inputs, outputs), as in
# offchain-worker/models/src/inference/style_critic.rs; the style index reads blocks 2 and 4.
BLOCKS = [(3, 1, 1, 32, 16), (3, 2, 6, 16, 24), (3, 1, 6, 24, 24), (5, 2, 6, 24, 40), (5, 1, 6, 40, 40)]
STYLE_TAPS = (2, 4)


def eye_generator(weights):
    """The OmniArt eye generator, layer for layer as its wheel defines it (`main.3` is a
    dropout, a no-op in eval mode), so that the converted weights load by name."""
    layers = []
    channels = [LATENT_SIZE + CLASSES, 1024, 512, 256, 128, 64]
    for index, (inputs, outputs) in enumerate(zip(channels, channels[1:])):
        first = index == 0
        layers += [nn.ConvTranspose2d(inputs, outputs, 4, 1 if first else 2, 0 if first else 1, bias=False),
                   nn.BatchNorm2d(outputs), nn.ReLU(True)]
        if first:
            layers.append(nn.Dropout(0.2))
    layers += [nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False), nn.Tanh()]
    model = nn.Module()
    model.main = nn.Sequential(*layers)
    model.load_state_dict(weights)
    return model.eval()


def generate(generator, latents, classes):
    """Images (n × 3 × 128 × 128 in [−1, 1]) of `latents` (n × 100) and class indices."""
    one_hot = F.one_hot(classes, CLASSES).to(latents.dtype)
    return generator.main(torch.cat([latents, one_hot], 1)[:, :, None, None])


class SameConv(nn.Conv2d):
    """A bias-free convolution with TensorFlow "same" padding: output `ceil(size / stride)`,
    the odd pixel of padding on the right and bottom."""

    def forward(self, x):
        pads = []
        for size in (x.shape[3], x.shape[2]):  # F.pad takes the last dimension first
            stride, kernel = self.stride[0], self.kernel_size[0]
            total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def norm(channels):
    return nn.BatchNorm2d(channels, eps=1e-3)


class Block(nn.Module):
    """A mobile inverted bottleneck without squeeze-and-excitation, with ReLU6."""

    def __init__(self, kernel, stride, expansion, inputs, outputs):
        super().__init__()
        hidden = inputs * expansion
        if expansion != 1:
            self._expand_conv = nn.Conv2d(inputs, hidden, 1, bias=False)
            self._bn0 = norm(hidden)
        self._depthwise_conv = SameConv(hidden, hidden, kernel, stride, groups=hidden, bias=False)
        self._bn1 = norm(hidden)
        self._project_conv = nn.Conv2d(hidden, outputs, 1, bias=False)
        self._bn2 = norm(outputs)
        self.residual = stride == 1 and inputs == outputs

    def forward(self, x):
        h = x
        if hasattr(self, "_expand_conv"):
            h = F.relu6(self._bn0(self._expand_conv(h)))
        h = F.relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))
        return h + x if self.residual else h


class StyleCritic(nn.Module):
    """EfficientNet-Lite0's stem and blocks 0 to 4 (inputs RGB in [−1, 1])."""

    def __init__(self, weights):
        super().__init__()
        self._conv_stem = SameConv(3, 32, 3, 2, bias=False)
        self._bn0 = norm(32)
        self._blocks = nn.ModuleList(Block(*config) for config in BLOCKS)
        self.load_state_dict({name: tensor for name, tensor in weights.items() if name in self.state_dict()})
        self.eval()

    def features(self, x):
        """The feature maps at STYLE_TAPS."""
        h = F.relu6(self._bn0(self._conv_stem(x)))
        taps = []
        for index, block in enumerate(self._blocks):
            h = block(h)
            if index in STYLE_TAPS:
                taps.append(h)
        return taps


def quantized(images):
    """The images as their PNGs hold them: bytes `clip((x + 1)·128, 0, 255)` truncated, read back
    as `byte / 128 − 1` (inference/image.rs)."""
    return torch.clamp((images + 1) * 128, 0, 255).floor() / 128 - 1


def palette(images):
    """Mean and RMS of the opponent colours (R − G)/√2 and (R + G − 2B)/√6, times the
    palette weight (style::palette): n × 4."""
    r, g, b = ((images + 1) / 2).unbind(1)
    opponents = torch.stack([(r - g) / math.sqrt(2), (r + g - 2 * b) / math.sqrt(6)], 1).flatten(2)
    return torch.cat([opponents.mean(2), opponents.square().mean(2).sqrt()], 1) * PALETTE_WEIGHT


def style_vectors(critic, images):
    """Per-channel RMS of the two taps (24 + 40) and the palette (4): n × 68."""
    parts = [tap.square().flatten(2).mean(2).sqrt() for tap in critic.features(images)]
    return torch.cat(parts + [palette(images)], 1)


def deviations(vectors, reference):
    """‖v − r‖ / (‖v‖ + ‖r‖) for each row v, in float64 as the worker computes it."""
    vectors, reference = vectors.double(), reference.double()
    scale = vectors.norm(dim=1) + reference.norm()
    return torch.where(scale == 0, 0.0, (vectors - reference).norm(dim=1) / scale)


def synchronize():
    """Waits for the GPU's queued work (a no-op on the CPU), so that a measurement ends when
    its work does."""
    if torch.cuda.is_available() and torch.get_default_device().type == "cuda":
        torch.cuda.synchronize()


def throughput(seconds, batch, step):
    """Candidates per second of `step` (which handles `batch` candidates), run for about
    `seconds` after one warm-up call."""
    step()
    synchronize()
    start = time.perf_counter()
    rounds = 0
    while rounds == 0 or time.perf_counter() - start < seconds:
        rounds += 1
        step()
    synchronize()
    return rounds * batch / (time.perf_counter() - start)


def bench(generator, critic, seconds, label, batches, half_batches):
    def generator_step(batch, model=generator, dtype=torch.float32):
        generate(model, torch.randn(batch, LATENT_SIZE, dtype=dtype), torch.zeros(batch, dtype=torch.long))

    for batch in batches:
        per_second = throughput(seconds, batch, lambda: generator_step(batch))
        print(f"| generator ({label}) | {batch} | {per_second:.1f} |", flush=True)
    if half_batches:
        half = copy.deepcopy(generator).to(torch.bfloat16)
        for batch in half_batches:
            per_second = throughput(seconds, batch, lambda: generator_step(batch, half, torch.bfloat16))
            print(f"| generator, bf16 ({label}) | {batch} | {per_second:.1f} |", flush=True)

    images = quantized(generate(generator, torch.randn(16, LATENT_SIZE), torch.zeros(16, dtype=torch.long)))
    per_second = throughput(seconds, 16, lambda: style_vectors(critic, images))
    print(f"| critic alone: style vectors ({label}) | 16 | {per_second:.1f} |", flush=True)

    reference = torch.tensor(REFERENCE)

    def fitness_step():
        images = quantized(generate(generator, torch.randn(16, LATENT_SIZE), torch.zeros(16, dtype=torch.long)))
        return images[deviations(style_vectors(critic, images), reference).argmin()]

    per_second = throughput(seconds, 16, fitness_step)
    print(f"| fitness loop: generate + quantize + score ({label}) | 16 | {per_second:.1f} |", flush=True)


def check(generator, critic):
    """Outputs for two fixed latents of class 0, to compare with candle's."""
    latents = torch.randn(2, LATENT_SIZE, generator=torch.Generator().manual_seed(0))
    images = generate(generator, latents, torch.zeros(2, dtype=torch.long))
    print(json.dumps({
        "torch": torch.__version__,
        "class": 0,
        "latents": latents.tolist(),
        "generator_first_8": images.flatten()[:8].tolist(),
        # Of the generator's output as it is, not quantized.
        "style_vectors": style_vectors(critic, images).tolist(),
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run each measurement")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads")
    parser.add_argument("--check", action="store_true", help="print reference outputs as JSON instead")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda[:N] for a GPU")
    parser.add_argument("--batches", default="1,16,64", help="the generator's batch sizes, comma-separated")
    parser.add_argument("--half-batches", default="", help="batch sizes of the generator in bf16 too (a GPU's)")
    args = parser.parse_args()
    batches = [int(batch) for batch in args.batches.split(",") if batch]
    half_batches = [int(batch) for batch in args.half_batches.split(",") if batch]

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    device = torch.device(args.device)
    generator = eye_generator(load_file(args.models_dir / "omniart-eye-generator" / "model.safetensors")).to(device)
    critic = StyleCritic(load_file(args.models_dir / "efficientnet-lite0" / "model.safetensors")).to(device)
    # Every tensor the measurements make is made on the device.
    torch.set_default_device(device)
    with torch.inference_mode():
        if args.check:
            check(generator, critic)
        else:
            version = torch.__version__.split("+")[0]
            on = f"CPU, {args.threads} threads" if device.type == "cpu" else f"CUDA GPU {device.index or 0}"
            bench(generator, critic, args.seconds, f"PyTorch {version}, {on}", batches, half_batches)


if __name__ == "__main__":
    main()
