"""Notebook 10's checker: a correct backward pass passes, typical wrong ones are named."""
from __future__ import annotations

import numpy as np

from gradlib.exercises.pathologies import chain_case, check_backward_norms, reference_norms
from gradlib.mlp import MLP


def _norms(Ws, hs, fprime, g, step):
    norms = [np.linalg.norm(g)]
    for l in reversed(range(len(Ws))):
        g = step(g, Ws[l], fprime(hs[l] @ Ws[l]), fprime(hs[l + 1]))
        norms.append(np.linalg.norm(g))
    return norms[::-1]


def right(Ws, hs, fprime, g):
    return _norms(Ws, hs, fprime, g, lambda g, W, s, so: (g * s) @ W.T)


def test_the_oracle_agrees_with_mlp_backprop() -> None:
    """autodiff's ‖∂L/∂h_0‖ = MLP.input_gradient's, on the same weights (an identity output layer
    and target h_L - g_top make ∂L/∂h_L = g_top for the squared error with m = 1)."""
    for widths, act in [((5, 5, 5, 5), "tanh"), ((3, 6, 4, 2), "sigmoid")]:
        Ws, hs, fprime, g_top = chain_case(widths, act, seed=11)
        net = MLP(list(widths) + [widths[-1]], activation=act, output="identity")
        for i, W in enumerate(Ws):
            net.weights[i][...] = W
        net.weights[-1][...] = np.eye(widths[-1])
        for b in net.biases:
            b[...] = 0.0
        assert np.allclose(net.scores(hs[0][None]), hs[-1][None], rtol=1e-14)
        g0 = net.input_gradient(hs[0][None], (hs[-1] - g_top)[None])[0]
        ref = reference_norms(Ws, hs, act, g_top)
        assert abs(np.linalg.norm(g0) - ref[0]) < 1e-12 * ref[0]
        assert np.allclose(right(Ws, hs, fprime, g_top), ref, rtol=1e-12, atol=0)


def test_backward_norms_checker() -> None:
    assert check_backward_norms(right).ok
    cases = {
        "W_lᵀ": lambda Ws, hs, f, g: _norms(Ws, hs, f, g, lambda g, W, s, so: (g * s) @ W),
        "forgot the slopes": lambda Ws, hs, f, g: _norms(Ws, hs, f, g, lambda g, W, s, so: g @ W.T),
        "reverse order": lambda Ws, hs, f, g: right(Ws, hs, f, g)[::-1],
        "at the layer's output": lambda Ws, hs, f, g: _norms(Ws, hs, f, g,
                                                             lambda g, W, s, so: (g * so) @ W.T),
        "wrong side of the weights": lambda Ws, hs, f, g: _norms(Ws, hs, f, g,
                                                                 lambda g, W, s, so: (g @ W.T) * s),
        "leave out the top": lambda Ws, hs, f, g: right(Ws, hs, f, g)[:-1],
    }
    for phrase, fn in cases.items():
        r = check_backward_norms(fn)
        assert not r.ok and phrase in r.message, (phrase, r)

    def next_layer(Ws, hs, f, g):                    # f'(z_{l+1}): one index too far
        zs = [h @ W for h, W in zip(hs, Ws)]
        norms = [np.linalg.norm(g)]
        for l in reversed(range(len(Ws))):
            g = (g * f(zs[l + 1])) @ Ws[l].T
            norms.append(np.linalg.norm(g))
        return norms[::-1]
    r = check_backward_norms(next_layer)
    assert not r.ok and "IndexError" in r.message and "not f'(z_{l+1})" in r.message

    def stub(Ws, hs, f, g):
        raise NotImplementedError
    assert check_backward_norms(stub).status == "not implemented yet"
    r = check_backward_norms(lambda Ws, hs, f, g: np.zeros(len(Ws) + 1))
    assert not r.ok and "layer 2 is 0 where 3.036 was expected" in r.message and "4 of 4 layers" in r.message


def test_non_square_chain_catches_a_transpose_that_square_layers_hide() -> None:
    """A learner who loops over square layers only by luck: the second case has widths 3, 6, 4, 2."""
    def transposed_if_square(Ws, hs, f, g):
        if all(W.shape[0] == W.shape[1] for W in Ws):
            return right(Ws, hs, f, g)
        return _norms(Ws, hs, f, g, lambda g, W, s, so: (g * s) @ W)
    r = check_backward_norms(transposed_if_square)
    assert not r.ok and "sigmoid chain" in r.name and "W_l instead of W_lᵀ" in r.message
