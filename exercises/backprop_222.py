"""Exercise 3: backpropagation on the 2-2-2 sigmoid network of seed 000.

h1_in = w1 i1 + w2 i2 + b1,  h2_in = w3 i1 + w4 i2 + b1,  h1 = sigma(h1_in),  h2 = sigma(h2_in)
o1_in = w5 h1 + w6 h2 + b2,  o2_in = w7 h1 + w8 h2 + b2,  o1 = sigma(o1_in),  o2 = sigma(o2_in)
E = 1/2 [(o1 - t1)^2 + (o2 - t2)^2]

b1 is shared by both hidden units and b2 by both outputs. The parameters come as a dict
``p`` with the keys i1, i2, w1 ... w8, b1, b2, t1, t2 and eta.
"""

import math


def sigmoid(z):
    """Given: sigma(z) for one number (you wrote it in exercise 1)."""
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def forward_222(p):
    """Return the forward pass as a dict with the keys
    h1_in, h2_in, h1, h2, o1_in, o2_in, o1, o2 and E (numbers)."""
    raise NotImplementedError("forward_222: not implemented yet")


def backward_222(p, f):
    """Return the backward pass and one step of gradient descent as a dict (numbers).

    ``f`` is the dict returned by ``forward_222(p)``. Keys:

    - deltas: delta_o1, delta_o2 (dE/do1_in, dE/do2_in), delta_h1, delta_h2 (dE/dh1_in, dE/dh2_in);
    - gradients: dE_dw1 ... dE_dw8, dE_db1, dE_db2;
    - updates: w1_new ... w8_new, b1_new, b2_new, with p["eta"] as the learning rate.

    The hidden deltas use the weights from before the update.
    """
    raise NotImplementedError("backward_222: not implemented yet")
