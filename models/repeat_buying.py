"""Repeat-buying models for non-contractual customers, fitted by maximum likelihood.

Pure numpy/scipy (no Odoo): every function takes and returns arrays, one entry per customer.

A customer's history is summarised by three numbers, in any time unit (the addon uses days):

- ``x``: repeat purchases (purchases after the first one; the addon counts order days),
- ``t_x``: age of the customer at its last purchase (last - first purchase),
- ``T``: age of the customer now (today - first purchase).

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2)): while alive, a customer buys at a Poisson rate
drawn from Gamma(r, alpha) across customers; after each repeat purchase it leaves for good
with a probability drawn from Beta(a, b). A one-time buyer is always alive in this model.

MBG/NBD (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models
for customer base analysis", IJRM 24(3)): the same, except that the customer may also leave
right after its first purchase, so that a one-time buyer who has not come back for long is
probably gone. The addon uses this one.

Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer base
analysis", JMR 42(4)): the spend per purchase of a customer varies around its own mean, which
varies across customers; ``p``, ``q``, ``gamma``.
"""

import numpy as np
from scipy import optimize, special

BG_NBD = "bgnbd"
MBG_NBD = "mbgnbd"


def _as_arrays(*values):
    return [np.asarray(value, dtype=float) for value in values]


def _fit(negative_ll, start, bounds=(-10.0, 10.0), jac=False):
    """Minimise ``negative_ll`` over the logarithms of the parameters (all positive)."""
    result = optimize.minimize(
        negative_ll,
        np.log(start),
        jac=jac,
        method="L-BFGS-B",
        bounds=[bounds] * len(start),
    )
    if not np.isfinite(result.fun):
        raise ValueError("the likelihood is not finite at the optimum")
    return np.exp(result.x), -result.fun, result


# ------------------------------------------------------------------
# BG/NBD and MBG/NBD
# ------------------------------------------------------------------


def _by_count(x):
    """``f -> f(each distinct count)[per customer]``: special functions of the purchase count are
    evaluated once per distinct count (a few dozen), not once per customer."""
    values, index = np.unique(x, return_inverse=True)
    return lambda function: function(values)[index]


def _nbd_terms(params, x, t_x, T, variant, gradient=False, by_count=None):
    """Log-likelihood of each customer and, with ``gradient``, its derivatives in (r, alpha, a, b).

    The customer is either alive at T (term ``alive``) or left right after its last purchase
    (term ``gone``); the two differ between BG/NBD (no leaving before a repeat purchase, k = 0)
    and MBG/NBD (k = 1)."""
    r, alpha, a, b = params
    k = 0 if variant == BG_NBD else 1
    by_count = by_count or _by_count(x)
    ln_beta_ab = special.betaln(a, b)
    log_alive_at, log_alive_last = np.log(alpha + T), np.log(alpha + t_x)
    common = by_count(lambda n: special.gammaln(r + n)) - special.gammaln(r) + r * np.log(alpha)
    alive = by_count(lambda n: special.betaln(a, b + n + k)) - ln_beta_ab - (r + x) * log_alive_at
    # BG/NBD: no "gone" term without a repeat purchase
    gone = by_count(lambda n: special.betaln(a + 1, b + np.maximum(n, 1 - k) + k - 1)) - ln_beta_ab
    gone = gone - (r + x) * log_alive_last
    if k == 0:
        gone = np.where(x > 0, gone, -np.inf)
    total = np.logaddexp(alive, gone)
    ll = common + total
    if not gradient:
        return ll
    w = np.exp(alive - total)  # weight of the "alive" term
    psi = special.digamma
    base = psi(a + b) - by_count(lambda n: psi(a + b + n + k))
    d_r = by_count(lambda n: psi(r + n)) - psi(r) + np.log(alpha) - w * log_alive_at - (1 - w) * log_alive_last
    d_alpha = r / alpha - (r + x) * (w / (alpha + T) + (1 - w) / (alpha + t_x))
    d_a = base + (1 - w) * (psi(a + 1) - psi(a))
    psi_alive = by_count(lambda n: psi(b + n + k))
    psi_gone = by_count(lambda n: psi(b + np.maximum(n, 1 - k) + k - 1))
    d_b = base - psi(b) + w * psi_alive + (1 - w) * psi_gone
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def nbd_log_likelihood(params, x, t_x, T, variant=MBG_NBD):
    """Log-likelihood of each customer's (x, t_x, T) under the model with ``params`` = (r, alpha, a, b)."""
    x, t_x, T = _as_arrays(x, t_x, T)
    return _nbd_terms(params, x, t_x, T, variant)


def fit_nbd(x, t_x, T, variant=MBG_NBD, start=None):
    """Maximum-likelihood (r, alpha, a, b) and the total log-likelihood."""
    x, t_x, T = _as_arrays(x, t_x, T)
    # Customers with the same history count once, weighted: in days, most one-time buyers share
    # theirs with many others.
    histories, counts = np.unique(np.stack([x, t_x, T]), axis=1, return_counts=True)
    x, t_x, T = histories
    if start is None:
        start = (1.0, max(float(np.average(T, weights=counts)), 1e-3), 1.0, 1.0)

    by_count = _by_count(x)

    def negative_ll(log_params):
        params = np.exp(log_params)
        ll, grad = _nbd_terms(params, x, t_x, T, variant, gradient=True, by_count=by_count)
        value = -np.sum(counts * ll)  # no BLAS call: its threads spin on a busy server
        if not np.isfinite(value):
            return 1e300, np.zeros(4)
        return value, -(grad * counts).sum(axis=1) * params

    params, log_likelihood, _result = _fit(negative_ll, start, jac=True)
    return tuple(float(p) for p in params), float(log_likelihood)


