"""Peer of the cnn benchmark: examples/MnistCnn/mnist-cnn.model.yaml written by hand in PyTorch (NCHW, PyTorch's
native layout): conv 32 3x3 relu -> maxpool 2 -> conv 64 3x3 relu -> maxpool 2 -> flatten -> dropout .25
-> dense 128 relu -> dropout .5 -> dense 10 (cross-entropy on the logits); Adam(1e-3, eps 1e-7); batch 64.
Usage: python3 pytorch_mnist_cnn.py DATA_DIR STEPS. Prints steps_per_s."""
import struct, sys, time, numpy as np, torch, torch.nn as nn, torch.nn.functional as F


def idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, n = struct.unpack('>II', data[:8])
    if magic == 2051:
        r, c = struct.unpack('>II', data[8:16]); return np.frombuffer(data, np.uint8, offset=16).reshape(n, r, c)
    return np.frombuffer(data, np.uint8, offset=8)


class Cnn(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 32, 3); s.c2 = nn.Conv2d(32, 64, 3); s.d1 = nn.Linear(1600, 128); s.d2 = nn.Linear(128, 10)

    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c1(x)), 2); x = F.max_pool2d(F.relu(s.c2(x)), 2)
        x = F.dropout(x.flatten(1), .25, s.training); x = F.dropout(F.relu(s.d1(x)), .5, s.training)
        return s.d2(x)


def main():
    d = sys.argv[1]; steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200; batch = 64
    torch.manual_seed(0)
    xtr = torch.tensor(idx(f'{d}/train-images-idx3-ubyte'), dtype=torch.float32).unsqueeze(1) / 255
    ytr = torch.tensor(idx(f'{d}/train-labels-idx1-ubyte'), dtype=torch.long)
    m = Cnn(); opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7); m.train()
    perm = torch.randperm(len(xtr)); t0 = time.perf_counter(); n = 0
    for s in range(0, len(xtr), batch):
        ix = perm[s:s + batch]; loss = F.cross_entropy(m(xtr[ix]), ytr[ix])
        opt.zero_grad(); loss.backward(); opt.step(); n += 1
        if n >= steps: break
    dt = time.perf_counter() - t0
    print(f'train steps={n} seconds={dt:.2f} steps_per_s={n / dt:.1f}', flush=True)


main()
