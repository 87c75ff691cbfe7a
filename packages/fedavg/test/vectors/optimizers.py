#!/usr/bin/env python3
"""Regenerates optimizers.json: server optimizer steps computed independently in
float64 with numpy-free Python, following the formulas in spec/fl.md §3.
Run: python3 packages/fedavg/test/vectors/optimizers.py > packages/fedavg/test/vectors/optimizers.json"""
import json, math

model = [1.0, -2.0, 0.5]
deltas = [[0.2, -0.1, 0.0], [0.1, 0.3, -0.5], [-0.4, 0.05, 0.25]]

def fedavg(eta):
    out, x = [], model[:]
    for d in deltas:
        x = [xi - eta * di for xi, di in zip(x, d)]
        out.append(x)
    return out

def fedavgm(eta, beta):
    out, x, v = [], model[:], [0.0] * len(model)
    for d in deltas:
        v = [beta * vi + di for vi, di in zip(v, d)]
        x = [xi - eta * vi for xi, vi in zip(x, v)]
        out.append(x)
    return out

def adaptive(eta, b1, b2, tau, yogi):
    out, x, m, v = [], model[:], [0.0] * len(model), [tau * tau] * len(model)
    sign = lambda z: (z > 0) - (z < 0)
    for d in deltas:
        m = [b1 * mi + (1 - b1) * di for mi, di in zip(m, d)]
        if yogi:
            v = [vi - (1 - b2) * di * di * sign(vi - di * di) for vi, di in zip(v, d)]
        else:
            v = [b2 * vi + (1 - b2) * di * di for vi, di in zip(v, d)]
        x = [xi - eta * mi / (math.sqrt(vi) + tau) for xi, mi, vi in zip(x, m, v)]
        out.append(x)
    return out

cases = [
    {"optimizer": {"name": "fedavg", "serverLr": 1}, "models": fedavg(1)},
    {"optimizer": {"name": "fedavg", "serverLr": 0.5}, "models": fedavg(0.5)},
    {"optimizer": {"name": "fedavgm", "serverLr": 1, "momentum": 0.9}, "models": fedavgm(1, 0.9)},
    {"optimizer": {"name": "fedadam", "serverLr": 0.1, "beta1": 0.9, "beta2": 0.99, "tau": 1e-3}, "models": adaptive(0.1, 0.9, 0.99, 1e-3, False)},
    {"optimizer": {"name": "fedyogi", "serverLr": 0.1, "beta1": 0.9, "beta2": 0.99, "tau": 1e-3}, "models": adaptive(0.1, 0.9, 0.99, 1e-3, True)},
]
print(json.dumps({"description": " ".join(__doc__.split("Run:")[0].split()), "model": model, "deltas": deltas, "cases": cases}, indent=2))
