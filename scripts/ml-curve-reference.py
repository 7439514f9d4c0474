#!/usr/bin/python3
"""Independent reference for electron/main/ml/response-curve.ts (run with Debian's /usr/bin/python3,
packages python3-scipy and python3-numpy; never an app dependency).

Simulates 180 days of spend and revenue from a known adstock + Hill curve (S-shaped truth, s = 1.6,
which the app's concave model cannot represent, plus a concave truth, s = 0.8), fits the same
bounded model with scipy.optimize.least_squares from a grid of starts, and writes the data and the
optimum to electron/main/ml/fixtures/response-curve-reference.json. The vitest test checks that our
fit reaches the same least-squares optimum on the same data.

  /usr/bin/python3 scripts/ml-curve-reference.py
"""
import json, os
import numpy as np
from scipy.optimize import least_squares

THETA_MAX, S_MIN, S_MAX, K_MIN, K_MAX = 0.8, 0.5, 1.0, 0.1, 10.0


def adstock(x, theta):
    a = np.zeros_like(x)
    prev = 0.0
    for i, v in enumerate(x):
        prev = v + theta * prev
        a[i] = prev
    return a


def hill(a, s, k):
    out = np.zeros_like(a)
    pos = a > 0
    out[pos] = 1.0 / (1.0 + (k / a[pos]) ** s)
    return out


def simulate(seed, truth):
    rng = np.random.default_rng(seed)
    spend = 50 + rng.random(180) * 350
    a = adstock(spend, truth["theta"])
    y = truth["beta"] * hill(a, truth["s"], truth["k"]) * (1 + (rng.random(180) - 0.5) * 0.2)
    return spend, y


def fit(spend, y):
    mx = spend.max()

    def resid(p):
        theta, s, m, beta = p
        k = m * mx / (1 - theta)
        return y - beta * hill(adstock(spend, theta), s, k)

    best = None
    for theta in [0, 0.2, 0.4, 0.6, 0.8]:
        for s in [0.5, 0.75, 1.0]:
            for m in [0.1, 0.25, 0.5, 1, 2, 4, 10]:
                h = hill(adstock(spend, min(theta, THETA_MAX - 1e-6)), s, m * mx / (1 - min(theta, THETA_MAX - 1e-6)))
                beta0 = max(1e-6, float(h @ y / (h @ h)))
                r = least_squares(
                    resid,
                    [min(theta, THETA_MAX - 1e-6), s, m, beta0],
                    bounds=([0, S_MIN, K_MIN, 0], [THETA_MAX, S_MAX, K_MAX, np.inf]),
                    xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000,
                )
                sse = float(r.fun @ r.fun)
                if best is None or sse < best[0]:
                    best = (sse, r.x)
    sse, (theta, s, m, beta) = best
    return {"theta": float(theta), "s": float(s), "k": float(m * mx / (1 - theta)), "beta": float(beta), "sse": sse}


cases = []
for name, seed, truth in [
    ("s_shaped_truth", 3, {"theta": 0.5, "s": 1.6, "k": 400.0, "beta": 2000.0}),
    ("concave_truth", 7, {"theta": 0.3, "s": 0.8, "k": 300.0, "beta": 1500.0}),
]:
    spend, y = simulate(seed, truth)
    cases.append({"name": name, "truth": truth, "spend": spend.round(6).tolist(), "y": y.round(6).tolist(),
                  "scipy": fit(np.round(spend, 6), np.round(y, 6))})
import scipy
out = os.path.join(os.path.dirname(__file__), "..", "electron", "main", "ml", "fixtures", "response-curve-reference.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/ml-curve-reference.py", "scipy": scipy.__version__, "cases": cases}, f)
    f.write("\n")
print(json.dumps([{c["name"]: c["scipy"]} for c in cases]))
