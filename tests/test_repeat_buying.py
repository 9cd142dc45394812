from pathlib import Path

import numpy as np

from odoo.tests import BaseCase, tagged

from ..models import repeat_buying as rb

CDNOW = Path(__file__).parent / "data" / "cdnow_customers_summary.csv"


@tagged("post_install", "-at_install")
class TestRepeatBuyingModels(BaseCase):
    """The mathematics alone (models/repeat_buying.py), against published results and simulations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cdnow = np.genfromtxt(CDNOW, delimiter=",", names=True)

    def assertClose(self, found, expected, tolerance):
        self.assertEqual(len(found), len(expected))
        for index, (value, target) in enumerate(zip(found, expected, strict=True)):
            self.assertLessEqual(abs(value / target - 1), tolerance, f"parameter {index}: {value} vs {target}")

    def test_bg_nbd_reproduces_the_published_cdnow_fit(self):
        """Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4."""
        d = self.cdnow
        self.assertEqual(len(d), 2357)
        params, log_likelihood = rb.fit_nbd(d["x"], d["t_x"], d["T"], rb.BG_NBD)
        self.assertClose(params, (0.243, 4.414, 0.793, 2.426), 0.01)
        self.assertAlmostEqual(log_likelihood, -9582.4, delta=0.5)
        # The paper's customer 1 (x = 2, t_x = 30.43, T = 38.86): its expected purchases in the next
        # 39 weeks and its probability of being alive, as the lifetimes package gives them.
        expected = rb.expected_purchases(params, 39, [2], [30.43], [38.86], rb.BG_NBD)[0]
        self.assertAlmostEqual(expected, 1.226, places=2)
        self.assertAlmostEqual(rb.probability_alive(params, [2], [30.43], [38.86], rb.BG_NBD)[0], 0.727, places=2)
        # In BG/NBD a customer who never came back is alive: the reason the addon uses MBG/NBD.
        self.assertEqual(rb.probability_alive(params, [0], [0], [38.86], rb.BG_NBD)[0], 1.0)

    def test_mbg_nbd_lets_one_time_buyers_go(self):
        d = self.cdnow
        params, log_likelihood = rb.fit_nbd(d["x"], d["t_x"], d["T"], rb.MBG_NBD)
        # as good a fit of CDNOW as BG/NBD's
        self.assertAlmostEqual(log_likelihood, -9582.4, delta=5)
        alive = rb.probability_alive(params, [0, 0, 5, 5], [0, 0, 30, 5], [1, 38, 38, 38])
        self.assertGreater(alive[0], alive[1], "a one-time buyer silent for long is less likely alive")
        self.assertGreater(alive[2], alive[3], "a frequent buyer who stopped early is the most likely gone")
        self.assertLess(alive[3], alive[1])
        # The total expected over the 39 following weeks stays close to BG/NBD's
        totals = [
            rb.expected_purchases(p, 39, d["x"], d["t_x"], d["T"], variant).sum()
            for variant in (rb.BG_NBD, rb.MBG_NBD)
            for p in [rb.fit_nbd(d["x"], d["t_x"], d["T"], variant)[0]]
        ]
        self.assertAlmostEqual(totals[1] / totals[0], 1, delta=0.05)

    def test_gamma_gamma_reproduces_the_published_cdnow_fit(self):
        """Fader, Hardie & Lee (2005, "RFM and CLV"): p = 6.25, q = 3.74, gamma = 15.44."""
        d = self.cdnow
        repeat = d["x"] > 0
        params, _ll = rb.fit_gamma_gamma(d["x"][repeat], d["zbar"][repeat])
        self.assertClose(params, (6.25, 3.74, 15.44), 0.01)
        p, q, gamma = params
        # a customer without repeat purchase is expected to spend the population's mean
        self.assertAlmostEqual(rb.expected_spend(params, [0], [0])[0], p * gamma / (q - 1))

    def test_parameters_are_recovered_from_simulated_customers(self):
        """10,000 customers simulated from each model: the fit finds the parameters back within 5%
        (at this size the sampling error of each parameter is about 2-3%)."""
        true = (1.0, 5.0, 0.5, 1.5)
        for variant in (rb.BG_NBD, rb.MBG_NBD):
            rng = np.random.default_rng(0)
            T = rng.uniform(200, 400, 10_000)
            x, t_x = rb.simulate_nbd(true, T, rng, variant)
            params, _ll = rb.fit_nbd(x, t_x, T, variant)
            self.assertClose(params, true, 0.05)

    def test_gamma_gamma_parameters_are_recovered(self):
        rng = np.random.default_rng(0)
        p, q, gamma = 4.0, 3.0, 50.0
        n = 10_000
        x = rng.integers(1, 10, n)
        nu = rng.gamma(q, 1 / gamma, n)  # each customer's own spend scale
        means = np.array([rng.gamma(p, 1 / nu_i, k).mean() for nu_i, k in zip(nu, x, strict=True)])
        params, _ll = rb.fit_gamma_gamma(x, means)
        self.assertClose(params, (p, q, gamma), 0.05)
