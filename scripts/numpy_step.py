"""One SGD step of the book's MNIST-shaped network (784-100-100-100-100-10, ReLU, He init,
batch 128, float64), written as the book's common/layers.py and multi_layer_net.py compute it:
forward through Affine/ReLU layers, SoftmaxWithLoss, the backward pass, then W -= lr * dW.

Prints the median milliseconds per step over the repeats given (default 200)."""
import sys
import time

import numpy as np

sizes = [784, 100, 100, 100, 100, 10]
batch = 128
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
rng = np.random.default_rng(0)
params = []
for n_in, n_out in zip(sizes, sizes[1:]):
    params.append([rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in), np.zeros(n_out)])
x = rng.random((batch, 784))
t = rng.integers(0, 10, batch)


def step():
    xs, outs = [], []
    h = x
    for i, (W, b) in enumerate(params):
        xs.append(h)
        a = np.dot(h, W) + b
        if i < len(params) - 1:
            mask = a <= 0
            a = a.copy()
            a[mask] = 0
            outs.append(mask)
        h = a
    h = h - np.max(h, axis=-1, keepdims=True)
    y = np.exp(h) / np.sum(np.exp(h), axis=-1, keepdims=True)
    loss = -np.sum(np.log(y[np.arange(batch), t] + 1e-7)) / batch
    dout = y.copy()
    dout[np.arange(batch), t] -= 1
    dout = dout / batch
    for i in reversed(range(len(params))):
        W, b = params[i]
        dW = np.dot(xs[i].T, dout)
        db = np.sum(dout, axis=0)
        dout = np.dot(dout, W.T)
        if i > 0:
            dout[outs[i - 1]] = 0
        W -= 0.01 * dW
        b -= 0.01 * db
    return loss


for _ in range(20):
    step()
times = []
for _ in range(repeats):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
times.sort()
print(f"{times[len(times) // 2] * 1000:.3f}")
