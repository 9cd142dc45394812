from odoo import api, fields, models

from .customer_prediction import PREDICTION_STATES
from .res_partner import _account_inverse, _account_search


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The repeat-buying model's figures on the account of the current company (README, "Who will buy again").
    customer_probability_alive = fields.Float(
        string="Probability Alive",
        compute="_compute_customer_account",
        search=_account_search("customer_probability_alive"),
        readonly=True,
        aggregator="avg",
        help="The chance that the customer still buys from us, read from its own ordering rhythm and the "
        "time since its last order; empty while the company's model is not fitted.",
    )
    customer_expected_orders = fields.Float(
        string="Expected Orders",
        compute="_compute_customer_account",
        search=_account_search("customer_expected_orders"),
        readonly=True,
        digits=(10, 2),
        help="Orders expected from the customer over the company's prediction horizon.",
    )
    customer_predicted_value = fields.Float(
        string="Predicted Value",
        compute="_compute_customer_account",
        search=_account_search("customer_predicted_value"),
        readonly=True,
        digits="Product Price",
        help="Revenue expected from the customer over the prediction horizon, in company currency.",
    )
    customer_predicted_margin = fields.Float(
        string="Predicted Margin",
        compute="_compute_customer_account",
        search=_account_search("customer_predicted_margin"),
        readonly=True,
        digits="Product Price",
        help="The predicted value at the customer's margin rate, when its margin is known.",
    )
    customer_value_at_risk = fields.Float(
        string="Value at Risk",
        compute="_compute_customer_account",
        search=_account_search("customer_value_at_risk"),
        readonly=True,
        digits="Product Price",
        help="(1 - probability alive) x predicted value.",
    )
    customer_margin_at_risk = fields.Float(
        string="Margin at Risk",
        compute="_compute_customer_account",
        search=_account_search("customer_margin_at_risk"),
        readonly=True,
        digits="Product Price",
        help="(1 - probability alive) x predicted margin.",
    )
    # Recorded when the customer is marked as lost (wizards/customer_loss_mark.py).
    lost_margin = fields.Float(
        string="Expected Margin Lost",
        compute="_compute_customer_account",
        search=_account_search("lost_margin"),
        inverse=_account_inverse("lost_margin"),
        readonly=True,
        digits="Product Price",
        help="The margin the customer was expected to bring over the prediction horizon when it was marked lost.",
    )
    keeping_cost = fields.Float(
        string="Cost of Keeping",
        compute="_compute_customer_account",
        search=_account_search("keeping_cost"),
        inverse=_account_inverse("keeping_cost"),
        readonly=True,
        digits="Product Price",
        help="What serving the customer cost over the prediction horizon before it was lost: the hours of its "
        "visits done at the company's cost of a visit hour, plus its care actions done at the cost of a care action.",
    )
    customer_prediction_state = fields.Selection(
        PREDICTION_STATES, string="Prediction Model", compute="_compute_customer_prediction_state"
    )

    @api.depends_context("company")
    def _compute_customer_prediction_state(self):
        state = self.env["customer.prediction.model"]._state_for(self.env.company)
        for partner in self:
            partner.customer_prediction_state = state
