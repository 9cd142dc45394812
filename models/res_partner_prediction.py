from odoo import fields, models

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
    customer_probability_return = fields.Float(
        string="Chance of Ordering Again",
        compute="_compute_customer_account",
        search=_account_search("customer_probability_return"),
        readonly=True,
        aggregator="avg",
        help="The chance that the customer orders at least once over the company's prediction horizon: it is "
        "still buying from us and its next order comes within the horizon. The lifecycle's at risk and dormant "
        "thresholds apply to it.",
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
    customer_prediction_fitted = fields.Boolean(
        string="Predicted by the Model",
        compute="_compute_customer_account",
        search=_account_search("customer_prediction_fitted"),
        readonly=True,
        help="The figures come from the company's repeat-buying model; without it (too little order history) "
        "the lifecycle follows the day rules.",
    )