def _drop_odds(params, x, t_x, T, variant):
    """Odds that the customer left right after its last purchase rather than being alive now."""
    r, alpha, a, b = params
    ratio = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    if variant == BG_NBD:
        return np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ratio, 0.0)
    return a / (b + x) * ratio


def probability_alive(params, x, t_x, T, variant=MBG_NBD):
    """P(the customer is still buying | its history)."""
    x, t_x, T = _as_arrays(x, t_x, T)
    return 1.0 / (1.0 + _drop_odds(params, x, t_x, T, variant))


def expected_purchases(params, t, x, t_x, T, variant=MBG_NBD):
    """Expected number of purchases in the next ``t`` time units, given the history."""
    r, alpha, a, b = params
    x, t_x, T = _as_arrays(x, t_x, T)
    z = t / (alpha + T + t)
    shrink = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    if variant == BG_NBD:
        head = (a + b + x - 1) / (a - 1)
        tail = 1.0 - shrink * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    else:
        head = (a + b + x) / (a - 1)
        tail = 1.0 - shrink * special.hyp2f1(r + x, b + x + 1, a + b + x, z)
    return head * tail / (1.0 + _drop_odds(params, x, t_x, T, variant))


def probability_purchase_within(params, t, x, t_x, T, variant=MBG_NBD):
    """P(at least one purchase in the next ``t`` time units | history): alive now, and not
    waiting longer than ``t`` for the next purchase (a customer leaves only right after a
    purchase, so an alive one buys within t with probability 1 - ((alpha+T)/(alpha+T+t))^(r+x))."""
    r, alpha, _a, _b = params
    x, t_x, T = _as_arrays(x, t_x, T)
    no_purchase = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    return probability_alive(params, x, t_x, T, variant) * (1.0 - no_purchase)


def expected_rate_if_alive(params, x, T):
    """Expected purchases per time unit of a customer who is still buying (posterior mean of its rate)."""
    r, alpha, _a, _b = params
    x, T = _as_arrays(x, T)
    return (r + x) / (alpha + T)


def simulate_nbd(params, T, rng, variant=MBG_NBD):
    """Histories (x, t_x) of customers observed for ``T`` time units since their first purchase."""
    r, alpha, a, b = params
    T = np.asarray(T, dtype=float)
    n = T.size
    rate = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    if variant == MBG_NBD:
        alive &= rng.random(n) >= drop  # may leave right after the first purchase
    while alive.any():
        clock = np.where(alive, clock + rng.exponential(1.0, n) / rate, clock)
        bought = alive & (clock <= T)
        x += bought
        t_x = np.where(bought, clock, t_x)
        alive = bought & (rng.random(n) >= drop)
    return x, t_x


# ------------------------------------------------------------------
# Gamma-Gamma spend model
# ------------------------------------------------------------------


def _gamma_gamma_terms(params, x, m, gradient=False, by_count=None):
    p, q, gamma = params
    by_count = by_count or _by_count(x)
    px = p * x
    log_m, log_spent = np.log(m), np.log(gamma + m * x)
    ll = (
        by_count(lambda n: special.gammaln(p * n + q) - special.gammaln(p * n) + p * n * np.log(n))
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * log_m
        - (px + q) * log_spent
    )
    if not gradient:
        return ll
    psi_sum = by_count(lambda n: special.digamma(p * n + q))
    d_p = x * (psi_sum - by_count(lambda n: special.digamma(p * n) - np.log(n)) + log_m - log_spent)
    d_q = psi_sum - special.digamma(q) + np.log(gamma) - log_spent
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return ll, np.stack([d_p, d_q, d_gamma])


def gamma_gamma_log_likelihood(params, x, m):
    """Log-likelihood of each customer's mean spend ``m`` over its ``x`` (> 0) purchases."""
    x, m = _as_arrays(x, m)
    return _gamma_gamma_terms(params, x, m)


def fit_gamma_gamma(x, m, start=None):
    """Maximum-likelihood (p, q, gamma) from customers with x > 0 purchases of mean value m > 0."""
    x, m = _as_arrays(x, m)
    if start is None:
        start = (1.0, 2.0, max(float(np.mean(m)), 1e-3))
    by_count = _by_count(x)

    def negative_ll(log_params):
        params = np.exp(log_params)
        ll, grad = _gamma_gamma_terms(params, x, m, gradient=True, by_count=by_count)
        value = -np.sum(ll)
        if not np.isfinite(value):
            return 1e300, np.zeros(3)
        return value, -grad.sum(axis=1) * params

    params, log_likelihood, _result = _fit(negative_ll, start, bounds=(-10.0, 15.0), jac=True)
    return tuple(float(v) for v in params), float(log_likelihood)


def expected_spend(params, x, m):
    """Expected value of the customer's next purchases: its own mean spend shrunk towards the
    population's (the population's mean alone for a customer with no purchase to go by)."""
    p, q, gamma = params
    x, m = _as_arrays(x, m)
    m = np.where(x > 0, m, 0.0)
    return p * (gamma + x * m) / (p * x + q - 1)
