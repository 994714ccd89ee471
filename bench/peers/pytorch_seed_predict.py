"""Peer of the predict benchmark: the reference model (relu LSTMs, the cell loop of shared/peers/pytorch_seed_model.py)
in eval mode under no_grad over the 10,000 MNIST test images. Usage: python3 pytorch_seed_predict.py DATA_DIR BATCH.
Prints samples_per_s."""
import struct, sys, time, numpy as np, torch, torch.nn as nn, torch.nn.functional as F


def idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, n = struct.unpack('>II', data[:8])
    r, c = struct.unpack('>II', data[8:16])
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, r, c)


class ReluLSTM(nn.Module):
    def __init__(s, i, h):
        super().__init__(); s.h = h; s.wi = nn.Linear(i, 4 * h); s.wh = nn.Linear(h, 4 * h, bias=False)

    def forward(s, x):
        b, t, _ = x.shape; h = x.new_zeros(b, s.h); c = x.new_zeros(b, s.h); xs = s.wi(x).unbind(1); out = []
        for k in range(t):
            i, f, z, o = (xs[k] + s.wh(h)).chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.relu(z); h = torch.sigmoid(o) * torch.relu(c); out.append(h)
        return torch.stack(out, 1)


class Seed(nn.Module):
    def __init__(s):
        super().__init__()
        s.l1 = ReluLSTM(28, 128); s.l2 = ReluLSTM(128, 128); s.d1 = nn.Linear(128, 32); s.d2 = nn.Linear(32, 10)

    def forward(s, x):
        x = F.dropout(s.l1(x), .2, s.training); x = F.dropout(s.l2(x)[:, -1], .2, s.training)
        return torch.softmax(s.d2(F.dropout(F.relu(s.d1(x)), .2, s.training)), 1)


def main():
    d = sys.argv[1]; batch = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    torch.manual_seed(0)
    images = torch.tensor(idx(f'{d}/t10k-images-idx3-ubyte'))
    m = Seed().eval(); outputs = []
    t0 = time.perf_counter()
    with torch.no_grad():
        for s in range(0, len(images), batch):
            outputs.append(m(images[s:s + batch].float() / 255))
        result = torch.cat(outputs)
    dt = time.perf_counter() - t0
    print(f'predict samples={len(result)} seconds={dt:.2f} samples_per_s={len(result) / dt:.0f}', flush=True)


main()
