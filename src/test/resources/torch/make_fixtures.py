# Writes the torch.save fixtures of ConvertCommandTest (run once; the tests themselves need no Python):
#   cd src/test/resources/torch && /usr/bin/python3 make_fixtures.py     (Debian 12's python3-torch 1.13.1)
# Every tensor holds exactly representable float32 values given by a formula the Java test recomputes:
#   value(i, j) = ((i * 7919 + j * 31) % 2001 - 1000) / 1024
# where i is the tensor's index in siac's order of the `tiny` preset (Models.shapes, then resonance.verb.items) and
# j the element's row-major index.
import collections
import torch

H, BINS, BLOCKS, D, HH, HEAD_BLOCKS = 16, 1025, 4, 32, 16, 1
HEADS = [("noise_resonance", 8), ("noise_deformations", 4), ("noise_mixes", 2), ("envelopes", 8),
         ("resonances", 32), ("deformations", 8), ("mixes", 2), ("room_choice", 2), ("room_mix", 2), ("fine", 1)]


def tiny_shapes():
    s = [("encoder.proj.weight", (H, BINS, 1)), ("encoder.proj.bias", (H,))]
    for b in range(BLOCKS):
        pre = "encoder.stack.blocks.%d." % b
        for conv in ("conv", "gate"):
            s += [(pre + conv + ".conv.parametrizations.weight.original0", (H, 1, 1)),
                  (pre + conv + ".conv.parametrizations.weight.original1", (H, H, 2)),
                  (pre + conv + ".conv.bias", (H,))]
        s += [(pre + "tanh_weight", (1,)), (pre + "sigmoid_weight", (1,))]
    s += [("encoder.stack.ff.weight", (H, H, 1)), ("encoder.stack.ff.bias", (H,)),
          ("to_event_vectors.weight", (D, H, 1)), ("to_event_vectors.bias", (D,)),
          ("to_event_switch.weight", (1, H, 1)), ("to_event_switch.bias", (1,))]
    for name, out in HEADS:
        pre = "multihead.mods.%s.net." % name
        s += [(pre + "0.weight", (HH, D)), (pre + "0.bias", (HH,))]
        for j in range(HEAD_BLOCKS):
            blk = pre + "1.net.%d." % j
            s += [(blk + "l1.weight", (HH, HH)), (blk + "l1.bias", (HH,)), (blk + "l2.weight", (HH, HH)),
                  (blk + "l2.bias", (HH,)), (blk + "norm.weight", (HH,)), (blk + "norm.bias", (HH,))]
        s += [(pre + "2.weight", (out, HH))] + ([(pre + "2.bias", (out,))] if out > 1 else [])
    s += [("resonance.r.items", (16, 3 * 257)), ("resonance.n.items", (4, 32)), ("resonance.e.items", (8, 128)),
          ("resonance.warp.items", (8, 64)), ("resonance.noise_warp.items", (4, 64)),
          ("resonance.verb.items", (2, 8192))]
    return s


def value(i, shape):
    n = 1
    for d in shape:
        n *= d
    j = torch.arange(n, dtype=torch.int64)
    return (((i * 7919 + j * 31) % 2001 - 1000).to(torch.float32) / 1024).reshape(shape)


sd = collections.OrderedDict()
for i, (name, shape) in enumerate(tiny_shapes()):
    sd[name] = value(i, shape)
# two tensors stored the way views are: one at an offset into a larger storage, one transposed (strides (1, 16))
big = torch.cat([torch.full((16,), -5.0), sd["encoder.proj.bias"]])
sd["encoder.proj.bias"] = big[16:]
w = sd["multihead.mods.envelopes.net.0.weight"]
sd["multihead.mods.envelopes.net.0.weight"] = w.t().contiguous().t()
assert sd["multihead.mods.envelopes.net.0.weight"].stride() == (1, 16)
torch.save(sd, "tiny.pt")

# as torch < 2.1 names weight-normalised convs (torch.nn.utils.weight_norm), and without room IRs
legacy = collections.OrderedDict()
for k, v in sd.items():
    if k == "resonance.verb.items":
        continue
    k = k.replace("parametrizations.weight.original0", "weight_g").replace("parametrizations.weight.original1", "weight_v")
    legacy[k] = v.clone()
torch.save(legacy, "tiny_legacy.pt")

# with the encoder blocks' BatchNorm1d (parameters and buffers, as the reference's checkpoint holds them)
bn = collections.OrderedDict()
for k, v in sd.items():
    bn[k] = v
    if k.endswith("sigmoid_weight"):
        pre = k[: -len("sigmoid_weight")]
        for bk, bv in torch.nn.BatchNorm1d(H).state_dict().items():
            bn[pre + "norm." + bk] = bv
torch.save(bn, "tiny_batchnorm.pt")
