from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import CustomerRelationshipCase

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCustomerPrediction(CustomerRelationshipCase):
    """The repeat-buying model fitted on a company's orders (README, "Who will buy again")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product.with_company(cls.company).standard_price = 60  # a 40% margin on every order
        # 12 regulars ordering every 75 days since March 2025, 10 who ordered every 20 days from
        # mid-May 2025 and stopped in August, 16 one-time buyers spread over the 17 months.
        cls.regulars = cls._create_customers(*[f"Regular {i}" for i in range(12)])
        cls.stopped = cls._create_customers(*[f"Stopped {i}" for i in range(10)])
        cls.once = cls._create_customers(*[f"Once {i}" for i in range(16)])
        specs = [
            (customer, 100 + 10 * i, date(2025, 3, 1) + timedelta(days=75 * k))
            for i, customer in enumerate(cls.regulars)
            for k in range(7)
        ]
        specs += [
            (customer, 200, date(2025, 5, 15) + timedelta(days=20 * k + i))
            for i, customer in enumerate(cls.stopped)
            for k in range(5)
        ]
        specs += [(customer, 300, date(2025, 2, 1) + timedelta(days=25 * i)) for i, customer in enumerate(cls.once)]
        cls._create_orders(specs)

    def _model(self, company=None):
        return self.env["customer.prediction.model"].search([("company_id", "=", (company or self.company).id)])

    def test_fit_per_company_and_figures_on_the_customers(self):
        self._recompute()
        model = self._model()
        self.assertEqual(model.state, "fitted", model.reason)
        self.assertEqual((model.customer_count, model.repeat_customer_count), (38, 22))
        self.assertEqual(model.data_date, TODAY)
        self.assertTrue(model.param_r > 0 and model.param_alpha > 0 and model.param_a > 0 and model.param_b > 0)
        self.assertLess(model.log_likelihood, 0)

        regular = self.regulars[0].with_company(self.company)
        stopped = self.stopped[0].with_company(self.company)
        once = self.once[-1].with_company(self.company)  # ordered on 2026-02-11
        self.assertGreater(regular.customer_probability_alive, 0.8)
        self.assertLess(stopped.customer_probability_alive, 0.2, "ordered every 20 days, silent since August")
        self.assertGreater(regular.customer_probability_return, 0.5)
        self.assertLess(stopped.customer_probability_return, stopped.customer_probability_alive)
        self.assertEqual(regular.customer_lifecycle, "active")
        self.assertEqual(stopped.customer_lifecycle, "dormant")
        self.assertGreater(regular.customer_expected_orders, stopped.customer_expected_orders)
        self.assertGreater(regular.customer_predicted_value, 0)
        # 40% of the predicted value, and the value at risk is what P(alive) leaves
        self.assertAlmostEqual(regular.customer_predicted_margin, 0.4 * regular.customer_predicted_value, delta=0.02)
        self.assertAlmostEqual(
            stopped.customer_value_at_risk,
            (1 - stopped.customer_probability_alive) * stopped.customer_predicted_value,
            delta=0.02,
        )
        # BG/NBD (the default): a one-time buyer is alive, but its chance of ordering falls with its silence
        self.assertEqual(model.variant, "bgnbd")
        self.assertEqual(once.customer_probability_alive, 1)
        self.assertLess(once.customer_probability_return, 0.5)
        # Everyone who ordered has an expected next order, one-time buyers included.
        self.assertTrue(once.expected_next_order_date)
        self.assertGreater(once.expected_next_order_date, once.last_order_date)
        self.assertGreater(regular.expected_next_order_date, regular.last_order_date)
        self.assertTrue(once.customer_prediction_fitted)
        # The partner fields search and group through the account.
        at_risk = self.env["res.partner"].with_company(self.company).search([("customer_value_at_risk", ">", 0)])
        self.assertIn(self.stopped[0], at_risk)

    def test_money_at_stake_on_the_dashboard_and_the_account_review(self):
        self._recompute()
        customers = (self.regulars | self.stopped | self.once).with_company(self.company)
        expected = sum(customers.mapped("customer_value_at_risk"))
        self.assertGreater(expected, 0)
        # What the managers' dashboard charts (value at risk per tier) read, as the manager.
        per_tier = (
            self.env["customer.account"]
            .with_user(self.manager)
            ._read_group(
                [("company_id", "=", self.company.id), ("partner_id", "in", customers.ids)],
                ["tier_id"],
                ["value_at_risk:sum"],
            )
        )
        self.assertAlmostEqual(sum(value for _tier, value in per_tier), expected, delta=0.05)
        report = self.env["ir.actions.report"].with_company(self.company)
        review = "customer_relationship.customer_account_review_report"
        html = report._render_qweb_html(review, self.stopped[0].ids)[0].decode()
        self.assertIn("Probability Alive", html)
        self.assertIn("Value at Risk", html)
        self.assertNotIn("Too little order history", html)

    def test_re_run_without_new_data_writes_nothing(self):
        self._recompute()
        self.assertEqual(self._recompute()["changed"], 0)
        self._create_orders([(self.stopped[0], 200, date(2026, 6, 29))])
        self._recompute()
        self.assertEqual(self.stopped[0].with_company(self.company).customer_lifecycle, "active")

    def test_too_little_data_falls_back_to_the_day_rules(self):
        customers = self._create_customers("Few 1", "Few 2")
        self._create_orders(
            [
                (customers[0], 100, date(2025, 6, 1)),
                (customers[0], 100, date(2025, 7, 1)),
                (customers[1], 100, date(2026, 6, 1)),
            ],
            company=self.company_eu,
        )
        self._recompute(self.company_eu)
        model = self._model(self.company_eu)
        self.assertEqual(model.state, "too_little_data")
        self.assertIn("2 customers", model.reason)
        first = customers[0].with_company(self.company_eu)
        self.assertEqual(first.customer_lifecycle, "dormant", "the day rule: no order for 180 days")
        self.assertFalse(first.customer_probability_alive)
        self.assertFalse(first.customer_predicted_value)
        self.assertFalse(first.customer_prediction_fitted)
        self.assertEqual(first.expected_next_order_date, date(2025, 7, 31), "last order + average interval")

    def test_settings_are_checked(self):
        with self.assertRaises(ValidationError):
            self.company.write({"customer_dormant_probability": 0.6, "customer_at_risk_probability": 0.5})
        with self.assertRaises(ValidationError):
            self.company.write({"customer_prediction_horizon_days": 0})
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.customer_prediction_horizon_days = 180
        settings.save().execute()
        self.assertEqual(self.company.customer_prediction_horizon_days, 180)

    def test_mbg_nbd_lets_one_time_buyers_go(self):
        self.company.customer_prediction_variant = "mbgnbd"
        self._recompute()
        self.assertEqual(self._model().variant, "mbgnbd")
        once = self.once[6].with_company(self.company)  # one order, on 2025-07-22
        self.assertLess(once.customer_probability_alive, 0.5)
        self.assertEqual(once.customer_lifecycle, "dormant")

    def test_thresholds_move_the_lifecycle(self):
        self.company.customer_dormant_probability = 0.01
        self._recompute()
        self.assertEqual(self.stopped[0].with_company(self.company).customer_lifecycle, "at_risk")

    def test_loss_wizard_records_the_margin_lost_and_the_cost_of_keeping(self):
        self._recompute()
        self.company.write({"customer_keeping_hour_cost": 50, "customer_care_action_cost": 20})
        stopped = self.stopped[1]
        self.env["customer.visit"].create(
            {
                "partner_id": stopped.id,
                "company_id": self.company.id,
                "user_id": self.salesman.id,
                "planned_start": datetime(2026, 6, 1, 9),
                "duration": 2,
                "notes": "<p>Price talk</p>",
            }
        ).action_done()
        expected_margin = stopped.with_company(self.company).customer_predicted_margin
        self.assertGreater(expected_margin, 0)
        reason = self.env["customer.loss.reason"].search([], limit=1)
        wizard = (
            self.env["customer.loss.mark"]
            .with_user(self.manager)
            .with_company(self.company)
            .create({"partner_ids": [(6, 0, stopped.ids)], "reason_id": reason.id})
        )
        with freeze_time(TODAY):
            wizard.action_apply()
        stopped = stopped.with_company(self.company)
        self.assertAlmostEqual(stopped.lost_margin, expected_margin, places=2)
        self.assertEqual(stopped.keeping_cost, 100, "2 visit hours at 50")

    def test_prediction_check_back_tests_the_model(self):
        self.company.customer_prediction_horizon_days = 180
        check = self.env["customer.prediction.check"].with_user(self.manager)._run(self.company, TODAY)
        self.assertEqual(check.cut_date, date(2026, 1, 1))
        self.assertEqual(check.state, "done", check.reason)
        # 12 regulars + 10 stopped + 14 one-time buyers before the cut; only the regulars came back,
        # twice each (March and May 2026)
        self.assertEqual((check.customer_count, check.returning_count), (36, 12))
        self.assertGreater(check.auc, 0.9)
        self.assertEqual(check.actual_orders, 12 * 2)
        self.assertEqual(len(check.decile_line_ids), 10)
        self.assertEqual(sum(check.decile_line_ids.mapped("actual_orders")), check.actual_orders)
        self.assertAlmostEqual(sum(check.decile_line_ids.mapped("predicted_orders")), check.predicted_orders, delta=1)
        rates = {line.lifecycle: line.return_rate for line in check.lifecycle_line_ids}
        self.assertGreater(rates["active"], 0)
        self.assertGreaterEqual(rates["active"], rates.get("at_risk", 0))
        self.assertEqual(rates.get("dormant", 0), 0)
        # The graph draws both series, predicted and actual, per decile.
        graph = check.action_open_graph()
        series = (
            self.env[graph["res_model"]]
            .with_user(self.manager)
            ._read_group(graph["domain"], ["series"], ["orders:sum"])
        )
        self.assertEqual(dict(series)["actual"], check.actual_orders)
        # each decile rounded to 0.1 order
        self.assertAlmostEqual(dict(series)["predicted"], check.predicted_orders, delta=0.5)
        # Run by an English-speaking manager, read by a Chinese-speaking one: labels in Chinese.
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_relationship"], ["zh_CN"], overwrite=True)
        in_chinese = check.decile_line_ids[:1].with_context(lang="zh_CN")
        self.assertEqual(in_chinese.name, "第 01 十分位")
        self.assertFalse(check.reason, "an AUC, nothing to explain")
        self.assertEqual(check.decile_line_ids[:1].with_context(lang="en_US").name, "Decile 01")

    def test_why_there_is_no_auc_is_said_in_the_readers_language(self):
        """A check run by an English-speaking manager tells a Chinese-speaking one, in Chinese, why
        it shows no AUC (one customer did not order again: too few to rank)."""
        check = self.env["customer.prediction.check"].create(
            {"company_id": self.company.id, "state": "done", "customer_count": 13, "returning_count": 12}
        )
        self.assertIn("12 did, 1 did not", check.with_context(lang="en_US").reason)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_relationship"], ["zh_CN"], overwrite=True)
        self.assertIn("再次下单 12 个，未再下单 1 个", check.with_context(lang="zh_CN").reason)

    def test_prediction_check_says_when_there_is_too_little_data(self):
        check = self.env["customer.prediction.check"]._run(self.company_eu, TODAY)
        self.assertEqual(check.state, "too_little_data")
        self.assertTrue(check.reason)
        self.assertFalse(check.decile_line_ids)


@tagged("post_install", "-at_install")
class TestPredictionCheckUi(HttpCase):
    def test_prediction_check_tour(self):
        """In a browser: the manager opens Reporting > Prediction Check and runs it again."""
        checks = self.env["customer.prediction.check"]
        self.start_tour("/odoo", "customer_prediction_check_tour", login="admin")
        self.assertEqual(checks.search_count([("company_id", "=", self.env.company.id)]), 2)
